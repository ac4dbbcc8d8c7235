/**
 * `npm run import -- FILE [--dry-run]`: loads a knowledge file (.json, the seed's format) or a CSV
 * of events into DATABASE_URL, all or nothing. Prints every problem with its JSON path or CSV
 * line, a progress bar on a terminal, and a summary. Exit code 1 when the file is refused.
 * With REDIS_URL set, new events are announced to running `eventAdded` subscriptions.
 */
import { parseArgs } from 'node:util';
import { connectDatabase } from '../db/client.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { importFile } from '../import/import.ts';
import { connectRedisPubSub } from '../pubsub-redis.ts';

const usage = 'usage: npm run import -- FILE.json|FILE.csv [--dry-run]';
const { positionals, values } = parseArgs({ allowPositionals: true, options: { 'dry-run': { type: 'boolean', default: false } } });
const [path] = positionals;
if (!path || positionals.length > 1) {
  console.error(usage);
  process.exit(2);
}
const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set');
  process.exit(2);
}

/** A one-line bar redrawn in place; only on a terminal, so logs and pipes stay clean. */
function progressBar(stream: NodeJS.WriteStream): ((done: number, total: number) => void) | undefined {
  if (!stream.isTTY) return undefined;
  let last = -1;
  return (done, total) => {
    const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
    if (percent === last && done !== total) return;
    last = percent;
    const width = 30;
    const filled = Math.round((percent / 100) * width);
    stream.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent}% ${done}/${total}${done === total ? '\n' : ''}`);
  };
}

const dryRun = values['dry-run'] ?? false;
const { db, close } = connectDatabase(url, { max: 1 });
try {
  await migrateDatabase(db);
  const onProgress = progressBar(process.stderr);
  const report = await importFile(db, path, { dryRun, ...(onProgress ? { onProgress } : {}) });
  for (const problem of report.problems) console.error(`  - ${problem}`);
  const verb = dryRun ? 'would be created' : 'created';
  console.log(
    `${report.file}${dryRun ? ' (dry run, nothing written)' : ''}: ${report.created} ${verb}, ${report.unchanged} unchanged, ${report.refused} refused${report.ok ? '' : ` (${report.problems.length} problem(s); nothing written)`}`,
  );
  if (!report.ok) process.exitCode = 1;
  if (report.ok && !dryRun && report.createdEventIds.length > 0 && process.env.REDIS_URL) {
    const shared = connectRedisPubSub(process.env.REDIS_URL);
    for (const eventId of report.createdEventIds) shared.pubsub.publish('eventAdded', { eventId });
    await shared.close();
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await close();
}
