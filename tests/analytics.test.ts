/**
 * Dashboard aggregates on the seeded article (seed/data/globely-news-isis-k-long-reach.json):
 * the expected figures are counted by hand from what the article says.
 */
import { sql } from 'drizzle-orm';
import { LIVE_VIEW } from '../src/graphql/view.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSeed } from '../src/domain/knowledge/seed.ts';
import { breakdown, breakdownSource, eventStats, statsSource, summaryRoute, timeline, timelineSource } from '../src/graphql/loaders/analytics.ts';
import { eventConditions, eventWhere } from '../src/graphql/types/event.ts';
import { drainSummaries } from '../src/db/summaries.ts';
import { openApi, scratchDatabase } from './helpers.ts';

const api = openApi();
afterAll(() => api.close());

interface Killed { min: number; max: number | null; reported: number }

describe('eventStats', () => {
  it('totals the whole article: 21 events, 183 + over 50 + over 100 killed', async () => {
    const r = await api.query<{ eventStats: { events: number; killed: Killed; firstDate: string; lastDate: string } }>(
      `{ eventStats { events killed { min max reported } firstDate lastDate } }`,
    );
    expect(r.errors).toBeUndefined();
    // Kabul airport (183), Bajaur (over 50 → 51), Moscow (over 100 → 101): two open upper bounds.
    expect(r.data?.eventStats).toEqual({
      events: 21,
      killed: { min: 335, max: null, reported: 3 },
      firstDate: '2001-09-11',
      lastDate: '2024-03-31',
    });
  });

  it('shares the events filter: ISIS-K as perpetrator', async () => {
    const r = await api.query<{ eventStats: { events: number; killed: Killed } }>(
      `{ eventStats(filter: { actor: "isis-k", role: [PERPETRATOR] }) { events killed { min max reported } } }`,
    );
    expect(r.data?.eventStats).toEqual({ events: 7, killed: { min: 234, max: null, reported: 2 } });
    const list = await api.query<{ events: { totalCount: number } }>(
      `{ events(filter: { actor: "isis-k", role: [PERPETRATOR] }) { totalCount } }`,
    );
    expect(list.data?.events.totalCount).toBe(7);
  });

  it('gives a closed sum when every figure is bounded (the Kabul airport attack)', async () => {
    const r = await api.query<{ eventStats: { events: number; killed: Killed } }>(
      `{ eventStats(filter: { from: "2021-08-26", to: "2021-08-26", kind: [SUICIDE_ATTACK] }) { events killed { min max reported } } }`,
    );
    expect(r.data?.eventStats).toEqual({ events: 1, killed: { min: 183, max: 183, reported: 1 } });
  });

  it('refuses from after to, naming the argument', async () => {
    const r = await api.query(`{ eventStats(filter: { from: "2024-01-01", to: "2023-01-01" }) { events } }`);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'filter' });
  });
});

interface Bucket { start: string; events: number; killed: Killed }

