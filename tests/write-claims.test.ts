/**
 * Cited writes through the API: entities and claims with their citations, all-or-nothing,
 * visible to reads and in the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableCounts, writeFixture, type WriteFixture } from './helpers.ts';

let f: WriteFixture;
const SOURCE = 'test-dispatch';
const TEXT =
  'Gunmen attacked a checkpoint near Jalalabad on 2 May 2024, killing at least 7 soldiers. ISIS-K claimed the attack. ' +
  'The group, also known as Wilayat Khorasan, is at war with the Taliban. Local officials blamed the Taliban itself. ' +
  'The gunmen are Salafi militants.';

async function as<T = Record<string, unknown>>(role: 'analyst' | 'admin' | 'viewer', query: string, variables: Record<string, unknown>) {
  return f.api.query<T>(query, variables, { token: f.tokens[role] });
}

beforeAll(async () => {
  f = await writeFixture();
  const added = await as('analyst', `mutation($i: AddSourceInput!) { addSource(input: $i) { __typename } }`, {
    i: { slug: SOURCE, publisher: 'Test Dispatch', text: TEXT },
  });
  expect(added.data).toEqual({ addSource: { __typename: 'MutationAddSourceSuccess' } });
});
afterAll(() => f.close());

const CREATE_EVENT = `mutation($input: CreateEventInput!, $key: String) {
  createEvent(input: $input, idempotencyKey: $key) {
    __typename
    ... on MutationCreateEventSuccess { data { id slug title killed { min text } place { slug } citations { quote source { slug } } } }
    ... on UserError { message path }
  }
}`;

const event = {
  slug: 'jalalabad-checkpoint-attack',
  title: 'Attack on a checkpoint near Jalalabad',
  kind: 'ATTACK',
  date: { text: '2 May 2024', earliest: '2024-05-02', latest: '2024-05-02', precision: 'DAY' },
  place: 'afghanistan',
  killed: { min: 7, text: 'at least 7' },
  confidence: 90,
  citations: [{ source: SOURCE, quote: 'Gunmen attacked a checkpoint near Jalalabad on 2 May 2024, killing at least 7 soldiers.' }],
};

describe('creating events', () => {
  it('stores a cited event that `events` returns and the audit log lists', async () => {
    const created = await as('analyst', CREATE_EVENT, { input: event });
    expect(created.data?.createEvent).toMatchObject({
      __typename: 'MutationCreateEventSuccess',
      data: { slug: event.slug, killed: { min: 7, text: 'at least 7' }, place: { slug: 'afghanistan' }, citations: [{ source: { slug: SOURCE } }] },
    });
    const listed = await f.api.query<{ events: { nodes: { slug: string; recordedBy?: string }[] } }>(
      `{ events(filter: { from: "2024-05-01", to: "2024-05-03" }) { nodes { slug } } }`,
    );
    expect(listed.data?.events.nodes.map((e) => e.slug)).toEqual([event.slug]);
    const audit = await as<{ auditLog: { nodes: { operation: string; principal: string; details: { event: { slug: string } } }[] } }>(
      'analyst',
      `{ auditLog(first: 1) { nodes { operation principal details } } }`,
      {},
    );
    expect(audit.data?.auditLog.nodes[0]).toMatchObject({ operation: 'createEvent', principal: 'token:test-analyst', details: { event: { slug: event.slug } } });
  });

  it('refuses an event without a citation, changing nothing', async () => {
    const before = await tableCounts(f.scratch.handle.sql);
    const response = await as('analyst', CREATE_EVENT, { input: { ...event, slug: 'uncited', citations: [] } });
    expect(response.data?.createEvent).toMatchObject({ __typename: 'ValidationError', path: ['input', 'citations'], message: expect.stringMatching(/at least one citation/) });
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  });

  it('refuses a date whose span its precision does not fit, naming it, and changing nothing', async () => {
    const before = await tableCounts(f.scratch.handle.sql);
    const spans = [
      { date: { text: 'early May 2024', earliest: '2024-05-01', latest: '2024-05-10', precision: 'DAY' }, message: /a DAY date lies within one day, but 2024-05-01 to 2024-05-10 does not: give RANGE/ },
      { date: { text: 'spring 2024', earliest: '2024-03-01', latest: '2024-05-31', precision: 'MONTH' }, message: /a MONTH date lies within one month/ },
      { date: { text: 'winter 2023–24', earliest: '2023-12-01', latest: '2024-02-29', precision: 'YEAR' }, message: /a YEAR date lies within one year/ },
    ];
    for (const { date, message } of spans) {
      const response = await as('analyst', CREATE_EVENT, { input: { ...event, slug: 'misdated', date } });
      expect(response.data?.createEvent).toMatchObject({ __typename: 'ValidationError', path: ['input', 'date'], message: expect.stringMatching(message) });
    }
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
    // The same spans with the precision they have, and a month or a year given as such, are taken.
    const fits = [
      { text: 'early May 2024', earliest: '2024-05-01', latest: '2024-05-10', precision: 'RANGE' },
      { text: 'May 2024', earliest: '2024-05-01', latest: '2024-05-31', precision: 'MONTH' },
      { text: '2024', earliest: '2024-01-01', latest: '2024-12-31', precision: 'YEAR' },
    ];
    for (const [i, date] of fits.entries()) {
      const response = await as('analyst', CREATE_EVENT, { input: { ...event, slug: `dated-${i}`, date } });
      expect(response.data?.createEvent).toMatchObject({ __typename: 'MutationCreateEventSuccess' });
    }
  });

  it('refuses the same participant twice in one event, naming the repeat', async () => {
    const before = await tableCounts(f.scratch.handle.sql);
    const participants = [{ actor: 'isis-k', role: 'PERPETRATOR' }, { actor: 'afghan-taliban', role: 'TARGET' }, { actor: 'isis-k', role: 'PERPETRATOR' }];
    const response = await as('analyst', CREATE_EVENT, { input: { ...event, slug: 'twice', participants } });
    expect(response.data?.createEvent).toMatchObject({ __typename: 'ValidationError', path: ['input', 'participants', '2'], message: expect.stringMatching(/repeats participants\.0 \(isis-k as PERPETRATOR\)/) });
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
    // The same actor in another role is another claim.
    const roles = await as('analyst', CREATE_EVENT, { input: { ...event, slug: 'two-roles', participants: [{ actor: 'isis-k', role: 'PERPETRATOR' }, { actor: 'isis-k', role: 'CLAIMED_RESPONSIBILITY' }] } });
    expect(roles.data?.createEvent).toMatchObject({ __typename: 'MutationCreateEventSuccess' });
  });

  it('rolls back everything when one citation of several is bad', async () => {
    const before = await tableCounts(f.scratch.handle.sql);
    const response = await as('analyst', CREATE_EVENT, {
      input: { ...event, slug: 'half-cited', citations: [{ source: SOURCE, quote: 'ISIS-K claimed the attack.' }, { source: SOURCE, quote: 'a quote nobody wrote' }] },
    });
    expect(response.data?.createEvent).toMatchObject({ __typename: 'QuoteNotFoundError', path: ['input', 'citations', '1', 'quote'] });
    // The first quote's citation was stored inside the transaction and is gone with it.
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  });

  it('refuses unknown places, bad casualty ranges and taken slugs with the field at fault', async () => {
    const before = await tableCounts(f.scratch.handle.sql);
    const place = await as('analyst', CREATE_EVENT, { input: { ...event, slug: 'x1', place: 'atlantis' } });
    expect(place.data?.createEvent).toMatchObject({ __typename: 'NotFoundError', path: ['input', 'place'] });
    const range = await as('analyst', CREATE_EVENT, { input: { ...event, slug: 'x2', killed: { min: 9, max: 3, text: 'x' } } });
    expect(range.data?.createEvent).toMatchObject({ __typename: 'ValidationError', path: ['input', 'killed', 'max'] });
    // Another event under a taken slug (the same request again would be a replay).
    const taken = await as('analyst', CREATE_EVENT, { input: { ...event, title: 'Another event' } });
    expect(taken.data?.createEvent).toMatchObject({ __typename: 'ConflictError', path: ['input', 'slug'] });
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  });

  it('updates an event with a cited claim and keeps the old values in the audit log', async () => {
    const updated = await as('analyst', `mutation($i: UpdateEventInput!) { updateEvent(input: $i) { __typename ... on MutationUpdateEventSuccess { data { title killed { min } } } ... on UserError { message } } }`, {
      i: { slug: event.slug, title: 'Checkpoint attack, Jalalabad', confidence: 80, citations: [{ source: SOURCE, quote: 'ISIS-K claimed the attack.' }] },
    });
    expect(updated.data?.updateEvent).toEqual({ __typename: 'MutationUpdateEventSuccess', data: { title: 'Checkpoint attack, Jalalabad', killed: { min: 7 } } });
    const [row] = await f.scratch.handle.sql`select details from audit_log where operation = 'updateEvent'`;
    expect(row?.details).toMatchObject({ before: { title: event.title }, after: { title: 'Checkpoint attack, Jalalabad' } });
  });
});

describe('actors and claims', () => {
  it('creates an actor with aliases, adds one, and finds it by alias', async () => {
    const created = await as('analyst', `mutation($i: CreateActorInput!) { createActor(input: $i) { __typename ... on MutationCreateActorSuccess { data { slug aliases } } ... on UserError { message path } } }`, {
      i: { slug: 'jalalabad-gunmen', name: 'Jalalabad gunmen', aliases: ['the gunmen'], kind: 'ARMED_ORGANIZATION', confidence: 60, citations: [{ source: SOURCE, quote: 'The gunmen are Salafi militants.' }] },
    });
    expect(created.data?.createActor).toEqual({ __typename: 'MutationCreateActorSuccess', data: { slug: 'jalalabad-gunmen', aliases: ['the gunmen'] } });
    const updated = await as('analyst', `mutation($i: UpdateActorInput!) { updateActor(input: $i) { ... on MutationUpdateActorSuccess { data { aliases } } ... on UserError { message } } }`, {
      i: { slug: 'isis-k', addAliases: ['Wilayat Khorasan'], confidence: 90, citations: [{ source: SOURCE, quote: 'also known as Wilayat Khorasan' }] },
    });
    expect((updated.data?.updateActor as { data: { aliases: string[] } }).data.aliases).toContain('Wilayat Khorasan');
    const found = await f.api.query(`{ actors(filter: { search: "wilayat" }) { nodes { slug } } }`);
    expect(found.data).toEqual({ actors: { nodes: [{ slug: 'isis-k' }] } });
  });

  it('adds participation, relationship and adherence claims, each cited', async () => {
    const participation = await as('analyst', `mutation($i: AddParticipationInput!) { addParticipation(input: $i) { __typename ... on MutationAddParticipationSuccess { data { role actor { slug } event { slug } recordedBy citations { quote } } } ... on UserError { message path } } }`, {
      i: { event: event.slug, actor: 'isis-k', role: 'CLAIMED_RESPONSIBILITY', confidence: 90, citations: [{ source: SOURCE, quote: 'ISIS-K claimed the attack.' }] },
    });
    expect(participation.data?.addParticipation).toEqual({
      __typename: 'MutationAddParticipationSuccess',
      data: { role: 'CLAIMED_RESPONSIBILITY', actor: { slug: 'isis-k' }, event: { slug: event.slug }, recordedBy: 'token:test-analyst', citations: [{ quote: 'ISIS-K claimed the attack.' }] },
    });
    const adherence = await as('analyst', `mutation($i: AddAdherenceInput!) { addAdherence(input: $i) { __typename ... on MutationAddAdherenceSuccess { data { doctrine { slug } } } } }`, {
      i: { actor: 'jalalabad-gunmen', doctrine: 'salafism', confidence: 70, citations: [{ source: SOURCE, quote: 'Salafi militants' }] },
    });
    expect(adherence.data?.addAdherence).toEqual({ __typename: 'MutationAddAdherenceSuccess', data: { doctrine: { slug: 'salafism' } } });
  });

  it('keeps disputed claims side by side', async () => {
    const REL = `mutation($i: AddRelationshipInput!) { addRelationship(input: $i) { __typename ... on MutationAddRelationshipSuccess { data { id type confidence } } ... on UserError { message path } } }`;
    const atWar = await as('analyst', REL, { i: { from: 'isis-k', type: 'AT_WAR_WITH', to: 'afghan-taliban', confidence: 90, citations: [{ source: SOURCE, quote: 'is at war with the Taliban' }] } });
    const blamed = await as('analyst', REL, { i: { from: 'afghan-taliban', type: 'SUSPECTED_TIES_WITH', to: 'isis-k', confidence: 20, note: 'officials blamed the Taliban', citations: [{ source: SOURCE, quote: 'Local officials blamed the Taliban itself.' }] } });
    expect(atWar.data?.addRelationship).toMatchObject({ __typename: 'MutationAddRelationshipSuccess' });
    expect(blamed.data?.addRelationship).toMatchObject({ __typename: 'MutationAddRelationshipSuccess' });
    const self = await as('analyst', REL, { i: { from: 'isis-k', type: 'RIVAL_OF', to: 'isis-k', confidence: 50, citations: [{ source: SOURCE, quote: 'ISIS-K claimed the attack.' }] } });
    expect(self.data?.addRelationship).toMatchObject({ __typename: 'ValidationError', path: ['input', 'to'] });
    const both = await f.api.query<{ actor: { relationships: { nodes: { id: string; recordedBy: string }[] } } }>(
      `{ actor(slug: "isis-k") { relationships(type: [AT_WAR_WITH, SUSPECTED_TIES_WITH]) { nodes { id recordedBy } } } }`,
    );
    const ids = (r: typeof atWar) => (r.data?.addRelationship as { data: { id: string } }).data.id;
    const ours = both.data?.actor.relationships.nodes.filter((n) => n.recordedBy === 'token:test-analyst').map((n) => n.id);
    expect(ours?.sort()).toEqual([ids(atWar), ids(blamed)].sort());
  });
});

describe('the audit log', () => {
  it('is not shown to anonymous clients or viewers', async () => {
    const anonymous = await f.api.query(`{ auditLog { totalCount } }`);
    expect(anonymous.errors?.[0]).toMatchObject({ message: 'Query.auditLog needs an API token (Authorization: Bearer ...)', extensions: { code: 'FORBIDDEN' } });
    const viewer = await as('viewer', `{ auditLog { totalCount } }`, {});
    expect(viewer.errors?.[0]?.message).toBe('Query.auditLog is not allowed for role "viewer"');
    const admin = await as<{ auditLog: { totalCount: number } }>('admin', `{ auditLog(operation: "addSource") { totalCount } }`, {});
    expect(admin.data?.auditLog.totalCount).toBe(1);
  });
});
