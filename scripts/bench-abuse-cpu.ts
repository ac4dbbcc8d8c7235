/**
 * CPU per request of the abuse run's traffic (src/abuse/run.ts), on the server process and on
 * PostgreSQL, read from /proc (src/abuse/cpu.ts): on a machine whose cores are shared, wall-clock
 * latency says more about the neighbours than about the code, CPU time much less so. Measured,
 * line by line: each dashboard query (GraphiQL's examples), the heavy query the attack may send,
 * and each kind of hostile probe, refused.
 *
 *   npx tsx scripts/bench-abuse-cpu.ts [--before DIR] [--requests N] [--probes N] [--rounds N]
 *                                      [--only RE] [--statements] [--profile DIR]
 *
 * --before DIR   a second checkout (e.g. a worktree of the commit before a change) served at the
 *                same time; every line is measured on both in alternating rounds, so the load of
 *                a shared machine falls on both alike, and printed side by side.
 * --requests N   requests per dashboard query (default 300); --probes N per hostile kind (default 100)
 * --rounds N     rounds each line is split into, alternating which server goes first (default 4)
 * --only RE      only the lines whose name matches RE
 * --statements   after each line, this checkout's costliest PostgreSQL statements in it (needs
 *                pg_stat_statements loaded, with track_planning on, in its data directory)
 * --profile DIR  this checkout's server runs with --cpu-prof into DIR; DIR/phases.json says when
 *                each line ran (ms since the server started), to read the profile line by line.
 *
 * Each server gets an embedded PostgreSQL of its own (.data/bench-cpu-<checkout>, seeded on its
 * first start), LOG_LEVEL=warn as in `npm run abuse`, and PENALTY_THRESHOLD=0: the probes are
 * refused on their merits one after another instead of answered 429 from the penalty box after
 * the first ten. Two clients send back to back, each with its own viewer token. CPU comes in
 * clock ticks (10 ms), hence the many requests per line; it includes each server's background
 * loops (the idle line shows them).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { postgresCpuMs, postmasterPid, processCpuMs } from '../src/abuse/cpu.ts';
import { hostileProbes, sendProbe } from '../src/abuse/run.ts';
import { mintClientTokens } from '../src/abuse/tokens.ts';
import { connectDatabase } from '../src/db/client.ts';
import { freePort, startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embedded.ts';
import { exampleQueries } from '../src/graphiql-examples.ts';

const { values: args } = parseArgs({
  options: {
    before: { type: 'string' },
    requests: { type: 'string', default: '300' },
    probes: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '2' },
    statements: { type: 'boolean', default: false },
    only: { type: 'string' },
    profile: { type: 'string' },
  },
});
const perQuery = Number(args.requests);
const perProbe = Number(args.probes);
const rounds = Number(args.rounds);
const concurrency = Number(args.concurrency);

interface Sent {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

interface Target {
  label: string;
  tree: string;
  embedded: EmbeddedServer;
  postmaster: number;
  port: number;
  child: ChildProcess;
  spawnedAt: number;
  tokens: string[];
}

async function start(label: string, tree: string, profileDir?: string): Promise<Target> {
  const dataDir = `.data/bench-cpu-${basename(tree)}`;
  const embedded = await startEmbeddedPostgres({ dataDir, persistent: true });
  const port = await freePort();
  const flags = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const spawnedAt = Date.now();
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', 'src/index.ts'], {
    cwd: tree,
    env: { ...process.env, DATABASE_URL: embedded.url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', PENALTY_THRESHOLD: '0' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server from ${tree} exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`the server from ${tree} was not ready within 300 s`);
    if (await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.status === 200, () => false)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const database = connectDatabase(embedded.url, { max: 2 });
  const tokens = (await mintClientTokens(database.db, concurrency, 0)).dashboards;
  await database.close();
  return { label, tree, embedded, postmaster: postmasterPid(dataDir) ?? 0, port, child, spawnedAt, tokens };
}

async function stop(target: Target): Promise<void> {
  if (target.child.exitCode === null) {
    target.child.kill('SIGTERM');
    await new Promise((r) => target.child.once('exit', r));
  }
  await target.embedded.stop();
}

interface Totals {
  requests: number;
  serverMs: number;
  postgresMs: number;
  latencies: number[];
  statuses: Record<number, number>;
}

const phases: { name: string; from: number; to: number }[] = [];

/** `count` requests from `concurrency` clients back to back; CPU of the server and its PostgreSQL over exactly that span. */
async function run(target: Target, requests: Sent[], count: number, into: Totals): Promise<void> {
  let next = 0;
  const server0 = processCpuMs(target.child.pid ?? 0) ?? 0;
  const pg0 = postgresCpuMs(target.postmaster) ?? 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, c) => {
      while (next < count) {
        const i = next++;
        const sentAt = performance.now();
        const answer = await sendProbe(`http://127.0.0.1:${target.port}`, requests[i % requests.length]!, target.tokens[c % target.tokens.length]);
        const status = answer === 'crash' ? 0 : answer.status;
        into.latencies.push(answer === 'crash' ? performance.now() - sentAt : answer.ms);
        into.statuses[status] = (into.statuses[status] ?? 0) + 1;
      }
    }),
  );
  into.serverMs += (processCpuMs(target.child.pid ?? 0) ?? 0) - server0;
  into.postgresMs += (postgresCpuMs(target.postmaster) ?? 0) - pg0;
  into.requests += count;
}