describe('timeline', () => {
  it('puts month-precise events in their month and leaves year-precise ones unplaced', async () => {
    const r = await api.query<{ timeline: { interval: string; buckets: Bucket[]; unplaced: { events: number } } }>(
      `{ timeline(interval: MONTH, filter: { from: "2021-01-01" }) {
          interval buckets { start events killed { min max reported } } unplaced { events } } }`,
    );
    expect(r.errors).toBeUndefined();
    const { buckets, unplaced } = r.data!.timeline;
    // Placed: Kabul airport (2021-08-26), Bajaur (July 2023), Kerman (January 2024), Moscow and the
    // southern Afghanistan blast (March 2024). The 2021 takeover/withdrawal are known to the year only.
    expect(buckets[0]).toEqual({ start: '2021-08-01', events: 1, killed: { min: 183, max: 183, reported: 1 } });
    expect(buckets.at(-1)).toEqual({ start: '2024-03-01', events: 2, killed: { min: 101, max: null, reported: 1 } });
    expect(buckets.find((b) => b.start === '2023-07-01')?.events).toBe(1);
    expect(buckets.find((b) => b.start === '2024-01-01')?.events).toBe(1);
    // Gaps are filled: every month from August 2021 to March 2024, in order.
    expect(buckets).toHaveLength(32);
    expect(buckets.filter((b) => b.events === 0)).toHaveLength(28);
    expect(buckets.map((b) => b.start)).toEqual([...buckets.map((b) => b.start)].sort());
    const total = await api.query<{ eventStats: { events: number } }>(`{ eventStats(filter: { from: "2021-01-01" }) { events } }`);
    expect(buckets.reduce((n, b) => n + b.events, 0) + unplaced.events).toBe(total.data?.eventStats.events);
  });

  it('places the year-precise 2021 events on a yearly timeline', async () => {
    const r = await api.query<{ timeline: { buckets: Bucket[] } }>(
      `{ timeline(interval: YEAR) { buckets { start events killed { min max reported } } } }`,
    );
    const byYear = new Map(r.data?.timeline.buckets.map((b) => [b.start, b.events]));
    expect(byYear.get('2021-01-01')).toBe(3); // takeover, withdrawal, Kabul airport
    expect(byYear.get('2001-01-01')).toBe(1); // 9/11
    expect(byYear.get('2010-01-01')).toBe(0);
  });

  it('uses quarters', async () => {
    const r = await api.query<{ timeline: { buckets: Bucket[] } }>(
      `{ timeline(interval: QUARTER, filter: { from: "2024-01-01" }) { buckets { start events } } }`,
    );
    expect(r.data?.timeline.buckets).toEqual([{ start: '2024-01-01', events: 3 }]);
  });

  it('answers an empty filter with no buckets', async () => {
    const r = await api.query<{ timeline: { buckets: Bucket[]; unplaced: { events: number } } }>(
      `{ timeline(filter: { actor: "no-such-actor" }) { buckets { start } unplaced { events } } }`,
    );
    expect(r.data?.timeline).toEqual({ buckets: [], unplaced: { events: 0 } });
  });
});

interface Group { key: string; label: string; events: number; killed: Killed }

