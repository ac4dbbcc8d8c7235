/**
 * The changes feed: every create, update, retraction and merge in commit order, resumable from a
 * cursor — including when two transactions commit in the opposite order to the one they wrote in
 * — and `changeAdded`, which replays from a cursor and then goes live (over graphql-ws).
 */
import type { ExecutionResult } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgDialect } from 'drizzle-orm/pg-core';
import { changesAfterQuery, feedSettledPast, latestFeedPosition } from '../src/db/changes.ts';
import { connectDatabase } from '../src/db/client.ts';
import { ChangeFollower } from '../src/graphql/changes-follower.ts';
import { makePubSub } from '../src/graphql/pubsub.ts';
import { decodeGlobalId } from '../src/graphql/global-id.ts';
import { changeCursor } from '../src/graphql/types/changes.ts';
import { scratchDatabase, writeFixture, type WriteFixture } from './helpers.ts';
import { serve } from './server-helpers.ts';

let f: WriteFixture;
const SOURCE = 'test-changes';
const TEXT = 'The Valley Front was founded in 2020. The Valley Front attacked a bridge. The bridge attack was in fact in 2021. Reports of the bridge attack were false. The Valley Front is the same group as ISIS-K.';

interface ChangeNode {
  cursor: string;
  kind: string;
  entityType: string;
  entity: string;
  claimId: number | null;
  mergedInto: string | null;
  principal: string;
}
interface ChangesAnswer {
  changes: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: ChangeNode[] };
}

const CHANGES = `query($after: String, $first: Int) { changes(after: $after, first: $first) {
  totalCount pageInfo { hasNextPage endCursor } nodes { cursor kind entityType entity claimId mergedInto principal }
} }`;

async function changes(after: string | null, first = 100) {
  const answer = await f.api.query<ChangesAnswer>(CHANGES, { after, first });
  expect(answer.errors).toBeUndefined();
  return answer.data!.changes;
}

async function admin(query: string, i: Record<string, unknown>) {
  const answer = await f.api.query<Record<string, { __typename: string }>>(query, { i }, { token: f.tokens.admin });
  expect(Object.values(answer.data ?? {})[0]?.__typename).toMatch(/Success$/);
}

/**
 * How long a test waits for the feed to settle: a transaction still running anywhere on the
 * server holds the feed back, and on a loaded machine another test file's bulk load runs for many
 * seconds (10 s was once too short at load average 7–9). Waits end as soon as the feed settles.
 */
const SETTLE_MS = 60_000;

/**
 * The first `n` changes after `after`, once they are settled: a transaction still running anywhere
 * on the server (another test's, say) holds the feed back until it ends.
 */
