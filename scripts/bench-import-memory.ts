/**
 * `npm run bench:import-memory [-- --events 10000 --events 100000 --runs dry,real --url postgres://…/]`:
 * how the importer's memory and time grow with the file (issue 9: "memory stays flat as the file
 * grows"), without the million-event database `npm run bench:writes` needs.
 *
 * On a PostgreSQL server (--url, default BENCH_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/)
 * it makes a template database (migrated and seeded, so an actor and a place exist to cite), then
 * for each size and run kind a fresh copy of it, writes the write benchmark's knowledge file
 * (scripts/bench-import-file.ts: one new source, N events each quoting its own sentence, N cited
 * PERPETRATOR participations) and runs `npm run import -- FILE --timings [--dry-run]` on it as a
 * child process: its peak RSS (VmHWM) and time from process start to exit. Every database it
 * made is dropped at the end.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { connectDatabase } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { loadSeed } from '../src/domain/knowledge/seed.ts';
import { writeBenchKnowledgeFile } from './bench-import-file.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', multiple: true },
    runs: { type: 'string', default: 'dry,real' },
    url: { type: 'string', default: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/' },
  },
});
const sizes = (values.events ?? ['10000', '50000', '100000']).map(Number);
const runs = values.runs.split(',').filter((r): r is 'dry' | 'real' => r === 'dry' || r === 'real');
const serverUrl = values.url;

function databaseUrl(name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

const admin = postgres(databaseUrl('postgres'), { max: 1, onnotice: () => {} });
const prefix = `bench_import_memory_${process.pid}`;
const template = `${prefix}_template`;
const made: string[] = [];
const dir = await mkdtemp(join(tmpdir(), 'bench-import-memory-'));

try {
  await admin.unsafe(`create database ${template}`);
  made.push(template);
  const seeded = connectDatabase(databaseUrl(template), { max: 1 });
  let actor: string;
  let place: string | null;
  try {
    await migrateDatabase(seeded.db);
    await loadSeed(seeded.db);
    const [a] = await seeded.db.$client<{ slug: string }[]>`select slug from actors order by id limit 1`;
    const [p] = await seeded.db.$client<{ slug: string }[]>`select slug from places order by id limit 1`;
    if (!a) throw new Error('the seed has no actor');
    actor = a.slug;
    place = p?.slug ?? null;
  } finally {
    await seeded.close();
  }

  console.log(`| events | run | seconds | peak RSS MB | steps (ms) |`);
  console.log(`| ---: | --- | ---: | ---: | --- |`);
  for (const count of sizes) {
    const file = await writeBenchKnowledgeFile(dir, `bench-memory-${count}`, { count, actor, place });
    for (const run of runs) {
      const database = `${prefix}_${count}_${run}`;
      await admin.unsafe(`create database ${database} template ${template}`);
      made.push(database);
      const started = performance.now();
      const output = await new Promise<string>((resolve, reject) => {
        const args = ['--import', 'tsx', 'src/cli/import.ts', file.path, '--timings', ...(run === 'dry' ? ['--dry-run'] : [])];
        const child = spawn(process.execPath, args, { env: { ...process.env, DATABASE_URL: databaseUrl(database) }, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`import exited with ${code}: ${out.slice(0, 800)}`))));
      });
      const seconds = (performance.now() - started) / 1000;
      const rss = /peak RSS (\d+) MB/.exec(output)?.[1] ?? '?';
      const steps = [...output.matchAll(/^step (.+): (\d+) ms$/gm)].map((m) => `${m[1]} ${m[2]}`);
      console.log(`| ${count.toLocaleString('en')} | ${run} | ${seconds.toFixed(1)} | ${rss} | ${steps.join('; ')} |`);
      await admin.unsafe(`drop database ${database} with (force)`);
      made.splice(made.indexOf(database), 1);
    }
    await rm(file.path);
    await rm(join(dir, `bench-memory-${count}.txt`));
  }
} finally {
  for (const database of made.reverse()) await admin.unsafe(`drop database if exists ${database} with (force)`);
  await admin.end();
  await rm(dir, { recursive: true, force: true });
}
