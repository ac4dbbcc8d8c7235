import type { SQL } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { events } from '../src/db/schema.ts';
import type { KnowledgeView } from '../src/graphql/context.ts';
import { eventWhere, namedActorLinks, type EventFilterInput } from '../src/graphql/types/event.ts';
import { LIVE_VIEW } from '../src/graphql/view.ts';
import { openApi } from './helpers.ts';

const api = openApi();
afterAll(() => api.close());

interface EventNode {
  slug: string;
  date: { earliest: string | null; latest: string | null };
  killed: { min: number } | null;
}

async function eventSlugs(args: string): Promise<string[]> {
  const { data, errors } = await api.query<{ events: { totalCount: number; nodes: { slug: string }[] } }>(
    `{ events(${args}, first: 100) { totalCount nodes { slug } } }`,
  );
  expect(errors).toBeUndefined();
  expect(data?.events.totalCount).toBe(data?.events.nodes.length);
  return data?.events.nodes.map((n) => n.slug) ?? [];
}

describe('event(slug)', () => {
  it('keeps the source’s words beside the resolved date and casualty range', async () => {
    const { data } = await api.query<{ event: Record<string, unknown> }>(`{
      event(slug: "bajaur-political-rally-bombing") {
        title kind
        date { text earliest latest precision }
        place { slug kind country { slug } }
        killed { min max text }
        wounded { min }
        citations { quote }
      }
    }`);
    expect(data?.event).toMatchObject({
      kind: 'SUICIDE_BOMBING',
      date: { text: 'last July', earliest: '2023-07-01', latest: '2023-07-31', precision: 'MONTH' },
      place: { slug: 'bajaur-tribal-area', kind: 'ADMIN2', country: { slug: 'pakistan' } },
      killed: { min: 51, max: null, text: 'over 50 people' },
      wounded: null,
    });
  });

  it('records "over 100" as at least 101 with no upper bound', async () => {
    const { data } = await api.query<{ event: { killed: unknown } }>(`{ event(slug: "moscow-concert-hall-attack") { killed { min max text } } }`);
    expect(data?.event.killed).toEqual({ min: 101, max: null, text: 'over 100 concertgoers' });
  });

  it('gives null for an unknown slug', async () => {
    expect((await api.query(`{ event(slug: "nope") { slug } }`)).data).toEqual({ event: null });
  });
});

