/** Retraction (never deletion), includeRetracted, and reads as of an earlier time. */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableCounts, writeFixture, type WriteFixture } from './helpers.ts';

let f: WriteFixture;
const SOURCE = 'test-correction';
const TEXT = 'ISIS-K carried out the Moscow attack. Correction: the earlier report that ISIS-K carried out the attack was premature.';
let participationId: string;
const times: Record<'beforeCreate' | 'afterCreate' | 'afterRetract', string> = { beforeCreate: '', afterCreate: '', afterRetract: '' };

const RETRACT = `mutation($i: RetractClaimInput!) { retractClaim(input: $i) {
  __typename
  ... on MutationRetractClaimSuccess { data { claim reason retractedBy citation { quote } } }
  ... on UserError { message path }
} }`;
const PARTICIPANTS = `query($asOf: DateTime, $all: Boolean! = false) {
  event(slug: "moscow-concert-hall-attack", asOf: $asOf, includeRetracted: $all) {
    participants { id role recordedBy retractedAt retractionReason }
  }
}`;

type Participants = { event: { participants: { id: string; retractedAt: string | null; retractionReason: string | null }[] } };
const ours = async (variables: Record<string, unknown>) =>
  ((await f.api.query<Participants>(PARTICIPANTS, variables)).data?.event.participants ?? []).filter((p) => p.id === participationId);
/** The participation in ISIS-K's own list (Actor.participations), and that list's count. */
const inActorList = async (variables: Record<string, unknown>) => {
  type Page = { actor: { participations: { totalCount: number; nodes: { id: string }[] } } };
  const page = (await f.api.query<Page>(`query($asOf: DateTime, $all: Boolean! = false) {
    actor(slug: "isis-k", asOf: $asOf, includeRetracted: $all) { participations(first: 100) { totalCount nodes { id } } } }`, variables)).data?.actor.participations;
  return { listed: (page?.nodes ?? []).filter((n) => n.id === participationId).length, total: page?.totalCount ?? -1 };
};

/** The Moscow attack among events with a PERPETRATOR link (a filter by role alone), and that list's count. */
const inPerpetratedEvents = async (variables: Record<string, unknown>) => {
  type Page = { events: { totalCount: number; nodes: { slug: string }[] } };
  const page = (await f.api.query<Page>(`query($asOf: DateTime, $all: Boolean! = false) {
    events(first: 100, filter: { role: [PERPETRATOR] }, asOf: $asOf, includeRetracted: $all) { totalCount nodes { slug } } }`, variables)).data?.events;
  return { listed: (page?.nodes ?? []).filter((n) => n.slug === 'moscow-concert-hall-attack').length, total: page?.totalCount ?? -1 };
};

beforeAll(async () => {
  f = await writeFixture();
  await f.api.query(`mutation($i: AddSourceInput!) { addSource(input: $i) { __typename } }`, { i: { slug: SOURCE, publisher: 'Test', text: TEXT } }, { token: f.tokens.analyst });
  await sleep(20);
  times.beforeCreate = new Date().toISOString();
  await sleep(20);
  const added = await f.api.query<{ addParticipation: { data: { id: string } } }>(
    `mutation($i: AddParticipationInput!) { addParticipation(input: $i) { ... on MutationAddParticipationSuccess { data { id } } } }`,
    { i: { event: 'moscow-concert-hall-attack', actor: 'isis-k', role: 'PERPETRATOR', confidence: 90, citations: [{ source: SOURCE, quote: 'ISIS-K carried out the Moscow attack.' }] } },
    { token: f.tokens.analyst },
  );
  participationId = added.data?.addParticipation.data.id ?? '';
  expect(participationId).not.toBe('');
  await sleep(20);
  times.afterCreate = new Date().toISOString();
  await sleep(20);
});
afterAll(() => f.close());

