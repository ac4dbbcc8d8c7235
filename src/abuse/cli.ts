/**
 * `npm run abuse`: starts the real server in its own process (as `npm start` does: DATABASE_URL,
 * or an embedded PostgreSQL) unless ABUSE_URL points at one, runs the abuse mix and prints the
 * report. Exit 1 when anything crashed, a hostile request was accepted, a response leaked
 * internals, or the dashboards' p99 under attack reached 250 ms.
 *   ABUSE_CLIENTS (200) hostile clients, ABUSE_DASHBOARDS (20) dashboards refreshing every second,
 *   ABUSE_PHASE_MS (15000) length of the baseline and of the attack.
 * When it starts the server (and the embedded PostgreSQL) itself, it also prints their CPU time
 * per request from /proc (src/abuse/cpu.ts): per dashboard request in the baseline, and per
 * attack request (the attack phase's CPU less the dashboards' share at the baseline's rate).
 * Every client gets its own viewer token, minted in the server's database (the server refuses
 * unknown tokens and caps each client by its token); against ABUSE_URL, tokens are minted in
 * ABUSE_DATABASE_URL when it is given, and clients are anonymous otherwise.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connectDatabase } from '../db/client.ts';
import { freePort, startEmbeddedPostgres, type EmbeddedServer } from '../db/embedded.ts';
import { cpuBetween, postmasterPid, readCpu, type CpuReading } from './cpu.ts';
import { runAbuse, type ClientTokens } from './run.ts';
import { mintClientTokens, mintRevocableToken } from './tokens.ts';

function whole(name: string, fallback: number): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1, got "${raw}"`);
  return value;
}

const abusers = whole('ABUSE_CLIENTS', 200);
const dashboards = whole('ABUSE_DASHBOARDS', 20);
const phaseMs = whole('ABUSE_PHASE_MS', 15_000);
const P99_BUDGET_MS = 250;

let child: ChildProcess | undefined;
let embedded: EmbeddedServer | undefined;
const EMBEDDED_DIR = '.data/abuse-postgres';
let url = process.env.ABUSE_URL?.replace(/\/$/, '');
let databaseUrl = url ? process.env.ABUSE_DATABASE_URL : process.env.DATABASE_URL;
if (!url) {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  if (!databaseUrl) {
    // Started here rather than by the server, so that this process can mint the clients' tokens.
    embedded = await startEmbeddedPostgres({ dataDir: EMBEDDED_DIR, persistent: true });
    databaseUrl = embedded.url;
  }
  // One log line per request at 200 clients is itself a load; warnings and errors still show.
  child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode} before it was ready`);
    if (Date.now() > deadline) throw new Error('the server was not ready within 180 s');
    const ok = await fetch(`${url}/ready`).then((r) => r.status === 200, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 200));
  }
}

let tokens: ClientTokens | undefined;
// Kept open through the run: a subscription's token is revoked while its stream is open.
const database = databaseUrl ? connectDatabase(databaseUrl, { max: 4 }) : undefined;
const revocable = database ? await mintRevocableToken(database.db) : undefined;
// Its own client for the streams attack: a hostile client's token may be boxed by its refusals.
const streamToken = database ? (await mintClientTokens(database.db, 0, 1)).abusers[0] : undefined;
if (database) {
  tokens = await mintClientTokens(database.db, dashboards, abusers);
} else {
  console.log('no ABUSE_DATABASE_URL: clients cannot get tokens and are anonymous (one address, one client)');
}

console.log(`abuse run against ${url}: ${abusers} hostile clients, ${dashboards} dashboards, ${phaseMs} ms per phase`);
const target = url;
const serverPid = child?.pid;
const postmaster = embedded ? postmasterPid(EMBEDDED_DIR) : undefined;
const marks: Partial<Record<'baseline' | 'attack' | 'end', CpuReading>> = {};
const report = await runAbuse({
  onPhase: (phase) => {
    marks[phase] = readCpu(serverPid, postmaster);
  },
  url,
  abusers,
  dashboards,
  phaseMs,
  tokens,
  streams: { token: streamToken, revocable },
  dashboardRunner: (startAt, warmupMs) =>
    new Promise((resolve, reject) => {
      const runner = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/abuse/dashboards.ts', target, String(dashboards), '1000', String(startAt), String(warmupMs), String(phaseMs)],
        { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ABUSE_DASHBOARD_TOKENS: JSON.stringify(tokens?.dashboards ?? []) } },
      );
      let out = '';
      runner.stdout.on('data', (d: Buffer) => (out += d.toString()));
      runner.on('error', reject);
      runner.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Parameters<typeof resolve>[0]) : reject(new Error(`dashboards exited with ${code}`))));
    }),
});
const crashedServer = child !== undefined && child.exitCode !== null;
console.log(JSON.stringify(report, null, 2));
console.log(`
crashes:                    ${report.crashes}${crashedServer ? ' (the server process died)' : ''}
hostile requests sent:      ${report.hostileSent}
hostile requests accepted:  ${report.accepted}${report.acceptedKinds.length ? ` (${report.acceptedKinds.join(', ')})` : ''}
responses leaking internals:${report.leaks}${report.leakKinds.length ? ` (${report.leakKinds.join(', ')})` : ''}
slow-but-allowed queries:   ${report.slowAllowed.sent} sent, ${report.slowAllowed.served} served, ${report.slowAllowed.capped} capped (429/503)
dashboard p99 without attack: ${report.baseline.p99} ms (p50 ${report.baseline.p50}, ${report.baseline.requests} requests, ${report.baseline.failed} failed)
dashboard p99 under attack:   ${report.underAttack.p99} ms (p50 ${report.underAttack.p50}, ${report.underAttack.requests} requests, ${report.underAttack.failed} failed)`);

if (marks.baseline && marks.attack && marks.end) {
  const baseline = cpuBetween(marks.baseline, marks.attack);
  const attack = cpuBetween(marks.attack, marks.end);
  const perDashboard = (ms: number | undefined) => (ms === undefined ? undefined : ms / Math.max(1, report.baseline.requests));
  const attackRequests = report.hostileSent + report.slowAllowed.sent;
  // The attack phase's CPU less what its dashboard requests cost at the baseline's rate.
  const perAttack = (ms: number | undefined, dashboardMs: number | undefined) =>
    ms === undefined || dashboardMs === undefined ? undefined : Math.max(0, ms - dashboardMs * report.underAttack.requests) / Math.max(1, attackRequests);
  const show = (ms: number | undefined) => (ms === undefined ? 'n/a' : `${ms.toFixed(2)} ms`);
  const serverDashboard = perDashboard(baseline.serverMs);
  const postgresDashboard = perDashboard(baseline.postgresMs);
  console.log(`CPU per dashboard request (baseline):   server ${show(serverDashboard)}, PostgreSQL ${show(postgresDashboard)}
CPU per attack request (${attackRequests} sent):    server ${show(perAttack(attack.serverMs, serverDashboard))}, PostgreSQL ${show(perAttack(attack.postgresMs, postgresDashboard))}
CPU in the attack phase:                server ${show(attack.serverMs)}, PostgreSQL ${show(attack.postgresMs)} (${phaseMs} ms of wall clock)`);
}

await database?.close();
child?.kill('SIGTERM');
if (child) await new Promise((resolve) => child?.once('exit', resolve));
await embedded?.stop();
const failed = report.crashes > 0 || crashedServer || report.accepted > 0 || report.leaks > 0 || report.underAttack.p99 >= P99_BUDGET_MS;
process.exit(failed ? 1 : 0);
