/**
 * Revisions: an update through the API keeps what the record said before, reads `asOf` an earlier
 * time answer with those values (entities and dashboards alike), `revisions` lists each change
 * with its cited claim, and the database refuses a change that bypasses all of this.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableCounts, writeFixture, type WriteFixture } from './helpers.ts';

let f: WriteFixture;
const SOURCE = 'test-revisions-wire';
const TEXT =
  'The group now calls itself the Islamic State Khorasan Province and operates from Pakistan. ' +
  'The Kerman bombings happened on 10 February, in Kabul, and killed 84 people. ' +
  'Kabul is now officially written Kabul City.';
const times = { beforeUpdates: '', afterActorUpdate: '', afterEventUpdate: '', afterPlaceUpdate: '' };

async function mark(): Promise<string> {
  await sleep(20);
  const at = new Date().toISOString();
  await sleep(20);
  return at;
}

const ACTOR = `query($asOf: DateTime) {
  actor(slug: "isis-k", asOf: $asOf) { name aliases kind description homeCountry { slug } reach { homeRegion } }
}`;
const SEARCH = `query($asOf: DateTime, $q: String!) { actors(filter: { search: $q }, asOf: $asOf) { nodes { slug } } }`;
const EVENT = `query($asOf: DateTime) {
  event(slug: "kerman-memorial-bombings", asOf: $asOf) {
    title date { text earliest latest precision } place { slug name country { slug } } killed { min max text }
  }
}`;
// The dashboard an analyst looked at before the updates, to be reproduced exactly afterwards.
const DASHBOARD = `query($asOf: DateTime) {
  iran: eventStats(filter: { country: "iran" }, asOf: $asOf) { events killed { min max reported } firstDate lastDate }
  bombings: eventStats(filter: { kind: [SUICIDE_BOMBING] }, asOf: $asOf) { events killed { min max reported } }
  months: timeline(filter: { kind: [SUICIDE_BOMBING] }, interval: MONTH, asOf: $asOf) { buckets { start events killed { min } } unplaced { events } }
  countries: breakdown(by: COUNTRY, filter: { kind: [SUICIDE_BOMBING] }, asOf: $asOf) { key label events killed { min max } }
  years: breakdown(by: YEAR, filter: { from: "2024-01-01" }, asOf: $asOf) { key events }
  actors: breakdown(by: ACTOR, filter: { country: "iran" }, asOf: $asOf) { key label events }
}`;
const PLACE = `query($asOf: DateTime) { place(slug: "kabul", asOf: $asOf) { name countryCode } }`;

let dashboardBefore: unknown;
let actorBefore: unknown;
let eventBefore: unknown;
let placeBefore: unknown;

beforeAll(async () => {
  f = await writeFixture();
  const added = await f.api.query(`mutation($i: AddSourceInput!) { addSource(input: $i) { __typename } }`, { i: { slug: SOURCE, publisher: 'Test', text: TEXT } }, { token: f.tokens.analyst });
  expect(added.data).toEqual({ addSource: { __typename: 'MutationAddSourceSuccess' } });
  actorBefore = (await f.api.query(ACTOR)).data;
  eventBefore = (await f.api.query(EVENT)).data;
  placeBefore = (await f.api.query(PLACE)).data;
  dashboardBefore = (await f.api.query(DASHBOARD)).data;
  times.beforeUpdates = await mark();

  const actor = await f.api.query(
    `mutation($i: UpdateActorInput!) { updateActor(input: $i) { __typename ... on UserError { message } } }`,
    {
      i: {
        slug: 'isis-k',
        name: 'Islamic State Khorasan Province',
        addAliases: ['ISKP'],
        description: 'Operates from Pakistan.',
        homeCountry: 'pakistan',
        confidence: 80,
        citations: [{ source: SOURCE, quote: 'now calls itself the Islamic State Khorasan Province and operates from Pakistan' }],
      },
    },
    { token: f.tokens.analyst },
  );
  expect(actor.data).toEqual({ updateActor: { __typename: 'MutationUpdateActorSuccess' } });
  times.afterActorUpdate = await mark();

  const event = await f.api.query(
    `mutation($i: UpdateEventInput!) { updateEvent(input: $i) { __typename ... on UserError { message } } }`,
    {
      i: {
        slug: 'kerman-memorial-bombings',
        title: 'Kabul bombings',
        date: { text: '10 February', earliest: '2024-02-10', latest: '2024-02-10', precision: 'DAY' },
        place: 'kabul',
        killed: { min: 84, max: 84, text: '84 people' },
        confidence: 70,
        citations: [{ source: SOURCE, quote: 'happened on 10 February, in Kabul, and killed 84 people' }],
      },
    },
    { token: f.tokens.analyst },
  );
  expect(event.data).toEqual({ updateEvent: { __typename: 'MutationUpdateEventSuccess' } });
  times.afterEventUpdate = await mark();

  const place = await f.api.query(
    `mutation($i: UpdatePlaceInput!) { updatePlace(input: $i) { __typename ... on UserError { message } } }`,
    { i: { slug: 'kabul', name: 'Kabul City' } },
    { token: f.tokens.analyst },
  );
  expect(place.data).toEqual({ updatePlace: { __typename: 'MutationUpdatePlaceSuccess' } });
  times.afterPlaceUpdate = await mark();
});
afterAll(() => f.close());

describe('reads asOf a time before an update', () => {
  it('show an actor as it was, and as updated from the update on', async () => {
    expect((await f.api.query(ACTOR, { asOf: times.beforeUpdates })).data).toEqual(actorBefore);
    const updated = {
      actor: {
        name: 'Islamic State Khorasan Province',
        aliases: ['ISIS-K', 'ISKP'],
        kind: 'ARMED_ORGANIZATION',
        description: 'Operates from Pakistan.',
        homeCountry: { slug: 'pakistan' },
        reach: { homeRegion: 'Southern Asia' },
      },
    };
    expect((await f.api.query(ACTOR, { asOf: times.afterActorUpdate })).data).toEqual(updated);
    expect((await f.api.query(ACTOR)).data).toEqual(updated);
    expect(actorBefore).toMatchObject({ actor: { name: 'Islamic State-Khorasan', aliases: ['ISIS-K'], homeCountry: { slug: 'afghanistan' } } });
  });

  it('filter actors on the names they had then', async () => {
    const found = async (q: string, asOf?: string) =>
      ((await f.api.query<{ actors: { nodes: { slug: string }[] } }>(SEARCH, { q, asOf })).data?.actors.nodes ?? []).map((n) => n.slug);
    expect(await found('ISKP', times.beforeUpdates)).toEqual([]);
    expect(await found('ISKP')).toEqual(['isis-k']);
    expect(await found('Islamic State-Khorasan', times.beforeUpdates)).toEqual(['isis-k']);
    expect(await found('Islamic State-Khorasan')).toEqual([]);
  });

  it('show an event with its date, place and toll as they were', async () => {
    expect((await f.api.query(EVENT, { asOf: times.beforeUpdates })).data).toEqual(eventBefore);
    expect(eventBefore).toMatchObject({ event: { title: 'Kerman memorial suicide bombings', place: { slug: 'kerman' }, killed: null } });
    const updated = (await f.api.query(EVENT)).data;
    expect(updated).toEqual({
      event: {
        title: 'Kabul bombings',
        date: { text: '10 February', earliest: '2024-02-10', latest: '2024-02-10', precision: 'DAY' },
        place: { slug: 'kabul', name: 'Kabul City', country: { slug: 'afghanistan' } },
        killed: { min: 84, max: 84, text: '84 people' },
      },
    });
    // Between the event's update and the place's rename: the new event, the old place name.
    expect((await f.api.query(EVENT, { asOf: times.afterEventUpdate })).data).toMatchObject({ event: { title: 'Kabul bombings', place: { name: 'Kabul' } } });
  });

  it('reproduce an earlier dashboard exactly, and count the event where it is now in live reads', async () => {
    expect((await f.api.query(DASHBOARD, { asOf: times.beforeUpdates })).data).toEqual(dashboardBefore);
    const before = dashboardBefore as {
      iran: { events: number };
      months: { buckets: { start: string; events: number }[] };
      countries: { key: string; events: number; killed: { min: number } }[];
    };
    type Dashboard = typeof before & { bombings: { killed: { min: number; reported: number } } };
    const live = (await f.api.query<Dashboard>(DASHBOARD)).data;
    const then = (await f.api.query<Dashboard>(DASHBOARD, { asOf: times.beforeUpdates })).data;
    // Kerman (Iran, January 2024) became Kabul (Afghanistan, 10 February 2024) with 84 killed.
    expect(live?.iran.events).toBe(before.iran.events - 1);
    const bucket = (d: typeof before | undefined, start: string) => d?.months.buckets.find((b) => b.start === start)?.events ?? 0;
    expect(bucket(then, '2024-01-01')).toBe(bucket(live, '2024-01-01') + 1);
    expect(bucket(live, '2024-02-01')).toBe(bucket(then, '2024-02-01') + 1);
    const country = (d: typeof before | undefined, key: string) => d?.countries.find((c) => c.key === key);
    expect(country(then, 'iran')?.events).toBe(1);
    expect(country(live, 'iran')).toBeUndefined();
    expect(country(live, 'afghanistan')?.events).toBe((country(then, 'afghanistan')?.events ?? 0) + 1);
    expect(live?.bombings.killed.min).toBe((then?.bombings.killed.min ?? 0) + 84);
    expect(live?.bombings.killed.reported).toBe((then?.bombings.killed.reported ?? 0) + 1);
  });

  it('show a place by the name it had then', async () => {
    expect((await f.api.query(PLACE, { asOf: times.afterEventUpdate })).data).toEqual(placeBefore);
    expect((await f.api.query(PLACE)).data).toEqual({ place: { name: 'Kabul City', countryCode: 'AF' } });
    const listed = await f.api.query<{ places: { nodes: { name: string }[] } }>(
      `query($asOf: DateTime) { places(kind: [CITY], first: 100, asOf: $asOf) { nodes { name } } }`,
      { asOf: times.beforeUpdates },
    );
    expect(listed.data?.places.nodes.map((n) => n.name)).toContain('Kabul');
  });
});

// Before the retraction below, so that live and asOf reads hold data at the same levels.
describe('statements', () => {
  it('cost one per level with asOf as without, revisions and their quotes included', async () => {
    const deep = `query($asOf: DateTime) { events(first: 50, asOf: $asOf) { nodes {
      title place { name country { name } }
      revisions(first: 5) { totalCount nodes { changes { field } update { citations { quote } } } }
      participants { actor { name homeCountry { name } revisions(first: 5) { nodes { update { citations { quote } } } } } } } } }`;
    // Once each to warm the pool (a new connection looks up array types), then counted.
    await f.api.query(deep, {});
    await f.api.query(deep, { asOf: times.afterPlaceUpdate });
    f.api.resetStatements();
    const live = await f.api.query<{ events: { nodes: { title: string; revisions: { totalCount: number } }[] } }>(deep, {});
    const liveCount = f.api.statements.length;
    f.api.resetStatements();
    // As of just after the updates (the actor's update not yet retracted): the same levels hold data.
    const then = await f.api.query<typeof live.data>(deep, { asOf: times.afterPlaceUpdate });
    expect(live.errors).toBeUndefined();
    expect(then.errors).toBeUndefined();
    const asOfCount = f.api.statements.length;
    // The levels are really there: an event with a revision and its quote.
    for (const answer of [live, then]) {
      expect(answer.data?.events.nodes.some((e) => e.title === 'Kabul bombings' && e.revisions.totalCount === 1)).toBe(true);
    }
    // events, places, countries, event revisions, their citations, participants, actors, home
    // countries, actor revisions, their citations: one statement each at most, asOf or not. Not
    // always exactly as many: events' countries and actors' home countries are both places, and
    // whether they share a batch depends on which level's answer comes back first (a loaded
    // machine once made it 9 against 10).
    expect(liveCount).toBeLessThanOrEqual(10);
    expect(asOfCount).toBeLessThanOrEqual(10);
  });
});

const ACTOR_REVISIONS = `query($asOf: DateTime, $all: Boolean! = false) {
  actor(slug: "isis-k", asOf: $asOf, includeRetracted: $all) {
    revisions { totalCount nodes {
      recordedAt recordedBy changes { field from to }
      update { id confidence recordedBy retractedAt retractionReason citations { quote source { slug } } }
      merge { removedSlug }
    } }
  }
}`;
type ActorRevisions = {
  actor: {
    revisions: {
      totalCount: number;
      nodes: { recordedAt: string; update: { id: string; retractedAt: string | null } | null; changes: { field: string }[] }[];
    };
  };
};

describe('revisions', () => {
  it('list an actor’s update with when, who, what changed and its quote', async () => {
    const response = await f.api.query<ActorRevisions>(ACTOR_REVISIONS);
    expect(response.errors).toBeUndefined();
    const revisions = response.data?.actor.revisions;
    expect(revisions?.totalCount).toBe(1);
    const [revision] = revisions?.nodes ?? [];
    expect(revision).toMatchObject({
      recordedBy: 'token:test-analyst',
      changes: [
        { field: 'name', from: 'Islamic State-Khorasan', to: 'Islamic State Khorasan Province' },
        { field: 'aliases', from: ['ISIS-K'], to: ['ISIS-K', 'ISKP'] },
        { field: 'description', from: expect.stringMatching(/^Afghanistan-based affiliate/), to: 'Operates from Pakistan.' },
        { field: 'homeCountry', from: 'afghanistan', to: 'pakistan' },
      ],
      update: {
        confidence: 80,
        recordedBy: 'token:test-analyst',
        retractedAt: null,
        citations: [{ quote: 'now calls itself the Islamic State Khorasan Province and operates from Pakistan', source: { slug: SOURCE } }],
      },
      merge: null,
    });
    const at = new Date(revision?.recordedAt ?? 0).getTime();
    expect(at).toBeGreaterThan(new Date(times.beforeUpdates).getTime());
    expect(at).toBeLessThan(new Date(times.afterActorUpdate).getTime());
  });

  it('list an event’s and a place’s changes, values shaped as their fields', async () => {
    const response = await f.api.query(`{
      event(slug: "kerman-memorial-bombings") { revisions { nodes { changes { field from to } update { citations { quote } } } } }
      place(slug: "kabul") { revisions { totalCount nodes { recordedBy changes { field from to } } } }
    }`);
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({
      event: {
        revisions: {
          nodes: [
            {
              changes: [
                { field: 'title', from: 'Kerman memorial suicide bombings', to: 'Kabul bombings' },
                {
                  field: 'date',
                  from: { text: 'in January', earliest: '2024-01-01', latest: '2024-01-31', precision: 'MONTH' },
                  to: { text: '10 February', earliest: '2024-02-10', latest: '2024-02-10', precision: 'DAY' },
                },
                { field: 'place', from: 'kerman', to: 'kabul' },
                { field: 'killed', from: null, to: { min: 84, max: 84, text: '84 people', best: 84, parts: [] } },
              ],
              update: { citations: [{ quote: 'happened on 10 February, in Kabul, and killed 84 people' }] },
            },
          ],
        },
      },
      place: { revisions: { totalCount: 1, nodes: [{ recordedBy: 'token:test-analyst', changes: [{ field: 'name', from: 'Kabul', to: 'Kabul City' }] }] } },
    });
  });

  it('leave out changes recorded after asOf', async () => {
    const then = await f.api.query<ActorRevisions>(ACTOR_REVISIONS, { asOf: times.beforeUpdates });
    expect(then.data?.actor.revisions).toEqual({ totalCount: 0, nodes: [] });
    const after = await f.api.query<ActorRevisions>(ACTOR_REVISIONS, { asOf: times.afterActorUpdate });
    expect(after.data?.actor.revisions.totalCount).toBe(1);
  });

  it('hide a retracted update unless includeRetracted, without undoing the values it set', async () => {
    const live = await f.api.query<ActorRevisions>(ACTOR_REVISIONS);
    const updateId = live.data?.actor.revisions.nodes[0]?.update?.id;
    expect(updateId).toBeDefined();
    const node = await f.api.query(`query($id: ID!) { node(id: $id) { __typename ... on UpdateClaim { actor { slug } event { slug } } } }`, { id: updateId });
    expect(node.data).toEqual({ node: { __typename: 'UpdateClaim', actor: { slug: 'isis-k' }, event: null } });
    const retracted = await f.api.query(
      `mutation($i: RetractClaimInput!) { retractClaim(input: $i) { __typename ... on UserError { message } } }`,
      { i: { claim: updateId, reason: 'the rename was misread', citation: { source: SOURCE, quote: 'Kabul is now officially written Kabul City.' } } },
      { token: f.tokens.admin },
    );
    expect(retracted.data).toEqual({ retractClaim: { __typename: 'MutationRetractClaimSuccess' } });
    const afterRetraction = await mark();
    expect((await f.api.query<ActorRevisions>(ACTOR_REVISIONS)).data?.actor.revisions).toEqual({ totalCount: 0, nodes: [] });
    const all = await f.api.query<ActorRevisions>(ACTOR_REVISIONS, { all: true });
    expect(all.data?.actor.revisions.nodes).toEqual([
      expect.objectContaining({ update: expect.objectContaining({ id: updateId, retractedAt: expect.any(String), retractionReason: 'the rename was misread' }) }),
    ]);
    // Before the retraction the update stands, and shows no retraction.
    const before = await f.api.query<ActorRevisions>(ACTOR_REVISIONS, { asOf: times.afterActorUpdate });
    expect(before.data?.actor.revisions.nodes[0]?.update?.retractedAt).toBeNull();
    // Retracting marks the claim; it does not silently revert the profile.
    expect((await f.api.query(ACTOR, { asOf: afterRetraction })).data).toMatchObject({ actor: { name: 'Islamic State Khorasan Province' } });
    expect((await f.api.query(ACTOR)).data).toMatchObject({ actor: { name: 'Islamic State Khorasan Province' } });
  });
});

describe('updates', () => {
  it('refuse values that change nothing, writing nothing', async () => {
    const before = await tableCounts(f.scratch.handle.sql);
    const same = await f.api.query(
      `mutation($i: UpdateEventInput!) { updateEvent(input: $i) { __typename ... on UserError { message path } } }`,
      { i: { slug: 'kerman-memorial-bombings', title: 'Kabul bombings', confidence: 70, citations: [{ source: SOURCE, quote: 'killed 84 people' }] } },
      { token: f.tokens.analyst },
    );
    expect(same.data).toEqual({
      updateEvent: { __typename: 'ValidationError', message: 'nothing to change: every value given is the current one', path: ['input'] },
    });
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  });

  it('refuse casualties given as they are stored, parts and all, as changing nothing', async () => {
    // The parts are stored as jsonb, which reads back with its keys in another order than given.
    const stored = await f.api.query<{ event: { killed: Record<string, unknown> } }>(
      `{ event(slug: "kabul-airport-suicide-attack") { killed { min best max text parts { category low best high text } } } }`,
    );
    expect(stored.errors).toBeUndefined();
    const killed = stored.data!.event.killed;
    expect((killed.parts as unknown[]).length).toBe(2);
    const before = await tableCounts(f.scratch.handle.sql);
    const same = await f.api.query(
      `mutation($i: UpdateEventInput!) { updateEvent(input: $i) { __typename ... on UserError { message path } } }`,
      { i: { slug: 'kabul-airport-suicide-attack', killed, confidence: 70, citations: [{ source: SOURCE, quote: 'killed 84 people' }] } },
      { token: f.tokens.analyst },
    );
    expect(same.errors).toBeUndefined();
    expect(same.data).toEqual({
      updateEvent: { __typename: 'ValidationError', message: 'nothing to change: every value given is the current one', path: ['input'] },
    });
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  });
});

describe('the database', () => {
  it('refuses changing an actor or event without a cited claim, and editing history', async () => {
    const sql = f.scratch.handle.sql;
    await expect(sql`update actors set name = 'Renamed' where slug = 'isis-k'`).rejects.toThrow(/cannot be changed without a cited claim/);
    await expect(sql`update events set killed_min = 1 where slug = 'september-11-attacks'`).rejects.toThrow(/cannot be changed without a cited claim/);
    // An old claim cannot be passed off as the update's.
    await expect(
      sql`update actors set name = 'Renamed', revision_claim_id = (select claim_id from actors where slug = 'isis') where slug = 'isis-k'`,
    ).rejects.toThrow(/ACTOR_PROFILE claim recorded in the same transaction/);
    await expect(sql`delete from actor_revisions`).rejects.toThrow(/append-only/);
    await expect(sql`update event_revisions set title = 'x'`).rejects.toThrow(/append-only/);
  });

  it('keeps a place changed outside the API as a revision, naming the database user', async () => {
    const sql = f.scratch.handle.sql;
    await sql`update places set region = 'Test Region' where slug = 'tajikistan'`;
    const [row] = await sql<{ region: string | null; superseded_by: string }[]>`
      select r.region, r.superseded_by from place_revisions r join places p on p.id = r.place_id where p.slug = 'tajikistan'`;
    expect(row?.superseded_by).toMatch(/^database:/);
    expect(row?.region).toBe('Central Asia');
  });
});