describe('events(filter, orderBy)', () => {
  it('finds the events linked to an actor, in any role or in given roles', async () => {
    const linked = await eventSlugs(`filter: { actor: "isis-k" }`);
    expect(linked).toEqual(expect.arrayContaining(['moscow-concert-hall-attack', 'kerman-memorial-bombings', 'kabul-airport-suicide-attack']));
    expect(await eventSlugs(`filter: { actor: "isis-k", role: [CLAIMED_RESPONSIBILITY] }`)).toEqual(['kerman-memorial-bombings']);
    expect(await eventSlugs(`filter: { actor: "isis", role: [CLAIMED_RESPONSIBILITY] }`)).toEqual(['moscow-concert-hall-attack']);
    expect(await eventSlugs(`filter: { actor: "isis-k", role: [ATTRIBUTED] }`)).toEqual(['moscow-concert-hall-attack']);
    expect(await eventSlugs(`filter: { actor: "nobody" }`)).toEqual([]);
  });

  it('filters by country, counting cities, regions and sites within it', async () => {
    const afghanistan = await eventSlugs(`filter: { country: "afghanistan" }`);
    expect(afghanistan).toEqual(expect.arrayContaining(['kabul-airport-suicide-attack', 'pakistani-embassy-kabul-storming', 'southern-afghanistan-suicide-blast']));
    expect(afghanistan).not.toContain('bajaur-political-rally-bombing');
    expect(await eventSlugs(`filter: { country: "russia" }`)).toEqual(['moscow-concert-hall-attack']);
  });

  it('filters by kind', async () => {
    const bombings = await eventSlugs(`filter: { kind: [SUICIDE_BOMBING, SUICIDE_ATTACK] }`);
    expect(bombings.sort()).toEqual(
      ['bajaur-political-rally-bombing', 'kabul-airport-suicide-attack', 'kerman-memorial-bombings', 'southern-afghanistan-suicide-blast'].sort(),
    );
  });

  it('filters by date, keeping events whose possible dates overlap the range', async () => {
    const in2023 = await eventSlugs(`filter: { from: "2023-01-01", to: "2023-12-31" }`);
    expect(in2023).toContain('bajaur-political-rally-bombing');
    // Known only as "since 2020": may have happened in 2023, so it is kept.
    expect(in2023).toContain('isis-k-linked-attacks-and-plots-in-iran');
    expect(in2023).not.toContain('moscow-concert-hall-attack');
    expect(in2023).not.toContain('kabul-airport-suicide-attack');
    // A month-precise event is not placed on a day: March 2024 overlaps 2024-03-22.
    expect(await eventSlugs(`filter: { from: "2024-03-22", to: "2024-03-22", country: "russia" }`)).toEqual(['moscow-concert-hall-attack']);
  });

  it('orders by date either way, undated last, ties broken by id', async () => {
    const query = (order: string) =>
      api.query<{ events: { nodes: EventNode[] } }>(`{ events(orderBy: ${order}, first: 100) { nodes { slug date { earliest latest } killed { min } } } }`);
    const sortKey = (e: EventNode) => e.date.earliest ?? e.date.latest;
    const asc = (await query('DATE_ASC')).data?.events.nodes ?? [];
    const keys = asc.map(sortKey).filter((k): k is string => k !== null);
    expect(keys).toEqual([...keys].sort());
    expect(asc[0]?.slug).toBe('september-11-attacks');
    const desc = (await query('DATE_DESC')).data?.events.nodes ?? [];
    expect(desc[0] && sortKey(desc[0])).toBe('2024-03-01');
    const deadliest = (await query('KILLED_DESC')).data?.events.nodes ?? [];
    expect(deadliest.slice(0, 3).map((e) => e.slug)).toEqual(['kabul-airport-suicide-attack', 'moscow-concert-hall-attack', 'bajaur-political-rally-bombing']);
  });

  it('pages through every event exactly once in a stable order', async () => {
    const all = await eventSlugs(`orderBy: DATE_DESC`);
    const paged: string[] = [];
    let after: string | null = null;
    do {
      const page: { data?: { events: { nodes: { slug: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } } } =
        await api.query(`query($after: String) { events(first: 5, after: $after) { nodes { slug } pageInfo { hasNextPage endCursor } } }`, { after });
      paged.push(...(page.data?.events.nodes.map((n) => n.slug) ?? []));
      after = page.data?.events.pageInfo.hasNextPage ? page.data.events.pageInfo.endCursor : null;
    } while (after);
    expect(paged).toEqual(all);
  });

  it('lists each event’s participants with citations that quote the source', async () => {
    const { data } = await api.query<{ events: { nodes: { participants: { citations: { quote: string; source: { slug: string } }[] }[] }[] } }>(`{
      events(first: 100) { nodes { participants { citations { quote source { slug } } } } }
    }`);
    const participants = data?.events.nodes.flatMap((e) => e.participants) ?? [];
    expect(participants.length).toBeGreaterThan(30);
    for (const p of participants) {
      expect(p.citations.length).toBeGreaterThan(0);
      expect(p.citations[0]?.source.slug).toBe('globely-news-isis-k-long-reach');
    }
  });
});

describe('events by actor: its links read first, or asked for by each event', () => {
  // The list reads an actor's links first when they are few (namedActorLinks) and otherwise asks
  // each event for them; both must find the same events, in every view the filter is used in.
  const views: KnowledgeView[] = [LIVE_VIEW, { asOf: null, includeRetracted: true }, { asOf: new Date(), includeRetracted: false }];
  const filters: EventFilterInput[] = [
    { actor: 'isis-k' },
    { actor: 'isis-k', role: ['PERPETRATOR', 'CLAIMED_RESPONSIBILITY'] },
    { actor: 'isis-k', role: ['VICTIM'] },
    { actor: 'tajik-nationals', minConfidence: 60 },
    { actor: 'no-such-actor' },
  ];
  it('finds the same events either way, and what the slug matched in the statement finds', async () => {
    const slugsWhere = async (where: SQL | undefined) =>
      (await api.database.db.select({ slug: events.slug }).from(events).where(where).orderBy(events.slug)).map((r) => r.slug);
    let found = 0;
    for (const view of views) {
      for (const filter of filters) {
        const links = await namedActorLinks(api.database.db, view, filter.actor ?? '', filter.role);
        expect(links.few).toBe(true);
        const inStatement = await slugsWhere(eventWhere(filter, view));
        expect(await slugsWhere(eventWhere(filter, view, { actor: links }))).toEqual(inStatement);
        expect(await slugsWhere(eventWhere(filter, view, { actor: { ...links, few: false } }))).toEqual(inStatement);
        found += inStatement.length;
      }
    }
    // ISIS-K's events are found in each view; the unknown slug finds none.
    expect(found).toBeGreaterThan(views.length * 10);
    expect(await slugsWhere(eventWhere({ actor: 'no-such-actor' }, LIVE_VIEW))).toEqual([]);
  });
});
