/**
 * The database a command (`npm run token`, `npm run import`) works on:
 * DATABASE_URL (from the environment or `.env`), else the embedded PostgreSQL that `npm start`
 * is running on EMBEDDED_PG_DIR, found from its postmaster.pid (its port changes every start).
 */
import { readConfig } from '../config.ts';
import { runningEmbeddedUrl } from '../db/embedded-lock.ts';
import { loadEnvFile } from '../env-file.ts';

/** The URL, or a message saying what to do when there is none. */
export function commandDatabaseUrl(env: Record<string, string | undefined> = process.env): { url: string } | { problem: string } {
  const config = readConfig(env);
  if (config.databaseUrl) return { url: config.databaseUrl };
  const url = runningEmbeddedUrl(config.embeddedDataDir);
  if (url) return { url };
  return {
    problem:
      `DATABASE_URL is not set and no embedded PostgreSQL is running in ${config.embeddedDataDir}. ` +
      'Start the server first (npm start runs one there), or set DATABASE_URL (in the environment or .env).',
  };
}

/** For a command's start: reads .env, then exits with code 2 and the reason when no database can be found. */
export function databaseUrlOrExit(): string {
  loadEnvFile();
  let found: ReturnType<typeof commandDatabaseUrl>;
  try {
    found = commandDatabaseUrl();
  } catch (error) {
    console.error(`Bad configuration: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
  if ('problem' in found) {
    console.error(found.problem);
    process.exit(2);
  }
  return found.url;
}
