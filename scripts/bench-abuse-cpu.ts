/**
 * CPU per request of the abuse run's traffic (src/abuse/run.ts), on the server process and on
 * PostgreSQL, read from /proc: on a machine whose cores are shared, wall-clock latency says more
 * about the neighbours than about the code, CPU time much less so. Measured, one after another:
 * the server idle (its background loops), each dashboard query (GraphiQL's examples), the heavy
 * query the attack is allowed to send, and each kind of hostile probe, refused.
 *
 *   npx tsx scripts/bench-abuse-cpu.ts [--tree DIR] [--requests N] [--probes N] [--profile DIR]
 *
 * --tree DIR     run the server from another checkout (same load, same script: compare commits);
 *                its own GraphiQL examples are measured too, beside this checkout's.
 * --requests N   requests per dashboard query (default 300); --probes N per hostile kind (default 100)
 * --profile DIR  the server runs with --cpu-prof into DIR; DIR/phases.json says when each phase
 *                ran (ms since the server started), to read the profile by phase.
 * --statements   after each line, PostgreSQL's costliest statements in it (needs pg_stat_statements
 *                loaded, with pg_stat_statements.track_planning on, in .data/bench-cpu-<tree>)
 * --only RE      only the lines whose name matches RE
 *
 * The server gets an embedded PostgreSQL of its own (.data/bench-cpu-<tree>, seeded on first
 * start), LOG_LEVEL=warn as in `npm run abuse`, and PENALTY_THRESHOLD=0: the probes are refused
 * on their merits one after another instead of being answered 429 from the penalty box after the
 * first ten (the box's own cost is the "boxed" line, measured with the box on).
 * CPU comes in clock ticks (10 ms), hence the many requests per line.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { exampleQueries } from '../src/graphiql-examples.ts';
import { hostileProbes } from '../src/abuse/run.ts';
import { mintClientTokens } from '../src/abuse/tokens.ts';
import { connectDatabase } from '../src/db/client.ts';
import { freePort, startEmbeddedPostgres } from '../src/db/embedded.ts';

const { values: args } = parseArgs({
  options: {
    tree: { type: 'string', default: '.' },
    requests: { type: 'string', default: '300' },
    probes: { type: 'string', default: '100' },
    profile: { type: 'string' },
    concurrency: { type: 'string', default: '2' },
    statements: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const tree = resolve(args.tree);
const perQuery = Number(args.requests);
const perProbe = Number(args.probes);
const concurrency = Number(args.concurrency);
const TICK_MS = 10;

/** utime + stime of a process, ms; with its reaped children's when asked (PostgreSQL's ended backends). */
function cpuOf(pid: number, withReaped = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the name start at 3 (state): utime 14, stime 15, cutime 16, cstime 17.
    const ticks = Number(fields[11]) + Number(fields[12]) + (withReaped ? Number(fields[13]) + Number(fields[14]) : 0);
    return ticks * TICK_MS;
  } catch {
    return 0;
  }
}

/** The postmaster and every backend and worker under it. */
function postgresCpu(postmaster: number): number {
  let total = cpuOf(postmaster, true);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmaster) total += cpuOf(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return total;
}

