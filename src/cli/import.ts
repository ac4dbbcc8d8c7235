/**
 * `npm run import -- FILE [--dry-run]`: loads a knowledge file (.json, the seed's format) or a CSV
 * of events into DATABASE_URL (or the embedded PostgreSQL `npm start` runs), all or nothing.
 * Prints every problem with its JSON path or CSV line, a progress bar on a terminal, and a summary.
 * `--apply-corrections` changes the stored places, actors and events the file gives otherwise, as
 * cited updates, instead of only naming them. `--format` takes a dataset's CSV (UCDP GED, ACLED,
 * GTD); there `--apply-corrections` applies the rows a later release changed; `--report-absent`
 * names the stored records of the file's countries and dates that it no longer holds (a report:
 * nothing is retracted). Exit code 1 when the file is refused. Running servers hear of what it
 * wrote from the changes feed once it commits (src/graphql/changes-follower.ts); with REDIS_URL set
 * it also announces new events through Redis.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import cliProgress from 'cli-progress';
import { connectDatabase } from '../db/client.ts';
import { databaseUrlOrExit } from './database.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { analyzeBulkLoadedTables } from '../db/statistics.ts';
import { IMPORT_DRAIN_BATCH, IMPORT_DRAINERS, drainSummaries } from '../db/summaries.ts';
import { importFile } from '../import/import.ts';
import { DATASET_FORMAT_NAMES, importDataset } from '../import/datasets/import.ts';

const usage = `usage: npm run import -- FILE.json|FILE.csv [--format ${DATASET_FORMAT_NAMES.join('|')} [--apply-corrections] [--remap] [--report-absent]] [--dry-run] [--timings]`;
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    'dry-run': { type: 'boolean', default: false },
    timings: { type: 'boolean', default: false },
    format: { type: 'string' },
    'apply-corrections': { type: 'boolean', default: false },
    remap: { type: 'boolean', default: false },
    'report-absent': { type: 'boolean', default: false },
  },
});
const [path] = positionals;
if (!path || positionals.length > 1) {
  console.error(usage);
  process.exit(2);
}
for (const flag of ['remap', 'report-absent'] as const) {
  if (values[flag] && !values.format) {
    console.error(`--${flag} applies to dataset imports: give --format (${DATASET_FORMAT_NAMES.join(', ')})\n${usage}`);
    process.exit(2);
  }
}
const url = databaseUrlOrExit();

/** A progress bar (cli-progress) on a terminal only, so logs and pipes stay clean. */
function progressBar(stream: NodeJS.WriteStream): { update: (done: number, total: number) => void; stop: () => void } | undefined {
  if (!stream.isTTY) return undefined;
  const bar = new cliProgress.SingleBar({ stream, format: 'importing [{bar}] {percentage}% {value}/{total}' }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    update: (done, total) => {
      // While a file streams in, its total is an estimate from the bytes read: it may move.
      if (!started) bar.start(total, done);
      else {
        bar.setTotal(total);
        bar.update(done);
      }
      started = true;
    },
    stop: () => bar.stop(),
  };
}

/** The process's peak resident memory (VmHWM), MB. */
function peakRssMb(): number {
  const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
  return line ? Math.round(Number(line.replace(/\D+/g, '')) / 1024) : Math.round(process.memoryUsage().rss / 2 ** 20);
}

/**
 * A full garbage collection, on demand. V8 collects the old generation only once it has grown to
 * several times what was live at the last full collection, so a long import's memory would climb
 * with the file by garbage alone (docs/performance.md, "Memory as the file grows"); collecting
 * every RECORDS_PER_COLLECTION records (~20 ms each with the importer's ~35 MB live) keeps it flat.
 * `gc` exists only when exposed; the flag set here exposes it to a context made after it.
 */
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const RECORDS_PER_COLLECTION = 10_000;
/** Differing records named; the count says how many there are in all. */
const DIFFERING_SHOWN = 20;
/** Countries of a file's coverage named; more are counted. */
const COUNTRIES_SHOWN = 5;

