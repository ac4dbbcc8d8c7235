/**
 * What became of a transaction whose COMMIT went unanswered (src/writes/outcome.ts), asked of the
 * real server: committed, aborted, ended when still running (so it cannot commit later), and
 * "unknown" when PostgreSQL cannot be asked. And end to end: a write whose backend is ended while
 * its COMMIT waits is answered as not written — and indeed is not.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../src/db/client.ts';
import { commitOutcome, RequestWrites, WriteTicket } from '../src/writes/outcome.ts';
import { writeFixture, type WriteFixture } from './helpers.ts';
import { codeOf, graphql, serve } from './server-helpers.ts';

let f: WriteFixture;
let direct: postgres.Sql;
const GATE = 4343;

beforeAll(async () => {
  f = await writeFixture();
  direct = postgres(f.scratch.url, { max: 3, onnotice: () => {} });
});
afterAll(async () => {
  await direct.end({ timeout: 1 });
  await f.close();
});

function ticketFor(xid: string, pid?: number): WriteTicket {
  const ticket = new WriteTicket();
  ticket.xid = xid;
  ticket.backendPid = pid;
  ticket.stage = 'committing';
  return ticket;
}

describe('commitOutcome', () => {
  it('tells a committed transaction from an aborted one', async () => {
    const committed = await direct.begin(async (tx) => (await tx<{ xid: string }[]>`select pg_current_xact_id()::text as xid`)[0]?.xid ?? '');
    expect(await commitOutcome(f.scratch.handle.db, ticketFor(committed))).toBe('committed');
    let aborted = '';
    await direct
      .begin(async (tx) => {
        aborted = (await tx<{ xid: string }[]>`select pg_current_xact_id()::text as xid`)[0]?.xid ?? '';
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(await commitOutcome(f.scratch.handle.db, ticketFor(aborted))).toBe('aborted');
  });

  it('ends a transaction still running, so that "aborted" stays true', async () => {
    // A plain session, not sql.begin: postgres.js's own ROLLBACK after a backend dies is written to
    // a closed socket and throws where nothing can catch it (porsager/postgres#1208).
    const holder = postgres(f.scratch.url, { max: 1, onnotice: () => {} });
    await holder`begin`;
    const [row] = await holder<{ xid: string; pid: number }[]>`select pg_current_xact_id()::text as xid, pg_backend_pid() as pid`;
    const { xid, pid } = row ?? { xid: '', pid: 0 };
    const running = holder`select pg_sleep(30)`.then(
      () => 'finished',
      () => 'failed',
    );
    expect(await commitOutcome(f.scratch.handle.db, ticketFor(xid, pid))).toBe('aborted');
    expect(await running).toBe('failed');
    // Its backend is gone (it exits a moment after its transaction is marked aborted).
    const gone = Date.now() + 2000;
    while ((await direct`select 1 from pg_stat_activity where pid = ${pid}`).length > 0 && Date.now() < gone) await new Promise((r) => setTimeout(r, 20));
    expect(await direct`select 1 from pg_stat_activity where pid = ${pid}`).toHaveLength(0);
    await holder.end({ timeout: 0 }).catch(() => undefined);
  });

  it('says "unknown", within its deadline, when PostgreSQL cannot be asked', async () => {
    const away = connectDatabase('postgres://postgres@127.0.0.1:1/none', { max: 1, connectTimeoutSeconds: 1 });
    const started = Date.now();
    expect(await commitOutcome(away.db, ticketFor('12345'), 1500)).toBe('unknown');
    expect(Date.now() - started).toBeLessThan(3000);
    await away.close().catch(() => undefined);
  });
});

describe('RequestWrites', () => {
  it('stops open writes and reports one that is committing', () => {
    const writes = new RequestWrites();
    const open = writes.open();
    expect(writes.abandon()).toBe(false);
    expect(open.abandoned).toBe(true);
    const later = new RequestWrites();
    const committing = later.open();
    committing.stage = 'committing';
    expect(later.abandon()).toBe(true);
    expect(committing.abandoned).toBe(false);
    // A write the request would start after giving up never starts.
    expect(later.open().abandoned).toBe(true);
  });
});

describe('a write whose COMMIT loses its backend', () => {
  it('is answered as not written, and is not', async () => {
    await direct.unsafe(`
      create function outcome_test_commit_gate() returns trigger language plpgsql as $$
        begin perform pg_advisory_xact_lock_shared(${GATE}); return null; end $$;
      create constraint trigger outcome_test_commit_gate after insert on relationships
        deferrable initially deferred for each row execute function outcome_test_commit_gate();`);
    const gate = postgres(f.scratch.url, { max: 1, onnotice: () => {} });
    await gate`select pg_advisory_lock(${GATE})`;
    try {
      const quote = 'rivals';
      await f.api.query(`mutation($i: AddSourceInput!) { addSource(input: $i) { __typename } }`, { i: { slug: 'outcome-wire', publisher: 'Outcome Wire', text: 'The two groups are rivals.' } }, { token: f.tokens.analyst });
      const pending = f.api.query(
        `mutation($i: AddRelationshipInput!) { addRelationship(input: $i) { __typename } }`,
        { i: { from: 'isis-k', type: 'RIVAL_OF', to: 'afghan-taliban', confidence: 70, citations: [{ source: 'outcome-wire', quote }] } },
        { token: f.tokens.analyst },
      );
      let pid = 0;
      const deadline = Date.now() + 10_000;
      while (pid === 0 && Date.now() < deadline) {
        const [row] = await direct<{ pid: number }[]>`select pid from pg_stat_activity where wait_event = 'advisory' and query ilike 'commit%'`;
        pid = row?.pid ?? 0;
      }
      expect(pid).toBeGreaterThan(0);
      // The backend goes while COMMIT waits (an administrator, a failover, the OOM killer).
      await direct`select pg_terminate_backend(${pid})`;
      const answer = await pending;
      expect(answer.errors?.[0]?.extensions?.code).toBe('DATABASE_UNAVAILABLE');
      const rows = await direct`select 1 from relationships r join claim_citations cc on cc.claim_id = r.claim_id
        join citations c on c.id = cc.citation_id where c.quote = ${quote}`;
      expect(rows).toHaveLength(0);
    } finally {
      await gate.end({ timeout: 1 });
    }
  });
});

describe('a write whose request deadline passes while its COMMIT waits', () => {
  it('is decided there and then, where PostgreSQL still answers: told as it is, never "unknown"', async () => {
    const gate = postgres(f.scratch.url, { max: 1, onnotice: () => {} });
    await gate`select pg_advisory_lock(${GATE})`;
    // The deadline passes while COMMIT waits on the gate (lock waits allowed far longer).
    const server = await serve(f.scratch.url, { deadlines: { requestTimeoutMs: 1500, lockTimeoutMs: 60_000, statementTimeoutMs: 60_000 } });
    try {
      await f.api.query(`mutation($i: AddSourceInput!) { addSource(input: $i) { __typename } }`, { i: { slug: 'deadline-wire', publisher: 'Deadline Wire', text: 'The two groups are at war.' } }, { token: f.tokens.analyst });
      const quote = 'are at war';
      const answer = await graphql(server, `mutation($i: AddRelationshipInput!) { addRelationship(input: $i) { __typename } }`, {
        variables: { i: { from: 'isis-k', type: 'AT_WAR_WITH', to: 'afghan-taliban', confidence: 70, citations: [{ source: 'deadline-wire', quote }] } },
        headers: { authorization: `Bearer ${f.tokens.analyst}` },
      });
      // The server ended the waiting backend, so the transaction was rolled back, and says so.
      expect(answer.status).toBe(503);
      expect(codeOf(answer)).toBe('DATABASE_UNAVAILABLE');
      expect(answer.ms).toBeLessThan(8000);
      const rows = await direct`select 1 from relationships r join claim_citations cc on cc.claim_id = r.claim_id
        join citations c on c.id = cc.citation_id where c.quote = ${quote}`;
      expect(rows).toHaveLength(0);
    } finally {
      await gate.end({ timeout: 1 });
      await server.shutdown();
    }
  });
});