const dataDir = `.data/bench-cpu-${basename(tree)}`;
const embedded = await startEmbeddedPostgres({ dataDir, persistent: true });
const postmaster = Number(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
const port = await freePort();
const url = `http://127.0.0.1:${port}`;

function startServer(env: Record<string, string>, profileDir?: string) {
  const flags = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  return spawn(process.execPath, [...flags, '--import', 'tsx', 'src/index.ts'], {
    cwd: tree,
    env: { ...process.env, DATABASE_URL: embedded.url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

async function ready(child: ReturnType<typeof startServer>): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('the server was not ready within 180 s');
    if (await fetch(`${url}/ready`).then((r) => r.status === 200, () => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopServer(child: ReturnType<typeof startServer>): Promise<void> {
  child.kill('SIGTERM');
  if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
}

const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

interface Sent {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

function send(probe: Sent, token: string | undefined): Promise<{ status: number; ms: number; text: string }> {
  const started = performance.now();
  return new Promise((resolvePromise) => {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...probe.headers,
    };
    const body = probe.method === 'DELETE' ? undefined : probe.body;
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const req = httpRequest({ agent, host: '127.0.0.1', port, path: '/graphql', method: probe.method ?? 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, ms: performance.now() - started, text: Buffer.concat(chunks).toString() }));
      res.on('error', () => resolvePromise({ status: 0, ms: performance.now() - started, text: '' }));
    });
    req.on('error', () => resolvePromise({ status: 0, ms: performance.now() - started, text: '' }));
    req.end(body);
  });
}

interface Line {
  name: string;
  requests: number;
  serverMs: number;
  postgresMs: number;
  p50: number;
  statuses: string;
}

let serverPid = 0;
let statements: postgres.Sql | undefined;
const statementLines: string[] = [];
const phases: { name: string; from: number; to: number }[] = [];
let spawnedAt = 0;

/** `count` requests from `concurrency` clients back to back; CPU of both processes over exactly that span. */
async function measure(name: string, requests: Sent[], count: number, tokens: string[]): Promise<Line | undefined> {
  if (args.only && name !== 'warm-up' && !new RegExp(args.only).test(name)) return undefined;
  if (statements) await statements`select pg_stat_statements_reset()`;
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let next = 0;
  const from = Date.now() - spawnedAt;
  const server0 = cpuOf(serverPid);
  const pg0 = postgresCpu(postmaster);
  await Promise.all(
    Array.from({ length: concurrency }, async (_, c) => {
      while (next < count) {
        const i = next++;
        const answer = await send(requests[i % requests.length]!, tokens[c % tokens.length]);
        latencies.push(answer.ms);
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      }
    }),
  );
  const serverMs = cpuOf(serverPid) - server0;
  const postgresMs = postgresCpu(postmaster) - pg0;
  phases.push({ name, from, to: Date.now() - spawnedAt });
  latencies.sort((a, b) => a - b);
  if (statements && name !== 'warm-up') {
    const top = await statements<{ calls: number; plan: number; exec: number; query: string }[]>`
      select calls::int, total_plan_time / calls as plan, total_exec_time / calls as exec, regexp_replace(query, '\s+', ' ', 'g') as query
        from pg_stat_statements where query not like '%pg_stat_statements%'
       order by total_plan_time + total_exec_time desc limit 6`;
    statementLines.push(`${name}:`, ...top.map((t) => `  ${(t.calls / count).toFixed(2).padStart(6)}/req plan ${t.plan.toFixed(2)} ms exec ${t.exec.toFixed(2)} ms  ${t.query.slice(0, 150)}`));
  }
  return {
    name,
    requests: count,
    serverMs: serverMs / count,
    postgresMs: postgresMs / count,
    p50: latencies[Math.floor(latencies.length / 2)] ?? 0,
    statuses: Object.entries(statuses).map(([s, n]) => `${s}×${n}`).join(' '),
  };
}

function print(title: string, all: (Line | undefined)[]): void {
  const lines = all.filter((l): l is Line => l !== undefined);
  if (lines.length === 0) return;
  console.log(`\n${title}`);
  console.log(`${'what'.padEnd(44)} ${'requests'.padStart(8)} ${'server CPU ms/req'.padStart(18)} ${'PG CPU ms/req'.padStart(14)} ${'p50 ms'.padStart(7)}  statuses`);
  for (const l of lines) {
    console.log(
      `${l.name.slice(0, 44).padEnd(44)} ${String(l.requests).padStart(8)} ${l.serverMs.toFixed(2).padStart(18)} ${l.postgresMs.toFixed(2).padStart(14)} ${l.p50.toFixed(1).padStart(7)}  ${l.statuses}`,
    );
  }
}

const json = (query: string, variables?: Record<string, unknown>) => JSON.stringify({ query, variables });
const theirs = tree === resolve('.') ? [] : (((await import(resolve(tree, 'src/graphiql-examples.ts'))) as { exampleQueries: typeof exampleQueries }).exampleQueries);
const queries = new Map<string, string>();
for (const e of [...exampleQueries, ...theirs]) {
  const name = /query (\w+)/.exec(e.query)?.[1] ?? e.title;
  if (!queries.has(name)) queries.set(name, e.query);
}
// The heavy query the abuse run's attackers may send (SLOW_ALLOWED in src/abuse/run.ts).
const HEAVY = json(`query Heavy($n: Int) {
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
}`, { n: 100 });

if (args.profile) mkdirSync(args.profile, { recursive: true });
spawnedAt = Date.now();
let server = startServer({ PENALTY_THRESHOLD: '0' }, args.profile);
serverPid = server.pid ?? 0;
try {
  await ready(server);
  const database = connectDatabase(embedded.url, { max: 2 });
  const tokens = await mintClientTokens(database.db, concurrency, 1);
  await database.close();
  if (args.statements) statements = postgres(embedded.url, { max: 1, onnotice: () => {} });
  console.log(`server from ${tree} (pid ${serverPid}), PostgreSQL pid ${postmaster}; ${concurrency} clients back to back, each with its own viewer token`);

  const dashboardLines: (Line | undefined)[] = [];
  const bodies = [...queries.values()].map((q) => ({ body: json(q) }));
  // Warm-up: JIT compilation, plans, token cache.
  await measure('warm-up', bodies, 80, tokens.dashboards);
  // Background loops (summary drainer, monitor, pools) with nothing to do; included in every line below.
  const idleFrom = Date.now();
  const s0 = cpuOf(serverPid);
  const p0 = postgresCpu(postmaster);
  await new Promise((r) => setTimeout(r, 5000));
  const idleS = (Date.now() - idleFrom) / 1000;
  console.log(`idle: server ${((cpuOf(serverPid) - s0) / idleS).toFixed(1)} CPU ms/s, PostgreSQL ${((postgresCpu(postmaster) - p0) / idleS).toFixed(1)} CPU ms/s`);

  for (const [name, query] of queries) dashboardLines.push(await measure(name, [{ body: json(query) }], perQuery, tokens.dashboards));
  dashboardLines.push(await measure('mix of the above (round robin)', bodies, perQuery * 2, tokens.dashboards));
  dashboardLines.push(await measure('heavy allowed query (attackers\' 1 in 4)', [{ body: HEAVY }], Math.max(20, Math.round(perQuery / 10)), tokens.dashboards));
  print('dashboards (200 with data unless noted)', dashboardLines);

  const kinds = new Map<string, Sent[]>();
  for (const probe of hostileProbes()) kinds.set(probe.kind, [...(kinds.get(probe.kind) ?? []), probe]);
  const probeLines: Line[] = [];
  let total = { requests: 0, serverMs: 0, postgresMs: 0 };
  for (const [kind, probes] of kinds) {
    const line = await measure(kind, probes, perProbe, tokens.abusers);
    if (!line) continue;
    probeLines.push(line);
    total = { requests: total.requests + 1, serverMs: total.serverMs + line.serverMs, postgresMs: total.postgresMs + line.postgresMs };
  }
  probeLines.sort((a, b) => b.serverMs - a.serverMs);
  if (total.requests > 0) probeLines.push({ name: 'mean over kinds', requests: total.requests * perProbe, serverMs: total.serverMs / total.requests, postgresMs: total.postgresMs / total.requests, p50: 0, statuses: '' });
  print('hostile probes, refused (penalty box off)', probeLines);

  // The penalty box on: after ten refusals, what each further request costs (the tarpit's pause shows in p50).
  await stopServer(server);
  server = startServer({ PENALTY_TARPIT_MS: '0' });
  serverPid = server.pid ?? 0;
  await ready(server);
  const boxed = await measure('boxed client (429 from the penalty box)', [{ body: json('{ nope }') }], perProbe * 5, tokens.abusers);
  print('penalty box on (PENALTY_TARPIT_MS=0)', [boxed]);
  if (statementLines.length > 0) console.log(`\nPostgreSQL's costliest statements per line (pg_stat_statements)\n${statementLines.join('\n')}`);
} finally {
  await statements?.end();
  await stopServer(server);
  await embedded.stop();
  if (args.profile) writeFileSync(`${args.profile}/phases.json`, JSON.stringify(phases, null, 2));
}