const empty = (): Totals => ({ requests: 0, serverMs: 0, postgresMs: 0, latencies: [], statuses: {} });
const statementLines: string[] = [];
let statements: postgres.Sql | undefined;

/** One line: `count` requests on each target, in rounds that alternate which target goes first. */
async function measure(name: string, requests: Sent[], count: number, targets: Target[]): Promise<Totals[] | undefined> {
  if (args.only && name !== 'warm-up' && !new RegExp(args.only).test(name)) return undefined;
  if (statements) await statements`select pg_stat_statements_reset()`;
  const totals = targets.map(empty);
  const from = Date.now() - targets[0]!.spawnedAt;
  const perRound = Math.max(1, Math.round(count / rounds));
  for (let round = 0; round < rounds; round += 1) {
    const order = targets.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) await run(targets[i]!, requests, perRound, totals[i]!);
  }
  phases.push({ name, from, to: Date.now() - targets[0]!.spawnedAt });
  if (statements && name !== 'warm-up') {
    const top = await statements<{ calls: number; plan: number; exec: number; query: string }[]>`
      select calls::int, total_plan_time / calls as plan, total_exec_time / calls as exec, left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 140) as query
        from pg_stat_statements where query not like '%pg_stat_statements%'
       order by total_plan_time + total_exec_time desc limit 5`;
    const done = totals[0]!.requests;
    statementLines.push(`${name}:`, ...top.map((t) => `  ${(t.calls / done).toFixed(2).padStart(5)}/req  plan ${t.plan.toFixed(2)} ms  run ${t.exec.toFixed(2)} ms  ${t.query}`));
  }
  return totals;
}

const rows: { section: string; name: string; totals: Totals[] }[] = [];

function print(targets: Target[]): void {
  const fmt = (n: number) => n.toFixed(2).padStart(7);
  const p50 = (t: Totals) => [...t.latencies].sort((a, b) => a - b)[Math.floor(t.latencies.length / 2)] ?? 0;
  let section = '';
  for (const row of rows) {
    if (row.section !== section) {
      section = row.section;
      const heads = targets.map((t) => `${('server ' + t.label).padStart(14)} ${('PG ' + t.label).padStart(10)}`).join(' ');
      console.log(`\n${section} — CPU ms per request${targets.length > 1 ? ' (and the server change)' : ''}`);
      console.log(`${'what'.padEnd(40)} ${'n'.padStart(5)} ${heads}${targets.length > 1 ? '  change' : ''}   p50 ms   statuses (${targets.at(-1)!.label})`);
    }
    const cells = row.totals.map((t) => `${fmt(t.serverMs / t.requests).padStart(14)} ${fmt(t.postgresMs / t.requests).padStart(10)}`).join(' ');
    const change =
      row.totals.length > 1
        ? `  ${((100 * (row.totals[1]!.serverMs - row.totals[0]!.serverMs)) / Math.max(1, row.totals[0]!.serverMs)).toFixed(0).padStart(5)}%`
        : '';
    const last = row.totals.at(-1)!;
    const statuses = Object.entries(last.statuses).map(([s, n]) => `${s}×${n}`).join(' ');
    console.log(`${row.name.slice(0, 40).padEnd(40)} ${String(last.requests).padStart(5)} ${cells}${change}   ${row.totals.map((t) => p50(t).toFixed(0)).join('/').padStart(7)}   ${statuses}`);
  }
}