describe('retractClaim', () => {
  it('is for admins only', async () => {
    const before = await tableCounts(f.scratch.handle.sql);
    const i = { claim: participationId, reason: 'premature report', citation: { source: SOURCE, quote: 'was premature' } };
    const analyst = await f.api.query(RETRACT, { i }, { token: f.tokens.analyst });
    expect(analyst.data?.retractClaim).toMatchObject({ __typename: 'ForbiddenError', message: 'Mutation.retractClaim is not allowed for role "analyst"' });
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  });

  it('marks the claim retracted with its reason and citation, hiding it from default reads', async () => {
    expect(await ours({})).toHaveLength(1);
    const listed = await inActorList({});
    expect(listed.listed).toBe(1);
    // Its only PERPETRATOR link puts the Moscow attack among the events perpetrated by anyone.
    const perpetrated = await inPerpetratedEvents({});
    expect(perpetrated.listed).toBe(1);
    const response = await f.api.query(RETRACT, { i: { claim: participationId, reason: 'premature report', citation: { source: SOURCE, quote: 'was premature' } } }, { token: f.tokens.admin });
    expect(response.data?.retractClaim).toEqual({
      __typename: 'MutationRetractClaimSuccess',
      data: { claim: participationId, reason: 'premature report', retractedBy: 'token:test-admin', citation: { quote: 'was premature' } },
    });
    await sleep(20);
    times.afterRetract = new Date().toISOString();
    expect(await ours({})).toEqual([]);
    expect(await ours({ all: true })).toEqual([expect.objectContaining({ retractionReason: 'premature report', retractedAt: expect.any(String) })]);
    // The actor's own list leaves it out too, and counts one fewer.
    expect(await inActorList({})).toEqual({ listed: 0, total: listed.total - 1 });
    expect(await inActorList({ all: true })).toEqual(listed);
    // A filter by role alone no longer finds the event through it.
    expect(await inPerpetratedEvents({})).toEqual({ listed: 0, total: perpetrated.total - 1 });
    expect(await inPerpetratedEvents({ all: true })).toEqual(perpetrated);
    // Still stored: the participation row and its claim are there.
    const [row] = await f.scratch.handle.sql`select count(*)::int as n from claims where retracted_at is not null`;
    expect(row?.n).toBe(1);
  });

  it('refuses a second retraction and a non-claim id, changing nothing', async () => {
    const before = await tableCounts(f.scratch.handle.sql);
    const again = await f.api.query(RETRACT, { i: { claim: participationId, reason: 'again', citation: { source: SOURCE, quote: 'was premature' } } }, { token: f.tokens.admin });
    expect(again.data?.retractClaim).toMatchObject({ __typename: 'ConflictError', path: ['input', 'claim'] });
    const place = Buffer.from('Place:1').toString('base64');
    const notClaim = await f.api.query(RETRACT, { i: { claim: place, reason: 'nope', citation: { source: SOURCE, quote: 'was premature' } } }, { token: f.tokens.admin });
    expect(notClaim.data?.retractClaim).toMatchObject({ __typename: 'ValidationError', message: 'a Place is not a claim and cannot be retracted' });
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  });

  it('cannot be undone by writing to the table directly', async () => {
    await expect(f.scratch.handle.sql`update claims set retracted_at = null, retraction_reason = null where retracted_at is not null`).rejects.toThrow(/already retracted/);
    await expect(f.scratch.handle.sql`delete from claims where retracted_at is not null`).rejects.toThrow(/cannot be deleted/);
  });
});

