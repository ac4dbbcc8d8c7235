/**
 * The abuse run: hostile clients and normal dashboard clients against one server, first the
 * dashboards alone, then both. Every hostile request has an expectation; the report counts
 * crashes (no answer, or a 500), hostile requests accepted, responses that leak internals, and
 * the dashboards' latency with and without the attack. `npm run abuse` (src/abuse/cli.ts) runs
 * it at scale; tests/abuse.test.ts runs a small version.
 */
import { Agent, request as httpRequest } from 'node:http';
import { exampleQueries } from '../graphiql-examples.ts';
import { streamAbuse, type StreamAbuseOptions } from './streams.ts';

export interface ClientTokens {
  dashboards: string[];
  abusers: string[];
}

export interface AbuseOptions {
  /** Base URL of the server (no trailing slash). */
  url: string;
  abusers: number;
  dashboards: number;
  /** Length of each phase (baseline, attack), ms. */
  phaseMs: number;
  /** Pause between two refreshes of one dashboard, ms (a wall of dashboards refreshing every second). */
  dashboardPauseMs?: number;
  /**
   * Real API tokens (the server answers an unknown token with 401), one per dashboard and per
   * hostile client, so the server tells them apart as it would separate users; without them
   * every client is anonymous and shares one address.
   */
  tokens?: ClientTokens;
  /**
   * Runs the dashboards somewhere else (another process, as real dashboards are other machines)
   * for a warm-up, then `phaseMs` alone, then `phaseMs` under attack, all from `startAt` (epoch
   * ms, a few seconds ahead so the other process can boot); without
   * it they run in this process, whose own load then counts in their latency.
   */
  dashboardRunner?: (startAt: number, warmupMs: number) => Promise<{ baseline: LatencySummary; underAttack: LatencySummary }>;
  /** Subscriptions in the hostile mix (src/abuse/streams.ts), once during the attack. */
  streams?: Omit<StreamAbuseOptions, 'url'>;
  /** Told as the dashboards' baseline starts, as the attack starts, and as both end (to read CPU). */
  onPhase?: (phase: 'baseline' | 'attack' | 'end') => void;
}

/** Warm-up, baseline and attack phases for dashboards, back to back from `started` (epoch ms). */
export async function dashboardPhases(
  url: string,
  count: number,
  pauseMs: number,
  started: number,
  warmupMs: number,
  phaseMs: number,
  tokens: string[] = [],
): Promise<{ baseline: LatencySummary; underAttack: LatencySummary }> {
  await new Promise((r) => setTimeout(r, Math.max(0, started - Date.now())));
  await dashboards(url, count, () => Date.now() > started + warmupMs, pauseMs, tokens);
  const baseline = await dashboards(url, count, () => Date.now() > started + warmupMs + phaseMs, pauseMs, tokens);
  const underAttack = await dashboards(url, count, () => Date.now() > started + warmupMs + 2 * phaseMs, pauseMs, tokens);
  return { baseline, underAttack };
}

interface Probe {
  kind: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** What makes this hostile request "accepted" (it should have been refused or answered empty). */
  accepted: (status: number, body: unknown) => boolean;
}

interface Answer {
  status: number;
  text: string;
  ms: number;
}

const LEAK = /\bselect\b.*\bfrom\b|insert into|DrizzleQueryError|Failed query|PostgresError|postgres:\/\/|ECONNREFUSED|ECONNRESET|node_modules|\.ts:\d+|\.js:\d+|\bat async\b|127\.0\.0\.1|syntax error at or near|relation ".*" does not exist|\bstack\b/i;

const json = (query: string, variables?: Record<string, unknown>) => JSON.stringify({ query, variables });

function parsed(text: string): { data?: Record<string, unknown> | null; errors?: unknown[] } {
  try {
    return JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: unknown[] };
  } catch {
    return {};
  }
}

/** Refused: an HTTP error status, or GraphQL errors and nothing but nulls for data. */
const refusedOnly = (status: number, body: unknown): boolean => {
  if (status >= 400) return false;
  const b = body as { data?: Record<string, unknown> | null; errors?: unknown[] };
  const refused = (b.errors?.length ?? 0) > 0 && Object.values(b.data ?? {}).every((v) => v === null);
  return !refused;
};

