/** mergeActors: duplicates folded at read time, the old slug still resolving, history intact. */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableCounts, writeFixture, type WriteFixture } from './helpers.ts';

let f: WriteFixture;
const SOURCE = 'test-iskp';
const TEXT = 'The Islamic State Khorasan Province (ISKP) claimed the Moscow attack. ISKP opposes the Taliban.';
let beforeMerge = '';

const MERGE = `mutation($i: MergeActorsInput!) { mergeActors(input: $i) {
  __typename ... on MutationMergeActorsSuccess { data { slug aliases } } ... on UserError { message path }
} }`;

async function admin(query: string, variables: Record<string, unknown>) {
  return f.api.query(query, variables, { token: f.tokens.admin });
}

beforeAll(async () => {
  f = await writeFixture();
  await admin(`mutation($i: AddSourceInput!) { addSource(input: $i) { __typename } }`, { i: { slug: SOURCE, publisher: 'Test', text: TEXT } });
  const dup = await admin(`mutation($i: CreateActorInput!) { createActor(input: $i) { __typename } }`, {
    i: { slug: 'iskp', name: 'Islamic State Khorasan Province', aliases: ['ISKP'], kind: 'ARMED_ORGANIZATION', confidence: 90, citations: [{ source: SOURCE, quote: 'The Islamic State Khorasan Province (ISKP)' }] },
  });
  expect(dup.data).toEqual({ createActor: { __typename: 'MutationCreateActorSuccess' } });
  const claimed = await admin(`mutation($i: AddParticipationInput!) { addParticipation(input: $i) { __typename } }`, {
    i: { event: 'moscow-concert-hall-attack', actor: 'iskp', role: 'CLAIMED_RESPONSIBILITY', confidence: 90, citations: [{ source: SOURCE, quote: 'claimed the Moscow attack' }] },
  });
  expect(claimed.data).toEqual({ addParticipation: { __typename: 'MutationAddParticipationSuccess' } });
  const militia = await admin(`mutation($i: CreateActorInput!) { createActor(input: $i) { __typename } }`, {
    i: { slug: 'test-militia', name: 'Test militia', kind: 'ARMED_ORGANIZATION', confidence: 50, citations: [{ source: SOURCE, quote: 'ISKP opposes the Taliban.' }] },
  });
  expect(militia.data).toEqual({ createActor: { __typename: 'MutationCreateActorSuccess' } });
  const opposes = await admin(`mutation($i: AddRelationshipInput!) { addRelationship(input: $i) { __typename } }`, {
    i: { from: 'iskp', type: 'AT_ODDS_WITH', to: 'test-militia', confidence: 50, citations: [{ source: SOURCE, quote: 'ISKP opposes the Taliban.' }] },
  });
  expect(opposes.data).toEqual({ addRelationship: { __typename: 'MutationAddRelationshipSuccess' } });
  await sleep(20);
  beforeMerge = new Date().toISOString();
  await sleep(20);
});
afterAll(() => f.close());

type ActorView = { actor: { slug: string; participations: { nodes: { recordedBy: string; actor: { slug: string } }[] } } | null; actors: { totalCount: number } };
const ACTOR = `query($slug: String!, $asOf: DateTime) {
  actor(slug: $slug, asOf: $asOf) { slug participations(first: 100) { nodes { recordedBy actor { slug } } } }
  actors(asOf: $asOf) { totalCount }
}`;