describe('asOf', () => {
  it('answers as the knowledge base stood: later claims left out, later retractions not yet made', async () => {
    expect(await ours({ asOf: times.beforeCreate })).toEqual([]);
    expect(await ours({ asOf: times.afterCreate })).toEqual([expect.objectContaining({ retractedAt: null, retractionReason: null })]);
    expect(await ours({ asOf: times.afterRetract })).toEqual([]);
    expect(await ours({ asOf: times.afterRetract, all: true })).toHaveLength(1);
    expect(await inPerpetratedEvents({ asOf: times.afterCreate })).toMatchObject({ listed: 1 });
    expect(await inPerpetratedEvents({ asOf: times.afterRetract })).toMatchObject({ listed: 0 });
  });

  it('finds a source as it stood: not before it was stored, and in one view with the rest of the operation', async () => {
    const source = async (asOf: string) =>
      (await f.api.query<{ source: { slug: string } | null }>(`query($a: DateTime) { source(slug: "${SOURCE}", asOf: $a) { slug } }`, { a: asOf })).data?.source;
    expect(await source('2000-01-01T00:00:00Z')).toBeNull();
    expect(await source(times.beforeCreate)).toEqual({ slug: SOURCE });
    // One operation reads as of one time: a source read live beside an event read asOf is refused.
    const mixed = await f.api.query(`query($a: DateTime) { source(slug: "${SOURCE}") { slug } event(slug: "moscow-concert-hall-attack", asOf: $a) { slug } }`, { a: times.beforeCreate });
    expect(mixed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'asOf' });
  });

  it('leaves out events recorded later', async () => {
    const created = await f.api.query(
      `mutation($i: CreateEventInput!) { createEvent(input: $i) { __typename } }`,
      { i: { slug: 'later-event', title: 'Later', kind: 'ATTACK', date: { precision: 'YEAR', earliest: '2030-01-01', latest: '2030-12-31' }, confidence: 50, citations: [{ source: SOURCE, quote: 'Correction' }] } },
      { token: f.tokens.analyst },
    );
    expect(created.data).toEqual({ createEvent: { __typename: 'MutationCreateEventSuccess' } });
    const q = `query($asOf: DateTime) { events(filter: { from: "2030-01-01" }, asOf: $asOf) { totalCount nodes { slug } } }`;
    expect((await f.api.query(q, {})).data).toEqual({ events: { totalCount: 1, nodes: [{ slug: 'later-event' }] } });
    expect((await f.api.query(q, { asOf: times.afterRetract })).data).toEqual({ events: { totalCount: 0, nodes: [] } });
    // Dashboards too: the aggregates answer as of the same time as the list they drill into.
    const stats = `query($asOf: DateTime) { eventStats(filter: { from: "2030-01-01" }, asOf: $asOf) { events }
      timeline(filter: { from: "2030-01-01" }, asOf: $asOf) { buckets { events } } }`;
    expect((await f.api.query(stats, {})).data).toEqual({ eventStats: { events: 1 }, timeline: { buckets: [{ events: 1 }] } });
    expect((await f.api.query(stats, { asOf: times.afterRetract })).data).toEqual({ eventStats: { events: 0 }, timeline: { buckets: [] } });
  });

  it('hides a doctrine defined later, and one whose defining claim is retracted', async () => {
    const q = `query($asOf: DateTime, $all: Boolean! = false) { doctrines(first: 100, asOf: $asOf, includeRetracted: $all) { totalCount } }`;
    const count = async (v: Record<string, unknown>) => ((await f.api.query<{ doctrines: { totalCount: number } }>(q, v)).data?.doctrines.totalCount ?? -1);
    const before = await count({});
    expect(await count({ asOf: '2000-01-01T00:00:00Z' })).toBe(0);
    const doctrine = await f.api.query<{ doctrine: { id: string } }>(`{ doctrine(slug: "salafism") { id } }`);
    const retracted = await f.api.query(RETRACT, { i: { claim: doctrine.data?.doctrine.id, reason: 'test of a retracted definition', citation: { source: SOURCE, quote: 'Correction' } } }, { token: f.tokens.admin });
    expect(retracted.data?.retractClaim).toMatchObject({ __typename: 'MutationRetractClaimSuccess' });
    expect(await count({})).toBe(before - 1);
    expect(await count({ all: true })).toBe(before);
    expect((await f.api.query(`{ doctrine(slug: "salafism") { id } }`)).data).toEqual({ doctrine: null });
  });

  it('refuses two different views in one operation', async () => {
    const response = await f.api.query(`query($t: DateTime) { a: events(asOf: $t) { totalCount } b: events { totalCount } }`, { t: times.afterCreate });
    expect(response.errors?.[0]?.message).toMatch(/one operation reads as of one time/);
    const reversed = await f.api.query(`query($t: DateTime) { a: events { totalCount } b: events(asOf: $t) { totalCount } }`, { t: times.afterCreate });
    expect(reversed.errors?.[0]?.message).toMatch(/one operation reads as of one time/);
    const same = await f.api.query(`query($t: DateTime) { a: events(asOf: $t) { totalCount } b: actors(asOf: $t) { totalCount } }`, { t: times.afterCreate });
    expect(same.errors).toBeUndefined();
  });

  it('costs the same SQL statements per level with asOf as without', async () => {
    const deep = `query($asOf: DateTime) { events(first: 20, asOf: $asOf) { nodes {
      place { name country { name } }
      revisions { nodes { changes { field } update { citations { quote } } } }
      participants { citations { quote } actor { homeCountry { name } revisions { totalCount } doctrines { doctrine { name } } relationships { nodes { type } } } } } } }`;
    // Once to warm the pool (a new connection looks up array types), then counted.
    await f.api.query(deep, {});
    await f.api.query(deep, { asOf: times.afterCreate });
    f.api.resetStatements();
    await f.api.query(deep, {});
    const live = f.api.statements.length;
    f.api.resetStatements();
    await f.api.query(deep, { asOf: times.afterCreate });
    const asOf = f.api.statements.length;
    // events, places, countries, event revisions, participants, their citations, actors, home
    // countries, actor revisions, adherences, doctrines, relationships: one statement each at most,
    // live or asOf (places of two levels may share a batch, so the two counts can differ by one).
    expect(live).toBeLessThanOrEqual(12);
    expect(asOf).toBeLessThanOrEqual(12);
  });
});

