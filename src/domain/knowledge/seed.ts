/**
 * The founding knowledge: every knowledge file in seed/data (with its source text in
 * seed/sources), loaded in name order by `npm run seed`, by the server into an empty database, and
 * by the tests.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { sources } from '../../db/schema.ts';
import { drainSummaries } from '../../db/summaries.ts';
import { KnowledgeFileError, loadKnowledgeFile, type LoadSummary } from './load.ts';

export const SEED_DATA_DIR = fileURLToPath(new URL('../../../seed/data', import.meta.url));
export const SEED_SOURCES_DIR = fileURLToPath(new URL('../../../seed/sources', import.meta.url));

/** Loads every knowledge file in `dataDir`, in name order, each in its own transaction. */
export async function loadSeed(db: Database, dataDir = SEED_DATA_DIR, sourcesDir = SEED_SOURCES_DIR): Promise<LoadSummary[]> {
  const names = (await readdir(dataDir)).filter((n) => n.endsWith('.json')).sort();
  const summaries: LoadSummary[] = [];
  for (const name of names) {
    const raw: unknown = JSON.parse(await readFile(join(dataDir, name), 'utf8'));
    const textFile = (raw as { source?: { textFile?: unknown } }).source?.textFile;
    if (typeof textFile !== 'string') throw new KnowledgeFileError(name, ['source.textFile: missing']);
    const text = await readFile(join(sourcesDir, textFile), 'utf8').catch(() => {
      throw new KnowledgeFileError(name, [`source.textFile: ${textFile} not found in ${sourcesDir}`]);
    });
    summaries.push(await loadKnowledgeFile(db, name, raw, text));
  }
  // The dashboard summaries are brought up to date off the write path: here, in one pass.
  await drainSummaries(db);
  return summaries;
}

/** True when nothing has been loaded yet (the server seeds an empty database on start). */
export async function isDatabaseEmpty(db: Database): Promise<boolean> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(sources);
  return (row?.n ?? 0) === 0;
}
