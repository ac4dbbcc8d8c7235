/**
 * `npm run bench:writes [-- --duration 30 --writers 10 --readers 5 --read-rate 0 --events 10000 --events 100000 --skip update --skip merge --server-cpu-prof DIR --pool 10 --floor-layers --floor-rounds 3]`:
 * writes at the scale of the synthetic dataset (run `npm run seed:synthetic` first, or point
 * SYNTHETIC_DATABASE_URL at a copy).
 *
 * Starts the real server (src/index.ts) and measures, one after another:
 * 1. single cited writes through GraphQL — createEvent with a participant, addParticipation,
 *    addAdherence, addRelationship, updateEvent, all on the busiest actor — from `--writers`
 *    closed-loop writers (each its own analyst token), with `--readers` dashboard readers running
 *    the dashboard scenarios of scripts/bench.ts beside them — closed loops by default, each asking
 *    again as soon as it is answered; with `--read-rate R`, R requests a second among them all, as
 *    dashboards refreshing on a timer would (a late answer is followed at once by the next
 *    request, never by a burst) — : p50/p99 per mutation and for the
 *    readers, the Node and PostgreSQL CPU per request, and (when the summaries are drained off the
 *    write path) how far the summaries lagged behind the writes;
 * 2. `npm run import` of a knowledge file of `--events` cited events (10,000 and 100,000 by default;
 *    scripts/bench-import-file.ts): one new source, each event quoting its own sentence, each with
 *    a cited PERPETRATOR participation of the busiest actor — events/s, the importer's peak RSS
 *    and its time per step;
 * 3. after each, a COPY of the same rows (their own copy of the source) into the same tables, with
 *    every trigger on: the physical floor, and the import's ratio to it; with `--floor-layers`, the
 *    same rows again with each family of the tables' triggers off, with none, and into bare tables:
 *    how much of the floor is the schema's own per-row work (copyFloor's layers);
 * 4. a bulk update of 2,000 of the busiest actor's events as a job (startUpdateEvents: a new kind,
 *    each by a cited claim; polled until it is done, the summaries included);
 * 5. a merge of the two busiest actors as a job (startMergeActors, polled likewise).
 * Steps 4 and 5 change the data for later runs: use a copy of the database.
 */
import { spawn } from 'node:child_process';
import { randomUUID, createHash } from 'node:crypto';
import { postgresCpuMs as postgresServerCpuMs, postmasterPid, processCpuMs } from '../src/abuse/cpu.ts';
import { sendProbe } from '../src/abuse/run.ts';
import { mkdtemp } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { createToken } from '../src/auth/tokens.ts';
import { connectDatabase, postgresClient } from '../src/db/client.ts';
import { freePort } from '../src/db/embedded.ts';
import { copyLine, copyLines } from '../src/db/copy.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { benchSentence, writeBenchKnowledgeFile } from './bench-import-file.ts';
import { dashboardQueries } from './bench-queries.ts';
import { SYNTHETIC_DATA_DIR, startSyntheticServer } from './synthetic-db.ts';

const { values: options } = parseArgs({
  options: {
    duration: { type: 'string', default: '30' },
    writers: { type: 'string', default: '10' },
    readers: { type: 'string', default: '5' },
    // Reads a second among all readers; 0: closed loops.
    'read-rate': { type: 'string', default: '0' },
    events: { type: 'string', multiple: true, default: ['10000', '100000'] },
    skip: { type: 'string', multiple: true, default: [] },
    // A V8 CPU profile of the server (node --cpu-prof), written to this folder when it stops.
    'server-cpu-prof': { type: 'string' },
    // The server's DATABASE_POOL_SIZE (its admission slots follow it).
    pool: { type: 'string', default: '10' },
    // After each floor, the same rows with the tables' trigger families off one at a time, with
    // none, and into bare tables (copyFloor's layers): a few more floors' time.
    'floor-layers': { type: 'boolean', default: false },
    // Rounds of the layers (medians reported): one family's share is within this machine's noise.
    'floor-rounds': { type: 'string', default: '1' },
  },
});
const DURATION_MS = Number(options.duration) * 1000;
const WRITERS = Number(options.writers);
const READERS = Number(options.readers);
const READ_RATE = Number(options['read-rate']);
const IMPORT_SIZES = options.events.map(Number);
const skip = new Set(options.skip);

/** A process's CPU, ms (src/abuse/cpu.ts reads /proc); 0 once it has gone. */
const cpuMs = (pid: number): number => processCpuMs(pid) ?? 0;

/**
 * CPU of PostgreSQL for this database, by pid: the embedded server as a whole (its postmaster with
 * every backend, those it has reaped included), or on a shared server this database's backends.
 */
