/**
 * What the changes feed's triggers cost a bulk load: the seed loaded into fresh databases with the
 * change-log triggers on and off, alternating, and the median of each printed.
 *   BENCH_DATABASE_URL=postgres://… npx tsx scripts/bench-change-log.ts [rounds]
 */
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { loadSeed } from '../src/domain/knowledge/seed.ts';
import { connectDatabase } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';

const serverUrl = process.env.BENCH_DATABASE_URL;
if (!serverUrl) throw new Error('BENCH_DATABASE_URL is not set');
const rounds = Number(process.argv[2] ?? 3);
const TRIGGERS = [
  ['actors', 'actors_created'], ['events', 'events_created'], ['doctrines', 'doctrines_change'], ['adherences', 'adherences_change'],
  ['relationships', 'relationships_change'], ['participations', 'participations_change'], ['sources', 'sources_created'],
  ['citations', 'citations_change'], ['places', 'places_created'],
] as const;

async function loadOnce(withFeed: boolean): Promise<{ ms: number; changes: number }> {
  const admin = postgres(serverUrl!, { max: 1, onnotice: () => {} });
  const name = `bench_${randomUUID().replaceAll('-', '')}`;
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl!);
  url.pathname = `/${name}`;
  const handle = connectDatabase(url.toString(), { max: 2 });
  try {
    await migrateDatabase(handle.db);
    if (!withFeed) for (const [table, trigger] of TRIGGERS) await handle.sql.unsafe(`alter table ${table} disable trigger ${trigger}`);
    const started = performance.now();
    await loadSeed(handle.db);
    const ms = performance.now() - started;
    const [row] = await handle.sql`select count(*)::int as n from changes`;
    return { ms, changes: row?.n as number };
  } finally {
    await handle.close();
    await admin.unsafe(`drop database ${name}`);
    await admin.end();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const on: number[] = [];
const off: number[] = [];
let changes = 0;
for (let i = 0; i < rounds; i++) {
  const a = await loadOnce(true);
  on.push(a.ms);
  changes = a.changes;
  off.push((await loadOnce(false)).ms);
}
console.log(`seed load, ${rounds} rounds each, alternating: with the change log ${Math.round(median(on))} ms (median; ${on.map(Math.round).join(', ')}), without ${Math.round(median(off))} ms (${off.map(Math.round).join(', ')}); ${changes} changes recorded`);
