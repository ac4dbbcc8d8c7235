/**
 * `npm run bench [-- --duration 10 --connections 10 --only nested --skip exports]`: the API under load against the
 * synthetic dataset (run `npm run seed:synthetic` first).
 *
 * Starts the real server (src/index.ts, as `npm start` does) against the synthetic database and
 * drives it over HTTP with autocannon, one scenario after another: each dashboard query, and the
 * nested list query next to a raw-SQL baseline (scripts/bench-raw-server.ts) measured in the same
 * run. For each it prints requests/s, p50/p99 latency, the CPU milliseconds the Node server and
 * PostgreSQL spent per request, and the SQL statements one request sends (counted in-process on the
 * same code, as the tests do). PostgreSQL CPU is that of the embedded server's processes, or, on a
 * server at SYNTHETIC_DATABASE_URL on this machine, that of the backends serving the benchmark's
 * database.
 *
 * Then the exports (`--only export`): each of /export/events.csv, /export/events.geojson and
 * /export/stix downloaded once with the whole dataset, printing events/s, MB/s, time to first byte
 * and the server's resident memory before and at its peak during the download (sampled from /proc).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { connectDatabase } from '../src/db/client.ts';
import { freePort } from '../src/db/embedded.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { createToken } from '../src/auth/tokens.ts';
import { randomUUID } from 'node:crypto';
import { createApp } from '../src/yoga.ts';
import { NESTED_QUERY } from './bench-queries.ts';
import { SYNTHETIC_DATA_DIR, startSyntheticServer } from './synthetic-db.ts';
import { backfillSyntheticCoordinates } from './synthetic-geography.ts';

const { values: options } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    only: { type: 'string' },
    // `--skip exports`: the read scenarios alone (each 1M-event download takes minutes).
    skip: { type: 'string', multiple: true, default: [] },
  },
});
const DURATION = Number(options.duration);
const CONNECTIONS = Number(options.connections);

const MS_PER_TICK = 10; // /proc counts CPU in USER_HZ ticks, 100 per second on Linux

/** User + system CPU of a process, in ms, from /proc. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
}

/** CPU of the PostgreSQL server: the postmaster's children (backends, parallel workers). */
function postgresCpuMs(): number | null {
  let postmaster: number;
  try {
    postmaster = Number(readFileSync(`${SYNTHETIC_DATA_DIR}/postmaster.pid`, 'utf8').split('\n')[0]);
  } catch {
    return null;
  }
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === postmaster) total += (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
    } catch {
      // the process ended while we looked
    }
  }
  return total;
}

/**
 * CPU of the backends connected to the benchmark's database, by pid: on a shared server the
 * postmaster's children include other databases' work. The API server's pool keeps its
 * connections, so a scenario's CPU is the change over the backends present at its end (parallel
 * workers that came and went are missed). Null when the server runs elsewhere (/proc is local).
 */
async function databaseBackendsCpuMs(probe: postgres.Sql): Promise<Map<number, number> | null> {
  const backends = await probe<{ pid: number }[]>`
    select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`;
  const cpu = new Map<number, number>();
  for (const { pid } of backends) {
    try {
      cpu.set(pid, cpuMs(pid));
    } catch {
      if (!existsSync('/proc/self/stat')) return null;
      // the backend ended while we looked
    }
  }
  return cpu.size === 0 && backends.length > 0 ? null : cpu;
}