describe('breakdown', () => {
  it('by DOCTRINE counts the attacks of Salafi groups (ISIS-K as perpetrator or claimant)', async () => {
    const r = await api.query<{ breakdown: (Group & { doctrine: { slug: string } })[] }>(
      `{ breakdown(by: DOCTRINE) { key label events killed { min max reported } doctrine { slug name } } }`,
    );
    expect(r.errors).toBeUndefined();
    const salafi = r.data?.breakdown.find((g) => g.key === 'salafism');
    // Seven ISIS-K operations plus the Kerman bombings it claimed; 183 + over 50 killed.
    expect(salafi).toMatchObject({ label: 'Salafism', events: 8, killed: { min: 234, max: null, reported: 2 } });
    expect(salafi?.doctrine.slug).toBe('salafism');
    // Deobandi: the Taliban takeover and the Pakistani Taliban's founding role in ISIS-K.
    expect(r.data?.breakdown.find((g) => g.key === 'deobandi')?.events).toBe(2);
    expect(r.data?.breakdown[0]?.key).toBe('salafism');
  });

  it('by COUNTRY counts events in places within the country', async () => {
    const r = await api.query<{ breakdown: (Group & { country: { slug: string } })[] }>(
      `{ breakdown(by: COUNTRY, top: 2) { key label events country { slug } } }`,
    );
    // Afghanistan: takeover, withdrawal, targeting campaign, Kabul airport, Hazara campaign,
    // embassy storming, southern blast.
    expect(r.data?.breakdown).toEqual([
      { key: 'afghanistan', label: 'Afghanistan', events: 7, country: { slug: 'afghanistan' } },
      { key: 'pakistan', label: 'Pakistan', events: 4, country: { slug: 'pakistan' } },
    ]);
  });

  it('by ACTOR in the filter’s roles counts an actor once per event', async () => {
    const r = await api.query<{ breakdown: Group[] }>(
      `{ breakdown(by: ACTOR, top: 1, filter: { country: "russia" }) { key events } }`,
    );
    // Moscow: ISIS (claimed), concertgoers (victims), ISIS-K (attributed and implicated: once).
    expect(r.data?.breakdown).toEqual([{ key: 'isis', events: 1 }]);
    const isisK = await api.query<{ breakdown: Group[] }>(
      `{ breakdown(by: ACTOR, top: 100, filter: { country: "russia" }) { key events } }`,
    );
    expect(isisK.data?.breakdown.find((g) => g.key === 'isis-k')?.events).toBe(1);
    const perpetrators = await api.query<{ breakdown: Group[] }>(
      `{ breakdown(by: ACTOR, top: 1, filter: { role: [PERPETRATOR] }) { key events } }`,
    );
    expect(perpetrators.data?.breakdown).toEqual([{ key: 'isis-k', events: 7 }]);
  });

  it('by ROLE, EVENT_KIND and YEAR', async () => {
    const r = await api.query<{ role: Group[]; kind: Group[]; year: Group[] }>(`{
      role: breakdown(by: ROLE, filter: { actor: "isis-k" }) { key events }
      kind: breakdown(by: EVENT_KIND, top: 2) { key events }
      year: breakdown(by: YEAR, top: 2) { key events }
    }`);
    // ISIS-K's own links: seven operations, six implications, one claim, one attribution.
    expect(r.data?.role).toEqual([
      { key: 'PERPETRATOR', events: 7 },
      { key: 'IMPLICATED', events: 6 },
      { key: 'ATTRIBUTED', events: 1 },
      { key: 'CLAIMED_RESPONSIBILITY', events: 1 },
    ]);
    expect(r.data?.kind).toEqual([
      { key: 'ATTACKS_AND_PLOTS', events: 6 },
      { key: 'CAMPAIGN', events: 3 },
    ]);
    expect(r.data?.year).toEqual([
      { key: '2021', events: 3 },
      { key: '2024', events: 3 },
    ]);
  });

  it('refuses a top outside 1..100', async () => {
    const r = await api.query(`{ breakdown(by: COUNTRY, top: 101) { key } }`);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'top' });
  });

  it('costs one statement per aggregate, plus one per kind of entity shown', async () => {
    api.resetStatements();
    const r = await api.query(`{
      eventStats { events }
      timeline { buckets { start } }
      c: breakdown(by: COUNTRY, top: 100) { country { name } }
      a: breakdown(by: ACTOR, top: 100) { actor { name } }
      d: breakdown(by: DOCTRINE, top: 100) { doctrine { name } }
    }`);
    expect(r.errors).toBeUndefined();
    expect(api.statements).toHaveLength(5 + 3);
  });
});