async function settledChanges(after: string | null, n: number): Promise<ChangeNode[]> {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    const page = await changes(after, 100);
    if (page.nodes.length >= n || Date.now() > deadline) return page.nodes;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits (up to SETTLE_MS) until every change of transaction `xid` and before it is settled. */
async function settledPast(db: Parameters<typeof feedSettledPast>[0], xid: number): Promise<void> {
  const deadline = Date.now() + SETTLE_MS;
  while (!(await feedSettledPast(db, xid)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** The cursor of the feed's current end: only what commits after it is listed after it. */
async function now(): Promise<string> {
  // Once every transaction that has taken an id so far has ended, the feed's end is final.
  const db = f.scratch.handle.db;
  const [row] = await f.scratch.handle.sql<{ next: string }[]>`select pg_snapshot_xmax(pg_current_snapshot())::text as next`;
  await settledPast(db, Number(row!.next) - 1);
  return changeCursor(await latestFeedPosition(db));
}

const cite = (quote: string) => [{ source: SOURCE, quote }];
const summary = (nodes: ChangeNode[]) =>
  nodes.filter((n) => n.entityType !== 'Citation').map((n) => `${n.kind} ${n.entityType}`);

beforeAll(async () => {
  f = await writeFixture();
  await admin(`mutation($i: AddSourceInput!) { addSource(input: $i) { __typename } }`, { slug: SOURCE, publisher: 'Test', text: TEXT });
});
afterAll(() => f.close());

describe('changes', { timeout: 4 * SETTLE_MS }, () => {
  it('lists create, update, retraction and merge in commit order, with who and which claim, and resumes from any cursor', async () => {
    const start = await now();
    await admin(`mutation($i: CreateActorInput!) { createActor(input: $i) { __typename } }`, {
      slug: 'valley-front', name: 'Valley Front', kind: 'ARMED_ORGANIZATION', confidence: 60, citations: cite('The Valley Front was founded in 2020.'),
    });
    await admin(`mutation($i: CreateEventInput!) { createEvent(input: $i) { __typename } }`, {
      slug: 'bridge-attack', title: 'Bridge attack', kind: 'ATTACK', place: 'afghanistan', date: { precision: 'YEAR', earliest: '2020-01-01', latest: '2020-12-31' }, confidence: 50, citations: cite('The Valley Front attacked a bridge.'),
    });
    await admin(`mutation($i: UpdateEventInput!) { updateEvent(input: $i) { __typename } }`, {
      slug: 'bridge-attack', date: { precision: 'YEAR', earliest: '2021-01-01', latest: '2021-12-31' }, confidence: 60, citations: cite('The bridge attack was in fact in 2021.'),
    });
    const event = await f.api.query<{ event: { id: string } }>(`{ event(slug: "bridge-attack") { id } }`);
    await admin(`mutation($i: RetractClaimInput!) { retractClaim(input: $i) { __typename } }`, {
      claim: event.data!.event.id, reason: 'the reports were false', citation: cite('Reports of the bridge attack were false.')[0],
    });
    await admin(`mutation($i: MergeActorsInput!) { mergeActors(input: $i) { __typename } }`, { keep: 'isis-k', remove: 'valley-front', reason: 'the same group' });

    // Six changes and four citations.
    await settledChanges(start, 10);
    const page = await changes(start);
    expect(summary(page.nodes)).toEqual([
      'CREATED Actor',
      'CREATED Event',
      'UPDATED Event',
      'RETRACTED Event',
      'MERGED Actor',
      // The kept actor gains the removed one's name as an alias.
      'UPDATED Actor',
    ]);
    expect(page.nodes.filter((n) => n.entityType === 'Citation').length).toBe(4);
    expect(page.totalCount).toBe(page.nodes.length);
    expect(page.pageInfo.hasNextPage).toBe(false);
    const [created, eventCreated, updated, retracted, merged] = page.nodes.filter((n) => n.entityType !== 'Citation');
    expect(created?.principal).toBe('token:test-admin');
    expect(decodeGlobalId(eventCreated!.entity)).toEqual({ typename: 'Event', id: decodeGlobalId(event.data!.event.id).id });
    expect(updated?.entity).toBe(event.data!.event.id);
    // The update names its update claim; the retraction the claim retracted (the establishing one).
    expect(updated?.claimId).not.toBe(eventCreated?.claimId);
    expect(retracted?.claimId).toBe(eventCreated?.claimId);
    expect(merged).toMatchObject({ entity: created?.entity, mergedInto: expect.any(String), claimId: null });
    expect(decodeGlobalId(merged!.mergedInto!).typename).toBe('Actor');

    // Two at a time, each page resuming from the last one's endCursor, gives the same list.
    const paged: ChangeNode[] = [];
    for (let after: string | null = start; ; ) {
      const next = await changes(after, 2);
      paged.push(...next.nodes);
      if (!next.pageInfo.hasNextPage) break;
      after = next.pageInfo.endCursor;
    }
    expect(paged).toEqual(page.nodes);
    // From any change's cursor: exactly what came after it.
    const middle = page.nodes[3]!;
    expect((await changes(middle.cursor)).nodes).toEqual(page.nodes.slice(4));
    // Nothing new: an empty page whose endCursor is the one given, to ask again with.
    const end = await changes(page.pageInfo.endCursor);
    expect(end).toMatchObject({ nodes: [], totalCount: 0, pageInfo: { hasNextPage: false, endCursor: page.pageInfo.endCursor } });
  });

  it('does not skip a change whose transaction began first but committed last', async () => {
    const sql = f.scratch.handle.sql;
    const start = await now();
    let wrote!: () => void;
    const written = new Promise<void>((resolve) => (wrote = resolve));
    let finish!: () => void;
    const finishing = new Promise<void>((resolve) => (finish = resolve));
    // T1 writes first (its change gets the lower transaction id and change id) but commits last.
    const t1 = sql.begin(async (tx) => {
      await tx`insert into places (slug, name, kind) values ('slow-place', 'Slow place', 'SITE')`;
      wrote();
      await finishing;
    });
    await written;
    await sql.begin((tx) => tx`insert into places (slug, name, kind) values ('quick-place', 'Quick place', 'SITE')`);
    const quick = (await sql`select id from places where slug = 'quick-place'`)[0]?.id as number;

    // While T1 runs, the quick change is held back: listing it now would let a reader pass T1's.
    const first = await changes(start);
    expect(first.nodes).toEqual([]);
    expect(first.pageInfo.endCursor).toBe(start);

    finish();
    await t1;
    const slow = (await sql`select id from places where slug = 'slow-place'`)[0]?.id as number;
    // Once T1 has ended, both are listed after the cursor the reader holds: T1's first.
    const resumed = await settledChanges(first.pageInfo.endCursor, 2);
    expect(resumed.map((n) => decodeGlobalId(n.entity).id)).toEqual([String(slow), String(quick)]);
    expect(resumed[0]?.principal).toMatch(/^database:/);
  });

  it('leaves out writes that rolled back', async () => {
    const start = await now();
    await f.scratch.handle.sql
      .begin(async (tx) => {
        await tx`insert into places (slug, name, kind) values ('never-place', 'Never', 'SITE')`;
        throw new Error('roll back');
      })
      .catch(() => {});
    expect((await changes(start)).nodes).toEqual([]);
  });

  it('refuses a cursor that is not one of its own, and backward paging', async () => {
    const bad = await f.api.query(CHANGES, { after: 'YXJyYXljb25uZWN0aW9uOjA=' });
    expect(bad.errors?.[0]).toMatchObject({ message: expect.stringMatching(/not a changes cursor/), extensions: { code: 'BAD_USER_INPUT', argument: 'after' } });
    const backward = await f.api.query(`{ changes(last: 2) { nodes { kind } } }`);
    expect(backward.errors?.[0]?.message).toMatch(/forward only/);
    const huge = await f.api.query(`{ changes(first: 501) { nodes { kind } } }`);
    expect(huge.errors?.[0]?.message).toMatch(/between 0 and 500/);
  });
});

describe('changeAdded', { timeout: 4 * SETTLE_MS }, () => {
  it('replays from a cursor, then streams each change as it commits, over graphql-ws', async () => {
    const server = await serve(f.scratch.url);
    const client = createClient({ url: server.url.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, retryAttempts: 0 });
    try {
      const start = await now();
      await f.scratch.handle.sql`insert into places (slug, name, kind) values ('replayed-place', 'Replayed', 'SITE')`;
      const got: ChangeNode[] = [];
      let wake: (() => void) | undefined;
      const stop = client.subscribe<{ changeAdded: ChangeNode }>(
        { query: `subscription($after: String) { changeAdded(after: $after) { cursor kind entityType entity claimId mergedInto principal } }`, variables: { after: start } },
        { next: (r: ExecutionResult<{ changeAdded: ChangeNode }>) => { if (r.data) got.push(r.data.changeAdded); wake?.(); }, error: () => {}, complete: () => {} },
      );
      const until = async (n: number) => {
        const deadline = Date.now() + SETTLE_MS;
        while (got.length < n && Date.now() < deadline) await new Promise<void>((resolve) => { wake = resolve; setTimeout(resolve, 100); });
      };
      await until(1);
      await f.scratch.handle.sql`insert into places (slug, name, kind) values ('live-place', 'Live', 'SITE')`;
      await until(2);
      stop();
      const ids = await f.scratch.handle.sql`select id from places where slug in ('replayed-place', 'live-place') order by id`;
      expect(got.map((n) => decodeGlobalId(n.entity).id)).toEqual(ids.map((r) => String(r.id)));
      // The same changes, with the same cursors, as the feed lists.
      expect(got).toEqual((await changes(start)).nodes);
    } finally {
      await client.dispose();
      await server.shutdown();
    }
  });
});

interface PlanNode {
  'Node Type': string;
  'Actual Rows': number;
  Plans?: PlanNode[];
}
const planNodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(planNodes)];

describe('the feed after a bulk load', { timeout: 2 * SETTLE_MS }, () => {
  it('reads each page in index order and stops at its end, before the statistics know the new changes', async () => {
    const scratch = await scratchDatabase();
    try {
      const sql = scratch.handle.sql;
      // As right after an import commits on a server with some history (here 300 writes): the
      // statistics know the changes before it, and none of its 20,000.
      await sql`alter table changes set (autovacuum_enabled = false)`;
      for (let i = 0; i < 300; i++) {
        await sql`insert into changes (kind, entity_type, entity_id, principal) select 'CREATED', 'Event', g, 'history' from generate_series(1, 5) g`;
      }
      await sql`analyze changes`;
      await sql`analyze change_commits`;
      const before = await latestFeedPosition(scratch.handle.db);
      const xid = await sql.begin(async (tx) => {
        await tx`insert into changes (kind, entity_type, entity_id, principal)
                 select 'CREATED', 'Event', g, 'bulk-load' from generate_series(1, 20000) g`;
        const [row] = await tx<{ xid: string }[]>`select pg_current_xact_id()::text as xid`;
        return Number(row!.xid);
      });
      // Listed once settled: a transaction still running anywhere on the server (another test
      // file's) holds the feed back.
      await settledPast(scratch.handle.db, xid);
      const query = new PgDialect().sqlToQuery(changesAfterQuery(before, 500));
      const [row] = await sql.unsafe<{ 'QUERY PLAN': [{ Plan: PlanNode }] }[]>(`explain (analyze, format json) ${query.sql}`, query.params as never[]);
      const nodes = planNodes(row!['QUERY PLAN'][0].Plan);
      // The plan in short, should it differ: "Limit 500 > Index Scan 500".
      const shape = nodes.map((n) => `${n['Node Type']} ${n['Actual Rows']}`).join(' > ');
      expect(nodes[0]?.['Actual Rows'], shape).toBe(500);
      // No step of the plan handled more than the page (a hash join and sort read all 20,000).
      expect(Math.max(...nodes.map((n) => n['Actual Rows'])), shape).toBeLessThanOrEqual(500);
      expect(nodes.map((n) => n['Node Type']), shape).not.toContain('Sort');
    } finally {
      await scratch.drop();
    }
  });
});

describe('the feed follower', { timeout: 2 * SETTLE_MS }, () => {
  it('reads no changes while nobody here listens, and tells a later subscriber what commits after it', async () => {
    const scratch = await scratchDatabase();
    const statements: string[] = [];
    const counted = connectDatabase(scratch.url, { max: 1, onStatement: (text) => void statements.push(text) });
    const pubsub = makePubSub();
    // Woken by hand only: the interval is longer than the test.
    const follower = new ChangeFollower(counted.db, pubsub, undefined, 3_600_000);
    const stop = await follower.follow();
    const settle = async (rows: number, entityId: number) => {
      const xid = await scratch.handle.sql.begin(async (tx) => {
        await tx`insert into changes (kind, entity_type, entity_id, principal)
                 select 'CREATED', 'Event', ${entityId} + g, 'bulk-load' from generate_series(0, ${rows - 1}) g`;
        const [row] = await tx<{ xid: string }[]>`select pg_current_xact_id()::text as xid`;
        return Number(row!.xid);
      });
      await settledPast(scratch.handle.db, xid);
    };
    try {
      // An import's changes, with no subscription on this instance: one look at the feed's end,
      // not three pages of 500 changes read and dropped.
      await settle(1200, 1);
      statements.splice(0);
      await follower.wake();
      expect(statements).toHaveLength(1);
      expect(statements[0]).not.toContain('entity_type');

      const live = pubsub.subscribe('changeAdded')[Symbol.asyncIterator]();
      const first = live.next();
      expect(pubsub.listening()).toBe(1);
      await settle(1, 100_000);
      await follower.wake();
      // The change after it began, not one of the 1,200 before.
      expect((await first).value).toMatchObject({ entityType: 'Event', entityId: 100_000 });
      await live.return?.();
      expect(pubsub.listening()).toBe(0);
    } finally {
      await stop();
      await counted.close();
      await scratch.drop();
    }
  });
});