/** SQL-looking input must match nothing: a total above zero means the string reached SQL as code. */
const matchedSomething = (status: number, body: unknown): boolean => {
  if (status >= 500) return true;
  return /"totalCount":[1-9]/.test(JSON.stringify(body)) || /"(actor|event|doctrine|source|place)":\{/.test(JSON.stringify(body));
};

const INJECTIONS = [`' OR '1'='1`, `'; DROP TABLE actors; --`, `" OR ""="`, `1) OR (1=1`, `%' OR 1=1 --`, `\\'; select pg_sleep(10); --`, `$1`, `isis-k' --`];

export function hostileProbes(): Probe[] {
  const deep = `{ places { nodes { ${'parent { '.repeat(30)}name${' }'.repeat(30)} } } }`;
  const aliases = `{ ${Array.from({ length: 200 }, (_, i) => `a${i}: events(first: 100) { totalCount }`).join(' ')} }`;
  const directives = `{ __typename ${'@include(if: true) '.repeat(200)}}`;
  const tokens = `{ ${'__typename '.repeat(9000)}}`;
  const nested = `query Nested($n: Int) { actors(first: $n) { nodes { participations(first: $n) { nodes { event { participants { actor { name } citations { quote } } } } } } } }`;
  const probes: Probe[] = [
    { kind: 'deep nesting', body: json(deep), accepted: refusedOnly },
    { kind: 'alias bomb', body: json(aliases), accepted: refusedOnly },
    { kind: 'directive flood', body: json(directives), accepted: refusedOnly },
    { kind: 'token flood', body: json(tokens), accepted: refusedOnly },
    { kind: 'huge first literal', body: json('{ events(first: 100000) { nodes { title } } }'), accepted: refusedOnly },
    { kind: 'huge first variable', body: json('query($n: Int) { events(first: $n) { nodes { title } } }', { n: 1_000_000_000 }), accepted: refusedOnly },
    { kind: 'nested pages by variable', body: json(nested, { n: 100 }), accepted: refusedOnly },
    { kind: 'negative first', body: json('{ events(first: -5) { nodes { title } } }'), accepted: refusedOnly },
    { kind: 'giant document', body: json(`{ __typename } # ${'x'.repeat(400_000)}`), accepted: refusedOnly },
    { kind: 'malformed JSON', body: '{"query": "{ __typename }", "variables": {', accepted: refusedOnly },
    { kind: 'JSON that is not an object', body: '"{ __typename }"', accepted: refusedOnly },
    { kind: 'batch', body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]), accepted: refusedOnly },
    { kind: 'form post (CSRF)', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'query=%7B__typename%7D', accepted: refusedOnly },
    { kind: 'text/plain post', headers: { 'content-type': 'text/plain' }, body: json('{ __typename }'), accepted: refusedOnly },
    { kind: 'xml post', headers: { 'content-type': 'application/xml' }, body: '<query>{ __typename }</query>', accepted: refusedOnly },
    { kind: 'PUT', method: 'PUT', body: json('{ __typename }'), accepted: refusedOnly },
    { kind: 'DELETE', method: 'DELETE', accepted: refusedOnly },
    { kind: 'PATCH', method: 'PATCH', body: json('{ __typename }'), accepted: refusedOnly },
    { kind: 'empty body', body: '', accepted: refusedOnly },
    { kind: 'no query', body: '{"variables":{}}', accepted: refusedOnly },
    { kind: 'query not a string', body: '{"query":{"a":1}}', accepted: refusedOnly },
    { kind: 'variables not an object', body: '{"query":"{ __typename }","variables":[1,2]}', accepted: refusedOnly },
    { kind: 'invalid global id', body: json('{ node(id: "not-a-real-id") { id } }'), accepted: refusedOnly },
    { kind: 'global id out of range', body: json('{ node(id: "QWN0b3I6OTk5OTk5OTk5OTk5OTk5OTk5OQ==") { id } }'), accepted: (s, b) => s >= 500 || /"node":\{/.test(JSON.stringify(b)) },
    { kind: 'invalid ids list', body: json('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: Array.from({ length: 50 }, (_, i) => `junk${i}`) }), accepted: refusedOnly },
    { kind: 'bad cursor', body: json(`{ events(first: 5, after: "' OR 1=1 --") { nodes { title } } }`), accepted: refusedOnly },
    { kind: 'unknown field', body: json('{ pg_user { usename } }'), accepted: refusedOnly },
    { kind: 'bad date', body: json('{ events(filter: { from: "2024-13-45" }) { totalCount } }'), accepted: refusedOnly },
    // Two credentials in one (what fetch makes of two Authorization headers): never "the first wins".
    { kind: 'duplicate authorization', headers: { authorization: 'Bearer mmg_first, Bearer mmg_second' }, body: json('{ __typename }'), accepted: refusedOnly },
    // Refused documents answered 200 under the legacy accept header must still be refused (and counted).
    { kind: 'unknown field under application/json', headers: { accept: 'application/json' }, body: json('{ pg_user { usename } }'), accepted: refusedOnly },
  ];
  for (const s of INJECTIONS) {
    probes.push(
      { kind: 'sql in actor slug', body: json('query($s: String!) { actor(slug: $s) { name } }', { s }), accepted: matchedSomething },
      { kind: 'sql in search', body: json('query($s: String) { actors(filter: { search: $s }) { totalCount } }', { s }), accepted: matchedSomething },
      { kind: 'sql in doctrine', body: json('query($s: String) { actors(filter: { doctrine: $s }) { totalCount } }', { s }), accepted: matchedSomething },
      { kind: 'sql in event filter', body: json('query($s: String) { events(filter: { actor: $s, country: $s }) { totalCount } }', { s }), accepted: matchedSomething },
      { kind: 'sql in event slug', body: json('query($s: String!) { event(slug: $s) { title } }', { s }), accepted: matchedSomething },
      { kind: 'sql in source slug', body: json('query($s: String!) { source(slug: $s) { title } }', { s }), accepted: matchedSomething },
      { kind: 'sql in place slug', body: json('query($s: String!) { place(slug: $s) { name } }', { s }), accepted: matchedSomething },
      { kind: 'sql in doctrine slug', body: json('query($s: String!) { doctrine(slug: $s) { name } }', { s }), accepted: matchedSomething },
      { kind: 'sql in node id', body: json('query($s: ID!) { node(id: $s) { id } }', { s }), accepted: matchedSomething },
      { kind: 'sql in cursor', body: json('query($s: String) { actors(first: 2, after: $s) { totalCount } }', { s }), accepted: (status, body) => refusedOnly(status, body) },
      { kind: 'sql in enum', body: `{"query":"{ events(orderBy: ${s.replace(/["\\]/g, '')}) { totalCount } }"}`, accepted: refusedOnly },
    );
  }
  return probes;
}

/** Allowed but as expensive as the limits permit: it may be served, or capped with 429/503. */
const SLOW_ALLOWED = json(`query Heavy($n: Int) {
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

const DASHBOARD = exampleQueries.map((e) => json(e.query));

/** Plain node:http with its own unbounded keep-alive agent: fetch's shared pool would queue clients behind each other. */
const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

/** Sends one request (a probe or a dashboard query) to `${url}/graphql`; 'crash' when the connection failed without an answer. */
export function sendProbe(url: string, probe: { method?: string; headers?: Record<string, string>; body?: string }, token: string | undefined): Promise<Answer | 'crash'> {
  const started = performance.now();
  const target = new URL(`${url}/graphql`);
  return new Promise((resolve) => {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...probe.headers,
    };
    const body = probe.method === 'DELETE' ? undefined : probe.body;
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const req = httpRequest(
      { agent, host: target.hostname, port: target.port, path: target.pathname, method: probe.method ?? 'POST', headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString(), ms: performance.now() - started }));
        res.on('error', () => resolve('crash'));
      },
    );
    // A server that refuses a body early may close the socket while it is still being sent:
    // that is a refusal, not a crash, when a response came first (handled above).
    req.on('error', () => resolve('crash'));
    req.end(body);
  });
}

export interface AbuseReport {
  baseline: LatencySummary;
  underAttack: LatencySummary;
  hostileSent: number;
  crashes: number;
  accepted: number;
  leaks: number;
  slowAllowed: { sent: number; served: number; capped: number };
  /** By probe kind, for whoever reads a failure. */
  acceptedKinds: string[];
  leakKinds: string[];
  crashKinds: string[];
  statuses: Record<string, number>;
  healthAfter: number;
}

export interface LatencySummary {
  requests: number;
  failed: number;
  /** Why dashboard requests failed: status and code, with counts. */
  failures?: Record<string, number>;
  p50: number;
  p99: number;
  max: number;
}

function summarize(latencies: number[], failed: number): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { requests: sorted.length + failed, failed, p50: Math.round(at(0.5)), p99: Math.round(at(0.99)), max: Math.round(sorted.at(-1) ?? 0) };
}

export async function dashboards(url: string, count: number, until: () => boolean, pauseMs: number, tokens: string[] = []): Promise<LatencySummary> {
  const latencies: number[] = [];
  let failed = 0;
  const failures: Record<string, number> = {};
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      let n = i;
      while (!until()) {
        const answer = await sendProbe(url, { body: DASHBOARD[n++ % DASHBOARD.length] }, tokens[i]);
        if (answer !== 'crash' && answer.status === 200 && !parsed(answer.text).errors) latencies.push(answer.ms);
        else {
          failed += 1;
          const code = answer === 'crash' ? 'no answer' : `${answer.status} ${JSON.stringify((parsed(answer.text).errors?.[0] as { extensions?: { code?: string } } | undefined)?.extensions?.code ?? '')}`;
          failures[code] = (failures[code] ?? 0) + 1;
        }
        await new Promise((r) => setTimeout(r, pauseMs));
      }
    }),
  );
  return { ...summarize(latencies, failed), failures };
}

export async function runAbuse(options: AbuseOptions): Promise<AbuseReport> {
  const { url, phaseMs } = options;
  const pause = options.dashboardPauseMs ?? 1000;
  // A warm-up (connections, JIT, plans) so the baseline is not the cold start.
  const warmupMs = Math.min(1000, phaseMs);
  const started = Date.now() + (options.dashboardRunner ? 5000 : 0);
  const runner = options.dashboardRunner ?? ((at: number, w: number) => dashboardPhases(url, options.dashboards, pause, at, w, phaseMs, options.tokens?.dashboards));
  const dashboardResults = runner(started, warmupMs);
  const baselineMark = setTimeout(() => options.onPhase?.('baseline'), Math.max(0, started + warmupMs - Date.now()));
  await new Promise((r) => setTimeout(r, Math.max(0, started + warmupMs + phaseMs - Date.now())));
  clearTimeout(baselineMark);
  options.onPhase?.('attack');

  const probes = hostileProbes();
  const report = { hostileSent: 0, crashes: 0, accepted: 0, leaks: 0, acceptedKinds: new Set<string>(), leakKinds: new Set<string>(), crashKinds: new Set<string>() };
  const slow = { sent: 0, served: 0, capped: 0 };
  const statuses: Record<string, number> = {};
  const end = started + warmupMs + 2 * phaseMs;
  const stop = () => Date.now() > end;
  const attackers = Array.from({ length: options.abusers }, async (_, i) => {
    let n = i;
    while (!stop()) {
      // One client in four sends the heaviest allowed query; the rest cycle through the hostile ones.
      if (i % 4 === 0) {
        slow.sent += 1;
        const answer = await sendProbe(url, { body: SLOW_ALLOWED }, options.tokens?.abusers[i]);
        if (answer === 'crash' || (answer.status >= 500 && answer.status !== 503)) {
          report.crashes += 1;
          report.crashKinds.add('slow allowed');
        } else if (answer.status === 200) slow.served += 1;
        else slow.capped += 1;
        if (answer !== 'crash' && LEAK.test(answer.text)) {
          report.leaks += 1;
          report.leakKinds.add('slow allowed');
        }
        continue;
      }
      const probe = probes[n++ % probes.length]!;
      report.hostileSent += 1;
      const answer = await sendProbe(url, probe, options.tokens?.abusers[i]);
      if (answer === 'crash' || answer.status === 500) {
        report.crashes += 1;
        report.crashKinds.add(probe.kind);
        continue;
      }
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      // Capped by the per-client or pool limits: refused, whatever it was.
      if (answer.status !== 429 && answer.status !== 503 && probe.accepted(answer.status, parsed(answer.text))) {
        report.accepted += 1;
        report.acceptedKinds.add(probe.kind);
      }
      if (LEAK.test(answer.text)) {
        report.leaks += 1;
        report.leakKinds.add(probe.kind);
      }
    }
  });
  const streamsAttack = options.streams ? streamAbuse({ url, ...options.streams }) : undefined;
  const [{ baseline, underAttack }] = await Promise.all([dashboardResults, ...attackers]);
  // The streams attack may still be closing its sockets: its requests count, its tail does not.
  options.onPhase?.('end');
  const streams = await streamsAttack;
  if (streams) {
    report.hostileSent += streams.sent;
    report.crashes += streams.crashes;
    report.accepted += streams.accepted;
    report.leaks += streams.leakKinds.length;
    for (const kind of streams.acceptedKinds) report.acceptedKinds.add(kind);
    for (const kind of streams.crashKinds) report.crashKinds.add(kind);
    for (const kind of streams.leakKinds) report.leakKinds.add(kind);
  }
  let healthAfter = 0;
  try {
    healthAfter = (await fetch(`${url}/health`)).status;
  } catch {
    healthAfter = 0;
  }
  return {
    baseline,
    underAttack,
    hostileSent: report.hostileSent,
    crashes: report.crashes + (healthAfter === 200 ? 0 : 1),
    accepted: report.accepted,
    leaks: report.leaks,
    slowAllowed: slow,
    acceptedKinds: [...report.acceptedKinds],
    leakKinds: [...report.leakKinds],
    crashKinds: [...report.crashKinds],
    statuses,
    healthAfter,
  };
}
