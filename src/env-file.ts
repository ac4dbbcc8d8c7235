/**
 * `.env` at the project root (git-ignored; `.env.example` lists every setting with its default),
 * read by `npm start` and the commands before the configuration. A variable set in the
 * environment wins over the file, so `PORT=4001 npm start` still works with a `.env` present.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ENV_FILE = fileURLToPath(new URL('../.env', import.meta.url));

/** Loads the file when there is one; returns its path, or undefined when there is none. */
export function loadEnvFile(path = ENV_FILE): string | undefined {
  if (!existsSync(path)) return undefined;
  process.loadEnvFile(path);
  return path;
}
