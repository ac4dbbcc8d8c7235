/**
 * Throughput of the dataset importers (issue 10; the target is issue 9's: ≥ 5,000 events/s and
 * ≥ 0.2× plain COPY). For each format: a synthetic file of ROWS rows (scripts/generate-dataset.ts)
 * is imported into a fresh database (`importDataset`, the code `npm run import -- --format` runs),
 * timed to commit, and the summary drain after it (as `npm run import` drains) timed apart; then
 * the very rows it wrote (sources, citations, claims, links, places, actors, events,
 * participations, external ids) are copied out and written into a second fresh database by plain
 * COPY into staging tables and one INSERT per table, with every trigger on: the floor any loader
 * of those rows pays (to commit; its queued keys are not drained). Prints rows/s and the ratio.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres [FORMATS=acled] npx tsx scripts/bench-datasets.ts [ROWS]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import postgres from 'postgres';
import { connectDatabase } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { IMPORT_DRAIN_BATCH, IMPORT_DRAINERS, drainSummaries } from '../src/db/summaries.ts';
import { importDataset } from '../src/import/datasets/import.ts';
import { generateDataset, type GeneratedFormat } from './generate-dataset.ts';

const ROWS = Number(process.argv[2] ?? 100_000);
const base = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The tables an import writes, parents first, with the columns a COPY restores. */
const TABLES = ['sources', 'places', 'claims', 'citations', 'claim_citations', 'actors', 'events', 'participations', 'external_ids'];

async function freshDatabase(name: string): Promise<string> {
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name}`);
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const { db, close } = connectDatabase(url.toString(), { max: 1 });
  await migrateDatabase(db);
  await close();
  return url.toString();
}

/**
 * A table's rows in COPY's text format. A connection of its own per table: on a connection that
 * has already streamed one COPY TO, postgres.js never ends the next one's stream.
 */
async function copyOut(url: string, table: string): Promise<Buffer> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const chunks: Buffer[] = [];
  const readable = await sql.unsafe(`copy ${table} to stdout`).readable();
  for await (const chunk of readable) chunks.push(chunk as Buffer);
  await sql.end();
  return Buffer.concat(chunks);
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-datasets-'));
  const results: string[] = [];
  try {
    // FORMATS=acled,gtd measures only those.
    const formats = (process.env.FORMATS?.split(',') ?? ['ucdp-ged', 'acled', 'gtd']) as GeneratedFormat[];
    for (const format of formats) {
      const file = join(dir, `${format}.csv`);
      await generateDataset(format, ROWS, file);
      console.error(`${format}: generated`);
      const importUrl = await freshDatabase('bench_datasets_import');
      const { db, close } = connectDatabase(importUrl, { max: 1 });
      const started = performance.now();
      const steps: string[] = [];
      const report = await importDataset(db, file, format, { onStep: (step, ms) => steps.push(`${step} ${Math.round(ms)}`) });
      const importMs = performance.now() - started;
      if (!report.ok) throw new Error(`${format}: refused: ${report.problems.slice(0, 5).join('; ')}`);
      await close();
      // What `npm run import` does after the commit: the summaries and the search documents of the
      // import's bulk statements, drained as the command drains them.
      const drainer = connectDatabase(importUrl, { max: IMPORT_DRAINERS });
      const drainStarted = performance.now();
      await drainSummaries(drainer.db, IMPORT_DRAIN_BATCH, IMPORT_DRAINERS);
      const drainMs = performance.now() - drainStarted;
      await drainer.close();
      const dumps = new Map<string, Buffer>();
      for (const table of TABLES) dumps.set(table, await copyOut(importUrl, table));

      const floorUrl = await freshDatabase('bench_datasets_floor');
      const floor = postgres(floorUrl, { max: 1, onnotice: () => {} });
      const floorStarted = performance.now();
      const floorSteps: string[] = [];
      await floor.begin(async (tx) => {
        for (const table of TABLES) {
          const tableStarted = performance.now();
          await tx.unsafe(`create temp table stage_${table} (like ${table}) on commit drop`);
          const writable = await tx.unsafe(`copy stage_${table} from stdin`).writable();
          await pipeline(Readable.from([dumps.get(table)!]), writable);
          await tx.unsafe(`insert into ${table} overriding system value select * from stage_${table}`);
          floorSteps.push(`${table} ${Math.round(performance.now() - tableStarted)}`);
        }
        const deferredStarted = performance.now();
        await tx`set constraints all immediate`;
        floorSteps.push(`deferred checks ${Math.round(performance.now() - deferredStarted)}`);
      });
      const floorMs = performance.now() - floorStarted;
      await floor.end();
      const perS = (ms: number) => Math.round((ROWS / ms) * 1000);
      results.push(`| ${format} | ${ROWS.toLocaleString('en')} | ${(importMs / 1000).toFixed(1)} | ${perS(importMs).toLocaleString('en')} | ${(floorMs / 1000).toFixed(1)} | ${perS(floorMs).toLocaleString('en')} | ${(floorMs / importMs).toFixed(2)}× | ${(drainMs / 1000).toFixed(1)} | ${perS(importMs + drainMs).toLocaleString('en')} |`);
      console.error(`${format}: import ${Math.round(importMs)} ms (${steps.join(', ')}); COPY floor ${Math.round(floorMs)} ms (${floorSteps.join(', ')}); created ${report.created}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('| format | rows | import s | import rows/s | COPY floor s | floor rows/s | import / floor speed | drain after s | with drain rows/s |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const line of results) console.log(line);
}

main().then(() => process.exit(0), (error: unknown) => { console.error(error); process.exit(1); });
