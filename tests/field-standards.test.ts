/**
 * Field-standard event data on the seeded article (seed/data/globely-news-isis-k-long-reach.json):
 * casualty estimates split by category, ACLED/GTD event types, and dyads. Expected figures are
 * read from the article: "the August 26, 2021 suicide attack at Kabul airport that killed 170
 * Afghan civilians and 13 U.S. servicemembers"; ISIS-K "targeted ... the Afghan Taliban".
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importFile } from '../src/import/import.ts';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { checkKnowledgeFile, KnowledgeFileError } from '../src/domain/knowledge/load.ts';
import { SEED_DATA_DIR, SEED_SOURCES_DIR } from '../src/domain/knowledge/seed.ts';
import { drainSummaries } from '../src/db/summaries.ts';
import { breakdownSource, summaryRoute } from '../src/graphql/loaders/analytics.ts';
import { openApi, scratchDatabase, tableCounts, writeFixture, type TestApi, type WriteFixture } from './helpers.ts';
import { FIGHT_KINDS, SIDE_A_ROLES, SIDE_B_ROLES, sidesOf } from '../src/domain/events/dyads.ts';
import { serve } from './server-helpers.ts';

const api = openApi();
afterAll(() => api.close());

interface Estimate { low: number; best: number | null; high: number | null; reported: number; bestReported: number }
const ESTIMATE = '{ low best bestReported high reported }';
const MEASURE = `{ total ${ESTIMATE} civilians ${ESTIMATE} perpetrators ${ESTIMATE} securityForces ${ESTIMATE} unknown ${ESTIMATE} }`;
const none: Estimate = { low: 0, best: 0, bestReported: 0, high: 0, reported: 0 };
const exact = (n: number): Estimate => ({ low: n, best: n, bestReported: 1, high: n, reported: 1 });

describe('casualty estimates', () => {
  it('keeps the Kabul airport attack as 170 civilians and 13 military, in the article’s words', async () => {
    const r = await api.query<{ event: { killed: unknown; wounded: unknown } }>(
      `{ event(slug: "kabul-airport-suicide-attack") { killed { min max low best high text parts { category low best high text } } wounded { min } } }`,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.event).toEqual({
      killed: {
        min: 183, max: 183, low: 183, best: 183, high: 183,
        text: '170 Afghan civilians and 13 U.S. servicemembers',
        parts: [
          { category: 'CIVILIANS', low: 170, best: 170, high: 170, text: '170 Afghan civilians' },
          { category: 'SECURITY_FORCES', low: 13, best: 13, high: 13, text: '13 U.S. servicemembers' },
        ],
      },
      wounded: null,
    });
  });

  it('leaves a figure the article does not split unsplit, and vague ("over 100") without a best', async () => {
    const r = await api.query<{ event: { killed: unknown } }>(
      `{ event(slug: "moscow-concert-hall-attack") { killed { low best high text parts { category } } } }`,
    );
    expect(r.data?.event.killed).toEqual({ low: 101, best: null, high: null, text: 'over 100 concertgoers', parts: [] });
  });

  it('sums each part in eventStats, from the summaries and from events alike', async () => {
    const query = (args: string) => `{ eventStats${args} { events killed { min max reported } casualties { killed ${MEASURE} wounded ${MEASURE} } } }`;
    // Kabul (183 = 170 civilians + 13 military), Bajaur (over 50), Moscow (over 100).
    const expected = {
      killed: {
        total: { low: 335, best: 183, bestReported: 1, high: null, reported: 3 },
        civilians: exact(170),
        perpetrators: none,
        securityForces: exact(13),
        unknown: none,
      },
      wounded: { total: none, civilians: none, perpetrators: none, securityForces: none, unknown: none },
    };
    const live = await api.query<{ eventStats: { casualties: unknown } }>(query(''));
    expect(live.errors).toBeUndefined();
    expect(live.data?.eventStats.casualties).toEqual(expected);
    // asOf reads events themselves, not the summaries: the same sums.
    const fromEvents = await api.query<{ eventStats: { casualties: unknown } }>(query('(asOf: "2100-01-01T00:00:00Z")'));
    expect(fromEvents.errors).toBeUndefined();
    expect(fromEvents.data?.eventStats.casualties).toEqual(expected);
  });

  it('sums parts only for a request that shows them', async () => {
    api.resetStatements();
    await api.query(`{ eventStats(asOf: "2100-01-01T00:00:00Z") { events killed { min } } breakdown(by: COUNTRY) { key events } }`);
    expect(api.statements.some((s) => /event_casualty_vector|casualties\[/.test(s))).toBe(false);
    api.resetStatements();
    await api.query(`fragment Parts on CasualtySums { killed { civilians { low } } }
      { eventStats(asOf: "2100-01-01T00:00:00Z") { casualties { ...Parts } } }`);
    expect(api.statements.some((s) => /event_casualty_vector/.test(s))).toBe(true);
  });

  it('sums the parts in timeline buckets and breakdown groups', async () => {
    const t = await api.query<{ timeline: { buckets: { start: string; casualties: { killed: { civilians: Estimate; securityForces: Estimate } } }[] } }>(
      `{ timeline(interval: YEAR) { buckets { start casualties { killed { civilians ${ESTIMATE} securityForces ${ESTIMATE} } } } } }`,
    );
    expect(t.errors).toBeUndefined();
    const y2021 = t.data?.timeline.buckets.find((b) => b.start === '2021-01-01');
    expect(y2021?.casualties.killed).toEqual({ civilians: exact(170), securityForces: exact(13) });
    const b = await api.query<{ breakdown: { key: string; casualties: { killed: { total: Estimate; civilians: Estimate } } }[] }>(
      `{ breakdown(by: COUNTRY) { key casualties { killed { total ${ESTIMATE} civilians ${ESTIMATE} } } } }`,
    );
    expect(b.errors).toBeUndefined();
    const afghanistan = b.data?.breakdown.find((g) => g.key === 'afghanistan');
    expect(afghanistan?.casualties.killed.civilians).toEqual(exact(170));
    expect(afghanistan?.casualties.killed.total.low).toBe(183);
  });
});

describe('casualty estimates: writes', () => {
  let f: WriteFixture;
  beforeAll(async () => {
    f = await writeFixture();
  });
  afterAll(() => f.close());

  const CREATE = `mutation($i: CreateEventInput!) { createEvent(input: $i) { __typename
    ... on UserError { message path }
    ... on MutationCreateEventSuccess { data { slug killed { low best high parts { category low high } } } } } }`;
  const base = {
    slug: 'split-figure', title: 'A split figure', kind: 'SUICIDE_ATTACK', confidence: 90,
    date: { text: 'August 26, 2021', earliest: '2021-08-26', latest: '2021-08-26', precision: 'DAY' },
    citations: [{ source: 'globely-news-isis-k-long-reach', quote: 'killed 170 Afghan civilians and 13 U.S. servicemembers' }],
  };
  const create = (input: Record<string, unknown>) =>
    f.api.query<{ createEvent: { __typename: string; message?: string; path?: string[]; data?: unknown } }>(CREATE, { i: { ...base, ...input } }, { token: f.tokens.analyst });

  it('derives the total from the parts when the source gives none', async () => {
    const r = await create({
      killed: {
        text: '170 Afghan civilians and 13 U.S. servicemembers',
        parts: [{ category: 'CIVILIANS', low: 170, high: 170, text: '170 Afghan civilians' }, { category: 'SECURITY_FORCES', low: 13, high: 13 }],
      },
    });
    expect(r.data?.createEvent).toMatchObject({
      __typename: 'MutationCreateEventSuccess',
      data: { slug: 'split-figure', killed: { low: 183, best: 183, high: 183, parts: [{ category: 'CIVILIANS', low: 170, high: 170 }, { category: 'SECURITY_FORCES', low: 13, high: 13 }] } },
    });
    await drainSummaries(f.scratch.handle.db);
    const stats = await f.api.query<{ eventStats: { casualties: { killed: { civilians: Estimate } } } }>(
      `{ eventStats(filter: { kind: [SUICIDE_ATTACK] }) { casualties { killed { civilians ${ESTIMATE} } } } }`,
    );
    expect(stats.data?.eventStats.casualties.killed.civilians).toEqual({ low: 340, best: 340, bestReported: 2, high: 340, reported: 2 });
  });

  it('refuses high below low, parts exceeding the total and an unknown category, by input path, writing nothing', async () => {
    const before = await tableCounts(f.scratch.handle.sql);
    const cases: [Record<string, unknown>, string[], RegExp][] = [
      [{ killed: { low: 10, high: 5, text: 'x' } }, ['input', 'killed', 'high'], /high must not be below low/],
      [{ killed: { low: 10, best: 12, high: 11, text: 'x' } }, ['input', 'killed', 'best'], /best must not be above high/],
      [
        { killed: { min: 100, max: 183, text: 'x', parts: [{ category: 'CIVILIANS', low: 170 , high: 170 }, { category: 'SECURITY_FORCES', low: 13, high: 13 }] } },
        ['input', 'killed', 'parts'],
        /add up to 183, more than the total’s min \(100\)|add up to 183, more than the total's min \(100\)/,
      ],
      [
        { killed: { min: 20, max: 30, text: 'x', parts: [{ category: 'CIVILIANS', low: 5, high: 40 }] } },
        ['input', 'killed', 'parts', '0', 'high'],
        /exceeds the total's max \(30\)/,
      ],
      [
        { killed: { min: 20, text: 'x', parts: [{ category: 'CIVILIANS', low: 5 }, { category: 'CIVILIANS', low: 6 }] } },
        ['input', 'killed', 'parts', '1', 'category'],
        /given twice/,
      ],
    ];
    for (const [input, path, message] of cases) {
      const r = await create({ slug: `bad-${path.join('-')}`.slice(0, 90), ...input });
      expect(r.data?.createEvent, JSON.stringify(input)).toMatchObject({ __typename: 'ValidationError', path });
      expect(r.data?.createEvent.message).toMatch(message);
    }
    const unknown = await create({ slug: 'bad-category', killed: { min: 5, text: 'x', parts: [{ category: 'JOURNALISTS', low: 1 }] } });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(unknown.errors?.[0]?.message).toMatch(/JOURNALISTS/);
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  });

  it('holds the same rule in PostgreSQL for any other writer', async () => {
    await expect(
      f.scratch.handle.sql`update events set killed_parts = '[{"category":"CIVILIANS","low":500}]'::jsonb where slug = 'kabul-airport-suicide-attack'`,
    ).rejects.toThrow(/exceeds the total's high \(183\)/);
    await expect(
      f.scratch.handle.sql`update events set killed_parts = '[{"category":"ALIENS","low":1}]'::jsonb where slug = 'kabul-airport-suicide-attack'`,
    ).rejects.toThrow(/category must be one of CIVILIANS/);
  });

  it('keeps the parts an update replaces in the event’s revisions', async () => {
    const UPDATE = `mutation($i: UpdateEventInput!) { updateEvent(input: $i) { __typename ... on UserError { message path } } }`;
    const r = await f.api.query<{ updateEvent: { __typename: string } }>(
      UPDATE,
      {
        i: {
          slug: 'split-figure', confidence: 80,
          killed: { low: 183, high: 183, text: '170 Afghan civilians and 13 U.S. servicemembers', parts: [{ category: 'UNKNOWN', low: 183, high: 183 }] },
          citations: [{ source: 'globely-news-isis-k-long-reach', quote: 'killed 170 Afghan civilians and 13 U.S. servicemembers' }],
        },
      },
      { token: f.tokens.analyst },
    );
    expect(r.data?.updateEvent.__typename).toBe('MutationUpdateEventSuccess');
    const [revision] = await f.scratch.handle.sql<{ killed_parts: { category: string }[] }[]>`
      select r.killed_parts from event_revisions r join events e on e.id = r.event_id where e.slug = 'split-figure'`;
    expect(revision?.killed_parts.map((p) => p.category)).toEqual(['CIVILIANS', 'SECURITY_FORCES']);
  });
});

/** The problems checkKnowledgeFile refuses a seed file with (it must refuse it). */
function refusedProblems(name: string, file: unknown, text: string): string[] {
  let error: unknown;
  try {
    checkKnowledgeFile(`${name}.json`, file, text);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(KnowledgeFileError);
  return (error as KnowledgeFileError).problems;
}

describe('casualty estimates in knowledge files', () => {
  const name = 'globely-news-isis-k-long-reach';
  const raw = () => JSON.parse(readFileSync(`${SEED_DATA_DIR}/${name}.json`, 'utf8')) as { events: { slug: string; killed: Record<string, unknown> | null }[] };
  const text = readFileSync(`${SEED_SOURCES_DIR}/${name}.txt`, 'utf8');

  it('names each bad figure by its path in the file', () => {
    const file = raw();
    const kabul = file.events.findIndex((e) => e.slug === 'kabul-airport-suicide-attack');
    const moscow = file.events.findIndex((e) => e.slug === 'moscow-concert-hall-attack');
    file.events[kabul]!.killed = { min: 183, max: 183, text: 'x', parts: [{ category: 'CIVILIANS', low: 170 }, { category: 'SECURITY_FORCES', low: 20, high: 20 }] };
    file.events[moscow]!.killed = { min: 101, max: 90, text: 'over 100 concertgoers' };
    const problems = refusedProblems(name, file, text).join('\n');
    expect(problems).toMatch(new RegExp(`events\\.${kabul}\\.killed\\.parts\\.0\\.high: the part has no upper bound`));
    expect(problems).toMatch(new RegExp(`events\\.${kabul}\\.killed\\.parts: the parts' low estimates add up to 190`));
    expect(problems).toMatch(new RegExp(`events\\.${moscow}\\.killed\\.max: max must not be below min`));
  });
});

describe('sides in knowledge files', () => {
  it('names a side given to an actor acted against by its path', () => {
    const name = 'globely-news-isis-k-long-reach';
    const file = JSON.parse(readFileSync(`${SEED_DATA_DIR}/${name}.json`, 'utf8')) as { participations: { role: string; side?: string }[] };
    const text = readFileSync(`${SEED_SOURCES_DIR}/${name}.txt`, 'utf8');
    const target = file.participations.findIndex((p) => p.role === 'TARGET');
    const perpetrator = file.participations.findIndex((p) => p.role === 'PERPETRATOR');
    file.participations[target]!.side = 'B';
    file.participations[perpetrator]!.side = 'A';
    const problems = refusedProblems(name, file, text);
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^participations\\.${target}\\.side: side is given only for an actor that acted`))]);
  });
});

describe('standard event types', () => {
  it('maps the Kabul airport attack to ACLED Suicide bomb and GTD Bombing/Explosion with the suicide flag', async () => {
    const r = await api.query<{ event: { standardTypes: unknown } }>(
      `{ event(slug: "kabul-airport-suicide-attack") { standardTypes { acledEventType acledEventTypeLabel acledSubEventType acledSubEventTypeLabel gtdAttackType gtdAttackTypeCode gtdSuicide } } }`,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.event.standardTypes).toEqual({
      acledEventType: 'EXPLOSIONS_REMOTE_VIOLENCE',
      acledEventTypeLabel: 'Explosions/Remote violence',
      acledSubEventType: 'SUICIDE_BOMB',
      acledSubEventTypeLabel: 'Suicide bomb',
      gtdAttackType: 'BOMBING_EXPLOSION',
      gtdAttackTypeCode: 3,
      gtdSuicide: true,
    });
    const campaign = await api.query<{ event: { kind: string; standardTypes: { acledEventType: string | null; gtdAttackType: string | null; note: string } } }>(
      `{ event(slug: "isis-k-attacks-on-hazara-shias") { kind standardTypes { acledEventType gtdAttackType note } } }`,
    );
    expect(campaign.data?.event).toMatchObject({ kind: 'CAMPAIGN', standardTypes: { acledEventType: null, gtdAttackType: null, note: expect.stringMatching(/its own event/) } });
  });

  it('filters by type: the article’s suicide attacks are Kabul, Bajaur, southern Afghanistan and Kerman', async () => {
    const r = await api.query<{ events: { nodes: { slug: string }[] } }>(
      `{ events(filter: { gtdSuicide: true }, orderBy: DATE_ASC, first: 50) { nodes { slug } } }`,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.events.nodes.map((n) => n.slug).sort()).toEqual(
      ['bajaur-political-rally-bombing', 'kabul-airport-suicide-attack', 'kerman-memorial-bombings', 'southern-afghanistan-suicide-blast'].sort(),
    );
    const same = await api.query<{ a: { totalCount: number }; b: { totalCount: number }; c: { totalCount: number } }>(
      `{ a: events(filter: { acledSubEventType: [SUICIDE_BOMB] }) { totalCount }
         b: events(filter: { acledEventType: [EXPLOSIONS_REMOTE_VIOLENCE], gtdAttackType: [BOMBING_EXPLOSION] }) { totalCount }
         c: events(filter: { kind: [ATTACK], acledSubEventType: [SUICIDE_BOMB] }) { totalCount } }`,
    );
    expect(same.data).toEqual({ a: { totalCount: 4 }, b: { totalCount: 4 }, c: { totalCount: 0 } });
  });

  it('breaks down by ACLED and GTD types, from the kind summaries, with the same totals as from events', async () => {
    const q = (args: string) => `{ breakdown(by: GTD_ATTACK_TYPE, top: 20${args}) { key label events killed { min } casualties { killed { civilians { low } } } } }`;
    const live = await api.query<{ breakdown: { key: string; label: string; events: number; killed: { min: number }; casualties: { killed: { civilians: { low: number } } } }[] }>(q(''));
    expect(live.errors).toBeUndefined();
    const groups = Object.fromEntries((live.data?.breakdown ?? []).map((g) => [g.key, g]));
    // Four suicide kinds (Bombing/Explosion), two unmapped attacks... (ATTACK: Unknown), one storming (Armed Assault).
    expect(groups.BOMBING_EXPLOSION).toMatchObject({ label: 'Bombing/Explosion', events: 4, killed: { min: 234 }, casualties: { killed: { civilians: { low: 170 } } } });
    expect(groups.ARMED_ASSAULT).toMatchObject({ label: 'Armed Assault', events: 1 });
    expect(groups.UNKNOWN).toMatchObject({ label: 'Unknown', events: 2 });
    expect(groups.NONE?.label).toBe('No standard type');
    expect(live.data?.breakdown.reduce((n, g) => n + g.events, 0)).toBe(21);
    const fromEvents = await api.query<{ breakdown: unknown }>(q(', asOf: "2100-01-01T00:00:00Z"'));
    expect(fromEvents.data?.breakdown).toEqual(live.data?.breakdown);
    // Live breakdowns and filters by type read the kind summaries, as EVENT_KIND does (fast at 1M events).
    expect(breakdownSource('GTD_ATTACK_TYPE', summaryRoute({}))?.table).toBe('event_rollup_by_kind');
    expect(breakdownSource('ACLED_SUB_EVENT_TYPE', summaryRoute({ actor: 'isis-k' }))?.table).toBe('actor_rollup');
    expect(summaryRoute({ gtdSuicide: true }).kinds).toEqual(['SUICIDE_ATTACK', 'SUICIDE_BOMBING']);
    const acled = await api.query<{ breakdown: { key: string; label: string; events: number }[] }>(
      `{ breakdown(by: ACLED_EVENT_TYPE, filter: { actor: "isis-k", role: [PERPETRATOR] }) { key label events } }`,
    );
    expect(acled.errors).toBeUndefined();
    expect(acled.data?.breakdown).toContainEqual({ key: 'EXPLOSIONS_REMOTE_VIOLENCE', label: 'Explosions/Remote violence', events: 3 });
  });

  it('refuses an unknown type by its argument', async () => {
    const r = await api.query(`{ events(filter: { acledEventType: [MASSACRES] }) { totalCount } }`);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(r.errors?.[0]?.message).toMatch(/MASSACRES/);
  });
});

describe('dyads', () => {
  it('gives the Kabul airport attack ISIS-K on side A and the civilians and U.S. military on side B, each cited', async () => {
    const r = await api.query<{ event: { dyad: { sideA: { role: string; actor: { slug: string }; citations: { quote: string }[] }[]; sideB: { role: string; actor: { slug: string } }[]; acledInteraction: number; acledInteractionLabel: string } } }>(
      `{ event(slug: "kabul-airport-suicide-attack") { dyad { sideA { role actor { slug } citations { quote } } sideB { role actor { slug } } acledInteraction acledInteractionLabel } } }`,
    );
    expect(r.errors).toBeUndefined();
    const dyad = r.data?.event.dyad;
    expect(dyad?.sideA.map((p) => [p.role, p.actor.slug])).toEqual([['PERPETRATOR', 'isis-k']]);
    expect(dyad?.sideA[0]?.citations.length).toBeGreaterThan(0);
    expect(dyad?.sideB.map((p) => p.actor.slug).sort()).toEqual(['afghan-civilians', 'us-military']);
    // The first side-B actor is the surest (both 90; then by claim): a community, so civilians or state forces.
    expect([12, 27]).toContain(dyad?.acledInteraction);
    const founding = await api.query<{ event: { dyad: null } }>(`{ event(slug: "isis-k-founding") { dyad { acledInteraction } } }`);
    expect(founding.data?.event.dyad).toBeNull();
  });

  it('finds the events between ISIS-K and the Afghan Taliban, either way round', async () => {
    const q = (a: string, b: string) => `{ events(filter: { between: ["${a}", "${b}"] }) { totalCount nodes { slug } } eventStats(filter: { between: ["${a}", "${b}"] }) { events } }`;
    const r = await api.query<{ events: { totalCount: number; nodes: { slug: string }[] }; eventStats: { events: number } }>(q('isis-k', 'afghan-taliban'));
    expect(r.errors).toBeUndefined();
    expect(r.data?.events.nodes.map((n) => n.slug)).toEqual(['isis-k-targeting-in-afghanistan']);
    expect(r.data?.eventStats.events).toBe(1);
    const reversed = await api.query<{ events: { totalCount: number } }>(q('afghan-taliban', 'isis-k'));
    expect(reversed.data?.events.totalCount).toBe(1);
    // ISIS and the concertgoers: ISIS claimed the Moscow attack (side A), the concertgoers were its victims.
    const moscow = await api.query<{ events: { nodes: { slug: string }[] } }>(`{ events(filter: { between: ["moscow-concertgoers", "isis"] }) { nodes { slug } } }`);
    expect(moscow.data?.events.nodes.map((n) => n.slug)).toEqual(['moscow-concert-hall-attack']);
  });

  it('breaks down an actor’s events by whom it met on the other side, each group what between finds', async () => {
    type Group = { key: string; events: number; killed: { min: number }; actor: { slug: string } | null };
    const opponents = async (actor: string, floor = '') => {
      const r = await api.query<{ breakdown: Group[] }>(`{ breakdown(by: OPPONENT, top: 100, filter: { actor: "${actor}"${floor} }) { key events killed { min } actor { slug } } }`);
      expect(r.errors).toBeUndefined();
      return r.data!.breakdown;
    };
    const isisK = await opponents('isis-k');
    const keys = isisK.map((g) => g.key);
    // The article: ISIS-K targeted the Afghan Taliban; at Kabul airport it killed 170 Afghan civilians and 13 U.S. servicemembers.
    expect(keys).toEqual(expect.arrayContaining(['afghan-taliban', 'afghan-civilians', 'us-military']));
    expect(keys).not.toContain('isis-k');
    expect(isisK.find((g) => g.key === 'us-military')?.killed.min).toBeGreaterThanOrEqual(183);
    for (const g of isisK) expect(g.actor?.slug).toBe(g.key);
    // Each group counts exactly the events `between` finds for the pair.
    for (const g of isisK) {
      const r = await api.query<{ eventStats: { events: number } }>(`{ eventStats(filter: { between: ["isis-k", "${g.key}"] }) { events } }`);
      expect([g.key, r.data?.eventStats.events]).toEqual([g.key, g.events]);
    }
    // The other way round: the U.S. military met ISIS-K on the other side.
    expect((await opponents('us-military')).map((g) => g.key)).toContain('isis-k');
    // ISIS-K's part in the Kabul airport attack is recorded at confidence 80: a floor of 90 takes
    // its victims off the other side; the Taliban, targeted at 90, stay.
    const floored = (await opponents('isis-k', ', minConfidence: 90')).map((g) => g.key);
    expect(floored).toContain('afghan-taliban');
    expect(floored).not.toContain('us-military');
    expect(floored).not.toContain('afghan-civilians');
  });

  it('answers an opponent breakdown from the summaries exactly as from the events', async () => {
    expect(breakdownSource('OPPONENT', summaryRoute({ actor: 'isis-k' }))?.table).toBe('actor_event_links');
    // A floor reads events: only participations that pass it make a side.
    expect(breakdownSource('OPPONENT', summaryRoute({ actor: 'isis-k', minConfidence: 50 }))).toBeNull();
    const groups = async (filter: string) => {
      const r = await api.query<{ breakdown: unknown[] }>(`{ breakdown(by: OPPONENT, top: 100, filter: { ${filter} }) { key events killed { min max } } }`);
      expect(r.errors).toBeUndefined();
      return r.data!.breakdown;
    };
    const actors = await api.query<{ actors: { nodes: { slug: string }[] } }>('{ actors(first: 100) { nodes { slug } } }');
    let compared = 0;
    for (const { slug } of actors.data!.actors.nodes) {
      // minConfidence 0 passes every claim, and is answered from the events.
      const fromEvents = await groups(`actor: "${slug}", minConfidence: 0`);
      expect([slug, await groups(`actor: "${slug}"`)]).toEqual([slug, fromEvents]);
      if (fromEvents.length > 0) compared++;
    }
    expect(compared).toBeGreaterThan(5);
    // With dates, a country and roles, as the events give them.
    for (const filter of ['actor: "isis-k", from: "2021-01-01", to: "2021-12-31"', 'actor: "isis-k", country: "afghanistan"', 'actor: "isis-k", role: [TARGET]']) {
      expect([filter, await groups(filter)]).toEqual([filter, await groups(`${filter}, minConfidence: 0`)]);
    }
  });

  it('answers aggregates of a pair (between) from the summaries exactly as from the events', async () => {
    const aggregates = (filter: string) => `{
      eventStats(filter: { ${filter} }) { events killed { min max } casualties { killed { total { low high } civilians { low high } } } }
      timeline(interval: YEAR, filter: { ${filter} }) { buckets { start events killed { min max } } unplaced { events } }
      country: breakdown(by: COUNTRY, top: 100, filter: { ${filter} }) { key events killed { min max } }
      kind: breakdown(by: EVENT_KIND, top: 100, filter: { ${filter} }) { key events }
      acled: breakdown(by: ACLED_EVENT_TYPE, top: 100, filter: { ${filter} }) { key events }
      year: breakdown(by: YEAR, top: 100, filter: { ${filter} }) { key events }
      actor: breakdown(by: ACTOR, top: 100, filter: { ${filter} }) { key events }
      role: breakdown(by: ROLE, top: 100, filter: { ${filter} }) { key events }
      doctrine: breakdown(by: DOCTRINE, top: 100, filter: { ${filter} }) { key events }
    }`;
    const pairs = [['isis-k', 'afghan-taliban'], ['afghan-taliban', 'isis-k'], ['isis-k', 'us-military'], ['isis-k', 'afghan-civilians'],
      ['pakistan-army', 'pakistani-taliban'], ['isis', 'moscow-concertgoers'], ['isis-k', 'isis-k'], ['isis-k', 'no-such-actor']];
    let found = 0;
    for (const [a, b] of pairs) {
      for (const extra of ['', ', from: "2021-01-01", to: "2021-12-31"', ', country: "afghanistan"', ', kind: [SUICIDE_BOMBING, SUICIDE_ATTACK]']) {
        const filter = `between: ["${a}", "${b}"]${extra}`;
        api.resetStatements();
        const fromSummaries = await api.query<{ eventStats: { events: number } }>(aggregates(filter));
        expect(fromSummaries.errors).toBeUndefined();
        // Read from the links' sides, not by giving each candidate event its sides.
        expect(api.statements.some((text) => text.includes('participation_on_side_a'))).toBe(false);
        // minConfidence 0 passes every claim, and is answered from the events.
        const fromEvents = await api.query(aggregates(`${filter}, minConfidence: 0`));
        expect([filter, fromSummaries.data]).toEqual([filter, fromEvents.data]);
        found += fromSummaries.data!.eventStats.events;
      }
    }
    expect(found).toBeGreaterThan(5);
  });

  it('maps a pair (between) from the summaries exactly as from the events', async () => {
    const map = (filter: string) => `{
      eventMap(zoom: 6, filter: { ${filter} }) { fromSummary bins { latitude longitude events places killed { min max } finestPrecision coarsestPrecision } }
      boxed: eventStats(filter: { ${filter}, bbox: { south: 29, west: 60, north: 38, east: 72 } }) { events killed { min max } firstDate lastDate }
    }`;
    type MapAnswer = { eventMap: { fromSummary: boolean; bins: { events: number }[] }; boxed: { events: number } };
    const pairs = [['isis-k', 'afghan-taliban'], ['afghan-taliban', 'isis-k'], ['isis-k', 'afghan-civilians'], ['pakistan-army', 'pakistani-taliban'],
      ['isis', 'moscow-concertgoers'], ['isis-k', 'isis-k'], ['isis-k', 'no-such-actor']];
    let mapped = 0;
    for (const [a, b] of pairs) {
      for (const extra of ['', ', from: "2021-01-01", to: "2021-12-31"', ', country: "afghanistan"', ', kind: [SUICIDE_BOMBING, SUICIDE_ATTACK]', ', maxPrecision: ADMIN1']) {
        const filter = `between: ["${a}", "${b}"]${extra}`;
        api.resetStatements();
        const fromSummaries = await api.query<MapAnswer>(map(filter));
        expect(fromSummaries.errors).toBeUndefined();
        expect(fromSummaries.data!.eventMap.fromSummary).toBe(true);
        expect(api.statements.some((text) => text.includes('participation_on_side_a'))).toBe(false);
        // minConfidence 0 passes every claim, and is answered from the events.
        const fromEvents = await api.query<MapAnswer>(map(`${filter}, minConfidence: 0`));
        expect(fromEvents.data!.eventMap.fromSummary).toBe(false);
        const { fromSummary: _s, ...summaryBins } = fromSummaries.data!.eventMap;
        const { fromSummary: _e, ...eventBins } = fromEvents.data!.eventMap;
        expect([filter, summaryBins, fromSummaries.data!.boxed]).toEqual([filter, eventBins, fromEvents.data!.boxed]);
        mapped += fromSummaries.data!.boxed.events;
      }
    }
    expect(mapped).toBeGreaterThan(5);
    // With another actor or a role beside the pair, the events answer.
    const withActor = await api.query<MapAnswer>(map('between: ["isis-k", "afghan-taliban"], actor: "isis-k"'));
    expect(withActor.data!.eventMap.fromSummary).toBe(false);
  });

  it('reads sides in SQL by the same roles and kinds as sidesOf', async () => {
    const sql = api.database.sql;
    const roles = await sql<{ role: string; side: number | null }[]>`
      select r::text as role, participation_side_role(r) as side from unnest(enum_range(null::participation_role)) r`;
    for (const { role, side } of roles) {
      const expected = (SIDE_A_ROLES as readonly string[]).includes(role) ? 1 : (SIDE_B_ROLES as readonly string[]).includes(role) ? 2 : null;
      expect([role, side]).toEqual([role, expected]);
    }
    const kinds = await sql<{ kind: string; fight: boolean }[]>`select k::text as kind, event_kind_is_fight(k) as fight from unnest(enum_range(null::event_kind)) k`;
    expect(kinds.filter((k) => k.fight).map((k) => k.kind).sort()).toEqual([...FIGHT_KINDS].sort());
    // The table's own rule (participations_side_check) names the roles that may take a side: side A's.
    const [check] = await sql<{ definition: string }[]>`select pg_get_constraintdef(oid) as definition from pg_constraint where conname = 'participations_side_check'`;
    const named = [...check!.definition.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]);
    expect(named.sort()).toEqual([...SIDE_A_ROLES].sort());
  });

  it('refuses an opponent breakdown without an actor, naming the argument', async () => {
    const r = await api.query(`{ breakdown(by: OPPONENT) { key } }`);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'filter.actor' });
  });

  it('refuses a between that is not two actors', async () => {
    const r = await api.query(`{ events(filter: { between: ["isis-k"] }) { totalCount } }`);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'filter.between' });
  });
});

describe('sides named by the source', () => {
  let f: WriteFixture;
  const SOURCE = 'test-clash-report';
  const TEXT = 'Taliban fighters and Pakistani Taliban militants fought ISIS-K near Jalalabad on 3 May 2024. ' + 'On 4 May 2024 the Taliban fought the Pakistani Taliban and ISIS-K there.';
  const CLASH = 'Taliban fighters and Pakistani Taliban militants fought ISIS-K near Jalalabad on 3 May 2024.';
  const OTHER = 'On 4 May 2024 the Taliban fought the Pakistani Taliban and ISIS-K there.';
  const CREATE = `mutation($i: CreateEventInput!) { createEvent(input: $i) { __typename ... on UserError { message path } } }`;
  const clash = (slug: string, quote: string, day: string, participants: { actor: string; role: string; side?: string }[]) => ({
    slug, title: `A clash near Jalalabad (${day})`, kind: 'ARMED_CLASH', confidence: 80,
    date: { text: `${day} May 2024`, earliest: `2024-05-0${day}`, latest: `2024-05-0${day}`, precision: 'DAY' },
    citations: [{ source: SOURCE, quote }], participants,
  });
  type Dyad = { event: { dyad: { sideA: { actor: { slug: string }; side: string | null }[]; sideB: { actor: { slug: string }; side: string | null }[] } | null } };
  const sides = async (slug: string) => {
    const r = await f.api.query<Dyad>(`{ event(slug: "${slug}") { dyad { sideA { actor { slug } side } sideB { actor { slug } side } } } }`);
    expect(r.errors).toBeUndefined();
    const d = r.data!.event.dyad;
    return d && [d.sideA.map((p) => p.actor.slug), d.sideB.map((p) => p.actor.slug)];
  };
  const between = async (a: string, b: string) =>
    (await f.api.query<{ events: { nodes: { slug: string }[] } }>(`{ events(filter: { between: ["${a}", "${b}"] }) { nodes { slug } } }`)).data!.events.nodes.map((e) => e.slug).sort();
  beforeAll(async () => {
    f = await writeFixture();
    const added = await f.api.query(`mutation($i: AddSourceInput!) { addSource(input: $i) { __typename } }`, { i: { slug: SOURCE, publisher: 'Test', text: TEXT } }, { token: f.tokens.analyst });
    expect(added.errors).toBeUndefined();
  });
  afterAll(() => f.close());

  it('puts an ally on the side the source names it, in the dyad, between and the opponents', async () => {
    const created = await f.api.query<{ createEvent: { __typename: string } }>(CREATE, {
      i: clash('jalalabad-clash-allied', CLASH, '3', [
        { actor: 'afghan-taliban', role: 'PERPETRATOR', side: 'A' },
        { actor: 'pakistani-taliban', role: 'PERPETRATOR', side: 'A' },
        { actor: 'isis-k', role: 'PERPETRATOR', side: 'B' },
      ]),
    }, { token: f.tokens.analyst });
    expect(created.data?.createEvent.__typename).toBe('MutationCreateEventSuccess');
    expect(await sides('jalalabad-clash-allied')).toEqual([['afghan-taliban', 'pakistani-taliban'], ['isis-k']]);
    // The same three with no side named: the first recorded is side A, everyone else who fought side B.
    const unnamed = await f.api.query<{ createEvent: { __typename: string } }>(CREATE, {
      i: clash('jalalabad-clash-unnamed', OTHER, '4', [
        { actor: 'afghan-taliban', role: 'PERPETRATOR' },
        { actor: 'pakistani-taliban', role: 'PERPETRATOR' },
        { actor: 'isis-k', role: 'PERPETRATOR' },
      ]),
    }, { token: f.tokens.analyst });
    expect(unnamed.data?.createEvent.__typename).toBe('MutationCreateEventSuccess');
    expect(await sides('jalalabad-clash-unnamed')).toEqual([['afghan-taliban'], ['pakistani-taliban', 'isis-k']]);
    const [allied, loose] = ['jalalabad-clash-allied', 'jalalabad-clash-unnamed'];
    expect((await between('pakistani-taliban', 'isis-k')).filter((s) => s.startsWith('jalalabad'))).toEqual([allied]);
    expect((await between('afghan-taliban', 'pakistani-taliban')).filter((s) => s.startsWith('jalalabad'))).toEqual([loose]);
    expect((await between('isis-k', 'afghan-taliban')).filter((s) => s.startsWith('jalalabad'))).toEqual([allied, loose]);
    const opponents = await f.api.query<{ breakdown: { key: string; events: number }[] }>(
      `{ breakdown(by: OPPONENT, filter: { actor: "pakistani-taliban", from: "2024-05-01", to: "2024-05-31" }) { key events } }`,
    );
    expect(opponents.data?.breakdown).toEqual([{ key: 'afghan-taliban', events: 1 }, { key: 'isis-k', events: 1 }]);
    // Each participation says its side.
    const named = await f.api.query<{ event: { participants: { actor: { slug: string }; side: string | null }[] } }>(
      `{ event(slug: "jalalabad-clash-allied") { participants { actor { slug } side } } }`,
    );
    expect(named.data?.event.participants.map((p) => [p.actor.slug, p.side]).sort()).toEqual([['afghan-taliban', 'A'], ['isis-k', 'B'], ['pakistani-taliban', 'A']]);
  });

  it('adds a participation on a named side', async () => {
    const r = await f.api.query<{ addParticipation: { __typename: string } }>(
      `mutation($i: AddParticipationInput!) { addParticipation(input: $i) { __typename ... on UserError { message path } } }`,
      { i: { event: 'jalalabad-clash-allied', actor: 'isis', role: 'PERPETRATOR', side: 'B', confidence: 50, citations: [{ source: SOURCE, quote: CLASH }] } },
      { token: f.tokens.analyst },
    );
    expect(r.data?.addParticipation.__typename).toBe('MutationAddParticipationSuccess');
    expect(await sides('jalalabad-clash-allied')).toEqual([['afghan-taliban', 'pakistani-taliban'], ['isis-k', 'isis']]);
  });

  it('keeps the sides through a STIX export and import', async () => {
    const server = await serve(f.scratch.url);
    onTestFinished(() => server.shutdown());
    const bundle = await (await fetch(`${server.url}/export/stix`)).text();
    const dir = mkdtempSync(join(tmpdir(), 'sides-stix-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'bundle.json'), bundle);
    const target = await scratchDatabase();
    onTestFinished(() => target.drop());
    await importFile(target.handle.db, join(dir, 'bundle.json'));
    const sidesIn = (sql: typeof target.handle.sql) => sql<{ actor: string; side: string | null }[]>`
      select a.slug as actor, p.side::text as side from participations p join events e on e.id = p.event_id join actors a on a.id = p.actor_id
       where e.slug = 'jalalabad-clash-allied' order by a.slug`;
    const exported = await sidesIn(f.scratch.handle.sql);
    expect(exported.map((r) => r.side)).toEqual(['A', 'B', 'B', 'A']);
    expect(await sidesIn(target.handle.sql)).toEqual(exported);
  });

  it('refuses a side for an actor acted against, naming the field, and writes nothing', async () => {
    const before = await tableCounts(f.scratch.handle.sql);
    const r = await f.api.query<{ createEvent: { __typename: string; message: string; path: string[] } }>(CREATE, {
      i: clash('jalalabad-clash-refused', CLASH, '3', [
        { actor: 'afghan-taliban', role: 'PERPETRATOR' },
        { actor: 'isis-k', role: 'TARGET', side: 'B' },
      ]),
    }, { token: f.tokens.analyst });
    expect(r.data?.createEvent).toMatchObject({ __typename: 'ValidationError', path: ['input', 'participants', '1', 'side'], message: expect.stringMatching(/only for an actor that acted/) });
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
    // The database holds the same rule.
    await expect(f.scratch.handle.sql`update participations set side = 'A' where role = 'TARGET'`).rejects.toThrow(/participations_side_check/);
  });
});

describe('dyads across a merge', () => {
  let f: WriteFixture;
  beforeAll(async () => {
    f = await writeFixture();
  });
  afterAll(() => f.close());

  it('counts an actor merged into another as that actor', async () => {
    // The STIX export before the merge, to compare with after.
    const server = await serve(f.scratch.url);
    onTestFinished(() => server.shutdown());
    const relationships = async () => {
      const bundle = (await (await fetch(`${server.url}/export/stix`)).json()) as { objects: { type: string; name?: string; source_ref?: string; target_ref?: string }[] };
      return { names: bundle.objects.map((o) => o.name), relationships: bundle.objects.filter((o) => o.type === 'relationship').length };
    };
    const stixBefore = await relationships();
    const beforeMerge = new Date().toISOString();
    const MERGE = `mutation($i: MergeActorsInput!) { mergeActors(input: $i) { __typename ... on UserError { message path } } }`;
    const merged = await f.api.query<{ mergeActors: { __typename: string } }>(
      MERGE,
      { i: { keep: 'afghan-taliban', remove: 'pakistani-taliban', reason: 'test: a merge, to see between follow it' } },
      { token: f.tokens.admin },
    );
    expect(merged.errors).toBeUndefined();
    expect(merged.data?.mergeActors.__typename).toBe('MutationMergeActorsSuccess');
    // The Pakistan army's operations targeted the Pakistani Taliban, now folded into the Afghan Taliban.
    const r = await f.api.query<{ events: { nodes: { slug: string }[] } }>(`{ events(filter: { between: ["pakistan-army", "afghan-taliban"] }) { nodes { slug } } }`);
    expect(r.errors).toBeUndefined();
    expect(r.data?.events.nodes.map((n) => n.slug)).toEqual(['pakistan-army-operations']);
    // The event's own dyad and the STIX export name the actor it was merged into.
    const dyad = await f.api.query<{ event: { dyad: { sideA: { actor: { slug: string } }[]; sideB: { actor: { slug: string } }[] } } }>(
      `{ event(slug: "pakistan-army-operations") { dyad { sideA { actor { slug } } sideB { actor { slug } } } } }`,
    );
    expect(dyad.errors).toBeUndefined();
    expect(dyad.data?.event.dyad.sideA.map((s) => s.actor.slug)).toEqual(['pakistan-army']);
    expect(dyad.data?.event.dyad.sideB.map((s) => s.actor.slug)).toContain('afghan-taliban');
    expect(dyad.data?.event.dyad.sideB.map((s) => s.actor.slug)).not.toContain('pakistani-taliban');
    // The army's opponents: the merged actor, as it stands now; before the merge, as it stood then.
    const opponents = async (asOf?: string) => {
      const o = await f.api.query<{ breakdown: { key: string }[] }>(`{ breakdown(by: OPPONENT, top: 100, filter: { actor: "pakistan-army" }${asOf ? `, asOf: "${asOf}"` : ''}) { key } }`);
      expect(o.errors).toBeUndefined();
      return o.data!.breakdown.map((g) => g.key);
    };
    expect(await opponents()).toContain('afghan-taliban');
    expect(await opponents()).not.toContain('pakistani-taliban');
    expect(await opponents(beforeMerge)).toContain('pakistani-taliban');
    // In STIX the removed actor has no object of its own, and none of its relationships is lost:
    // each now joins the actor it was merged into.
    const [removed] = await f.scratch.handle.sql<{ name: string }[]>`select name from actors where slug = 'pakistani-taliban'`;
    const stixAfter = await relationships();
    expect(stixBefore.names).toContain(removed!.name);
    expect(stixAfter.names).not.toContain(removed!.name);
    expect(stixAfter.names).toContain('Afghan Taliban');
    expect(stixAfter.relationships).toBe(stixBefore.relationships);
  });

  it('keeps only sides given by live claims: a retracted participation takes its event out', async () => {
    // The participation that puts the Pakistan army on side A of its operations, retracted.
    const [row] = await f.scratch.handle.sql<{ claim_id: number }[]>`
      select p.claim_id from participations p join events e on e.id = p.event_id join actors a on a.id = p.actor_id
       where e.slug = 'pakistan-army-operations' and a.slug = 'pakistan-army' and p.role = 'PERPETRATOR'`;
    expect(row).toBeDefined();
    await f.scratch.handle.sql`update claims set retracted_at = now(), retracted_by = 'test', retraction_reason = 'test: a side withdrawn' where id = ${row!.claim_id}`;
    // Written past the API: the summaries (the OPPONENT breakdown's sides) follow once drained.
    await drainSummaries(f.api.database.db);
    const r = await f.api.query<{ events: { totalCount: number; nodes: { slug: string }[] } }>(
      `{ events(filter: { between: ["pakistan-army", "afghan-taliban"] }) { totalCount nodes { slug } } }`,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.events).toEqual({ totalCount: 0, nodes: [] });
    const o = await f.api.query<{ breakdown: { key: string }[] }>(`{ breakdown(by: OPPONENT, filter: { actor: "pakistan-army" }) { key } }`);
    expect(o.data?.breakdown.map((g) => g.key)).not.toContain('afghan-taliban');
  });
});

describe('events between two actors, before the summaries catch up', () => {
  // A live list reads the summaries' sides for the events they are up to date for, and the
  // participations for those a commit has queued: the same events as a read as of now, which
  // reads only the participations, at every step here.
  let f: WriteFixture;
  let writer: TestApi;
  const SOURCE = 'test-between-report';
  const TEXT = 'ISIS-K fighters attacked a Taliban checkpoint near Kunar on 9 June 2024.';
  const PAIRS = [['pakistan-army', 'afghan-taliban'], ['pakistan-army', 'pakistani-taliban'], ['afghan-taliban', 'pakistan-army'],
    ['isis-k', 'afghan-taliban'], ['isis-k', 'afghan-civilians'], ['isis', 'moscow-concertgoers']] as const;
  type Listed = { totalCount: number; nodes: { slug: string }[] };
  const listed = async (a: string, b: string, asOf?: string): Promise<Listed> => {
    const r = await f.api.query<{ events: Listed }>(
      `query($p: [String!]!, $at: DateTime) { events(filter: { between: $p }, first: 100, asOf: $at) { totalCount nodes { slug } } }`, { p: [a, b], at: asOf ?? null });
    expect(r.errors).toBeUndefined();
    return r.data!.events;
  };
  const everyPairAsOfNow = async () => {
    const now = new Date().toISOString();
    for (const [a, b] of PAIRS) expect([a, b, await listed(a, b)]).toEqual([a, b, await listed(a, b, now)]);
  };
  const queued = async () => (await f.scratch.handle.sql<{ n: number }[]>`select count(*)::int as n from summary_queue`)[0]!.n;
  const slugs = async (a: string, b: string) => (await listed(a, b)).nodes.map((n) => n.slug);
  beforeAll(async () => {
    f = await writeFixture();
    writer = openApi(f.scratch.url, {}, { drainAfterWrites: false });
    const added = await f.api.query(`mutation($i: AddSourceInput!) { addSource(input: $i) { __typename } }`, { i: { slug: SOURCE, publisher: 'Test', text: TEXT } }, { token: f.tokens.analyst });
    expect(added.errors).toBeUndefined();
  });
  afterAll(async () => {
    await writer.close();
    await f.close();
  });

  it('lists the same events whether or not the summaries have caught up', async () => {
    expect(await queued()).toBe(0);
    f.api.resetStatements();
    expect(await slugs('isis-k', 'afghan-taliban')).not.toEqual([]);
    expect(f.api.statements.some((text) => text.includes('actor_event_links'))).toBe(true);
    await everyPairAsOfNow();

    // A merge, not drained: the Pakistani Taliban's events count as the Afghan Taliban's at once.
    const merged = await writer.query<{ mergeActors: { __typename: string } }>(
      `mutation($i: MergeActorsInput!) { mergeActors(input: $i) { __typename ... on UserError { message path } } }`,
      { i: { keep: 'afghan-taliban', remove: 'pakistani-taliban', reason: 'test: between before the drain' } }, { token: f.tokens.admin });
    expect(merged.data?.mergeActors.__typename).toBe('MutationMergeActorsSuccess');
    expect(await queued()).toBeGreaterThan(0);
    expect(await slugs('pakistan-army', 'afghan-taliban')).toContain('pakistan-army-operations');
    await everyPairAsOfNow();

    // A new event, not drained: no summary row has it yet.
    const created = await writer.query<{ createEvent: { __typename: string } }>(
      `mutation($i: CreateEventInput!) { createEvent(input: $i) { __typename ... on UserError { message path } } }`,
      { i: { slug: 'kunar-checkpoint-attack', title: 'An attack on a checkpoint near Kunar', kind: 'ATTACK', confidence: 80,
        date: { text: '9 June 2024', earliest: '2024-06-09', latest: '2024-06-09', precision: 'DAY' },
        citations: [{ source: SOURCE, quote: TEXT }],
        participants: [{ actor: 'isis-k', role: 'PERPETRATOR' }, { actor: 'afghan-taliban', role: 'TARGET' }] } },
      { token: f.tokens.analyst });
    expect(created.data?.createEvent.__typename).toBe('MutationCreateEventSuccess');
    expect(await slugs('isis-k', 'afghan-taliban')).toContain('kunar-checkpoint-attack');
    await everyPairAsOfNow();

    // A side withdrawn past the API, not drained: the summaries still have the army on side A.
    await f.scratch.handle.sql`update claims set retracted_at = now(), retracted_by = 'test', retraction_reason = 'test: a side withdrawn'
      where id = (select p.claim_id from participations p join events e on e.id = p.event_id join actors a on a.id = p.actor_id
                   where e.slug = 'pakistan-army-operations' and a.slug = 'pakistan-army' and p.role = 'PERPETRATOR')`;
    expect(await slugs('pakistan-army', 'afghan-taliban')).not.toContain('pakistan-army-operations');
    await everyPairAsOfNow();

    // Caught up: the same answers, now from the summaries.
    const before = await Promise.all(PAIRS.map(([a, b]) => listed(a, b)));
    await drainSummaries(f.api.database.db);
    expect(await queued()).toBe(0);
    expect(await Promise.all(PAIRS.map(([a, b]) => listed(a, b)))).toEqual(before);
    await everyPairAsOfNow();
  });
});

describe('casualty parts in a CSV import', () => {
  let f: WriteFixture;
  // Made in beforeAll, not while the file is collected: a run filtered to other tests skips this
  // block's afterAll, and left a directory behind each time.
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'casualty-csv-'));
    f = await writeFixture();
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await f.close();
  });

  const header = 'source,slug,title,kind,date_precision,date_earliest,date_latest,confidence,quote,killed_text,killed_parts';
  const row = (slug: string, parts: string) =>
    `globely-news-isis-k-long-reach,${slug},Kabul again,SUICIDE_ATTACK,DAY,2021-08-26,2021-08-26,90,killed 170 Afghan civilians and 13 U.S. servicemembers,170 Afghan civilians and 13 U.S. servicemembers,"${parts.replaceAll('"', '""')}"`;

  it('takes killed_parts as JSON (as /export/events.csv writes it), derives the total, and names a bad row by line', async () => {
    const path = join(dir, 'parts.csv');
    writeFileSync(path, [header, row('kabul-from-csv', JSON.stringify([{ category: 'CIVILIANS', low: 170, high: 170 }, { category: 'SECURITY_FORCES', low: 13, high: 13 }]))].join('\n'));
    const report = await importFile(f.scratch.handle.db, path);
    expect(report.problems).toEqual([]);
    const r = await f.api.query<{ event: { killed: unknown } }>(`{ event(slug: "kabul-from-csv") { killed { low high parts { category low } } } }`);
    expect(r.data?.event.killed).toEqual({ low: 183, high: 183, parts: [{ category: 'CIVILIANS', low: 170 }, { category: 'SECURITY_FORCES', low: 13 }] });

    writeFileSync(path, [header, row('bad-json', '[{category'), row('bad-parts', JSON.stringify([{ category: 'CIVILIANS', low: 5, high: 2 }]))].join('\n'));
    const before = await tableCounts(f.scratch.handle.sql);
    const bad = await importFile(f.scratch.handle.db, path);
    expect(bad.problems).toContain('line 2: killed_parts is not JSON (a list of {category, low, best, high, text})');
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
    writeFileSync(path, [header, row('bad-parts', JSON.stringify([{ category: 'CIVILIANS', low: 5, high: 2 }]))].join('\n'));
    const range = await importFile(f.scratch.handle.db, path);
    expect(range.problems.join('\n')).toMatch(/line 2 \(events\[0\]\)\.killed\.parts\[0\]\.high: high must not be below low/);
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  });
});

describe('a fight’s two sides (sidesOf, for Event.dyad and the exports’ side_a and side_b)', () => {
  const p = (claimId: number, actor: string, role: string) => ({ claimId, actor, role });
  const names = (sides: { sideA: { actor: string }[]; sideB: { actor: string }[] }) => [sides.sideA.map((x) => x.actor), sides.sideB.map((x) => x.actor)];
  it('splits a clash with no one acted against: the first actor recorded as acting on side A, the others on side B', () => {
    // Listed in another order than recorded: the first recorded (lowest claim id) is side A.
    const clash = [p(12, 'rebels', 'PERPETRATOR'), p(14, 'allies', 'PERPETRATOR'), p(10, 'army', 'PERPETRATOR'), p(11, 'army', 'CLAIMED_RESPONSIBILITY'), p(13, 'onlookers', 'IMPLICATED')];
    expect(names(sidesOf('ARMED_CLASH', clash, (x) => x.actor))).toEqual([['army', 'army'], ['rebels', 'allies']]);
    expect(names(sidesOf('TAKEOVER', clash, (x) => x.actor))).toEqual([['army', 'army'], ['rebels', 'allies']]);
  });
  it('leaves everyone who acted on side A in an attack, and in a fight with someone recorded as acted against', () => {
    const joint = [p(1, 'group-a', 'PERPETRATOR'), p(2, 'group-b', 'PERPETRATOR')];
    expect(names(sidesOf('ATTACK', joint, (x) => x.actor))).toEqual([['group-a', 'group-b'], []]);
    expect(names(sidesOf('ARMED_CLASH', [...joint, p(3, 'police', 'TARGET')], (x) => x.actor))).toEqual([['group-a', 'group-b'], ['police']]);
  });
});
