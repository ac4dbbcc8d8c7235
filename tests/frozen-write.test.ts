/**
 * Writes while PostgreSQL is frozen (SIGSTOP on every process of its data directory, as a hung
 * disk or a stalled host does): the server answers within seconds, and never says a write failed
 * when it may still commit. Frozen before COMMIT: "unavailable", and after SIGCONT the write is
 * indeed not there. Frozen while COMMIT waits: WRITE_OUTCOME_UNKNOWN, the write does commit after
 * SIGCONT, and the same request sent again (no idempotency key) is answered with the stored result:
 * exactly one claim. This file runs an embedded PostgreSQL of its own, since it freezes it.
 */
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../src/auth/tokens.ts';
import { connectDatabase } from '../src/db/client.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embedded.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import type { RunningServer } from '../src/server.ts';
import { loadSeed } from '../src/domain/knowledge/seed.ts';
import { codeOf, graphql, serve, type Answer } from './server-helpers.ts';

// Made in beforeAll, not while the file is collected: a run filtered to no test here skips afterAll.
let dataDir: string;
let pg: EmbeddedServer;
let server: RunningServer;
let direct: postgres.Sql;
let token: string;
/** While this advisory lock is held, COMMIT of a new relationship waits (a deferred trigger below). */
const COMMIT_GATE = 4242;
const SOURCE = 'frozen-wire';
const TEXT = 'Officials said ISIS-K is at war with the Taliban. A second report said ISIS-K and the Taliban are rivals.';

/** Every process of the data directory: the postmaster (postmaster.pid) and its children. */
function postgresProcesses(): number[] {
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        // Field 4 of /proc/<pid>/stat, after the parenthesised command name, is the parent's pid.
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
      } catch {
        return false;
      }
    })
    .map(Number);
  return [postmaster, ...children];
}

function freeze(): number[] {
  const pids = postgresProcesses();
  for (const pid of pids) process.kill(pid, 'SIGSTOP');
  return pids;
}

function thaw(pids: number[]): void {
  for (const pid of [...pids].reverse()) process.kill(pid, 'SIGCONT');
}

async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const ready = () => until('ready again', async () => (await fetch(`${server.url}/ready`)).status === 200);
const as = (variables: Record<string, unknown>) => ({ variables, headers: { authorization: `Bearer ${token}` } });

const CREATE_PLACE = `mutation($i: CreatePlaceInput!) { createPlace(input: $i) { __typename ... on MutationCreatePlaceSuccess { data { slug } } ... on UserError { message } } }`;
const ADD_RELATIONSHIP = `mutation($i: AddRelationshipInput!) {
  addRelationship(input: $i) { __typename ... on MutationAddRelationshipSuccess { data { id } } ... on UserError { message } }
}`;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'militant-graph-frozen-pg-'));
  pg = await startEmbeddedPostgres({ dataDir, persistent: false });
  const setup = connectDatabase(pg.url, { max: 2 });
  await migrateDatabase(setup.db);
  await loadSeed(setup.db);
  token = (await createToken(setup.db, 'frozen-analyst', 'analyst')).token;
  await setup.close();
  direct = postgres(pg.url, { max: 2, onnotice: () => {} });
  // A COMMIT that has to wait, as one behind synchronous replication or a slow disk does: the
  // deferred trigger runs inside COMMIT and waits while the test holds the gate.
  await direct.unsafe(`
    create function frozen_test_commit_gate() returns trigger language plpgsql as $$
      begin perform pg_advisory_xact_lock_shared(${COMMIT_GATE}); return null; end $$;
    create constraint trigger frozen_test_commit_gate after insert on relationships
      deferrable initially deferred for each row execute function frozen_test_commit_gate();`);
  // Lock waits inside COMMIT must outlast the freeze; the request deadline stays as configured.
  server = await serve(pg.url, { deadlines: { lockTimeoutMs: 60_000, statementTimeoutMs: 60_000 } });
  const added = await graphql(server, `mutation($i: AddSourceInput!) { addSource(input: $i) { __typename } }`, as({ i: { slug: SOURCE, publisher: 'Frozen Wire', text: TEXT } }));
  expect(added.body.data).toEqual({ addSource: { __typename: 'MutationAddSourceSuccess' } });
}, 180_000);