async function postgresCpuMs(probe: postgres.Sql, embedded: boolean): Promise<Map<number, number>> {
  if (embedded) {
    const postmaster = postmasterPid(SYNTHETIC_DATA_DIR);
    return new Map(postmaster === undefined ? [] : [[postmaster, postgresServerCpuMs(postmaster) ?? 0]]);
  }
  const backends = await probe<{ pid: number }[]>`
    select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`;
  const cpu = new Map<number, number>();
  for (const { pid } of backends) {
    // A backend that ended while we looked reads as undefined and is left out.
    const ms = processCpuMs(pid);
    if (ms !== undefined) cpu.set(pid, ms);
  }
  return cpu;
}

function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function waitForHttp(url: string): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

interface GraphQLResult {
  ok: boolean;
  ms: number;
  detail: string;
}

/**
 * One GraphQL request to the server at `base`. Sent with the abuse run's client (sendProbe:
 * node:http, kept-alive sockets) rather than fetch: the load generator shares the machine's two
 * cores with the server it measures, and fetch (undici) spent ~250 µs of CPU a request where
 * node:http spends ~40 (20,000 requests against a trivial server, 10 at a time).
 */
async function graphql(base: string, token: string, query: string, variables: Record<string, unknown>): Promise<GraphQLResult> {
  const started = performance.now();
  const response = await sendProbe(base, { body: JSON.stringify({ query, variables }) }, token);
  if (response === 'crash') return { ok: false, ms: performance.now() - started, detail: 'socket: the connection failed without an answer' };
  const { text } = response;
  const ms = performance.now() - started;
  if (response.status < 200 || response.status > 299) return { ok: false, ms, detail: `HTTP ${response.status}: ${text.slice(0, 160)}` };
  const body = JSON.parse(text) as { data?: Record<string, { __typename?: string; message?: string } | null>; errors?: { message: string }[] };
  if (body.errors) return { ok: false, ms, detail: body.errors.map((e) => e.message).join('; ').slice(0, 160) };
  const result = Object.values(body.data ?? {})[0];
  if (result && typeof result === 'object' && '__typename' in result && !String(result.__typename).endsWith('Success')) {
    return { ok: false, ms, detail: `${result.__typename}: ${result.message ?? ''}`.slice(0, 160) };
  }
  return { ok: true, ms, detail: '' };
}

const MUTATIONS = {
  createEvent: `mutation($i: CreateEventInput!) { createEvent(input: $i) { __typename ... on UserError { message } } }`,
  addParticipation: `mutation($i: AddParticipationInput!) { addParticipation(input: $i) { __typename ... on UserError { message } } }`,
  addAdherence: `mutation($i: AddAdherenceInput!) { addAdherence(input: $i) { __typename ... on UserError { message } } }`,
  addRelationship: `mutation($i: AddRelationshipInput!) { addRelationship(input: $i) { __typename ... on UserError { message } } }`,
  updateEvent: `mutation($i: UpdateEventInput!) { updateEvent(input: $i) { __typename ... on UserError { message } } }`,
  addSource: `mutation($i: AddSourceInput!) { addSource(input: $i) { __typename ... on UserError { message } } }`,
  mergeActors: `mutation($i: MergeActorsInput!) { mergeActors(input: $i) { __typename ... on UserError { message } } }`,
  startMergeActors: `mutation($i: MergeActorsInput!) { startMergeActors(input: $i) { __typename ... on MutationStartMergeActorsSuccess { data { id } } ... on UserError { message } } }`,
  startUpdateEvents: `mutation($i: UpdateEventsInput!) { startUpdateEvents(input: $i) { __typename ... on MutationStartUpdateEventsSuccess { data { id } } ... on UserError { message } } }`,
} as const;
type Operation = 'createEvent' | 'addParticipation' | 'addAdherence' | 'addRelationship' | 'updateEvent';
const OPERATIONS: Operation[] = ['createEvent', 'addParticipation', 'addAdherence', 'addRelationship', 'updateEvent'];

const SENTENCES_PER_SOURCE = 100;
/**
 * Sources each writer adds: sentences for 50 writes a second per writer over the whole run, so
 * no writer runs out before the clock stops (six sources, 600 writes, lasted ~25 s of a 30 s run
 * once writes took ~30 ms).
 */
const SOURCES_PER_WRITER = Math.max(6, Math.ceil((DURATION_MS / 1000) * 50 / SENTENCES_PER_SOURCE));
const sentence = (tag: string, i: number) => `Report ${tag} item ${i}: the group was said to have acted in the area that day.`;

