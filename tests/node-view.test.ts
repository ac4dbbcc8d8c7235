/**
 * `node(id:)` and `nodes(ids:)` read in the operation's view, as the record's own root field does:
 * an event whose report is retracted, or recorded after `asOf`, is null there as in `event(slug:)`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixture, type WriteFixture } from './helpers.ts';

let f: WriteFixture;
const SOURCE = 'test-node-view';
const TEXT = 'Gunmen attacked a checkpoint near Jalalabad on 2 May 2024, killing at least 7 soldiers. Later counts said 9 soldiers died. Correction: no attack on a checkpoint near Jalalabad took place.';
const cite = (quote: string) => [{ source: SOURCE, quote }];
let eventId = '';
let participationId = '';
const times = { beforeSource: '', beforeCreate: '', afterCreate: '', afterUpdate: '', afterRetract: '' };

type Node = { __typename: string; slug?: string; killed?: { min: number | null } } | null;
const NODE = `query($id: ID!, $asOf: DateTime, $all: Boolean! = false) {
  node(id: $id, asOf: $asOf, includeRetracted: $all) { __typename ... on Event { slug killed { min } } ... on Participation { role } }
  event(slug: "jalalabad-node-view", asOf: $asOf, includeRetracted: $all) { slug killed { min } }
}`;
const read = async (variables: Record<string, unknown>) => (await f.api.query<{ node: Node; event: Node }>(NODE, variables)).data;
const later = async () => {
  await sleep(20);
  const at = new Date().toISOString();
  await sleep(20);
  return at;
};

async function write(mutation: string, input: Record<string, unknown>, role: 'analyst' | 'admin' = 'analyst') {
  const response = await f.api.query<Record<string, { __typename: string; data?: { id: string } }>>(mutation, { i: input }, { token: f.tokens[role] });
  const result = Object.values(response.data ?? {})[0];
  expect(result?.__typename, JSON.stringify(response)).toMatch(/Success$/);
  return result?.data?.id ?? '';
}

beforeAll(async () => {
  f = await writeFixture();
  times.beforeSource = await later();
  await write(`mutation($i: AddSourceInput!) { addSource(input: $i) { __typename } }`, { slug: SOURCE, publisher: 'Test', text: TEXT });
  times.beforeCreate = await later();
  eventId = await write(`mutation($i: CreateEventInput!) { createEvent(input: $i) { __typename ... on MutationCreateEventSuccess { data { id } } } }`, {
    slug: 'jalalabad-node-view', title: 'Attack on a checkpoint near Jalalabad', kind: 'ATTACK',
    date: { text: '2 May 2024', earliest: '2024-05-02', latest: '2024-05-02', precision: 'DAY' },
    killed: { min: 7, text: 'at least 7' }, confidence: 90, citations: cite('Gunmen attacked a checkpoint near Jalalabad on 2 May 2024, killing at least 7 soldiers.'),
  });
  participationId = await write(`mutation($i: AddParticipationInput!) { addParticipation(input: $i) { __typename ... on MutationAddParticipationSuccess { data { id } } } }`, {
    event: 'jalalabad-node-view', actor: 'isis-k', role: 'PERPETRATOR', confidence: 60, citations: cite('Gunmen attacked a checkpoint near Jalalabad'),
  });
  times.afterCreate = await later();
  await write(`mutation($i: UpdateEventInput!) { updateEvent(input: $i) { __typename } }`, {
    slug: 'jalalabad-node-view', killed: { min: 9, text: '9' }, confidence: 80, citations: cite('Later counts said 9 soldiers died.'),
  });
  times.afterUpdate = await later();
  await write(`mutation($i: RetractClaimInput!) { retractClaim(input: $i) { __typename } }`, {
    claim: eventId, reason: 'no such attack', citation: { source: SOURCE, quote: 'Correction: no attack on a checkpoint near Jalalabad took place.' },
  }, 'admin');
  times.afterRetract = await later();
});
afterAll(() => f.close());

describe('node(id) in the view', () => {
  it('hides an event whose report is retracted, as event(slug:) does, and shows it with includeRetracted', async () => {
    expect(await read({ id: eventId })).toEqual({ node: null, event: null });
    expect(await read({ id: eventId, all: true })).toEqual({
      node: { __typename: 'Event', slug: 'jalalabad-node-view', killed: { min: 9 } },
      event: { slug: 'jalalabad-node-view', killed: { min: 9 } },
    });
  });

  it('as of a time gives the event as it was then, and null before it was recorded', async () => {
    expect(await read({ id: eventId, asOf: times.beforeCreate })).toEqual({ node: null, event: null });
    const created = { __typename: 'Event', slug: 'jalalabad-node-view', killed: { min: 7 } };
    expect(await read({ id: eventId, asOf: times.afterCreate })).toEqual({ node: created, event: { slug: created.slug, killed: created.killed } });
    expect((await read({ id: eventId, asOf: times.afterUpdate }))?.node).toEqual({ ...created, killed: { min: 9 } });
    expect((await read({ id: eventId, asOf: times.afterRetract }))?.node).toBeNull();
  });

  it('gives a claim only in a view that shows it', async () => {
    const participation = { __typename: 'Participation', role: 'PERPETRATOR' };
    expect((await read({ id: participationId }))?.node).toEqual(participation);
    expect((await read({ id: participationId, asOf: times.beforeCreate }))?.node).toBeNull();
  });

  it('nodes(ids) puts null in place of each record the view hides, keeping the order', async () => {
    const actor = await f.api.query<{ actor: { id: string } }>(`{ actor(slug: "isis-k") { id } }`);
    const ids = [eventId, actor.data?.actor.id, participationId];
    const query = `query($ids: [ID!]!, $asOf: DateTime, $all: Boolean! = false) { nodes(ids: $ids, asOf: $asOf, includeRetracted: $all) { __typename } }`;
    expect((await f.api.query(query, { ids })).data).toEqual({ nodes: [null, { __typename: 'Actor' }, { __typename: 'Participation' }] });
    expect((await f.api.query(query, { ids, all: true })).data).toEqual({ nodes: [{ __typename: 'Event' }, { __typename: 'Actor' }, { __typename: 'Participation' }] });
    expect((await f.api.query(query, { ids, asOf: times.beforeCreate })).data).toEqual({ nodes: [null, { __typename: 'Actor' }, null] });
  });

  it('gives a source or quote only as of a time it was stored by, as source(slug:) does', async () => {
    const stored = await f.api.query<{ source: { id: string; citations: { nodes: { id: string }[] } } }>(
      `query($slug: String!) { source(slug: $slug) { id citations(first: 1) { nodes { id } } } }`, { slug: SOURCE });
    const ids = [stored.data?.source.id, stored.data?.source.citations.nodes[0]?.id];
    expect(ids.every(Boolean)).toBe(true);
    const query = `query($ids: [ID!]!, $asOf: DateTime) { nodes(ids: $ids, asOf: $asOf) { __typename } }`;
    expect((await f.api.query(query, { ids, asOf: times.beforeSource })).data).toEqual({ nodes: [null, null] });
    expect((await f.api.query(query, { ids, asOf: times.afterCreate })).data).toEqual({ nodes: [{ __typename: 'Source' }, { __typename: 'Citation' }] });
    const before = await f.api.query(`query($asOf: DateTime) { source(slug: "${SOURCE}", asOf: $asOf) { slug } }`, { asOf: times.beforeSource });
    expect(before.data).toEqual({ source: null });
  });

  it('a participation still names its event, retracted report and all: references are not filtered', async () => {
    const response = await f.api.query<{ node: { event: { slug: string } } }>(
      `query($id: ID!) { node(id: $id) { ... on Participation { event { slug } } } }`, { id: participationId });
    expect(response.errors).toBeUndefined();
    expect(response.data?.node.event.slug).toBe('jalalabad-node-view');
  });

  it('refuses a node read in another view than the operation’s other root fields', async () => {
    const response = await f.api.query(`query($id: ID!, $asOf: DateTime) { node(id: $id) { id } actor(slug: "isis-k", asOf: $asOf) { slug } }`, { id: eventId, asOf: times.afterCreate });
    expect(response.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
  });
});