const dryRun = values['dry-run'] ?? false;
const { db, close } = connectDatabase(url, { max: IMPORT_DRAINERS });
try {
  await migrateDatabase(db);
  const bar = progressBar(process.stderr);
  let collectedAt = 0;
  const importOptions = {
    dryRun,
    applyCorrections: values['apply-corrections'] ?? false,
    remap: values.remap ?? false,
    reportAbsent: values['report-absent'] ?? false,
    onProgress: (done: number, total: number) => {
      bar?.update(done, total);
      if (done - collectedAt >= RECORDS_PER_COLLECTION) {
        collectedAt = done;
        collectGarbage();
      }
    },
    // --timings: how long each step took, for the write benchmark.
    ...(values.timings ? { onStep: (step: string, ms: number) => console.error(`step ${step}: ${Math.round(ms)} ms`) } : {}),
  };
  // --format: a dataset's own CSV (UCDP GED, ACLED, GTD), src/import/datasets.
  const report = values.format ? await importDataset(db, path, values.format, importOptions) : await importFile(db, path, importOptions);
  bar?.stop();
  for (const problem of report.problems) console.error(`  - ${problem}`);
  const verb = dryRun ? 'would be created' : 'created';
  console.log(
    `${report.file}${dryRun ? ' (dry run, nothing written)' : ''}: ${report.created} ${verb}, ${report.unchanged} unchanged, ${report.refused} refused${report.ok ? '' : ` (${report.problems.length} problem(s); nothing written)`}`,
  );
  if (report.differing.length > 0) {
    // Named, not applied: an import adds records and never rewrites a stored one; a dataset's rows
    // can be applied as later versions, on request.
    const shown = report.differing.slice(0, DIFFERING_SHOWN).join(', ');
    const more = report.differing.length > DIFFERING_SHOWN ? ` and ${report.differing.length - DIFFERING_SHOWN} more` : '';
    const records = report.differing.length === 1 ? '1 unchanged record differs' : `${report.differing.length} unchanged records differ`;
    console.log(`  ${records} from what is stored under the same id, left as stored: ${shown}${more}`);
    if (values.format) console.log('  (--apply-corrections stores each as a later version and applies what it changes as cited claims)');
    else if (!values['apply-corrections']) console.log('  (--apply-corrections changes each stored place, actor and event as the file gives it, by a cited update)');
  }
  if (report.corrected.length > 0) {
    const unit = values.format ? 'row' : 'record';
    const rows = report.corrected.length === 1 ? `1 ${unit}` : `${report.corrected.length} ${unit}s`;
    console.log(`  ${rows} ${dryRun ? 'would be applied' : 'applied'} as corrections of the stored record:`);
    for (const line of report.corrected.slice(0, DIFFERING_SHOWN)) console.log(`    ${line}`);
    if (report.corrected.length > DIFFERING_SHOWN) console.log(`    and ${report.corrected.length - DIFFERING_SHOWN} more`);
  }
  if (report.absent) {
    const a = report.absent;
    const named = a.countries.slice(0, COUNTRIES_SHOWN).join(', ');
    const countries = a.countries.length > COUNTRIES_SHOWN ? `${named} and ${a.countries.length - COUNTRIES_SHOWN} more countries` : named;
    const coverage = a.earliest === null ? 'the file has no rows' : `${countries}, ${a.earliest} to ${a.latest}`;
    if (a.count === 0) console.log(`  no stored record of the file's coverage (${coverage}) is absent from it`);
    else {
      const records = a.count === 1 ? '1 stored record' : `${a.count} stored records`;
      const more = a.count > a.records.length ? `, … and ${a.count - a.records.length} more` : '';
      console.log(`  ${records} of the file's coverage (${coverage}) ${a.count === 1 ? 'is' : 'are'} absent from it: ${a.records.join(', ')}${more}`);
      // A row the release dropped has no text to quote, and a retraction must cite one.
      console.log('  (a report only: nothing was retracted; retract a record through the API, citing why)');
    }
  }
  if (!report.ok) process.exitCode = 1;
  if (report.ok && !dryRun && (report.created > 0 || report.corrected.length > 0)) {
    // The dashboard summaries follow writes off the write path; bring them up to date in one pass
    // rather than leave the work to the servers' drainers.
    const started = performance.now();
    // Fresh statistics first: the drain and the next writes plan on the tables' new sizes.
    const refreshed = await analyzeBulkLoadedTables(db);
    const analyzed = performance.now();
    console.error(`statistics refreshed in ${Math.round(analyzed - started)} ms (${refreshed.join(', ')})`);
    const keys = await drainSummaries(db, IMPORT_DRAIN_BATCH, IMPORT_DRAINERS);
    console.error(`summaries up to date: ${keys} keys in ${Math.round(performance.now() - analyzed)} ms`);
  }
  if (report.ok && !dryRun && report.createdEventIds.length > 0 && process.env.REDIS_URL) {
    // Loaded only here: the Redis pub/sub pulls in graphql-yoga and its ~350 modules, which took
    // about a second of every import's start.
    const { connectRedisPubSub } = await import('../pubsub-redis.ts');
    const shared = connectRedisPubSub(process.env.REDIS_URL);
    for (const eventId of report.createdEventIds) shared.pubsub.publish('eventAdded', { eventId });
    await shared.close();
  }
  if (values.timings) console.error(`peak RSS ${peakRssMb()} MB`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await close();
}