function backendsCpuDelta(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
  if (!before || !after) return null;
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

async function waitForHttp(url: string, body: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function startProcess(script: string, env: Record<string, string>): ChildProcess {
  // `node --import tsx` (not the tsx CLI) so the pid measured is the server itself.
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  child.on('exit', (code) => {
    if (code !== null && code !== 0) console.error(`${script} exited with ${code}`);
  });
  return child;
}

interface Scenario {
  name: string;
  query?: string;
  variables?: Record<string, unknown>;
  /** A raw endpoint instead of GraphQL (the baseline). */
  raw?: boolean;
}

interface Result {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  nodeCpuMs: number | null;
  pgCpuMs: number | null;
  statements: number | null;
  /** Failed requests, by HTTP status (or "socket" for connection errors). */
  errors: string;
}

function failures(result: autocannon.Result): string {
  const byStatus = Object.entries(result.statusCodeStats ?? {})
    .filter(([status]) => !status.startsWith('2'))
    .map(([status, { count }]) => `${count ?? 0}×${status}`);
  if (result.errors > 0) byStatus.push(`${result.errors}×socket`);
  return byStatus.join(', ') || '0';
}

interface ExportResult {
  path: string;
  status: number;
  seconds: number;
  bytes: number;
  firstByteMs: number;
  rssBeforeMb: number;
  peakRssMb: number;
}

/** Resident memory of a process, MB (VmRSS in /proc/<pid>/status). */
function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.replace(/\D+/g, '') ?? 0) / 1024;
}

/** Downloads an export to nowhere, reading as fast as it comes, and samples the server's RSS meanwhile. */
async function downloadExport(url: string, token: string, pid: number): Promise<Omit<ExportResult, 'path'>> {
  const rssBeforeMb = rssMb(pid);
  let peakRssMb = rssBeforeMb;
  const sampler = setInterval(() => {
    peakRssMb = Math.max(peakRssMb, rssMb(pid));
  }, 50);
  const started = performance.now();
  let firstByteMs = 0;
  let bytes = 0;
  try {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    const reader = response.body?.getReader();
    for (;;) {
      const next = await reader?.read();
      if (!next || next.done) break;
      if (bytes === 0) firstByteMs = performance.now() - started;
      bytes += next.value.byteLength;
    }
    return { status: response.status, seconds: (performance.now() - started) / 1000, bytes, firstByteMs, rssBeforeMb, peakRssMb: Math.max(peakRssMb, rssMb(pid)) };
  } finally {
    clearInterval(sampler);
  }
}