/**
 * What the floor's rows are written into, and what is on (copyFloor):
 * - `every trigger`: the real tables, every index, trigger and foreign key on, committed — the
 *   floor the import is compared with;
 * - `rolled back`: the same, timed to its last statement (the deferred checks fired) and rolled
 *   back;
 * - `without <family>`: the same with one family of the tables' insert triggers disabled
 *   (TRIGGER_FAMILIES), each compared with a `rolled back` run beside it;
 * - `no triggers`: the real tables with their indexes, but no trigger and no foreign key
 *   (`session_replication_role = replica`);
 * - `bare tables`: tables of the same columns with no index, trigger or key, made in the
 *   transaction: the heap and its WAL alone.
 * The layers say how much of the floor is the schema's own per-row work (`--floor-layers`); they
 * need a superuser, as the synthetic server's is, and are all rolled back.
 */
const FLOOR_TABLES = ['sources', 'claims', 'citations', 'claim_citations', 'events', 'participations'] as const;
const TRIGGER_FAMILIES = {
  'search documents': `p.proname like '%search\\_document%'`,
  'change feed': `p.proname like 'record\\_%'`,
  'summary queue': `p.proname like 'summaries\\_queue\\_%'`,
  'foreign keys': `p.proname = 'RI_FKey_check_ins'`,
} as const;
type TriggerFamily = keyof typeof TRIGGER_FAMILIES | 'integrity checks';
const FAMILIES: TriggerFamily[] = [...(Object.keys(TRIGGER_FAMILIES) as (keyof typeof TRIGGER_FAMILIES)[]), 'integrity checks'];
/** The insert triggers of the floor's tables in `family`; the integrity checks are every other one (quote at offsets, every claim cited, grades, the text's hash and map, casualty parts). */
function familyTriggers(family: TriggerFamily): string {
  const known = Object.values(TRIGGER_FAMILIES).map((c) => `(${c})`).join(' or ');
  const condition = family === 'integrity checks' ? `not (${known})` : TRIGGER_FAMILIES[family];
  return `select t.tgrelid::regclass::text as relation, t.tgname as name from pg_trigger t join pg_proc p on p.oid = t.tgfoid
           where t.tgrelid = any (array[${FLOOR_TABLES.map((name) => `'${name}'::regclass`).join(', ')}]) and (t.tgtype & 4) <> 0 and (${condition})`;
}
type FloorLayer = 'every trigger' | 'rolled back' | `without ${TriggerFamily}` | 'no triggers' | 'bare tables';
const FLOOR_LAYERS: FloorLayer[] = ['rolled back', ...FAMILIES.map((f) => `without ${f}` as const), 'no triggers', 'bare tables'];
/** Rolls a layer's transaction back once it is timed. */
class FloorRolledBack extends Error {}

/**
 * The import's rows written by COPY into staging tables and one INSERT per table (as
 * seed:synthetic loads), into `layer`'s tables: a new source of `count` sentences, a citation of
 * each, an event report and a participation claim citing it, the event and the participation.
 * Returns the ms to commit (`every trigger`) or to the last statement (the layers rolled back).
 */