describe('mergeActors', () => {
  it('refuses analysts, self-merges and unknown slugs, changing nothing', async () => {
    const before = await tableCounts(f.scratch.handle.sql);
    const analyst = await f.api.query(MERGE, { i: { keep: 'isis-k', remove: 'iskp', reason: 'same group' } }, { token: f.tokens.analyst });
    expect(analyst.data?.mergeActors).toMatchObject({ __typename: 'ForbiddenError' });
    expect((await admin(MERGE, { i: { keep: 'isis-k', remove: 'isis-k', reason: 'same group' } })).data?.mergeActors).toMatchObject({ __typename: 'ValidationError', path: ['input', 'remove'] });
    expect((await admin(MERGE, { i: { keep: 'isis-k', remove: 'nobody', reason: 'same group' } })).data?.mergeActors).toMatchObject({ __typename: 'NotFoundError', path: ['input', 'remove'] });
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  });

  it('folds the duplicate: aliases, claims and slug lead to the kept actor', async () => {
    const countBefore = (await f.api.query<ActorView>(ACTOR, { slug: 'isis-k' })).data?.actors.totalCount ?? 0;
    const merged = await admin(MERGE, { i: { keep: 'isis-k', remove: 'iskp', reason: 'ISKP is ISIS-K' } });
    expect(merged.data?.mergeActors).toMatchObject({ __typename: 'MutationMergeActorsSuccess', data: { slug: 'isis-k' } });
    expect((merged.data?.mergeActors as { data: { aliases: string[] } }).data.aliases).toEqual(expect.arrayContaining(['Islamic State Khorasan Province', 'ISKP']));

    const byOldSlug = await f.api.query<ActorView>(ACTOR, { slug: 'iskp' });
    expect(byOldSlug.data?.actor?.slug).toBe('isis-k');
    const folded = byOldSlug.data?.actor?.participations.nodes.filter((n) => n.recordedBy === 'token:test-admin') ?? [];
    expect(folded).toEqual([{ recordedBy: 'token:test-admin', actor: { slug: 'isis-k' } }]);
    expect(byOldSlug.data?.actors.totalCount).toBe(countBefore - 1);

    const events = await f.api.query<{ events: { nodes: { slug: string }[] } }>(`{ events(filter: { actor: "iskp", role: [CLAIMED_RESPONSIBILITY] }, first: 100) { nodes { slug } } }`);
    expect(events.data?.events.nodes.map((e) => e.slug)).toContain('moscow-concert-hall-attack');
  });

  it('counts the removed actor\'s events in the kept actor\'s reach', async () => {
    type Reach = { actor: { reach: { countries: { country: { slug: string }; events: number; role: string }[] } } };
    const REACH = `query($asOf: DateTime) { actor(slug: "isis-k", asOf: $asOf) { reach(roles: [CLAIMED_RESPONSIBILITY]) { countries { country { slug } role events } } } }`;
    const russia = (r: Reach | undefined) => r?.actor.reach.countries.find((c) => c.country.slug === 'russia')?.events ?? 0;
    const now = russia((await f.api.query<Reach>(REACH, {})).data);
    const then = russia((await f.api.query<Reach>(REACH, { asOf: beforeMerge })).data);
    // The Moscow attack was claimed by ISIS (seed) and, before the merge, by "iskp" only: the merge adds it.
    expect(now).toBe(then + 1);
  });

  it('draws the removed actor\'s relationships into the kept actor\'s network and paths', async () => {
    type Net = { actor: { network: { nodes: { actor: { slug: string } }[] } } };
    const NET = `query($asOf: DateTime) { actor(slug: "isis-k", asOf: $asOf) { network(depth: 1) { nodes { actor { slug } } } } }`;
    const slugs = (r: Net | undefined) => r?.actor.network.nodes.map((n) => n.actor.slug) ?? [];
    expect(slugs((await f.api.query<Net>(NET, {})).data)).toContain('test-militia');
    expect(slugs((await f.api.query<Net>(NET, { asOf: beforeMerge })).data)).not.toContain('test-militia');
    const path = await f.api.query(`{ relationshipPath(from: "iskp", to: "test-militia") { length actors { slug } } }`);
    expect(path.data).toEqual({ relationshipPath: { length: 1, actors: [{ slug: 'isis-k' }, { slug: 'test-militia' }] } });
  });

  it('groups the removed actor\'s links under the kept actor in breakdowns, and apart before the merge', async () => {
    type Groups = { breakdown: { key: string; events: number }[] };
    const Q = `query($asOf: DateTime) { breakdown(by: ACTOR, top: 50, filter: { role: [CLAIMED_RESPONSIBILITY] }, asOf: $asOf) { key events } }`;
    const keys = (r: Groups | undefined) => r?.breakdown.map((g) => g.key) ?? [];
    const now = (await f.api.query<Groups>(Q, {})).data;
    expect(keys(now)).not.toContain('iskp');
    expect(keys(now)).toContain('isis-k');
    const then = (await f.api.query<Groups>(Q, { asOf: beforeMerge })).data;
    expect(keys(then)).toContain('iskp');
  });

  it('answers reads as of a time before the merge as they were', async () => {
    const then = await f.api.query<ActorView>(ACTOR, { slug: 'iskp', asOf: beforeMerge });
    expect(then.data?.actor?.slug).toBe('iskp');
    expect(then.data?.actor?.participations.nodes).toEqual([{ recordedBy: 'token:test-admin', actor: { slug: 'iskp' } }]);
    const keptThen = await f.api.query<ActorView>(ACTOR, { slug: 'isis-k', asOf: beforeMerge });
    expect(keptThen.data?.actor?.participations.nodes.some((n) => n.recordedBy === 'token:test-admin')).toBe(false);
    const now = await f.api.query<ActorView>(ACTOR, { slug: 'isis-k' });
    expect(keptThen.data?.actors.totalCount).toBe((now.data?.actors.totalCount ?? 0) + 1);
  });

  it('filters events, their totals and their actor groups by an actor as merged at the view\'s time', async () => {
    const afterMerge = new Date().toISOString();
    type Filtered = { events: { nodes: { slug: string }[] }; eventStats: { events: number } };
    const Q = `query($actor: String!, $asOf: DateTime) {
      events(filter: { actor: $actor, role: [CLAIMED_RESPONSIBILITY] }, first: 100, asOf: $asOf) { nodes { slug } }
      eventStats(filter: { actor: $actor, role: [CLAIMED_RESPONSIBILITY] }, asOf: $asOf) { events } }`;
    const slugs = (r: Filtered | undefined) => r?.events.nodes.map((e) => e.slug) ?? [];
    const keptNow = (await f.api.query<Filtered>(Q, { actor: 'isis-k', asOf: afterMerge })).data;
    const keptThen = (await f.api.query<Filtered>(Q, { actor: 'isis-k', asOf: beforeMerge })).data;
    const removedThen = (await f.api.query<Filtered>(Q, { actor: 'iskp', asOf: beforeMerge })).data;
    // The removed actor's claim of the Moscow attack is the kept actor's once merged, not before.
    expect(slugs(keptNow)).toContain('moscow-concert-hall-attack');
    expect(slugs(keptThen)).not.toContain('moscow-concert-hall-attack');
    expect(slugs(removedThen)).toEqual(['moscow-concert-hall-attack']);
    expect(keptNow?.eventStats.events).toBe((keptThen?.eventStats.events ?? 0) + 1);
    expect(removedThen?.eventStats.events).toBe(1);
    // Grouped by actor, from the base tables (asOf): the events linked to the filtered actor,
    // counted for each actor linked to them.
    type Groups = { breakdown: { key: string; events: number }[] };
    const BY_ACTOR = `query($actor: String!, $asOf: DateTime) {
      breakdown(by: ACTOR, top: 50, filter: { actor: $actor }, asOf: $asOf) { key events }
      eventStats(filter: { actor: $actor }, asOf: $asOf) { events } }`;
    const groups = async (actor: string, asOf: string) => {
      const data = (await f.api.query<Groups & { eventStats: { events: number } }>(BY_ACTOR, { actor, asOf })).data;
      return { events: data?.eventStats.events, groups: Object.fromEntries(data?.breakdown.map((g) => [g.key, g.events]) ?? []) };
    };
    const merged = await groups('iskp', afterMerge);
    expect(merged.groups['isis-k']).toBe(merged.events);
    expect(merged.groups).not.toHaveProperty('iskp');
    // Before it, "iskp" was linked to one event: every group is one of that event's actors, once.
    const apart = await groups('iskp', beforeMerge);
    expect(apart.events).toBe(1);
    expect(apart.groups).toMatchObject({ iskp: 1 });
    expect(Object.keys(apart.groups).length).toBeGreaterThan(1);
    expect(Object.values(apart.groups).every((events) => events === 1)).toBe(true);
    // An actor no one has: nothing, not everything.
    const nobody = (await f.api.query<Filtered>(Q, { actor: 'no-such-actor', asOf: afterMerge })).data;
    expect(nobody).toEqual({ events: { nodes: [] }, eventStats: { events: 0 } });
  });

  it('keeps the kept actor’s aliases before the merge, and lists the merge among its revisions', async () => {
    const ALIASES = `query($asOf: DateTime) { actor(slug: "isis-k", asOf: $asOf) {
      aliases revisions { nodes { recordedBy changes { field from to } update { id } merge { removedSlug reason } } } } }`;
    type Aliases = { actor: { aliases: string[]; revisions: { nodes: unknown[] } } };
    const then = (await f.api.query<Aliases>(ALIASES, { asOf: beforeMerge })).data?.actor;
    expect(then).toEqual({ aliases: ['ISIS-K'], revisions: { nodes: [] } });
    const now = (await f.api.query<Aliases>(ALIASES)).data?.actor;
    expect(now?.aliases).toEqual(['ISIS-K', 'Islamic State Khorasan Province', 'ISKP']);
    expect(now?.revisions.nodes).toEqual([
      {
        recordedBy: 'token:test-admin',
        changes: [{ field: 'aliases', from: ['ISIS-K'], to: ['ISIS-K', 'Islamic State Khorasan Province', 'ISKP'] }],
        update: null,
        merge: { removedSlug: 'iskp', reason: 'ISKP is ISIS-K' },
      },
    ]);
  });

  it('refuses merging a removed actor again or into a removed actor', async () => {
    const before = await tableCounts(f.scratch.handle.sql);
    expect((await admin(MERGE, { i: { keep: 'isis', remove: 'iskp', reason: 'again' } })).data?.mergeActors).toMatchObject({ __typename: 'ConflictError', path: ['input', 'remove'] });
    expect((await admin(MERGE, { i: { keep: 'iskp', remove: 'isis', reason: 'into removed' } })).data?.mergeActors).toMatchObject({ __typename: 'ConflictError', path: ['input', 'keep'] });
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  });
});