describe('summary tables (event_rollup_*)', () => {
  // Filters the rollups can answer; each is also computed from events and must agree exactly.
  // Date bounds read the buckets inside them from the rollups and the rest from events: on a
  // year boundary only undated and multi-year events, elsewhere also the events of that year.
  const filters: Parameters<typeof eventConditions>[0][] = [
    undefined,
    {},
    { kind: ['SUICIDE_BOMBING', 'ATTACK'] },
    { country: 'afghanistan' },
    { country: 'russia' },
    { country: 'no-such-country' },
    { from: '2015-01-01', to: '2021-12-31' },
    { from: '2021-08-20', to: '2024-03-01' },
    { country: 'afghanistan', from: '2021-03-15' },
    { kind: ['SUICIDE_ATTACK', 'ATTACK', 'MASS_SHOOTING'], to: '2021-06-30' },
    { from: '2024-01-01', to: '2024-01-31' },
  ];

  it.each(filters.map((f) => [JSON.stringify(f) ?? 'no filter', f]))('agree with the events table for %s', async (_name, filter) => {
    const db = api.database.db;
    const route = summaryRoute(filter);
    const conditions = eventWhere(filter, LIVE_VIEW);
    expect(statsSource(route, conditions)?.table).toMatch(/^event_rollup_by_/);
    expect(timelineSource(route, conditions)?.table).toMatch(/^event_rollup_by_/);
    expect(await eventStats(db, LIVE_VIEW, conditions, route)).toEqual(await eventStats(db, LIVE_VIEW, conditions, null));
    for (const interval of ['MONTH', 'QUARTER', 'YEAR'] as const) {
      expect(await timeline(db, LIVE_VIEW, conditions, interval, route)).toEqual(await timeline(db, LIVE_VIEW, conditions, interval, null));
    }
    const links = { actor: null, roles: null };
    for (const by of ['COUNTRY', 'EVENT_KIND', 'YEAR'] as const) {
      expect(await breakdown(db, LIVE_VIEW, conditions, by, 100, links, route)).toEqual(
        await breakdown(db, LIVE_VIEW, conditions, by, 100, links, null),
      );
    }
  });

  it('are not used for filters they cannot answer', () => {
    expect(statsSource(summaryRoute({ country: 'iran', kind: ['ATTACK'] }))).toBeNull();
    expect(breakdownSource('COUNTRY', summaryRoute({ kind: ['ATTACK'] }))).toBeNull();
    expect(breakdownSource('EVENT_KIND', summaryRoute({ country: 'iran' }))).toBeNull();
  });

  it('read the totals over kinds and buckets when nothing narrows them', () => {
    expect(statsSource(summaryRoute(undefined))?.table).toBe('event_rollup_by_period');
    expect(breakdownSource('COUNTRY', summaryRoute({}))?.table).toBe('event_rollup_by_country_total');
    expect(breakdownSource('COUNTRY', summaryRoute({ from: '2020-01-01' }))?.table).toBe('event_rollup_by_country + events');
  });

  it('stay equal to the events table through inserts, updates, deletes and a place moving country', async () => {
    const scratch = await scratchDatabase();
    try {
      const db = scratch.handle.db;
      await loadSeed(db);
      const check = async () => {
        // The writes below go straight to SQL: wait for the summaries to catch up first.
        await drainSummaries(db);
        const drift = await db.execute<{ n: number }>(sql`
          select count(*)::int as n from (
            (select grain, period, kind::text, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date from event_rollup_by_kind
             except
             select event_grain_of(date_earliest, date_latest), event_period_of(date_earliest, date_latest), kind::text, count(*)::int,
                    coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
                    (count(*) filter (where killed_min is not null and killed_max is null))::int, count(killed_min)::int,
                    min(coalesce(date_earliest, date_latest)), max(coalesce(date_latest, date_earliest))
               from events group by 1, 2, 3)
            union all
            (select grain, period, country_id::text, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date from event_rollup_by_country
             except
             select event_grain_of(e.date_earliest, e.date_latest), event_period_of(e.date_earliest, e.date_latest), pl.country_id::text, count(*)::int,
                    coalesce(sum(e.killed_min), 0), coalesce(sum(e.killed_max), 0),
                    (count(*) filter (where e.killed_min is not null and e.killed_max is null))::int, count(e.killed_min)::int,
                    min(coalesce(e.date_earliest, e.date_latest)), max(coalesce(e.date_latest, e.date_earliest))
               from events e left join places pl on pl.id = e.place_id group by 1, 2, 3)
            union all
            (select grain, period, null, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date from event_rollup_by_period
             except
             select event_grain_of(date_earliest, date_latest), event_period_of(date_earliest, date_latest), null, count(*)::int,
                    coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
                    (count(*) filter (where killed_min is not null and killed_max is null))::int, count(killed_min)::int,
                    min(coalesce(date_earliest, date_latest)), max(coalesce(date_latest, date_earliest))
               from events group by 1, 2)
            union all
            (select null::event_grain, null::date, country_id::text, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date from event_rollup_by_country_total
             except
             select null::event_grain, null::date, pl.country_id::text, count(*)::int,
                    coalesce(sum(e.killed_min), 0), coalesce(sum(e.killed_max), 0),
                    (count(*) filter (where e.killed_min is not null and e.killed_max is null))::int, count(e.killed_min)::int,
                    min(coalesce(e.date_earliest, e.date_latest)), max(coalesce(e.date_latest, e.date_earliest))
               from events e left join places pl on pl.id = e.place_id group by 3)) d`);
        const sizes = await db.execute<{ n: number }>(sql`
          select ((select count(*) from event_rollup_by_kind) - (select count(*) from (select distinct event_grain_of(date_earliest, date_latest), event_period_of(date_earliest, date_latest), kind from events) k))::int
               + ((select count(*) from event_rollup_by_country) - (select count(*) from (select distinct event_grain_of(e.date_earliest, e.date_latest), event_period_of(e.date_earliest, e.date_latest), pl.country_id from events e left join places pl on pl.id = e.place_id) c))::int
               + ((select count(*) from event_rollup_by_period) - (select count(*) from (select distinct event_grain_of(date_earliest, date_latest), event_period_of(date_earliest, date_latest) from events) p))::int
               + ((select count(*) from event_rollup_by_country_total) - (select count(*) from (select distinct pl.country_id from events e left join places pl on pl.id = e.place_id) t))::int as n`);
        expect(drift[0]?.n).toBe(0);
        expect(sizes[0]?.n).toBe(0);
      };
      await check();
      // Kabul airport moves to March 2024 (another month and year) and gains an open toll: an
      // update backed by a cited claim of its own, as the database requires (events_keep_revision).
      await db.transaction(async (tx) => {
        const [claim] = await tx.execute<{ id: number }>(
          sql`insert into claims (kind, confidence, recorded_by) values ('EVENT_REPORT', 50, 'test') returning id`,
        );
        await tx.execute(sql`insert into claim_citations (claim_id, citation_id) values (${claim?.id}, (select min(id) from citations))`);
        await tx.execute(sql`update events set date_earliest = '2024-03-02', date_latest = '2024-03-02', killed_max = null,
                             revision_claim_id = ${claim?.id} where slug = 'kabul-airport-suicide-attack'`);
      });
      await check();
      // The Moscow attack is deleted (its participations first): its group loses its maximum date.
      await db.transaction(async (tx) => {
        await tx.execute(sql`delete from participations where event_id = (select id from events where slug = 'moscow-concert-hall-attack')`);
        await tx.execute(sql`delete from events where slug = 'moscow-concert-hall-attack'`);
      });
      await check();
      // Kerman is re-placed in Pakistan.
      await db.execute(sql`update places set country_id = (select id from places where slug = 'pakistan') where slug = 'kerman'`);
      await check();
    } finally {
      await scratch.drop();
    }
  });
});