afterAll(async () => {
  await server?.shutdown();
  await direct?.end({ timeout: 1 });
  await pg?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a write while PostgreSQL is frozen', () => {
  it('frozen before COMMIT: answered "unavailable", and indeed never written; the retry writes it once', async () => {
    const place = { slug: 'frozen-before-commit', name: 'Frozen town', kind: 'CITY', parent: 'afghanistan' };
    const pids = freeze();
    let answer: Answer;
    try {
      answer = await graphql(server, CREATE_PLACE, as({ i: place }));
    } finally {
      thaw(pids);
    }
    expect(answer.status).toBe(503);
    // The database declared down (two slow probes), or on a very busy machine the request deadline
    // first: either way an answer that the write was not made, which must then be true.
    expect(['DATABASE_UNAVAILABLE', 'REQUEST_TIMEOUT']).toContain(codeOf(answer));
    expect(answer.ms).toBeLessThan(11_000);
    // The write was stopped before COMMIT: once PostgreSQL runs again its statements finish and
    // it rolls back. Wait until no backend of the app is inside a transaction, then look.
    await until('the abandoned write ended', async () => {
      const [row] = await direct<{ n: number }[]>`select count(*)::int as n from pg_stat_activity
        where backend_type = 'client backend' and pid <> pg_backend_pid() and xact_start is not null`;
      return row?.n === 0;
    });
    expect(await direct`select 1 from places where slug = ${place.slug}`).toHaveLength(0);
    await ready();
    const retry = await graphql(server, CREATE_PLACE, as({ i: place }));
    expect(retry.body.data?.createPlace).toMatchObject({ __typename: 'MutationCreatePlaceSuccess', data: { slug: place.slug } });
    expect(await direct`select 1 from places where slug = ${place.slug}`).toHaveLength(1);
  }, 60_000);

  it('frozen while COMMIT waits: WRITE_OUTCOME_UNKNOWN; it commits, and the same request again is no duplicate', async () => {
    const quote = 'ISIS-K is at war with the Taliban';
    const input = { from: 'isis-k', type: 'AT_WAR_WITH', to: 'afghan-taliban', confidence: 80, citations: [{ source: SOURCE, quote }] };
    const gate = postgres(pg.url, { max: 1, onnotice: () => {} });
    await gate`select pg_advisory_lock(${COMMIT_GATE})`;
    const pending = graphql(server, ADD_RELATIONSHIP, as({ i: input }));
    // COMMIT has been sent and waits on the gate: the window where the outcome is not yet decided.
    await until('COMMIT waiting', async () => {
      const rows = await direct`select 1 from pg_stat_activity where wait_event_type = 'Lock' and wait_event = 'advisory' and query ilike 'commit%'`;
      return rows.length === 1;
    });
    const pids = freeze();
    let answer: Answer;
    let unlocked: Promise<unknown>;
    try {
      // Queued while frozen: the gate opens as soon as PostgreSQL runs again.
      unlocked = gate`select pg_advisory_unlock(${COMMIT_GATE})`.execute();
      answer = await pending;
    } finally {
      thaw(pids);
    }
    expect(answer.status).toBe(503);
    expect(codeOf(answer)).toBe('WRITE_OUTCOME_UNKNOWN');
    expect(answer.body.errors?.[0]?.message).toMatch(/may or may not have been stored.*same request again/s);
    expect(answer.headers.get('retry-after')).toBeTruthy();
    expect(answer.ms).toBeLessThan(11_000);
    await unlocked;
    await gate.end();
    const claims = async () =>
      (await direct<{ n: number }[]>`select count(*)::int as n from relationships r join claim_citations cc on cc.claim_id = r.claim_id
        join citations c on c.id = cc.citation_id where c.quote = ${quote}`)[0]?.n;
    // "Unknown" was honest: the write did commit once PostgreSQL ran again.
    await until('the write committed', async () => (await claims()) === 1);
    await ready();
    // The client retries as told, without a key: the stored result, not a second claim.
    const retry = await graphql(server, ADD_RELATIONSHIP, as({ i: input }));
    expect(retry.body.data?.addRelationship).toMatchObject({ __typename: 'MutationAddRelationshipSuccess' });
    const [stored] = await direct<{ id: number }[]>`select r.claim_id as id from relationships r join claim_citations cc on cc.claim_id = r.claim_id
      join citations c on c.id = cc.citation_id where c.quote = ${quote}`;
    expect(stored).toBeDefined();
    expect(await claims()).toBe(1);
  }, 60_000);
});