async function copyFloor(sql: postgres.Sql, slug: string, count: number, actorId: number, placeId: number | null, layer: FloorLayer = 'every trigger'): Promise<number> {
  const sentences = Array.from({ length: count }, (_, i) => benchSentence(slug, i));
  const text = sentences.join(' ');
  const table = (name: string) => (layer === 'bare tables' ? `bare_${name}` : name);
  let started = performance.now();
  let finished = 0;
  const work = sql.begin(async (tx) => {
    if (layer === 'no triggers') await tx`set local session_replication_role = replica`;
    if (layer.startsWith('without ')) {
      const triggers = await tx.unsafe<{ relation: string; name: string }[]>(familyTriggers(layer.slice('without '.length) as TriggerFamily));
      for (const t of triggers) await tx.unsafe(`alter table ${t.relation} disable trigger "${t.name}"`);
    }
    if (layer === 'bare tables') {
      // Each with its own identity sequence, so the ids are drawn as on the real tables.
      for (const name of FLOOR_TABLES) await tx.unsafe(`create table bare_${name} (like ${name} including defaults including identity)`);
    }
    started = performance.now();
    const [src] = await tx.unsafe<{ id: number }[]>(`insert into ${table('sources')} (slug, title, publisher, text, text_sha256)
      values ($1, 'Bench copy report', 'Bench Wire', $2, $3) returning id`, [slug, text, createHash('sha256').update(text).digest('hex')]);
    const ids = async (name: string, n: number) =>
      (await tx.unsafe<{ id: number }[]>(`select nextval(pg_get_serial_sequence('${table(name)}', 'id'))::int as id from generate_series(1, ${n})`)).map((r) => r.id);
    const claimIds = await ids('claims', 2 * count);
    const citationIds = await ids('citations', count);
    const eventIds = await ids('events', count);
    const rows = { claims: [] as string[], citations: [] as string[], claimCitations: [] as string[], events: [] as string[], participations: [] as string[] };
    let offset = 0;
    for (let i = 0; i < count; i++) {
      const quote = sentences[i]!;
      const start = offset;
      const end = start + quote.length;
      offset = end + 1;
      const report = claimIds[2 * i]!;
      const part = claimIds[2 * i + 1]!;
      const day = `2023-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
      rows.citations.push(copyLine([citationIds[i]!, src!.id, quote, start, end, text.slice(Math.max(0, start - 32), start), text.slice(end, end + 32)]));
      rows.claims.push(copyLine([report, 'EVENT_REPORT', 80, 'bench-copy', `event:${slug}-${i}`]), copyLine([part, 'PARTICIPATION', 80, 'bench-copy', `${slug}:participation:${i}`]));
      rows.claimCitations.push(copyLine([report, citationIds[i]!]), copyLine([part, citationIds[i]!]));
      rows.events.push(copyLine([eventIds[i]!, `${slug}-${i}`, `Bench copy event ${i}`, 'ATTACK', day, day, day, 'DAY', placeId, report]));
      rows.participations.push(copyLine([part, eventIds[i]!, actorId, 'PERPETRATOR', null]));
    }
    const copy = async (name: string, columns: string[], lines: string[], staged: boolean) => {
      const target = staged ? `stage_${name}` : table(name);
      if (staged) await tx.unsafe(`create temp table ${target} (like ${name} including defaults) on commit drop`);
      await copyLines(tx, target, columns, lines);
      if (staged) await tx.unsafe(`insert into ${table(name)} (${columns.join(', ')}) overriding system value select ${columns.join(', ')} from ${target}`);
    };
    await copy('claims', ['id', 'kind', 'confidence', 'recorded_by', 'key'], rows.claims, true);
    await copy('citations', ['id', 'source_id', 'quote', 'start_offset', 'end_offset', 'prefix', 'suffix'], rows.citations, true);
    await copy('claim_citations', ['claim_id', 'citation_id'], rows.claimCitations, false);
    await copy('events', ['id', 'slug', 'title', 'kind', 'date_text', 'date_earliest', 'date_latest', 'date_precision', 'place_id', 'claim_id'], rows.events, true);
    await copy('participations', ['claim_id', 'event_id', 'actor_id', 'role', 'attributed_by_id'], rows.participations, false);
    if (layer === 'every trigger') return;
    // The deferred checks (every claim cited) that the real floor runs at commit.
    await tx`set constraints all immediate`;
    finished = performance.now();
    throw new FloorRolledBack();
  });
  try {
    await work;
  } catch (error) {
    if (!(error instanceof FloorRolledBack)) throw error;
    return finished - started;
  }
  return performance.now() - started;
}

async function main() {
  const server = await startSyntheticServer();
  const setup = connectDatabase(server.databaseUrl, { max: 2 });
  await migrateDatabase(setup.db);
  const run = randomUUID().slice(0, 8);
  const analysts = await Promise.all(Array.from({ length: WRITERS }, async (_, i) => (await createToken(setup.db, `bench-writes-${run}-${i}`, 'analyst')).token));
  const viewers = await Promise.all(Array.from({ length: READERS }, async (_, i) => (await createToken(setup.db, `bench-reads-${run}-${i}`, 'viewer')).token));
  const admin = (await createToken(setup.db, `bench-admin-${run}`, 'admin')).token;
  await setup.close();

  const sql = postgresClient(server.databaseUrl, { max: 2, onnotice: () => {} });
  const [size] = await sql<{ events: number }[]>`select count(*)::int as events from events`;
  const busiest = await sql<{ id: number; slug: string; n: number }[]>`
    select a.id, a.slug, count(*)::int as n from participations p join actors a on a.id = p.actor_id
     where p.role = 'PERPETRATOR' group by a.id, a.slug order by n desc, a.slug limit 2`;
  const [actor, second] = busiest;
  if (!actor || !second || !size) throw new Error('the synthetic database is empty: run npm run seed:synthetic first');
  const [place] = await sql<{ slug: string; id: number }[]>`
    select pl.slug, pl.id from places pl join events e on e.place_id = pl.id group by pl.slug, pl.id order by count(*) desc limit 1`;
  const ownEvents = (await sql<{ slug: string }[]>`
    select e.slug from events e join participations p on p.event_id = e.id
     where p.actor_id = ${actor.id} and p.role = 'PERPETRATOR' order by e.id desc limit 5000`).map((r) => r.slug);
  const otherEvents = (await sql<{ slug: string }[]>`
    select slug from events order by md5(id::text) limit 5000`).map((r) => r.slug);
  const otherActors = (await sql<{ slug: string }[]>`select slug from actors where id <> ${actor.id} order by md5(id::text) limit 2000`).map((r) => r.slug);
  const doctrines = (await sql<{ slug: string }[]>`select slug from doctrines order by id`).map((r) => r.slug);
  const summariesOffWritePath = (await sql<{ present: boolean }[]>`select to_regclass('summary_queue') is not null as present`)[0]?.present ?? false;

  const apiPort = await freePort();
  const env = {
    ...process.env,
    DATABASE_URL: server.databaseUrl,
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    SEED_ON_START: 'false',
    DATABASE_POOL_SIZE: options.pool,
    PENALTY_THRESHOLD: '0',
    DATABASE_HEAVY_SLOTS: '10',
    INTAKE_NOISY_SLOTS: '20',
    CLIENT_COST_PER_SECOND: '0',
    LOG_LEVEL: 'warn',
  };
  const profile = options['server-cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', options['server-cpu-prof']] : [];
  const api = spawn(process.execPath, [...profile, '--import', 'tsx', 'src/index.ts'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const base = `http://127.0.0.1:${apiPort}`;
  const url = `${base}/graphql`;
  await waitForHttp(url);
  // The server migrated on start: the queue exists now if this code has one.
  const offWritePath = summariesOffWritePath || ((await sql<{ present: boolean }[]>`select to_regclass('summary_queue') is not null as present`)[0]?.present ?? false);
  const lagSql = offWritePath
    ? async () => Number((await sql.unsafe<{ ms: number }[]>(`select extract(epoch from clock_timestamp() - summaries_complete_up_to()) * 1000 as ms`))[0]?.ms ?? 0)
    : null;
  const caughtUp = async () => !offWritePath || !(await sql.unsafe<{ p: boolean }[]>(`select exists (select 1 from summary_queue) as p`))[0]?.p;
  const waitCaughtUp = async (): Promise<number> => {
    const started = performance.now();
    while (!(await caughtUp())) await new Promise((resolve) => setTimeout(resolve, 50));
    return performance.now() - started;
  };

  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    console.error(line);
  };
  say(`\n${size.events.toLocaleString('en')} events; busiest actor ${actor.slug} (${actor.n} perpetrations), next ${second.slug} (${second.n}); ` +
    `summaries ${offWritePath ? 'off the write path (queue + drainer)' : 'in the write (triggers, one lock)'}; ` +
    `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GB; Node ${process.version}`);

  // --- 1. single cited writes with dashboards beside them ------------------------------------------
  if (!skip.has('writes')) {
    // Each writer quotes its own sentences, from sources it adds before the clock starts.
    const sources: string[][] = [];
    for (let w = 0; w < WRITERS; w++) {
      const slugs: string[] = [];
      for (let k = 0; k < SOURCES_PER_WRITER; k++) {
        const slug = `bench-${run}-w${w}-s${k}`;
        const text = Array.from({ length: SENTENCES_PER_SOURCE }, (_, i) => sentence(`${run}-${w}-${k}`, i)).join(' ');
        const r = await graphql(base, analysts[w]!, MUTATIONS.addSource, { i: { slug, publisher: 'Bench Wire', text } });
        if (!r.ok) throw new Error(`addSource: ${r.detail}`);
        slugs.push(slug);
      }
      sources.push(slugs);
    }
    const latencies = new Map<string, number[]>(OPERATIONS.map((o) => [o, []]));
    const failures = new Map<string, string[]>(OPERATIONS.map((o) => [o, []]));
    const reads: number[] = [];
    const readFailures: string[] = [];
    const lags: number[] = [];
    let stop = false;
    const pick = <T,>(list: T[], i: number) => list[i % list.length]!;

    const writer = async (w: number) => {
      let used = 0;
      for (let i = 0; !stop; i++) {
        if (used >= sources[w]!.length * SENTENCES_PER_SOURCE) break;
        const k = Math.floor(used / SENTENCES_PER_SOURCE);
        const citations = [{ source: sources[w]![k]!, quote: sentence(`${run}-${w}-${k}`, used % SENTENCES_PER_SOURCE) }];
        used += 1;
        const op = OPERATIONS[(i + w) % OPERATIONS.length]!;
        const n = i * WRITERS + w;
        const day = `2024-${String(1 + (n % 12)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`;
        const input: Record<string, unknown> =
          op === 'createEvent'
            ? { slug: `bench-${run}-${w}-${i}`, title: `Bench attack ${n}`, kind: 'ATTACK', confidence: 80, place: place?.slug,
                date: { text: day, earliest: day, latest: day, precision: 'DAY' }, killed: { min: n % 7, max: n % 7, text: `${n % 7}` },
                citations, participants: [{ actor: actor.slug, role: 'PERPETRATOR' }] }
            : op === 'addParticipation'
              ? { event: pick(otherEvents, n * 7), actor: actor.slug, role: 'IMPLICATED', confidence: 40, citations }
              : op === 'addAdherence'
                ? { actor: actor.slug, doctrine: pick(doctrines, n), confidence: 60, citations }
                : op === 'addRelationship'
                  ? { from: actor.slug, to: pick(otherActors, n * 13), type: 'RIVAL_OF', confidence: 60, citations }
                  // A count no earlier write of this run gave (n is unique), in words naming the run,
                  // so no update is refused as changing nothing, in this run or a later one on the
                  // same database (the same n sets the same count on the same event).
                  : { slug: pick(ownEvents, n * 11), killed: { min: 1 + n, max: 1 + n, text: `${1 + n} (bench run ${run})` }, confidence: 60, citations };
        const r = await graphql(base, analysts[w]!, MUTATIONS[op], { i: input });
        if (stop && !r.ok) break;
        latencies.get(op)!.push(r.ms);
        if (!r.ok) failures.get(op)!.push(r.detail);
      }
    };
    const queries = dashboardQueries(actor.slug);
    const reader = async (r: number) => {
      // Paced readers start spread over one interval, then each keeps its own schedule.
      const interval = READ_RATE > 0 ? (1000 * READERS) / READ_RATE : 0;
      let due = performance.now() + (interval * r) / Math.max(1, READERS);
      for (let i = 0; !stop; i++) {
        if (interval > 0) {
          const wait = due - performance.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          if (stop) break;
          due = Math.max(due + interval, performance.now());
        }
        const q = queries[(i + r) % queries.length]!;
        const result = await graphql(base, viewers[r]!, q.query, q.variables ?? {});
        reads.push(result.ms);
        if (!result.ok) readFailures.push(`${q.name}: ${result.detail}`);
      }
    };
    const sampler = async () => {
      while (!stop) {
        if (lagSql) lags.push(await lagSql());
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    const probe = postgresClient(server.databaseUrl, { max: 1, onnotice: () => {} });
    const nodeBefore = cpuMs(api.pid!);
    const clientBefore = process.cpuUsage();
    const pgBefore = await postgresCpuMs(probe, server.embedded);
    const started = performance.now();
    const timer = setTimeout(() => (stop = true), DURATION_MS);
    await Promise.all([
      ...Array.from({ length: WRITERS }, (_, w) => writer(w)),
      ...Array.from({ length: READERS }, (_, r) => reader(r)),
      sampler(),
    ]);
    clearTimeout(timer);
    stop = true;
    const elapsed = (performance.now() - started) / 1000;
    const nodeSpent = cpuMs(api.pid!) - nodeBefore;
    const clientUsage = process.cpuUsage(clientBefore);
    const clientSpent = (clientUsage.user + clientUsage.system) / 1000;
    const pgSpent = cpuDelta(pgBefore, await postgresCpuMs(probe, server.embedded));
    const catchUp = await waitCaughtUp();
    const pgWithDrain = cpuDelta(pgBefore, await postgresCpuMs(probe, server.embedded));
    await probe.end();
    const writes = [...latencies.values()].reduce((n, l) => n + l.length, 0);
    const requests = writes + reads.length;
    const pace = READ_RATE > 0 ? `asking ${READ_RATE} times a second among them` : 'in closed loops';
    say(`\n### Single cited writes (${WRITERS} writers) with ${READERS} dashboard readers ${pace}, ${elapsed.toFixed(0)} s, a pool of ${options.pool} connections\n`);
    say('| request | count | per s | p50 ms | p99 ms | failed |');
    say('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const op of OPERATIONS) {
      const l = latencies.get(op)!;
      say(`| ${op} | ${l.length} | ${(l.length / elapsed).toFixed(1)} | ${percentile(l, 50).toFixed(0)} | ${percentile(l, 99).toFixed(0)} | ${failures.get(op)!.length} |`);
    }
    const all = [...latencies.values()].flat();
    say(`| all writes | ${all.length} | ${(all.length / elapsed).toFixed(1)} | ${percentile(all, 50).toFixed(0)} | ${percentile(all, 99).toFixed(0)} | ${[...failures.values()].flat().length} |`);
    say(`| dashboard reads | ${reads.length} | ${(reads.length / elapsed).toFixed(1)} | ${percentile(reads, 50).toFixed(0)} | ${percentile(reads, 99).toFixed(0)} | ${readFailures.length} |`);
    say(`\nCPU per request (writes and reads together, ${requests} requests): Node ${(nodeSpent / requests).toFixed(2)} ms, ` +
      `PostgreSQL ${(pgSpent / requests).toFixed(2)} ms during the run, ${(pgWithDrain / requests).toFixed(2)} ms with the drain that followed; ` +
      `this benchmark's own process (the clients) ${(clientSpent / requests).toFixed(2)} ms`);
    if (lagSql) {
      say(`Summary lag behind committed writes (sampled every 200 ms): p50 ${percentile(lags, 50).toFixed(0)} ms, p99 ${percentile(lags, 99).toFixed(0)} ms, max ${Math.max(...lags).toFixed(0)} ms; ` +
        `caught up ${catchUp.toFixed(0)} ms after the load stopped`);
    }
    for (const [op, list] of failures) if (list.length > 0) say(`  ${op} failures, e.g.: ${[...new Set(list)].slice(0, 3).join(' | ')}`);
    if (readFailures.length > 0) say(`  read failures, e.g.: ${[...new Set(readFailures)].slice(0, 3).join(' | ')}`);
  }

  // --- 2. npm run import of cited events, and 3. the same rows by COPY ---------------------------------
  if (!skip.has('import')) {
    say(`\n### Bulk writes of cited events (one PERPETRATOR participation of ${actor.slug} each)\n`);
    say('| how | events | seconds | events/s | × COPY floor | peak RSS MB |');
    say('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const count of IMPORT_SIZES) {
      const dir = await mkdtemp(join(tmpdir(), 'bench-writes-'));
      const file = await writeBenchKnowledgeFile(dir, `bench-${run}-import-${count}`, { count, actor: actor.slug, place: place?.slug ?? null });
      // npm run import, timed from process start to exit (its summary drain included), with the
      // process's peak resident memory (VmHWM).
      const started = performance.now();
      const output = await new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/import.ts', file.path, '--timings'], {
          env: { ...process.env, DATABASE_URL: server.databaseUrl },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`import exited with ${code}: ${out.slice(0, 800)}`))));
      });
      const importMs = performance.now() - started;
      const drain = /summaries up to date: (\d+) keys in (\d+) ms/.exec(output);
      const rss = /peak RSS (\d+) MB/.exec(output)?.[1] ?? '?';
      const steps = [...output.matchAll(/^step (.+): (\d+) ms$/gm)].map((m) => `${m[1]} ${m[2]}`);

      // The same rows, by COPY into staging tables and one INSERT per table (as seed:synthetic
      // loads), with every trigger on: the physical floor. Its own copy of the source.
      const copyMs = await copyFloor(sql, `bench-${run}-copy-${count}`, count, actor.id, place?.id ?? null);
      const copyDrainMs = await waitCaughtUp();
      const layers = new Map<FloorLayer, { ms: number[]; saved: number[] }>();
      if (options['floor-layers']) {
        // Autovacuum, woken by the rows just written, would otherwise slow whichever layers it
        // overlaps. Each family's layer is paired with a rolled-back run with everything on, in
        // alternating order round by round, so that the machine's drift is not read as a family's
        // cost; the median over the rounds is reported.
        const quiet = async () => {
          for (let waited = 0; waited < 120_000; waited += 250) {
            const [busy] = await sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where backend_type = 'autovacuum worker' and datname = current_database()`;
            if (!busy?.n) return;
            await new Promise((resolve) => setTimeout(resolve, 250));
          }
        };
        let runs = 0;
        const floorRun = async (layer: FloorLayer) => {
          await quiet();
          return copyFloor(sql, `bench-${run}-${layer.replaceAll(' ', '-')}-${runs++}-${count}`, count, actor.id, place?.id ?? null, layer);
        };
        for (let round = 0; round < Number(options['floor-rounds']); round++) {
          for (const layer of FLOOR_LAYERS) {
            const entry = layers.get(layer) ?? { ms: [], saved: [] };
            layers.set(layer, entry);
            if (!layer.startsWith('without ')) {
              entry.ms.push(await floorRun(layer));
              continue;
            }
            let baselineMs: number;
            let layerMs: number;
            if (round % 2 === 0) {
              baselineMs = await floorRun('rolled back');
              layerMs = await floorRun(layer);
            } else {
              layerMs = await floorRun(layer);
              baselineMs = await floorRun('rolled back');
            }
            entry.ms.push(layerMs);
            entry.saved.push(baselineMs - layerMs);
          }
        }
      }
      const rate = count / (importMs / 1000);
      const floor = count / (copyMs / 1000);
      say(`| npm run import (process start to exit${drain ? ', summaries drained at its end' : ''}) | ${count.toLocaleString('en')} | ${(importMs / 1000).toFixed(1)} | ${rate.toFixed(0)} | ${(rate / floor).toFixed(2)} | ${rss} |`);
      say(`| COPY of the same rows (every trigger on), to commit | ${count.toLocaleString('en')} | ${(copyMs / 1000).toFixed(1)} | ${floor.toFixed(0)} | 1.00 | |`);
      const seconds = (ms: number) => (ms / 1000).toFixed(1);
      for (const [layer, { ms: all, saved }] of layers) {
        const ms = percentile(all, 50);
        const savedText = saved.length === 0 ? '' : `: saves ${seconds(percentile(saved, 50))} s (median of ${saved.length}; ${saved.map(seconds).join(', ')}) against a rolled-back run with everything on beside it`;
        const how = layer === 'rolled back' ? 'the same, rolled back after its deferred checks'
          : layer === 'no triggers' ? 'indexes only: no trigger or foreign key'
          : layer === 'bare tables' ? 'bare tables: no index, trigger or key'
          : `${layer}${savedText}`;
        say(`|   … ${how} | ${count.toLocaleString('en')} | ${seconds(ms)} | ${(count / (ms / 1000)).toFixed(0)} | | |`);
      }
      if (drain) say(`|   … the import's summary drain (${drain[1]} keys) | | ${(Number(drain[2]) / 1000).toFixed(1)} | | | |`);
      if (offWritePath) say(`|   … the server's drainer catching up after the COPY | | ${(copyDrainMs / 1000).toFixed(1)} | | | |`);
      if (steps.length > 0) say(`\nimport of ${count.toLocaleString('en')}, ms per step: ${steps.join('; ')}\n`);
    }
  }

  type JobState = { status: string; progress: number; stage: string | null; result: Record<string, unknown> | null; error: string | null };
  /** Starts a job with `mutation` (its payload's field `field`) and polls it to the end; null when the start was refused (said). */
  const runJob = async (mutation: string, field: string, input: Record<string, unknown>, token: string): Promise<{ job: JobState | null; seconds: number } | null> => {
    const started = performance.now();
    const post = (query: string, variables: Record<string, unknown>) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) }).then((r) => r.json());
    const start = (await post(mutation, { i: input })) as { data?: Record<string, { __typename: string; data?: { id: string }; message?: string } | undefined> };
    const jobId = start.data?.[field]?.data?.id;
    if (!jobId) {
      say(`${field} refused: ${JSON.stringify(start).slice(0, 300)}`);
      return null;
    }
    let job: JobState | null = null;
    for (;;) {
      const polled = (await post(`query($id: ID!) { job(id: $id) { status progress stage result error } }`, { id: jobId })) as { data?: { job: JobState | null } };
      job = polled.data?.job ?? null;
      if (!job || job.status === 'SUCCEEDED' || job.status === 'FAILED') break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return { job, seconds: (performance.now() - started) / 1000 };
  };

  // --- 4. a bulk update of the busiest actor's events ------------------------------------------------
  if (!skip.has('update')) {
    // As a job (startUpdateEvents): 2,000 of its events given a new kind, each by a cited claim.
    const slugs = (await sql<{ slug: string }[]>`
      select e.slug from events e where e.kind <> 'STORMING' and exists (select 1 from participations p where p.event_id = e.id and p.actor_id = ${actor.id})
       order by e.id limit 2000`).map((r) => r.slug);
    const [source] = await sql<{ slug: string; text: string }[]>`select slug, text from sources where dataset is null and length(text) > 200 order by id limit 1`;
    say(`\n### A bulk update of ${slugs.length.toLocaleString('en')} of ${actor.slug}'s events (a new kind), as a job\n`);
    const run = await runJob(MUTATIONS.startUpdateEvents, 'startUpdateEvents', {
      events: slugs, kind: 'STORMING', confidence: 50, note: 'bench: recoded', citations: [{ source: source!.slug, quote: source!.text.slice(0, 60) }],
    }, analysts[0]!);
    if (run) say(`job ${run.job?.status} in ${run.seconds.toFixed(1)} s (start to SUCCEEDED, summaries included): ${JSON.stringify(run.job?.result ?? run.job?.error)}`);
  }

  // --- 5. a merge of the two busiest actors ----------------------------------------------------------
  if (!skip.has('merge')) {
    // As a job (startMergeActors): the server runs the merge and the summary drain, the client polls.
    const before = await sql<{ n: number }[]>`
      select count(*)::int as n from participations where actor_id in (${actor.id}, ${second.id})`;
    say(`\n### Merge of ${second.slug} (${second.n} perpetrations) into ${actor.slug}, as a job\n`);
    const run = await runJob(MUTATIONS.startMergeActors, 'startMergeActors', { keep: actor.slug, remove: second.slug, reason: 'bench: merge of the two busiest actors' }, admin);
    if (run) {
      const after = await sql<{ n: number }[]>`
        select count(*)::int as n from participations where actor_id in (select actor_id from actors_folded_into(array[${actor.id}]::int[], 'infinity'))`;
      say(`job ${run.job?.status} in ${run.seconds.toFixed(1)} s (start to SUCCEEDED, summaries included): ${JSON.stringify(run.job?.result ?? run.job?.error)}; ` +
        `participations of the two before ${before[0]?.n}, of the kept actor after ${after[0]?.n}`);
    }
  }

  api.kill('SIGTERM');
  await new Promise((resolve) => api.on('exit', resolve));
  await sql.end();
  await server.stop();
  console.log(lines.join('\n'));
}

await main();
