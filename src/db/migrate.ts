import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import type postgres from 'postgres';
import type { Database } from './client.ts';
import { casualtySqlPlaceholders } from './casualties.ts';
import { revisionSqlPlaceholders } from './revised-entities.ts';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));
export const SQL_SOURCES_FOLDER = fileURLToPath(new URL('./sql', import.meta.url));

/**
 * The functions, views and triggers of each concern, one re-runnable file each, in the order they
 * are applied (a file may use what an earlier one defines). The drizzle migrations are history:
 * they made the tables and once created these objects; these files hold their current bodies.
 */
export const SQL_SOURCES = ['names', 'integrity', 'grades', 'merges', 'revisions', 'search', 'summaries', 'geography', 'changes', 'backfills'] as const;

/**
 * A file's text as applied: the revision column lists come from src/db/revised-entities.ts, the
 * casualty vector from src/db/casualties.ts.
 */
export function sqlSourceText(name: (typeof SQL_SOURCES)[number]): string {
  let text = readFileSync(`${SQL_SOURCES_FOLDER}/${name}.sql`, 'utf8');
  for (const [placeholder, value] of Object.entries({ ...revisionSqlPlaceholders(), ...casualtySqlPlaceholders() })) text = text.replaceAll(placeholder, value);
  const left = /\{\{[a-z_]+\}\}/.exec(text);
  if (left) throw new Error(`src/db/sql/${name}.sql: unknown placeholder ${left[0]}`);
  return text;
}

/** sha256 of every file as applied, to skip re-applying what the database already has. */
export function sqlSourcesHash(): string {
  const hash = createHash('sha256');
  for (const name of SQL_SOURCES) hash.update(`${name}\n${sqlSourceText(name)}\n`);
  return hash.digest('hex');
}

/**
 * Applies the src/db/sql files in one transaction. Replacing a trigger takes a lock on its table,
 * so a server start does it only when the files differ from what was last applied (`force`:
 * always). Instances starting at once take turns (a transaction-level advisory lock; no user
 * write takes it).
 */
export async function applySqlSources(client: postgres.Sql, { force = false }: { force?: boolean } = {}): Promise<boolean> {
  const hash = sqlSourcesHash();
  return client.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtextextended('apply sql sources', 0))`;
    if (!force) {
      const [last] = await tx<{ sha256: string }[]>`select sha256 from sql_sources_applied order by applied_at desc limit 1`;
      if (last?.sha256 === hash) return false;
    }
    for (const name of SQL_SOURCES) await tx.unsafe(sqlSourceText(name));
    await tx`delete from sql_sources_applied`;
    await tx`insert into sql_sources_applied (sha256) values (${hash})`;
    return true;
  });
}

/** Applies the checked-in drizzle-kit migrations (applied ones are skipped), then the SQL sources. */
export async function migrateDatabase(db: Database): Promise<void> {
  await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  await applySqlSources(db.$client);
}