async function main() {
  const db = await startSyntheticServer();
  const setup = connectDatabase(db.databaseUrl, { max: 2 });
  // Indexes or views added since the data was generated are built now, not during the run.
  await migrateDatabase(setup.db);
  // Each connection is its own dashboard user with a real viewer token (the server refuses
  // unknown tokens, and caps and schedules per token).
  const run = randomUUID().slice(0, 8);
  const userTokens = await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, i) => (await createToken(setup.db, `bench-${run}-${i}`, 'viewer')).token),
  );
  await setup.close();
  const sql = postgres(db.databaseUrl, { max: 1, onnotice: () => {} });
  const [size] = await sql<{ events: number; actors: number; participations: number }[]>`
    select (select count(*) from events)::int as events, (select count(*) from actors)::int as actors,
           (select count(*) from participations)::int as participations`;
  const [busiest] = await sql<{ slug: string; n: number }[]>`
    select a.slug, count(*)::int as n from participations p join actors a on a.id = p.actor_id
     where p.role = 'PERPETRATOR' group by a.slug order by n desc, a.slug limit 1`;
  const [country] = await sql<{ slug: string }[]>`
    select c.slug from events e join places pl on pl.id = e.place_id join places c on c.id = pl.country_id
     group by c.slug order by count(*) desc, c.slug limit 1`;
  // A database generated before places had coordinates gets the generator's points now.
  const backfilled = await backfillSyntheticCoordinates(sql);
  if (backfilled > 0) console.error(`bench: gave ${backfilled} places the synthetic generator's coordinates`);
  // A map viewport: 20° around the busiest country's point.
  const [focus] = await sql<{ latitude: number; longitude: number }[]>`
    select latitude, longitude from places where slug = ${country?.slug ?? ''}`;
  const [alias] = await sql<{ alias: string }[]>`
    select a.aliases[1] as alias from actors a where cardinality(a.aliases) > 0 order by a.id limit 1 offset 500`;
  // Dyads: whom the busiest actor attacked most, and fought most (both acting in a battle).
  const [attacked] = await sql<{ slug: string }[]>`
    select a.slug from participations p join participations t on t.event_id = p.event_id and t.role = 'TARGET' join actors a on a.id = t.actor_id
     where p.actor_id = (select id from actors where slug = ${busiest?.slug ?? ''}) and p.role = 'PERPETRATOR'
     group by a.slug order by count(*) desc, a.slug limit 1`;
  const [fought] = await sql<{ slug: string }[]>`
    select a.slug from participations p join events e on e.id = p.event_id and e.kind = 'ARMED_CLASH'
      join participations o on o.event_id = p.event_id and o.role = 'PERPETRATOR' and o.actor_id <> p.actor_id join actors a on a.id = o.actor_id
     where p.actor_id = (select id from actors where slug = ${busiest?.slug ?? ''}) and p.role = 'PERPETRATOR'
     group by a.slug order by count(*) desc, a.slug limit 1`;
  await sql.end();
  if (!size || !busiest || !country || !alias || !focus) throw new Error('the synthetic database is empty: run npm run seed:synthetic first');
  const actor = busiest.slug;
  const viewport = {
    west: Math.max(-180, focus.longitude - 10),
    south: Math.max(-90, focus.latitude - 10),
    east: Math.min(180, focus.longitude + 10),
    north: Math.min(90, focus.latitude + 10),
  };

  const scenarios: Scenario[] = [
    { name: 'nested: 100 events → participants → actor → doctrines, citations → source', query: NESTED_QUERY },
    { name: 'nested: raw-SQL baseline (one json_agg statement, node:http)', raw: true },
    { name: 'eventStats (all events)', query: '{ eventStats { events killed { min max reported } firstDate lastDate } }' },
    { name: `eventStats (country ${country.slug})`, query: 'query($c: String!) { eventStats(filter: { country: $c }) { events killed { min max } } }', variables: { c: country.slug } },
    { name: `eventStats (actor ${actor}, PERPETRATOR)`, query: 'query($a: String!) { eventStats(filter: { actor: $a, role: [PERPETRATOR] }) { events killed { min max } } }', variables: { a: actor } },
    { name: 'timeline MONTH (all events)', query: '{ timeline(interval: MONTH) { buckets { start events killed { min max } } unplaced { events } } }' },
    { name: `timeline MONTH (country ${country.slug}, 2020-2024)`, query: 'query($c: String!) { timeline(interval: MONTH, filter: { country: $c, from: "2020-01-01", to: "2024-12-31" }) { buckets { start events } } }', variables: { c: country.slug } },
    { name: 'breakdown COUNTRY top 10', query: '{ breakdown(by: COUNTRY) { key label events killed { min max } } }' },
    { name: 'breakdown EVENT_KIND', query: '{ breakdown(by: EVENT_KIND) { key events } }' },
    { name: 'breakdown YEAR top 30', query: '{ breakdown(by: YEAR, top: 30) { key events } }' },
    { name: 'breakdown ACTOR (PERPETRATOR) top 10', query: '{ breakdown(by: ACTOR, filter: { role: [PERPETRATOR] }) { key label events } }' },
    { name: 'breakdown ROLE', query: '{ breakdown(by: ROLE) { key events } }' },
    { name: 'breakdown DOCTRINE', query: '{ breakdown(by: DOCTRINE) { key label events killed { min max } } }' },
    { name: 'eventMap zoom 3 (all events)', query: '{ eventMap(zoom: 3) { events bins { latitude longitude events killed { min max } coarsestPrecision } } }' },
    {
      name: `eventMap zoom 6, viewport around ${country.slug}, maxPrecision NEAR`,
      query: 'query($b: BoundingBoxInput!) { eventMap(zoom: 6, bbox: $b, filter: { maxPrecision: NEAR }) { events bins { latitude longitude events killed { min max } } } }',
      variables: { b: viewport },
    },
    {
      name: `eventMap zoom 4, actor ${actor} PERPETRATOR`,
      query: 'query($a: String!) { eventMap(zoom: 4, filter: { actor: $a, role: [PERPETRATOR] }) { events bins { latitude longitude events } } }',
      variables: { a: actor },
    },
    {
      name: `eventMap zoom 4, actor ${actor} PERPETRATOR, 2020-2024`,
      query: 'query($a: String!) { eventMap(zoom: 4, filter: { actor: $a, role: [PERPETRATOR], from: "2020-01-01", to: "2024-12-31" }) { events bins { latitude longitude events killed { min max } } } }',
      variables: { a: actor },
    },
    {
      name: 'eventMap zoom 4, role PERPETRATOR (any actor)',
      query: '{ eventMap(zoom: 4, filter: { role: [PERPETRATOR] }) { events bins { latitude longitude events } } }',
    },
    {
      name: 'eventMap zoom 4, 2020-2024 (any actor)',
      query: '{ eventMap(zoom: 4, filter: { from: "2020-01-01", to: "2024-12-31" }) { events bins { latitude longitude events killed { min max } } } }',
    },
    {
      name: 'eventMap zoom 4, 2020-03-15 to 2024-06-30 (any actor)',
      query: '{ eventMap(zoom: 4, filter: { from: "2020-03-15", to: "2024-06-30" }) { events bins { latitude longitude events } } }',
    },
    {
      name: `timeline MONTH, bbox around ${country.slug}`,
      query: 'query($b: BoundingBoxInput!) { timeline(interval: MONTH, filter: { bbox: $b }) { buckets { start events killed { min max } } unplaced { events } } }',
      variables: { b: viewport },
    },
    {
      name: `breakdown COUNTRY, bbox around ${country.slug}`,
      query: 'query($b: BoundingBoxInput!) { breakdown(by: COUNTRY, filter: { bbox: $b }) { key label events killed { min max } } }',
      variables: { b: viewport },
    },
    {
      name: `events page, bbox around ${country.slug}`,
      query: 'query($b: BoundingBoxInput!) { events(filter: { bbox: $b }, first: 50) { nodes { slug location { latitude longitude precision } } } }',
      variables: { b: viewport },
    },
    {
      name: `eventStats, bbox around ${country.slug}`,
      query: 'query($b: BoundingBoxInput!) { eventStats(filter: { bbox: $b }) { events killed { min max } } }',
      variables: { b: viewport },
    },
    ...(attacked ? [{ name: `dyads: events between ${actor} and ${attacked.slug} (its most attacked)`, query: 'query($p: [String!]!) { events(filter: { between: $p }, first: 20) { totalCount nodes { slug } } }', variables: { p: [actor, attacked.slug] } }] : []),
    ...(fought ? [{ name: `dyads: events between ${actor} and ${fought.slug} (fought in battles)`, query: 'query($p: [String!]!) { events(filter: { between: $p }, first: 20) { totalCount nodes { slug } } }', variables: { p: [actor, fought.slug] } }] : []),
    ...(attacked ? [{ name: `dyads: map of events between ${actor} and ${attacked.slug}`, query: 'query($p: [String!]!) { eventMap(zoom: 4, filter: { between: $p }) { events bins { latitude longitude events killed { min max } } } }', variables: { p: [actor, attacked.slug] } }] : []),
    { name: `dyads: breakdown OPPONENT (${actor})`, query: 'query($a: String!) { breakdown(by: OPPONENT, filter: { actor: $a }) { key events killed { min max } } }', variables: { a: actor } },
    { name: `dyads: breakdown OPPONENT (${actor}, 2020-2024)`, query: 'query($a: String!) { breakdown(by: OPPONENT, filter: { actor: $a, from: "2020-01-01", to: "2024-12-31" }) { key events } }', variables: { a: actor } },
    { name: `reach (${actor})`, query: 'query($a: String!) { actor(slug: $a) { reach { homeRegion countries { country { name } role events firstDate lastDate extraRegional } regions { region role events } } } }', variables: { a: actor } },
    { name: `network depth 2 (${actor})`, query: 'query($a: String!) { actor(slug: $a) { network(depth: 2) { nodes { depth actor { slug name } } edges { type from { slug } to { slug } } } } }', variables: { a: actor } },
    { name: `search "${alias.alias}" (selective)`, query: 'query($q: String!) { search(query: $q) { kind rank snippet actor { slug } event { slug } } }', variables: { q: alias.alias } },
    { name: 'search "suicide bombing" (common words)', query: 'query($q: String!) { search(query: $q) { kind rank snippet event { slug } citation { quote } } }', variables: { q: 'suicide bombing' } },
  ].filter((s) => !options.only || s.name.includes(options.only));

  // Statements per request, counted in-process on the same code.
  const statements: string[] = [];
  const counting = connectDatabase(db.databaseUrl, { max: 2, onStatement: (text) => statements.push(text) });
  const inProcess = createApp({ db: counting.db });
  const counts = new Map<string, number>();
  for (const s of scenarios) {
    if (s.raw) continue;
    // Twice: the count is taken on the second request, once one-off start-up queries are done.
    for (let i = 0; i < 2; i++) {
      statements.splice(0);
      const response = await inProcess.fetch('http://bench/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: s.query, variables: s.variables }),
      });
      const body = (await response.json()) as { errors?: unknown[] };
      if (body.errors) throw new Error(`${s.name}: ${JSON.stringify(body.errors)}`);
    }
    counts.set(s.name, statements.length);
  }
  await counting.close();

  const apiPort = await freePort();
  const rawPort = await freePort();
  const env = {
    DATABASE_URL: db.databaseUrl,
    HOST: '127.0.0.1',
    SEED_ON_START: 'false',
    DATABASE_POOL_SIZE: '10',
    // One slow scenario's refusals must not put the load generator in the penalty box for the next.
    PENALTY_THRESHOLD: '0',
    // Every bench client is a closed loop, which admission rightly takes for a script hogging the
    // server and confines, with heavy queries, to pool/4 slots: scenarios then measure that policy
    // (2 slots, 503s after the wait limit) instead of the query. Each scenario runs alone here, so
    // the confined lane gets every slot (and the intake's noisy lane every place); `npm run abuse`
    // measures the policy in a mix.
    DATABASE_HEAVY_SLOTS: '10',
    INTAKE_NOISY_SLOTS: '20',
    // Likewise a closed loop would run at its query budget's refill rate: the bench measures the
    // queries, `npm run abuse` the budget.
    CLIENT_COST_PER_SECOND: '0',
    LOG_LEVEL: 'warn',
  };
  const api = startProcess('src/index.ts', { ...env, PORT: String(apiPort) });
  const raw = startProcess('scripts/bench-raw-server.ts', { ...env, PORT: String(rawPort) });
  const apiUrl = `http://127.0.0.1:${apiPort}/graphql`;
  const rawUrl = `http://127.0.0.1:${rawPort}/`;
  await waitForHttp(apiUrl, JSON.stringify({ query: '{ __typename }' }));
  await waitForHttp(rawUrl, '{}');

  // Watches the benchmark database's backends when the server is not the embedded one.
  const probe = db.embedded ? null : postgres(db.databaseUrl, { max: 1, onnotice: () => {} });
  const postgresCpu = async () => (probe ? databaseBackendsCpuMs(probe) : null);
  const results: Result[] = [];
  for (const s of scenarios) {
    const url = s.raw ? rawUrl : apiUrl;
    const body = s.raw ? '{}' : JSON.stringify({ query: s.query, variables: s.variables });
    const pid = (s.raw ? raw : api).pid!;
    // Each connection is its own dashboard user (its own bearer token), as the server's
    // per-client cap and fair scheduling (src/http/admission.ts) expect of ten real users.
    let user = 0;
    const run = (duration: number) =>
      autocannon({
        url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        connections: CONNECTIONS,
        duration,
        setupClient: (client) => {
          user += 1;
          client.setHeaders({ 'content-type': 'application/json', authorization: `Bearer ${userTokens[(user - 1) % userTokens.length] ?? ''}` });
        },
      });
    await run(Math.min(3, DURATION)); // warm-up: JIT, caches, prepared statements
    const nodeBefore = cpuMs(pid);
    const pgBefore = probe ? null : postgresCpuMs();
    const backendsBefore = await postgresCpu();
    const result = await run(DURATION);
    const done = result.requests.total;
    const pgAfter = probe ? null : postgresCpuMs();
    const pgSpent = probe
      ? backendsCpuDelta(backendsBefore, await postgresCpu())
      : pgBefore === null || pgAfter === null ? null : pgAfter - pgBefore;
    results.push({
      name: s.name,
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      nodeCpuMs: done === 0 ? null : (cpuMs(pid) - nodeBefore) / done,
      pgCpuMs: done === 0 || pgSpent === null ? null : pgSpent / done,
      statements: s.raw ? 1 : (counts.get(s.name) ?? null),
      errors: failures(result),
    });
    const r = results.at(-1)!;
    console.error(`${r.name}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms`);
    // Requests autocannon gave up on may still run on the server: let them finish before the next
    // scenario, whose numbers (and per-client cap) they would otherwise disturb.
    await waitForHttp(s.raw ? rawUrl : apiUrl, s.raw ? '{}' : JSON.stringify({ query: '{ __typename }' }));
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  // Exports: one whole-dataset download each, streamed and discarded, the server's RSS sampled.
  const exportResults: ExportResult[] = [];
  const exportPaths = options.skip.includes('exports')
    ? []
    : ['/export/events.csv', '/export/events.geojson', '/export/stix'].filter((p) => !options.only || `export ${p}`.includes(options.only));
  for (const path of exportPaths) {
    const result = await downloadExport(`http://127.0.0.1:${apiPort}${path}`, userTokens[0] ?? '', api.pid!);
    exportResults.push({ path, ...result });
    console.error(`${path}: ${result.seconds.toFixed(1)} s, ${(result.bytes / 2 ** 20).toFixed(0)} MB, peak RSS ${result.peakRssMb.toFixed(0)} MB`);
  }
  await probe?.end();
  api.kill('SIGTERM');
  raw.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await db.stop();

  const fmt = (n: number | null, digits = 1) => (n === null ? '–' : n.toFixed(digits));
  if (exportResults.length > 0) {
    console.log(`\nExports of the whole dataset (${size.events.toLocaleString('en')} events), one download each:\n`);
    console.log('| export | seconds | events/s | MB | MB/s | first byte ms | server RSS before MB | server peak RSS MB | status |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of exportResults) {
      console.log(`| ${r.path} | ${fmt(r.seconds, 1)} | ${fmt(size.events / r.seconds, 0)} | ${fmt(r.bytes / 2 ** 20, 0)} | ${fmt(r.bytes / 2 ** 20 / r.seconds, 1)} | ${fmt(r.firstByteMs, 0)} | ${fmt(r.rssBeforeMb, 0)} | ${fmt(r.peakRssMb, 0)} | ${r.status} |`);
    }
  }
  console.log(`\n${size.events.toLocaleString('en')} events, ${size.actors.toLocaleString('en')} actors, ${size.participations.toLocaleString('en')} participations; ` +
    `${CONNECTIONS} connections, ${DURATION} s per scenario; ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GB; Node ${process.version}\n`);
  console.log('| scenario | req/s | p50 ms | p99 ms | Node CPU ms/req | PostgreSQL CPU ms/req | SQL statements/req | errors |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    console.log(`| ${r.name} | ${fmt(r.rps, 0)} | ${r.p50} | ${r.p99} | ${fmt(r.nodeCpuMs, 2)} | ${fmt(r.pgCpuMs, 2)} | ${r.statements ?? '–'} | ${r.errors} |`);
  }
  const nested = results.find((r) => r.name.startsWith('nested: 100'));
  const baseline = results.find((r) => r.name.startsWith('nested: raw'));
  if (nested && baseline) {
    console.log(`\nnested query at ${(nested.rps / baseline.rps).toFixed(2)}× the raw-SQL baseline's throughput (target ≥ 0.35×)`);
  }
}

await main();
