/**
 * Dashboard summaries off the write path, as a client sees them through a running server: a
 * write commits without them, `summaryStatus` says they are behind, and the server's own drainer
 * counts the write in shortly after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApi, writeFixture, type WriteFixture } from './helpers.ts';
import { graphql, serve } from './server-helpers.ts';
import type { RunningServer } from '../src/server.ts';
import { sql } from 'drizzle-orm';
import { SummaryDrainer, summariesPending } from '../src/db/summaries.ts';
import { PollingLoop } from '../src/db/polling-loop.ts';

const DASHBOARD = `{
  eventStats(filter: { actor: "isis-k", role: [IMPLICATED] }) { events }
  summaryStatus { completeUpTo caughtUp }
}`;

interface DashboardAnswer {
  eventStats: { events: number };
  summaryStatus: { completeUpTo: string; caughtUp: boolean };
}

describe('the server\'s summary drainer', () => {
  let f: WriteFixture;
  let server: RunningServer;
  beforeAll(async () => {
    f = await writeFixture();
    server = await serve(f.scratch.url);
  });
  afterAll(async () => {
    await server.shutdown();
    await f.close();
  });

  it('counts a write in the dashboards after it commits, and says when it has', async () => {
    const read = async () => (await graphql(server, DASHBOARD)).body.data as unknown as DashboardAnswer;
    const before = await read();
    expect(before.summaryStatus.caughtUp).toBe(true);
    const auth = { authorization: `Bearer ${f.tokens.analyst}` };
    const source = await graphql(server, `mutation($i: AddSourceInput!) { addSource(input: $i) { __typename } }`, {
      variables: { i: { slug: 'drainer-test', publisher: 'Test', text: 'ISIS-K was implicated in the Bajaur rally bombing.' } },
      headers: auth,
    });
    expect(source.body.data).toEqual({ addSource: { __typename: 'MutationAddSourceSuccess' } });
    const startedAt = Date.now();
    const written = await graphql(server, `mutation($i: AddParticipationInput!) { addParticipation(input: $i) { __typename } }`, {
      variables: { i: { event: 'bajaur-political-rally-bombing', actor: 'isis-k', role: 'IMPLICATED', confidence: 40,
        citations: [{ source: 'drainer-test', quote: 'ISIS-K was implicated in the Bajaur rally bombing.' }] } },
      headers: auth,
    });
    expect(written.body.data).toEqual({ addParticipation: { __typename: 'MutationAddParticipationSuccess' } });
    const committedAt = Date.now();
    // Wait for the summaries as a client would: read until summaryStatus says they include the
    // write (bounded, so a drainer that never runs fails the test).
    let after = await read();
    while (!(after.summaryStatus.caughtUp && Date.parse(after.summaryStatus.completeUpTo) >= startedAt)) {
      expect(Date.now() - committedAt, 'the summaries did not catch up').toBeLessThan(15_000);
      await new Promise((resolve) => setImmediate(resolve));
      after = await read();
    }
    expect(after.eventStats.events).toBe(before.eventStats.events + 1);
  });
});

describe('a server\'s summary drainer', () => {
  let f: WriteFixture;
  beforeAll(async () => {
    f = await writeFixture();
  });
  afterAll(async () => {
    await f.close();
  });

  it('is worked off in calls that grow while they come back full, and small calls follow it', async () => {
    const db = f.scratch.handle.db;
    // A bulk load's backlog: 3,000 event keys (of no stored event: the refresh finds nothing to change).
    await db.execute(sql`insert into summary_queue (kind, id) select 'event', 10000000 + g from generate_series(1, 3000) g`);
    const calls: { taken: number; batch: number }[] = [];
    const drainer = new SummaryDrainer(db, { maxKeys: 100, idleMs: 5, onError: (error) => { throw error; }, onDrained: (taken, batch) => calls.push({ taken, batch }) });
    drainer.start();
    const started = Date.now();
    while (await summariesPending(db)) {
      expect(Date.now() - started, 'the backlog was not worked off').toBeLessThan(30_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Then a write's few keys.
    await db.execute(sql`insert into summary_queue (kind, id) select 'event', 20000000 + g from generate_series(1, 3) g`);
    while (!calls.some((c) => c.taken === 3)) {
      expect(Date.now() - started, 'the write was not drained').toBeLessThan(30_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await drainer.stop();
    const backlog = calls.filter((c) => c.taken > 0 && c.taken !== 3);
    expect(backlog.reduce((sum, c) => sum + c.taken, 0)).toBe(3000);
    // Each call after a full one may take twice as many keys, after any other 100 again (a call
    // takes keys of at most half the partitions, so it can come back short before the end).
    for (const [i, call] of calls.entries()) {
      if (i === 0) continue;
      const previous = calls[i - 1]!;
      expect(call.batch).toBe(previous.taken >= previous.batch ? previous.batch * 2 : 100);
    }
    expect(backlog.slice(0, 4).map((c) => c.batch)).toEqual([100, 200, 400, 800]);
    // A fixed 100 would have taken thirty calls.
    expect(backlog.length).toBeLessThanOrEqual(10);
    expect(calls.find((c) => c.taken === 3)?.batch).toBe(100);
  });

  it('takes what a pace\'s writes queued in one call instead of calling back to back, and drains them all', async () => {
    const db = f.scratch.handle.db;
    const calls: number[] = [];
    const drainer = new SummaryDrainer(db, { maxKeys: 100, idleMs: 5, paceMs: 300, onError: (error) => { throw error; }, onDrained: (taken) => { if (taken > 0) calls.push(taken); } });
    drainer.start();
    // A write's few keys every 20 ms for 1.5 s (of no stored event: the refresh finds nothing to change).
    const trickleMs = 1500;
    const started = Date.now();
    let queued = 0;
    while (Date.now() - started < trickleMs) {
      await db.execute(sql`insert into summary_queue (kind, id) select 'event', 30000000 + ${queued} + g from generate_series(1, 3) g`);
      queued += 3;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const trickled = Date.now() - started;
    while (await summariesPending(db)) {
      expect(Date.now() - started, 'the writes were not drained').toBeLessThan(30_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await drainer.stop();
    expect(calls.reduce((sum, taken) => sum + taken, 0)).toBe(queued);
    // One call per 300 ms at most while it keeps up (and one for what came after the last):
    // back to back, with a 5 ms idle look, it made one call per write or two.
    expect(calls.length).toBeLessThanOrEqual(Math.ceil(trickled / 300) + 2);
    expect(Math.max(...calls)).toBeGreaterThan(6);
  });
});

describe('a polling loop with nothing to do', () => {
  const looks = async (lookMs: number, forMs: number) => {
    let count = 0;
    const loop = new PollingLoop(async () => {
      count++;
      if (lookMs > 0) await new Promise((resolve) => setTimeout(resolve, lookMs));
      return false;
    }, { idleMs: 10, onError: (error) => { throw error; } });
    loop.start();
    await new Promise((resolve) => setTimeout(resolve, forMs));
    await loop.stop();
    return count;
  };

  it('looks every idleMs while a look is cheap, and waits ten looks\' time after a slow one', async () => {
    // Cheap looks (an empty queue): every 10 ms.
    expect(await looks(0, 500)).toBeGreaterThanOrEqual(15);
    // 100 ms looks (a bulk load's uncommitted keys in the way): one, then a second's pause.
    expect(await looks(100, 1500)).toBeLessThanOrEqual(3);
  });
});

describe('summaryStatus beside live aggregates', () => {
  // Fields of one query resolve concurrently: read as one of them, the status could be read after a
  // drainer committed and an aggregate before it ("caught up" beside a count without the write).
  const statusFirst = (statements: string[]) => {
    const status = statements.findIndex((s) => s.includes('summaries_complete_up_to'));
    const aggregate = statements.findIndex((s) => s.includes('actor_rollup'));
    return { status, aggregate };
  };

  it('is read once, before any field of the query, so each aggregate includes what it says', async () => {
    const api = openApi();
    try {
      for (const query of [
        `{ eventStats(filter: { actor: "isis-k" }) { events } summaryStatus { caughtUp } }`,
        // Asked for through a fragment, after the aggregates.
        `query { eventStats(filter: { actor: "isis-k" }) { events } ...Status } fragment Status on Query { summaryStatus { completeUpTo } }`,
      ]) {
        api.resetStatements();
        const r = await api.query(query);
        expect(r.errors).toBeUndefined();
        const { status, aggregate } = statusFirst(api.statements);
        expect(status, query).toBeGreaterThanOrEqual(0);
        expect(aggregate, query).toBeGreaterThan(status);
        expect(api.statements.filter((s) => s.includes('summaries_complete_up_to')), query).toHaveLength(1);
      }
      // Not asked for: not read.
      api.resetStatements();
      await api.query(`{ eventStats(filter: { actor: "isis-k" }) { events } }`);
      expect(statusFirst(api.statements).status).toBe(-1);
    } finally {
      await api.close();
    }
  });
});