describe('summary tables and retraction', () => {
  it('stop counting an event once its report is retracted, and agree with the events path', async () => {
    const scratch = await scratchDatabase();
    const api = openApi(scratch.url);
    try {
      await loadSeed(scratch.handle.db);
      const stats = async (extra = '') =>
        (await api.query<{ eventStats: { events: number; killed: { min: number } } }>(`{ eventStats${extra} { events killed { min } } }`))
          .data?.eventStats;
      const before = await stats();
      // The Moscow attack's report (killed: at least 101) is retracted.
      await scratch.handle.sql`
        update claims set retracted_at = now(), retraction_reason = 'test', retracted_by = 'test'
         where id = (select claim_id from events where slug = 'moscow-concert-hall-attack')`;
      await drainSummaries(scratch.handle.db);
      const after = await stats();
      expect(after?.events).toBe((before?.events ?? 0) - 1);
      expect(after?.killed.min).toBe((before?.killed.min ?? 0) - 101);
      // The summary tables (live reads) and events themselves (a read including retracted
      // claims, minus the one retracted event) tell the same story.
      const withRetracted = await stats('(includeRetracted: true)');
      expect(withRetracted?.events).toBe(before?.events);
      const [fromEvents] = await scratch.handle.sql<{ n: number }[]>`
        select count(*)::int as n from events e join claims c on c.id = e.claim_id where c.retracted_at is null`;
      expect(after?.events).toBe(fromEvents?.n);
    } finally {
      await api.close();
      await scratch.drop();
    }
  });
});
