/**
 * A mutation reads the record it wrote (after the commit, through the type's loader) only when the
 * client asks for more of it than its id: a client that selects `__typename`, its errors or
 * `data { id }` gets its answer with no read after the write. Whatever the selection, the answer
 * is the same as a read would give.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApi, writeFixture, type TestApi, type WriteFixture } from './helpers.ts';

let f: WriteFixture;
// Its own connection pool, with no summary drain after each mutation, so its statements are the
// request's own.
let api: TestApi;
const SOURCE = 'answers-dispatch';
const SENTENCES = Array.from({ length: 20 }, (_, i) => `Dispatch line ${i}: gunmen struck a post near Jalalabad.`);

async function asAnalyst<T = Record<string, unknown>>(query: string, variables: Record<string, unknown>) {
  return api.query<T>(query, variables, { token: f.tokens.analyst });
}

/** What the request sent after its transaction committed. */
function afterCommit(): string[] {
  const at = api.statements.lastIndexOf('commit');
  expect(at).toBeGreaterThanOrEqual(0);
  return api.statements.slice(at + 1);
}

let n = 0;
function newEvent() {
  n += 1;
  return {
    slug: `answers-event-${n}`,
    title: `Attack ${n} near Jalalabad`,
    kind: 'ATTACK',
    date: { text: 'May 2024', earliest: '2024-05-01', latest: '2024-05-31', precision: 'MONTH' },
    confidence: 80,
    citations: [{ source: SOURCE, quote: SENTENCES[n]! }],
  };
}

beforeAll(async () => {
  f = await writeFixture();
  api = openApi(f.scratch.url, {}, { drainAfterWrites: false });
  const added = await asAnalyst(`mutation($i: AddSourceInput!) { addSource(input: $i) { __typename } }`, {
    i: { slug: SOURCE, publisher: 'Answers Dispatch', text: SENTENCES.join(' ') },
  });
  expect(added.data).toEqual({ addSource: { __typename: 'MutationAddSourceSuccess' } });
});
afterAll(async () => {
  await api.close();
  await f.close();
});

async function eventId(slug: string): Promise<string> {
  const found = await api.query<{ event: { id: string } }>(`query($s: String!) { event(slug: $s) { id } }`, { s: slug });
  return found.data!.event.id;
}

describe('what a mutation reads after its write', () => {
  it('reads nothing when the client asks only whether it succeeded', async () => {
    api.resetStatements();
    const created = await asAnalyst(
      `mutation($i: CreateEventInput!) { createEvent(input: $i) { __typename ... on UserError { message } } }`,
      { i: newEvent() },
    );
    expect(created.data).toEqual({ createEvent: { __typename: 'MutationCreateEventSuccess' } });
    expect(afterCommit()).toEqual([]);
  });

  it('answers `data { id }` with the record’s id, without reading it', async () => {
    const input = newEvent();
    api.resetStatements();
    const created = await asAnalyst<{ createEvent: { data: { id: string; __typename: string } } }>(
      `mutation($i: CreateEventInput!) { createEvent(input: $i) { ... on MutationCreateEventSuccess { data { __typename id } } } }`,
      { i: input },
    );
    expect(afterCommit()).toEqual([]);
    expect(created.data?.createEvent.data).toEqual({ __typename: 'Event', id: await eventId(input.slug) });
  });

  it('gives a claim’s record its claim’s id', async () => {
    const input = newEvent();
    await asAnalyst(`mutation($i: CreateEventInput!) { createEvent(input: $i) { __typename } }`, { i: input });
    api.resetStatements();
    const added = await asAnalyst<{ addParticipation: { data: { id: string } } }>(
      `mutation($i: AddParticipationInput!) { addParticipation(input: $i) { ... on MutationAddParticipationSuccess { data { id } } } }`,
      { i: { event: input.slug, actor: 'isis-k', role: 'PERPETRATOR', confidence: 70, citations: [{ source: SOURCE, quote: SENTENCES[n + 10]! }] } },
    );
    expect(added.errors, JSON.stringify(added.errors)).toBeUndefined();
    expect(added.data, JSON.stringify(added.data)).toHaveProperty('addParticipation.data.id');
    expect(afterCommit()).toEqual([]);
    const listed = await api.query<{ event: { participants: { id: string; actor: { slug: string } }[] } }>(
      `query($s: String!) { event(slug: $s) { participants { id actor { slug } } } }`,
      { s: input.slug },
    );
    expect(listed.data?.event.participants).toEqual([{ id: added.data!.addParticipation.data.id, actor: { slug: 'isis-k' } }]);
  });

  it('reads the record once the client asks for any other field of it, however the selection is written', async () => {
    const selections = [
      `... on MutationCreateEventSuccess { data { id title } }`,
      `...Created`,
      `... on MutationCreateEventResult { ... on MutationCreateEventSuccess { data { ... on Event { title } } } }`,
      `... on MutationCreateEventSuccess { data @include(if: true) { id } }`,
    ];
    for (const selection of selections) {
      const input = newEvent();
      api.resetStatements();
      const fragment = selection === '...Created' ? ' fragment Created on MutationCreateEventSuccess { data { title } }' : '';
      const created = await asAnalyst<{ createEvent: { data: { title: string } | { id: string } } }>(
        `mutation($i: CreateEventInput!) { createEvent(input: $i) { ${selection} } }${fragment}`,
        { i: input },
      );
      expect(created.errors, selection).toBeUndefined();
      const read = afterCommit();
      expect(read, selection).toHaveLength(1);
      expect(read[0], selection).toContain('from "events"');
      const data = created.data!.createEvent.data;
      if ('title' in data) expect(data.title, selection).toBe(input.title);
      else expect(data.id, selection).toBe(await eventId(input.slug));
    }
  });

  it('answers the result’s other fields beside `data { id }` (possibleDuplicates)', async () => {
    // The same place, kind and month: a possible duplicate of the first.
    const first = { ...newEvent(), place: 'afghanistan' };
    await asAnalyst(`mutation($i: CreateEventInput!) { createEvent(input: $i) { __typename } }`, { i: first });
    const again = { ...newEvent(), place: 'afghanistan' };
    const created = await asAnalyst<{ createEvent: { data: { id: string }; possibleDuplicates: { slug: string }[] } }>(
      `mutation($i: CreateEventInput!) { createEvent(input: $i) { ... on MutationCreateEventSuccess { data { id } possibleDuplicates { slug } } } }`,
      { i: again },
    );
    expect(created.errors).toBeUndefined();
    expect(created.data?.createEvent.data.id).toBe(await eventId(again.slug));
    expect(created.data?.createEvent.possibleDuplicates.map((d) => d.slug)).toContain(first.slug);
  });
});
