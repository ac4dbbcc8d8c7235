/**
 * Time-bounded claims (a relationship's or adherence's start and end, validOn / validDuring) and
 * confidence floors and Admiralty grades, on the seeded article and through writes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkKnowledgeFile, KnowledgeFileError } from '../src/domain/knowledge/load.ts';
import { drainSummaries } from '../src/db/summaries.ts';
import { statsSource, summaryRoute } from '../src/graphql/loaders/analytics.ts';
import { openApi, writeFixture, type WriteFixture } from './helpers.ts';
import { readFileSync } from 'node:fs';

const api = openApi();
afterAll(() => api.close());

async function data<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const r = await api.query<T>(query, variables);
  expect(r.errors).toBeUndefined();
  return r.data!;
}

interface FuzzyDate { text: string | null; earliest: string | null; latest: string | null; precision: string }
interface Stats { events: number; killed: { min: number; max: number | null; reported: number } }

describe('the seeded article’s periods', () => {
  it('gives the Taliban–al-Qaeda relationship the article’s words: longstanding, still held when written', async () => {
    const d = await data<{ actor: { relationships: { nodes: { to: { slug: string }; start: FuzzyDate; end: FuzzyDate }[] } } }>(`{
      actor(slug: "afghan-taliban") {
        relationships(type: [ALLIED_WITH], direction: OUTGOING) { nodes { to { slug } start { text earliest latest precision } end { text earliest latest precision } } }
      } }`);
    const alQaeda = d.actor.relationships.nodes.find((n) => n.to.slug === 'al-qaeda');
    // "longstanding": no start day is given, only that it began before the article (written 21–31 March 2024).
    expect(alQaeda?.start).toEqual({ text: 'longstanding', earliest: null, latest: '2024-03-21', precision: 'RANGE' });
    // "has … maintained": it still held when the article was written; no end.
    expect(alQaeda?.end).toEqual({ text: 'has, however, maintained', earliest: '2024-03-21', latest: null, precision: 'RANGE' });
  });

  it('dates the tacit cooperation to the latter years of the U.S. presence, and leaves undated claims unknown', async () => {
    const d = await data<{ actor: { relationships: { nodes: { type: string; to: { slug: string }; start: FuzzyDate | null; end: FuzzyDate | null }[] } } }>(`{
      actor(slug: "afghan-taliban") { relationships(direction: OUTGOING, first: 50) { nodes { type to { slug } start { text latest } end { text latest } } } } }`);
    const cooperation = d.actor.relationships.nodes.find((n) => n.type === 'TACIT_COOPERATION_WITH');
    expect(cooperation?.end).toEqual({ text: 'in the latter years of the U.S. military presence in Afghanistan', latest: '2021-12-31' });
    const china = d.actor.relationships.nodes.find((n) => n.type === 'ENGAGES_DIPLOMATICALLY' && n.to.slug === 'china');
    expect(china).toMatchObject({ start: null, end: null });
  });

  it('filters relationships by when they held: unknown bounds are open by default and fail when SURELY_HELD is asked', async () => {
    const query = `query($on: LocalDate, $mode: ValidityMode!) { actor(slug: "afghan-taliban") {
      relationships(direction: OUTGOING, first: 50, validOn: $on, validity: $mode) { totalCount nodes { type to { slug } } } } }`;
    type R = { actor: { relationships: { totalCount: number; nodes: { type: string; to: { slug: string } }[] } } };
    const all = await data<R>(`{ actor(slug: "afghan-taliban") { relationships(direction: OUTGOING, first: 50) { totalCount } } }`);
    const may2023 = await data<R>(query, { on: '2023-06-01', mode: 'MAY_HAVE_HELD' });
    const names = (r: R) => r.actor.relationships.nodes.map((n) => `${n.type} ${n.to.slug}`);
    // The cooperation ended by 2021 at the latest; everything else may have held in 2023.
    expect(may2023.actor.relationships.totalCount).toBe(all.actor.relationships.totalCount - 1);
    expect(names(may2023)).not.toContain('TACIT_COOPERATION_WITH united-states');
    // Only the two relationships the article dates as holding when it was written (21–31 March 2024) are sure for its first day.
    const sure = await data<R>(query, { on: '2024-03-21', mode: 'SURELY_HELD' });
    expect(names(sure).sort()).toEqual(['ALLIED_WITH al-qaeda', 'ALLIED_WITH pakistani-taliban']);
    // "Longstanding" gives no start day, so 2019 is possible but not sure.
    const sure2019 = await data<R>(query, { on: '2019-06-01', mode: 'SURELY_HELD' });
    expect(names(sure2019)).toEqual([]);
    const may2019 = await data<R>(query, { on: '2019-06-01', mode: 'MAY_HAVE_HELD' });
    expect(names(may2019)).toContain('ALLIED_WITH al-qaeda');
    expect(names(may2019)).toContain('TACIT_COOPERATION_WITH united-states');
  });

  it('draws ISIS-K’s network as it stood in a span, and a path only over relationships that held then', async () => {
    type N = { actor: { network: { edges: { type: string; from: { slug: string }; to: { slug: string } }[] } } };
    const network = (args: string) =>
      data<N>(`{ actor(slug: "afghan-taliban") { network(depth: 1${args}) { edges { type from { slug } to { slug } } } } }`);
    const whenever = await network('');
    const in2023 = await network(', validDuring: { from: "2023-01-01", to: "2023-12-31" }');
    const edge = (e: N['actor']['network']['edges'][number]) => `${e.from.slug} ${e.type} ${e.to.slug}`;
    expect(whenever.actor.network.edges.map(edge)).toContain('afghan-taliban TACIT_COOPERATION_WITH united-states');
    expect(in2023.actor.network.edges.map(edge)).not.toContain('afghan-taliban TACIT_COOPERATION_WITH united-states');
    expect(in2023.actor.network.edges.length).toBe(whenever.actor.network.edges.length - 1);

    const path = `query($d: DateRangeInput) { relationshipPath(from: "isis-k", to: "al-qaeda", validDuring: $d, validity: SURELY_HELD) { actors { slug } } }`;
    // Only the Taliban–al-Qaeda link is sure for any time; ISIS-K's links to the Taliban carry no dates.
    expect((await data<{ relationshipPath: unknown }>(path, { d: { from: '2024-03-21', to: '2024-03-21' } })).relationshipPath).toBeNull();
    const open = await data<{ relationshipPath: { actors: { slug: string }[] } }>(
      `{ relationshipPath(from: "isis-k", to: "al-qaeda", validOn: "2024-03-25") { actors { slug } } }`,
    );
    expect(open.relationshipPath.actors.map((a) => a.slug)).toEqual(['isis-k', 'afghan-taliban', 'al-qaeda']);
  });

  it('refuses validOn with validDuring, and a span that ends before it begins', async () => {
    const both = await api.query(`{ actor(slug: "isis-k") { relationships(validOn: "2020-01-01", validDuring: { from: "2019-01-01" }) { totalCount } } }`);
    expect(both.errors?.[0]).toMatchObject({ message: 'give "validOn" or "validDuring", not both', extensions: { code: 'BAD_USER_INPUT', argument: 'validDuring' } });
    const backwards = await api.query(`{ actor(slug: "isis-k") { network(validDuring: { from: "2020-01-01", to: "2019-01-01" }) { nodes { depth } } } }`);
    expect(backwards.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument: 'validDuring' } });
  });
});

describe('confidence floors on the seeded article', () => {
  const stats = async (filter: string) =>
    (await data<{ eventStats: Stats }>(`{ eventStats(filter: { actor: "isis-k"${filter} }) { events killed { min max reported } } }`)).eventStats;

  it('counts ISIS-K’s killed with and without a floor: the floor applies to the link, and Moscow still counts through the attribution', async () => {
    // Moscow (over 100), Kabul airport (183) and Bajaur (over 50): 335 at least.
    expect(await stats('')).toEqual({ events: 14, killed: { min: 335, max: null, reported: 3 } });
    // At 60 the IMPLICATED link (40) no longer counts, but the ATTRIBUTED one (90, "unnamed U.S.
    // officials" attributed it) does: the total stays 335.
    expect(await stats(', minConfidence: 60')).toEqual({ events: 14, killed: { min: 335, max: null, reported: 3 } });
    // As IMPLICATED alone, Moscow drops out at 60: six events become five, and no killed figure is left.
    expect(await stats(', role: [IMPLICATED]')).toEqual({ events: 6, killed: { min: 101, max: null, reported: 1 } });
    expect(await stats(', role: [IMPLICATED], minConfidence: 60')).toEqual({ events: 5, killed: { min: 0, max: 0, reported: 0 } });
    // At 85 the Kabul airport link (PERPETRATOR at 80) and the five IMPLICATED links at 70 (Iran,
    // Austria, Germany, Turkey, Uzbekistan) drop out: 14 - 6 = 8 events; Moscow (101) and Bajaur (51) remain.
    expect(await stats(', minConfidence: 85')).toEqual({ events: 8, killed: { min: 152, max: null, reported: 2 } });
    // Only the perpetrator and claimant roles: 234, the other figure.
    expect(await stats(', role: [PERPETRATOR, CLAIMED_RESPONSIBILITY]')).toMatchObject({ killed: { min: 234 } });
  });

  it('gives the same answer in lists, timelines, breakdowns and reach as in eventStats', async () => {
    const d = await data<{
      events: { totalCount: number };
      timeline: { buckets: { events: number }[]; unplaced: { events: number }; earlier: { events: number } };
      breakdown: { key: string; events: number }[];
      actor: { reach: { countries: { country: { slug: string }; role: string; events: number }[] } };
    }>(`{
      events(filter: { actor: "isis-k", role: [IMPLICATED], minConfidence: 60 }) { totalCount }
      timeline(filter: { actor: "isis-k", role: [IMPLICATED], minConfidence: 60 }) { buckets { events } unplaced { events } earlier { events } }
      breakdown(filter: { actor: "isis-k", minConfidence: 60 }, by: ROLE) { key events }
      actor(slug: "isis-k") { reach(roles: [IMPLICATED], minConfidence: 60) { countries { country { slug } role events } } }
    }`);
    expect(d.events.totalCount).toBe(5);
    const inTimeline = d.timeline.buckets.reduce((n, b) => n + b.events, 0) + d.timeline.unplaced.events + d.timeline.earlier.events;
    expect(inTimeline).toBe(5);
    expect(d.breakdown.find((g) => g.key === 'IMPLICATED')?.events).toBe(5);
    expect(d.breakdown.find((g) => g.key === 'ATTRIBUTED')?.events).toBe(1);
    expect(d.actor.reach.countries.map((c) => c.country.slug)).not.toContain('russia');
  });

  it('answers floored aggregates by actor and role from the actor’s link rows, as the base tables do', async () => {
    // includeRetracted reads the base tables; nothing in the seed is retracted, so both must agree.
    const query = `query($f: EventFilter, $r: Boolean!) {
      eventStats(filter: $f, includeRetracted: $r) { events killed { min max reported } firstDate lastDate
        casualties { killed { total { low best high } civilians { low best high } } } }
      timeline(filter: $f, interval: YEAR, includeRetracted: $r) { buckets { start events killed { min max } } unplaced { events } earlier { events } }
      byCountry: breakdown(filter: $f, by: COUNTRY, includeRetracted: $r) { key events killed { min max } }
      byKind: breakdown(filter: $f, by: EVENT_KIND, includeRetracted: $r) { key events }
      byRole: breakdown(filter: $f, by: ROLE, includeRetracted: $r) { key events }
    }`;
    const filters = [
      { actor: 'isis-k', minConfidence: 60 },
      { actor: 'isis-k', role: ['IMPLICATED'], minConfidence: 60 },
      { actor: 'isis-k', role: ['PERPETRATOR', 'CLAIMED_RESPONSIBILITY'], minConfidence: 85 },
      { actor: 'isis-k', country: 'afghanistan', minConfidence: 85 },
      { role: ['ATTRIBUTED', 'IMPLICATED'], minConfidence: 50 },
    ];
    for (const f of filters) {
      api.resetStatements();
      const summarized = await api.query(query, { f, r: false });
      const read = api.statements.join('\n');
      expect(read, JSON.stringify(f)).toContain('actor_event_links');
      expect(read, JSON.stringify(f)).not.toMatch(/from "participations"/);
      const fromBase = await api.query(query, { f, r: true });
      expect(summarized.errors).toBeUndefined();
      expect(summarized.data, JSON.stringify(f)).toEqual(fromBase.data);
    }
    // The top actors in one role or any: actor_rollup_by_role_floor (no link rows); in several
    // roles, or with casualty parts (which that table does not keep), the link rows.
    const byActor = `query($f: EventFilter, $r: Boolean!) { breakdown(by: ACTOR, filter: $f, includeRetracted: $r) { key events killed { min max reported } } }`;
    const byActorWithParts = `query($f: EventFilter, $r: Boolean!) { breakdown(by: ACTOR, filter: $f, includeRetracted: $r) { key events
      casualties { killed { total { low best high } } } } }`;
    for (const [f, table, query] of [
      [{ role: ['PERPETRATOR'], minConfidence: 85 }, 'actor_rollup_by_role_floor', byActor],
      [{ role: ['IMPLICATED'], minConfidence: 60 }, 'actor_rollup_by_role_floor', byActor],
      [{ minConfidence: 60 }, 'actor_rollup_by_role_floor', byActor],
      [{ role: ['PERPETRATOR', 'CLAIMED_RESPONSIBILITY'], minConfidence: 85 }, 'actor_event_links', byActor],
      [{ minConfidence: 60 }, 'actor_event_links', byActorWithParts],
    ] as const) {
      api.resetStatements();
      const summarized = await api.query(query, { f, r: false });
      const read = api.statements.join('\n');
      expect(read, JSON.stringify(f)).toContain(table);
      expect(read, JSON.stringify(f)).not.toMatch(/from "participations"/);
      if (table === 'actor_rollup_by_role_floor') expect(read, JSON.stringify(f)).not.toContain('actor_event_links');
      expect(summarized.errors).toBeUndefined();
      expect(summarized.data, JSON.stringify(f)).toEqual((await api.query(query, { f, r: true })).data);
    }
  });

  it('floors participants, relationships, networks and paths', async () => {
    const d = await data<{
      event: { all: { role: string }[]; sure: { role: string }[] };
      actor: { relationships: { nodes: { type: string }[] }; network: { nodes: { actor: { slug: string } }[] } };
    }>(`{
      event(slug: "moscow-concert-hall-attack") { all: participants { role } sure: participants(minConfidence: 60) { role } }
      actor(slug: "isis-k") {
        relationships(minConfidence: 50, first: 50) { nodes { type } }
        network(minConfidence: 50) { nodes { actor { slug } } }
      }
    }`);
    expect(d.event.all.map((p) => p.role)).toContain('IMPLICATED');
    expect(d.event.sure.map((p) => p.role)).not.toContain('IMPLICATED');
    // "Suspicions" of foreign intelligence ties (20) fall below 50.
    expect(d.actor.relationships.nodes.map((r) => r.type)).not.toContain('SUSPECTED_TIES_WITH');
    expect(d.actor.network.nodes.map((n) => n.actor.slug)).not.toContain('foreign-intelligence-organizations');
    const path = await data<{ relationshipPath: unknown }>(`{ relationshipPath(from: "isis-k", to: "foreign-intelligence-organizations", minConfidence: 50) { length } }`);
    expect(path.relationshipPath).toBeNull();
  });

  it('floors actors by their profile and, with a doctrine, by the adherence', async () => {
    type R = { actors: { totalCount: number; nodes: { slug: string }[] } };
    const all = await data<R>(`{ actors(first: 100) { totalCount } }`);
    // Every profile in the seed is stated as fact (90).
    expect((await data<R>(`{ actors(first: 100, filter: { minConfidence: 90 }) { totalCount } }`)).actors.totalCount).toBe(all.actors.totalCount);
    expect((await data<R>(`{ actors(first: 100, filter: { minConfidence: 91 }) { totalCount } }`)).actors.totalCount).toBe(0);
    // Salafism: ISIS-K (90) and "some Tajiks" (40, a possible factor) adhere to it.
    const salafi = await data<R>(`{ actors(filter: { doctrine: "salafism" }) { nodes { slug } } }`);
    expect(salafi.actors.nodes.map((a) => a.slug).sort()).toEqual(['isis-k', 'tajiks']);
    const sure = await data<R>(`{ actors(filter: { doctrine: "salafism", minConfidence: 60 }) { nodes { slug } } }`);
    expect(sure.actors.nodes.map((a) => a.slug)).toEqual(['isis-k']);
  });

  it('refuses a confidence floor of 101 and a credibility floor of 7, naming the argument', async () => {
    const r = await api.query(`{ eventStats(filter: { minConfidence: 101 }) { events } }`);
    expect(r.errors?.[0]).toMatchObject({ message: '"filter.minConfidence" must be 0–100, got 101', extensions: { code: 'BAD_USER_INPUT', argument: 'filter.minConfidence' } });
    const c = await api.query(`{ actor(slug: "isis-k") { relationships(minCredibility: 7) { totalCount } } }`);
    expect(c.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument: 'minCredibility' } });
  });
});

describe('writing periods and grades', () => {
  let f: WriteFixture;
  const SOURCE = 'graded-dispatch';
  const TEXT = 'Group A and Group B have cooperated since 2019. Their cooperation ended in 2022. Reports say Group A follows Salafism.';
  const as = <T>(query: string, variables: Record<string, unknown>) => f.api.query<T>(query, variables, { token: f.tokens.analyst });

  beforeAll(async () => {
    f = await writeFixture();
    const added = await as(`mutation($i: AddSourceInput!) { addSource(input: $i) { __typename } }`, {
      i: { slug: SOURCE, publisher: 'Graded Dispatch', text: TEXT, reliability: 'B' },
    });
    expect(added.data).toEqual({ addSource: { __typename: 'MutationAddSourceSuccess' } });
  });
  afterAll(() => f.close());

  const REL = `mutation($i: AddRelationshipInput!) { addRelationship(input: $i) { __typename
    ... on MutationAddRelationshipSuccess { data { id start { text earliest latest precision } end { text earliest latest } credibility } }
    ... on UserError { message path } } }`;
  const relationship = {
    from: 'isis-k',
    type: 'TACIT_COOPERATION_WITH',
    to: 'pakistani-taliban',
    start: { text: 'since 2019', earliest: '2019-01-01', latest: '2019-12-31', precision: 'YEAR' },
    end: { text: 'ended in 2022', earliest: '2022-01-01', latest: '2022-12-31', precision: 'YEAR' },
    confidence: 70,
    credibility: 2,
    citations: [{ source: SOURCE, quote: 'have cooperated since 2019' }, { source: SOURCE, quote: 'Their cooperation ended in 2022.' }],
  };

  it('stores a relationship’s start, end and credibility, and the source’s reliability, and shows them', async () => {
    const r = await as<{ addRelationship: { data: unknown } }>(REL, { i: relationship });
    expect(r.data?.addRelationship).toMatchObject({
      __typename: 'MutationAddRelationshipSuccess',
      data: { start: relationship.start, end: { text: 'ended in 2022', earliest: '2022-01-01', latest: '2022-12-31' }, credibility: 2 },
    });
    const source = await f.api.query<{ source: { reliability: string } }>(`{ source(slug: "${SOURCE}") { reliability } }`);
    expect(source.data?.source.reliability).toBe('B');
    const seedSource = await f.api.query<{ source: { reliability: string | null } }>(`{ source(slug: "globely-news-isis-k-long-reach") { reliability } }`);
    expect(seedSource.data?.source.reliability).toBeNull();
  });

  it('filters by source reliability and claim credibility (ungraded counts as F and 6)', async () => {
    type R = { actor: { relationships: { nodes: { type: string; to: { slug: string } }[] } } };
    const q = (args: string) => f.api.query<R>(`{ actor(slug: "isis-k") { relationships(first: 50${args}) { nodes { type to { slug } } } } }`);
    const graded = await q(', minReliability: B');
    expect(graded.data?.actor.relationships.nodes).toEqual([{ type: 'TACIT_COOPERATION_WITH', to: { slug: 'pakistani-taliban' } }]);
    expect((await q(', minReliability: A')).data?.actor.relationships.nodes).toEqual([]);
    expect((await q(', minCredibility: 2')).data?.actor.relationships.nodes).toHaveLength(1);
    expect((await q(', minCredibility: 1')).data?.actor.relationships.nodes).toEqual([]);
    expect((await q(', minReliability: F')).data?.actor.relationships.nodes.length).toBeGreaterThan(1);
    const sources = await f.api.query<{ sources: { nodes: { slug: string }[] } }>(`{ sources(minReliability: C) { nodes { slug } } }`);
    expect(sources.data?.sources.nodes).toEqual([{ slug: SOURCE }]);
  });

  it('keeps each claim’s best source grade as its citations and their sources change, whoever writes', async () => {
    type R = { actor: { relationships: { nodes: { to: { slug: string }; sourceReliability: string | null }[] } } };
    const grades = async (args = '') =>
      (await f.api.query<R>(`{ actor(slug: "isis-k") { relationships(first: 50${args}) { nodes { to { slug } sourceReliability } } } }`)).data?.actor.relationships.nodes ?? [];
    // Cited from the B source: B; the seed's claims cite only the ungraded article.
    const before = await grades();
    expect(before.filter((n) => n.sourceReliability !== null)).toEqual([{ to: { slug: 'pakistani-taliban' }, sourceReliability: 'B' }]);
    const sql = f.scratch.handle.sql;
    const [claim] = await sql<{ id: number }[]>`
      select r.claim_id as id from relationships r join actors a on a.id = r.from_actor_id join actors b on b.id = r.to_actor_id
       where a.slug = 'isis-k' and b.slug = 'pakistani-taliban' and r.type = 'TACIT_COOPERATION_WITH'`;
    // Plain SQL grades a source the way the API does: by a grading with its reason.
    const regrade = (where: ReturnType<typeof sql>, grade: string | null) =>
      sql`insert into source_gradings (source_id, reliability, reason, graded_by) select id, ${grade}::source_reliability, 'test regrade', 'psql' from sources ${where}`;
    try {
      // Regrading the source regrades the claims cited from it, and the floor follows.
      await regrade(sql`where slug = ${SOURCE}`, 'A');
      expect(await grades(', minReliability: A')).toEqual([{ to: { slug: 'pakistani-taliban' }, sourceReliability: 'A' }]);
      await regrade(sql`where slug = ${SOURCE}`, null);
      expect(await grades(', minReliability: E')).toEqual([]);
    } finally {
      await regrade(sql`where slug = ${SOURCE}`, 'B');
    }
    expect((await grades(', minReliability: B')).map((n) => n.sourceReliability)).toEqual(['B']);
    // A writer's own value is replaced by the grade its citations give, and a citation from a
    // better source added later raises it.
    const [seedCitation] = await sql<{ id: number }[]>`
      select ct.id from citations ct join sources s on s.id = ct.source_id where s.reliability is null order by ct.id limit 1`;
    const [graded] = await sql<{ grade: string | null }[]>`
      with c as (insert into claims (kind, confidence, recorded_by, source_reliability) values ('RELATIONSHIP', 50, 'psql', 'A') returning id),
           l as (insert into claim_citations (claim_id, citation_id) select id, ${seedCitation!.id}::int from c)
      select id from c`.then(async ([row]) => sql<{ grade: string | null }[]>`select source_reliability as grade from claims where id = ${(row as unknown as { id: number }).id}`);
    expect(graded?.grade).toBeNull();
    await regrade(sql`where id = (select source_id from citations where id = ${seedCitation!.id})`, 'C');
    try {
      const [both] = await sql<{ grade: string | null }[]>`select source_reliability as grade from claims where id = ${claim!.id}`;
      expect(both?.grade).toBe('B');
      const [bCitation] = await sql<{ id: number }[]>`select ct.id from citations ct join sources s on s.id = ct.source_id where s.slug = ${SOURCE} limit 1`;
      const [other] = await sql<{ id: number }[]>`
        select cc.claim_id as id from claim_citations cc where cc.citation_id = ${seedCitation!.id} order by cc.claim_id limit 1`;
      expect((await sql<{ grade: string | null }[]>`select source_reliability as grade from claims where id = ${other!.id}`)[0]?.grade).toBe('C');
      await sql`insert into claim_citations (claim_id, citation_id) values (${other!.id}, ${bCitation!.id})`;
      expect((await sql<{ grade: string | null }[]>`select source_reliability as grade from claims where id = ${other!.id}`)[0]?.grade).toBe('B');
      await sql`delete from claim_citations where claim_id = ${other!.id} and citation_id = ${bCitation!.id}`;
      expect((await sql<{ grade: string | null }[]>`select source_reliability as grade from claims where id = ${other!.id}`)[0]?.grade).toBe('C');
    } finally {
      await regrade(sql`where id = (select source_id from citations where id = ${seedCitation!.id})`, null);
    }
  });

  it('keeps the relationship out of a year it surely did not hold in, and in one it surely did', async () => {
    type R = { actor: { relationships: { nodes: { to: { slug: string } }[] } } };
    const on = (day: string, mode: string) =>
      f.api.query<R>(`{ actor(slug: "isis-k") { relationships(type: [TACIT_COOPERATION_WITH], validOn: "${day}", validity: ${mode}) { nodes { to { slug } } } } }`);
    expect((await on('2018-06-01', 'MAY_HAVE_HELD')).data?.actor.relationships.nodes).toEqual([]);
    expect((await on('2019-06-01', 'MAY_HAVE_HELD')).data?.actor.relationships.nodes).toHaveLength(1);
    expect((await on('2019-06-01', 'SURELY_HELD')).data?.actor.relationships.nodes).toEqual([]); // may have begun in December
    expect((await on('2020-06-01', 'SURELY_HELD')).data?.actor.relationships.nodes).toHaveLength(1);
    expect((await on('2023-01-01', 'MAY_HAVE_HELD')).data?.actor.relationships.nodes).toEqual([]);
  });

  it('answers floored aggregates from the banded summaries exactly as from the events themselves, after writes too', async () => {
    // Two events whose reports are less sure (50 and 70) than the seed's (90 each).
    for (const [slug, confidence, quote] of [['cooperation-begins', 50, 'have cooperated since 2019'], ['cooperation-ends', 70, 'Their cooperation ended in 2022.']] as const) {
      const created = await as<{ createEvent: { __typename: string } }>(
        `mutation($i: CreateEventInput!) { createEvent(input: $i) { __typename ... on UserError { message } } }`,
        { i: { slug, title: slug, kind: 'ATTACK', date: { text: '2022', earliest: '2022-01-01', latest: '2022-12-31', precision: 'YEAR' }, place: 'afghanistan', killed: { min: 3, text: '3' }, confidence, credibility: 3, citations: [{ source: SOURCE, quote }] } },
      );
      expect(created.data?.createEvent.__typename).toBe('MutationCreateEventSuccess');
    }
    const shown = await f.api.query<{ event: { confidence: number; credibility: number | null } }>(`{ event(slug: "cooperation-ends") { confidence credibility } }`);
    expect(shown.data?.event).toEqual({ confidence: 70, credibility: 3 });
    await drainSummaries(f.api.database.db);
    const route = summaryRoute({ minConfidence: 60 });
    expect(statsSource(route)?.table).toBe('event_rollup_by_band_period');
    expect(statsSource(summaryRoute({ minConfidence: 60, country: 'afghanistan' }))?.table).toBe('event_rollup_by_band');
    const filters = [
      { minConfidence: 60 },
      { minConfidence: 75 },
      { minConfidence: 40, country: 'afghanistan' },
      { minConfidence: 60, kind: ['ATTACK'], from: '2021-06-01', to: '2022-12-31' },
      { minConfidence: 60, from: '2021-06-01' },
    ];
    const query = `query($f: EventFilter, $r: Boolean!) {
      eventStats(filter: $f, includeRetracted: $r) { events killed { min max reported } firstDate lastDate
        casualties { killed { total { low best high } civilians { low best high } securityForces { low best high } } } }
      timeline(filter: $f, interval: YEAR, includeRetracted: $r) { buckets { start events killed { min max } casualties { killed { civilians { low best high } } } } unplaced { events } earlier { events } }
      byCountry: breakdown(filter: $f, by: COUNTRY, includeRetracted: $r) { key events killed { min max } }
      byKind: breakdown(filter: $f, by: EVENT_KIND, includeRetracted: $r) { key events }
      byYear: breakdown(filter: $f, by: YEAR, includeRetracted: $r) { key events }
    }`;
    const stats: Stats[] = [];
    for (const filter of filters) {
      // Nothing in this database is retracted, so includeRetracted (which reads the base tables) must agree.
      const summarized = await f.api.query<{ eventStats: Stats }>(query, { f: filter, r: false });
      const fromEvents = await f.api.query<{ eventStats: Stats }>(query, { f: filter, r: true });
      expect(summarized.errors).toBeUndefined();
      expect(summarized.data).toEqual(fromEvents.data);
      stats.push(summarized.data!.eventStats);
    }
    const unfloored = (await f.api.query<{ eventStats: Stats }>(`{ eventStats { events } }`)).data!.eventStats.events;
    expect(stats[0]?.events).toBe(unfloored - 1); // the 50 drops out at 60
    expect(stats[1]?.events).toBe(unfloored - 2); // and the 70 at 75
  });

  it('refuses an end before the start, a credibility of 7 and a confidence of 101, naming the input path, and writes nothing', async () => {
    const before = await f.scratch.handle.sql`select count(*)::int as n from claims`;
    const backwards = await as<{ addRelationship: unknown }>(REL, {
      i: { ...relationship, start: relationship.end, end: relationship.start },
    });
    expect(backwards.data?.addRelationship).toEqual({
      __typename: 'ValidationError',
      message: 'input.end: the end (at the latest 2019-12-31) is before the start (at the earliest 2022-01-01)',
      path: ['input', 'end'],
    });
    const credibility = await as<{ addRelationship: unknown }>(REL, { i: { ...relationship, credibility: 7 } });
    expect(credibility.data?.addRelationship).toMatchObject({ __typename: 'ValidationError', path: ['input', 'credibility'] });
    const confidence = await as<{ addRelationship: unknown }>(REL, { i: { ...relationship, confidence: 101 } });
    expect(confidence.data?.addRelationship).toMatchObject({ __typename: 'ValidationError', message: 'input.confidence: must be 0–100', path: ['input', 'confidence'] });
    const adherence = await as<{ addAdherence: unknown }>(
      `mutation($i: AddAdherenceInput!) { addAdherence(input: $i) { __typename ... on UserError { message path } } }`,
      { i: { actor: 'isis-k', doctrine: 'salafism', confidence: 60, start: { earliest: '2020-01-01', precision: 'RANGE' }, end: { latest: '2019-01-01', precision: 'RANGE' }, citations: [{ source: SOURCE, quote: 'Group A follows Salafism' }] } },
    );
    expect(adherence.data?.addAdherence).toMatchObject({ __typename: 'ValidationError', path: ['input', 'end'] });
    const grade = await as(`mutation($i: AddSourceInput!) { addSource(input: $i) { __typename } }`, { i: { slug: 'other', publisher: 'X', text: 'x', reliability: 'G' } });
    expect(grade.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(grade.errors?.[0]?.message).toContain('reliability');
    const after = await f.scratch.handle.sql`select count(*)::int as n from claims`;
    expect(after[0]?.n).toBe(before[0]?.n);
  });

  it('stores an adherence’s period', async () => {
    const r = await as<{ addAdherence: unknown }>(
      `mutation($i: AddAdherenceInput!) { addAdherence(input: $i) { __typename ... on MutationAddAdherenceSuccess { data { start { text } end { earliest } } } } }`,
      { i: { actor: 'isis-k', doctrine: 'salafism', confidence: 60, start: { text: 'since 2019', earliest: '2019-01-01', latest: '2019-12-31', precision: 'YEAR' }, end: { earliest: '2024-01-01', precision: 'RANGE' }, citations: [{ source: SOURCE, quote: 'Group A follows Salafism' }] } },
    );
    expect(r.data?.addAdherence).toEqual({ __typename: 'MutationAddAdherenceSuccess', data: { start: { text: 'since 2019' }, end: { earliest: '2024-01-01' } } });
    const d = await f.api.query<{ actor: { doctrines: { doctrine: { slug: string } }[] } }>(`{ actor(slug: "isis-k") { doctrines(validOn: "2015-06-01", validity: SURELY_HELD) { doctrine { slug } } } }`);
    expect(d.data?.actor.doctrines).toEqual([]);
  });
});

describe('knowledge files', () => {
  it('refuses an end before the start, a grade G and a credibility of 7, each named by its path', () => {
    const raw = JSON.parse(readFileSync('seed/data/globely-news-isis-k-long-reach.json', 'utf8')) as {
      source: Record<string, unknown>;
      relationships: Record<string, unknown>[];
      adherences: Record<string, unknown>[];
    };
    const text = readFileSync('seed/sources/globely-news-isis-k-long-reach.txt', 'utf8');
    raw.source.reliability = 'G';
    raw.relationships[0] = { ...raw.relationships[0], start: { text: null, earliest: '2020-01-01', latest: null, precision: 'RANGE' }, end: { text: null, earliest: null, latest: '2019-01-01', precision: 'RANGE' } };
    raw.adherences[0] = { ...raw.adherences[0], credibility: 7 };
    let problems: string[] = [];
    try {
      checkKnowledgeFile('bad.json', raw, text);
    } catch (error) {
      if (!(error instanceof KnowledgeFileError)) throw error;
      problems = error.problems;
    }
    expect(problems.some((p) => p.startsWith('source.reliability: must be one of A, B, C, D, E, F'))).toBe(true);
    expect(problems.some((p) => p.startsWith('relationships.0.end: the end cannot come before the start'))).toBe(true);
    expect(problems.some((p) => p.startsWith('adherences.0.credibility: must be 1–6'))).toBe(true);
  });
});