const json = (query: string, variables?: Record<string, unknown>) => JSON.stringify({ query, variables });
const here = resolve('.');
const trees = args.before ? [resolve(args.before), here] : [here];
// Both checkouts' GraphiQL examples, each once by operation name.
const queries = new Map<string, string>();
for (const tree of trees) {
  const examples = tree === here ? exampleQueries : ((await import(resolve(tree, 'src/graphiql-examples.ts'))) as { exampleQueries: typeof exampleQueries }).exampleQueries;
  for (const e of examples) {
    const name = /query (\w+)/.exec(e.query)?.[1] ?? e.title;
    if (!queries.has(name)) queries.set(name, e.query);
  }
}
// The heavy query the abuse run's attackers may send (SLOW_ALLOWED in src/abuse/run.ts).
const HEAVY = json(
  `query Heavy($n: Int) {
  events(first: $n, orderBy: KILLED_DESC) {
    totalCount
    nodes {
      title
      date { text earliest latest }
      place { name country { name } }
      citations { quote source { title } }
      participants { role actor { name doctrines { doctrine { name } } } citations { quote } }
    }
  }
}`,
  { n: 100 },
);

if (args.profile) mkdirSync(args.profile, { recursive: true });
const targets: Target[] = [];
try {
  for (const [i, tree] of trees.entries()) {
    targets.push(await start(trees.length > 1 ? (i === 0 ? 'before' : 'after') : 'now', tree, tree === here ? args.profile : undefined));
  }
  if (args.statements) statements = postgres(targets.at(-1)!.embedded.url, { max: 1, onnotice: () => {} });
  for (const t of targets) console.log(`${t.label}: server from ${t.tree} (pid ${t.child.pid}), PostgreSQL pid ${t.postmaster}`);

  const bodies = [...queries.values()].map((q) => ({ body: json(q) }));
  // Warm-up: JIT compilation, plans, token cache, lazily loaded modules.
  await measure('warm-up', bodies, 200, targets);
  const idle = targets.map(() => ({ server: 0, postgres: 0 }));
  const idleFrom = Date.now();
  const before = targets.map((t) => ({ server: processCpuMs(t.child.pid ?? 0) ?? 0, postgres: postgresCpuMs(t.postmaster) ?? 0 }));
  await new Promise((r) => setTimeout(r, 5000));
  const seconds = (Date.now() - idleFrom) / 1000;
  targets.forEach((t, i) => {
    idle[i] = { server: ((processCpuMs(t.child.pid ?? 0) ?? 0) - before[i]!.server) / seconds, postgres: ((postgresCpuMs(t.postmaster) ?? 0) - before[i]!.postgres) / seconds };
  });
  console.log(`idle (background loops), CPU ms per second: ${targets.map((t, i) => `${t.label} server ${idle[i]!.server.toFixed(1)}, PostgreSQL ${idle[i]!.postgres.toFixed(1)}`).join('; ')}`);

  const add = async (section: string, name: string, requests: Sent[], count: number) => {
    const totals = await measure(name, requests, count, targets);
    if (totals) rows.push({ section, name, totals });
  };
  for (const [name, query] of queries) await add('dashboards', name, [{ body: json(query) }], perQuery);
  await add('dashboards', 'all of the above, round robin', bodies, perQuery * 2);
  await add('dashboards', "heavy allowed query (attackers' 1 in 4)", [{ body: HEAVY }], Math.max(20, Math.round(perQuery / 10)));

  const kinds = new Map<string, Sent[]>();
  for (const probe of hostileProbes()) kinds.set(probe.kind, [...(kinds.get(probe.kind) ?? []), probe]);
  const probeRows: typeof rows = [];
  for (const [kind, probes] of kinds) {
    const totals = await measure(kind, probes, perProbe, targets);
    if (totals) probeRows.push({ section: 'hostile probes (penalty box off)', name: kind, totals });
  }
  if (probeRows.length > 0) {
    const mean = targets.map((_, i) => {
      const t = empty();
      for (const row of probeRows) {
        t.requests += 1;
        t.serverMs += row.totals[i]!.serverMs / row.totals[i]!.requests;
        t.postgresMs += row.totals[i]!.postgresMs / row.totals[i]!.requests;
      }
      return t;
    });
    probeRows.sort((a, b) => b.totals.at(-1)!.serverMs / b.totals.at(-1)!.requests - a.totals.at(-1)!.serverMs / a.totals.at(-1)!.requests);
    rows.push(...probeRows, { section: 'hostile probes (penalty box off)', name: 'mean over the kinds', totals: mean });
  }
  print(targets);
  if (statementLines.length > 0) console.log(`\n${targets.at(-1)!.label}: PostgreSQL's costliest statements per line (pg_stat_statements)\n${statementLines.join('\n')}`);
} finally {
  await statements?.end();
  for (const t of targets) await stop(t);
  if (args.profile) writeFileSync(`${args.profile}/phases.json`, JSON.stringify(phases, null, 2));
}
