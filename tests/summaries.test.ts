/**
 * Dashboard summaries off the write path, as a client sees them through a running server: a
 * write commits without them, `summaryStatus` says they are behind, and the server's own drainer
 * counts the write in shortly after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApi, writeFixture, type WriteFixture } from './helpers.ts';
import { graphql, serve } from './server-helpers.ts';
import type { RunningServer } from '../src/server.ts';

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
