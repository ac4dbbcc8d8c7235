/**
 * A retracted actor or doctrine is left out of what reaches it through other claims (relationships,
 * networks, paths, adherences, participants, a doctrine's branches), as `actors` and `doctrines`
 * leave it out; `includeRetracted` and reads as of before the retraction still show it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/observability/logger.ts';
import { startServer, type RunningServer } from '../src/server.ts';
import { writeFixture, type WriteFixture } from './helpers.ts';
import { testConfig } from './server-helpers.ts';

let f: WriteFixture;
const SOURCE = 'test-retracted-records';
const TEXT = 'ISIS-K attacked the Tajiks. Correction: the records of the Tajiks and of the Deobandi sub-sect were made in error.';
const RETRACT = `mutation($i: RetractClaimInput!) { retractClaim(input: $i) { __typename ... on UserError { message path } } }`;

let server: RunningServer;
/** Set by the first test: a moment after the Tajiks' event was recorded and before their retraction. */
let beforeRetraction = '';

beforeAll(async () => {
  f = await writeFixture();
  server = await startServer({ config: testConfig(), database: f.api.database, databaseUrl: f.scratch.url, logger: createLogger('silent') });
  await f.api.query(`mutation($i: AddSourceInput!) { addSource(input: $i) { __typename } }`, { i: { slug: SOURCE, publisher: 'Test', text: TEXT } }, { token: f.tokens.analyst });
});
afterAll(async () => {
  await server.shutdown();
  await f.close();
});

