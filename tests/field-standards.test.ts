/**
 * Field-standard event data on the seeded article (seed/data/globely-news-isis-k-long-reach.json):
 * casualty estimates split by category, ACLED/GTD event types, and dyads. Expected figures are
 * read from the article: "the August 26, 2021 suicide attack at Kabul airport that killed 170
 * Afghan civilians and 13 U.S. servicemembers"; ISIS-K "targeted ... the Afghan Taliban".
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkKnowledgeFile, KnowledgeFileError } from '../src/domain/knowledge/load.ts';
import { SEED_DATA_DIR, SEED_SOURCES_DIR } from '../src/domain/knowledge/seed.ts';
import { drainSummaries } from '../src/db/summaries.ts';
import { openApi, tableCounts, writeFixture, type WriteFixture } from './helpers.ts';

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
    let error: unknown;
    try {
      checkKnowledgeFile(`${name}.json`, file, text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KnowledgeFileError);
    const problems = (error as KnowledgeFileError).problems.join('\n');
    expect(problems).toMatch(new RegExp(`events\\.${kabul}\\.killed\\.parts\\.0\\.high: the part has no upper bound`));
    expect(problems).toMatch(new RegExp(`events\\.${kabul}\\.killed\\.parts: the parts' low estimates add up to 190`));
    expect(problems).toMatch(new RegExp(`events\\.${moscow}\\.killed\\.max: max must not be below min`));
  });
});