describe('an event whose report is retracted', () => {
  const PARTICIPATIONS = `query($asOf: DateTime, $all: Boolean! = false) {
    actor(slug: "isis-k", asOf: $asOf, includeRetracted: $all) {
      participations(first: 100) { totalCount nodes { event { slug } } }
    }
    events(filter: { from: "2031-01-01", to: "2031-12-31" }, asOf: $asOf, includeRetracted: $all) { totalCount }
  }`;
  type Page = { actor: { participations: { totalCount: number; nodes: { event: { slug: string } }[] }; }; events: { totalCount: number } };
  const page = async (variables: Record<string, unknown>) => {
    const response = await f.api.query<Page>(PARTICIPATIONS, variables);
    expect(response.errors).toBeUndefined();
    const participations = response.data?.actor.participations;
    const slugs = (participations?.nodes ?? []).map((n) => n.event.slug);
    return { total: participations?.totalCount ?? -1, listed: slugs.filter((s) => s === 'reported-then-retracted').length, all: slugs.length, inEvents: response.data?.events.totalCount ?? -1 };
  };

  it('leaves its participations out of the actor’s list, as the event lists leave it out', async () => {
    const created = await f.api.query<{ createEvent: { __typename: string; data?: { id: string } } }>(
      `mutation($i: CreateEventInput!) { createEvent(input: $i) { __typename ... on MutationCreateEventSuccess { data { id } } } }`,
      { i: { slug: 'reported-then-retracted', title: 'Reported, then retracted', kind: 'ATTACK', date: { precision: 'YEAR', earliest: '2031-01-01', latest: '2031-12-31' }, confidence: 50,
        citations: [{ source: SOURCE, quote: 'ISIS-K carried out the Moscow attack.' }], participants: [{ actor: 'isis-k', role: 'PERPETRATOR' }] } },
      { token: f.tokens.analyst },
    );
    expect(created.data?.createEvent.__typename).toBe('MutationCreateEventSuccess');
    const reported = await page({});
    expect(reported).toMatchObject({ listed: 1, total: reported.all, inEvents: 1 });
    const reportedWithRetracted = await page({ all: true });
    await sleep(20);
    const beforeRetraction = new Date().toISOString();
    await sleep(20);
    const retracted = await f.api.query(RETRACT, { i: { claim: created.data?.createEvent.data?.id, reason: 'the report was premature', citation: { source: SOURCE, quote: 'was premature' } } }, { token: f.tokens.admin });
    expect(retracted.data?.retractClaim).toMatchObject({ __typename: 'MutationRetractClaimSuccess' });

    // Live: the event is gone from the actor's list and its count, as from the event list.
    expect(await page({})).toEqual({ total: reported.total - 1, listed: 0, all: reported.all - 1, inEvents: 0 });
    // With retracted claims, and as of before the retraction, it is listed again.
    expect(await page({ all: true })).toEqual(reportedWithRetracted);
    expect(reportedWithRetracted).toMatchObject({ listed: 1, inEvents: 1 });
    expect(await page({ asOf: beforeRetraction })).toMatchObject({ total: reported.total, listed: 1, inEvents: 1 });
    // As of now it stays out.
    expect(await page({ asOf: new Date().toISOString() })).toMatchObject({ total: reported.total - 1, listed: 0, inEvents: 0 });
  });
});