describe('a retracted actor or doctrine', () => {
  const EVENT = 'tajiks-targeted-test';
  const Q = `query($asOf: DateTime, $all: Boolean! = false) {
    taliban: actor(slug: "afghan-taliban", asOf: $asOf, includeRetracted: $all) {
      relationships(first: 100) { totalCount nodes { from { slug } to { slug } } }
      doctrines { doctrine { slug } }
      network(depth: 1) { nodes { actor { slug } } edges { from { slug } to { slug } } }
    }
    salafism: doctrine(slug: "salafism", asOf: $asOf, includeRetracted: $all) { adherents(first: 100) { totalCount nodes { actor { slug } } } }
    sunni: doctrine(slug: "sunni-islam", asOf: $asOf, includeRetracted: $all) { children { slug } }
    event(slug: "${EVENT}", asOf: $asOf, includeRetracted: $all) { participants { actor { slug } } dyad { sideB { actor { slug } } } }
    actors: breakdown(by: ACTOR, top: 100, asOf: $asOf, includeRetracted: $all) { key events }
    byDoctrine: breakdown(by: DOCTRINE, top: 100, asOf: $asOf, includeRetracted: $all) { key events }
    opponents: breakdown(by: OPPONENT, filter: { actor: "isis-k" }, top: 100, asOf: $asOf, includeRetracted: $all) { key events }
    path: relationshipPath(from: "isis-k", to: "sanaullah-ghafari", maxDepth: 2, types: [RECRUITS_FROM, MEMBER_OF], asOf: $asOf, includeRetracted: $all) { length actors { slug } }
  }`;
  type Slug = { slug: string };
  type Answer = {
    taliban: { relationships: { totalCount: number; nodes: { from: Slug; to: Slug }[] }; doctrines: { doctrine: Slug }[]; network: { nodes: { actor: Slug }[]; edges: { from: Slug; to: Slug }[] } };
    salafism: { adherents: { totalCount: number; nodes: { actor: Slug }[] } };
    sunni: { children: Slug[] };
    event: { participants: { actor: Slug }[]; dyad: { sideB: { actor: Slug }[] } | null };
    path: { length: number; actors: Slug[] } | null;
    actors: Group[];
    byDoctrine: Group[];
    opponents: Group[];
  };
  type Group = { key: string; events: number };
  /** Where the Tajiks and the Deobandi doctrine appear in the answer. */
  const where = async (variables: Record<string, unknown>) => {
    const response = await f.api.query<Answer>(Q, variables);
    expect(response.errors).toBeUndefined();
    const a = response.data as Answer;
    const tajiks = (s: Slug) => s.slug === 'tajiks';
    return {
      relationships: a.taliban.relationships.nodes.filter((r) => tajiks(r.from) || tajiks(r.to)).length,
      relationshipsCounted: a.taliban.relationships.totalCount,
      network: a.taliban.network.nodes.filter((n) => tajiks(n.actor)).length + a.taliban.network.edges.filter((e) => tajiks(e.from) || tajiks(e.to)).length,
      adherents: a.salafism.adherents.nodes.filter((n) => tajiks(n.actor)).length,
      adherentsCounted: a.salafism.adherents.totalCount,
      participants: a.event.participants.filter((p) => tajiks(p.actor)).length,
      dyadSideB: a.event.dyad?.sideB.map((p) => p.actor.slug) ?? null,
      path: a.path?.actors.map((s) => s.slug).join(' > ') ?? null,
      talibanDoctrines: a.taliban.doctrines.map((d) => d.doctrine.slug),
      sunniChildren: a.sunni.children.filter((c) => c.slug === 'deobandi').length,
      // Dashboard groups: the Tajiks' and Deobandi's, and every other group's count unchanged.
      actorGroups: a.actors.filter((g) => g.key === 'tajiks').length,
      doctrineGroups: a.byDoctrine.filter((g) => g.key === 'deobandi').length,
      opponentGroups: a.opponents.filter((g) => g.key === 'tajiks').length,
      otherGroups: [...a.actors, ...a.byDoctrine, ...a.opponents].filter((g) => g.key !== 'tajiks' && g.key !== 'deobandi'),
    };
  };

  it('leaves it out of the lists, networks and paths that reach it through other claims', async () => {
    const created = await f.api.query(
      `mutation($i: CreateEventInput!) { createEvent(input: $i) { __typename } }`,
      { i: { slug: EVENT, title: 'Tajiks targeted (test)', kind: 'ATTACK', date: { precision: 'YEAR', earliest: '2032-01-01', latest: '2032-12-31' }, confidence: 50,
        citations: [{ source: SOURCE, quote: 'ISIS-K attacked the Tajiks.' }], participants: [{ actor: 'isis-k', role: 'PERPETRATOR' }, { actor: 'tajiks', role: 'TARGET' }] } },
      { token: f.tokens.analyst },
    );
    expect(created.data).toEqual({ createEvent: { __typename: 'MutationCreateEventSuccess' } });
    const before = await where({});
    // The Tajiks as a node, their edge to the Taliban and the one from ISIS-K (both in the network).
    expect(before).toMatchObject({ relationships: 1, network: 3, adherents: 1, participants: 1, dyadSideB: ['tajiks'], path: 'isis-k > tajiks > sanaullah-ghafari', talibanDoctrines: ['deobandi'], sunniChildren: 1, actorGroups: 1, doctrineGroups: 1, opponentGroups: 1 });
    await sleep(20);
    beforeRetraction = new Date().toISOString();
    await sleep(20);
    const ids = await f.api.query<{ actor: { id: string }; doctrine: { id: string } }>(`{ actor(slug: "tajiks") { id } doctrine(slug: "deobandi") { id } }`);
    for (const claim of [ids.data?.actor.id, ids.data?.doctrine.id]) {
      const retracted = await f.api.query(RETRACT, { i: { claim, reason: 'test of a retracted record', citation: { source: SOURCE, quote: 'were made in error' } } }, { token: f.tokens.admin });
      expect(retracted.data?.retractClaim).toMatchObject({ __typename: 'MutationRetractClaimSuccess' });
    }

    const after = await where({});
    expect(after).toEqual({
      relationships: 0, relationshipsCounted: before.relationshipsCounted - 1, network: 0, adherents: 0, adherentsCounted: before.adherentsCounted - 1,
      participants: 0, dyadSideB: null, path: null, talibanDoctrines: [], sunniChildren: 0,
      actorGroups: 0, doctrineGroups: 0, opponentGroups: 0, otherGroups: before.otherGroups,
    });
    expect(await where({ all: true })).toEqual(before);
    expect(await where({ asOf: beforeRetraction })).toEqual(before);
    expect(await where({ asOf: new Date().toISOString() })).toEqual(after);
  });
  it('leaves it out of the exports: no participant row in the CSV, no dangling reference in STIX', async () => {
    // After the test above: the Tajiks are retracted, and the event naming them as a target stands.
    const csv = await (await fetch(`${server.url}/export/events.csv?from=2032-01-01`)).text();
    expect(csv).toContain(EVENT);
    expect(csv).toContain('PERPETRATOR:isis-k');
    expect(csv).not.toContain(':tajiks');
    expect(csv).not.toContain('""actor"":""tajiks""');
    const withRetracted = await (await fetch(`${server.url}/export/events.csv?from=2032-01-01&includeRetracted=true`)).text();
    expect(withRetracted).toContain('TARGET:tajiks');
    type Bundle = { objects: (Record<string, unknown> & { id: string })[] };
    const bundle = (await (await fetch(`${server.url}/export/stix`)).json()) as Bundle;
    const ids = new Set(bundle.objects.map((o) => o.id));
    const references = (value: unknown): string[] =>
      Array.isArray(value) ? value.flatMap(references)
        : value && typeof value === 'object'
          ? Object.entries(value).flatMap(([key, v]) => (key.endsWith('_ref') && typeof v === 'string' ? [v] : key.endsWith('_refs') && Array.isArray(v) ? v.map(String) : references(v)))
          : [];
    expect(bundle.objects.flatMap((o) => references(o).filter((ref) => !ids.has(ref)).map((ref) => `${o.id} → ${ref}`))).toEqual([]);
    expect(JSON.stringify(bundle)).not.toContain('"tajiks"');
  });
  it('finds nothing by its slug in a filter, as for a slug that names no actor', async () => {
    // After the first test: the Tajiks are retracted; their event (ISIS-K's attack on them) stands.
    const Q = `query($asOf: DateTime, $all: Boolean! = false, $actor: String!) {
      events(filter: { actor: $actor }, first: 10, asOf: $asOf, includeRetracted: $all) { totalCount nodes { slug } }
      pair: events(filter: { between: ["isis-k", $actor] }, first: 10, asOf: $asOf, includeRetracted: $all) { totalCount }
      eventStats(filter: { actor: $actor }, asOf: $asOf, includeRetracted: $all) { events }
      kinds: breakdown(by: EVENT_KIND, filter: { actor: $actor }, asOf: $asOf, includeRetracted: $all) { key events }
      floored: eventStats(filter: { actor: $actor, minConfidence: 10 }, asOf: $asOf, includeRetracted: $all) { events }
    }`;
    type Answer = { events: { totalCount: number; nodes: { slug: string }[] }; pair: { totalCount: number }; eventStats: { events: number }; kinds: { key: string; events: number }[]; floored: { events: number } };
    const counts = async (variables: Record<string, unknown>) => {
      const response = await f.api.query<Answer>(Q, variables);
      expect(response.errors).toBeUndefined();
      const a = response.data as Answer;
      return { listed: a.events.totalCount, pair: a.pair.totalCount, stats: a.eventStats.events, kinds: a.kinds.reduce((n, g) => n + g.events, 0), floored: a.floored.events };
    };
    const nothing = { listed: 0, pair: 0, stats: 0, kinds: 0, floored: 0 };
    expect(await counts({ actor: 'no-such-actor' })).toEqual(nothing);
    expect(await counts({ actor: 'tajiks' })).toEqual(nothing);
    const shown = await counts({ actor: 'tajiks', all: true });
    expect(shown).toMatchObject({ listed: 1, pair: 1, stats: 1, kinds: 1, floored: 1 });
    expect(await counts({ actor: 'tajiks', asOf: beforeRetraction })).toEqual(shown);
    // ISIS-K, which stands, still has the event.
    expect((await counts({ actor: 'isis-k' })).listed).toBeGreaterThan(0);

    const csv = async (query: string) => (await (await fetch(`${server.url}/export/events.csv?${query}`)).text()).trim().split('\n').length - 1;
    expect(await csv('actor=tajiks')).toBe(0);
    expect(await csv('actor=tajiks&includeRetracted=true')).toBe(1);
  });
});
