/**
 * Each event's casualty vector in the per-event summary rows stops after the last measure the
 * event gives (src/db/casualties.ts): no figure is an empty vector, a killed total alone six
 * numbers, killed parts without wounded thirty. The sums read a missing number as zero, so the
 * dashboards answer as with full vectors; a database that stored full vectors has them shortened
 * once by backfills.sql.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASUALTY_VECTOR_LENGTH } from '../src/db/casualties.ts';
import { applySqlSources } from '../src/db/migrate.ts';
import { drainSummaries } from '../src/db/summaries.ts';
import { writeFixture, type WriteFixture } from './helpers.ts';

/** The length each event's vector should have, from what the event gives. */
const EXPECTED_LENGTH = sql`case when e.wounded_min is not null or e.wounded_parts is not null then ${CASUALTY_VECTOR_LENGTH}::int
                                 when e.killed_parts is not null then 30
                                 when e.killed_min is not null then 6 else 0 end`;

const ESTIMATE = '{ low best bestReported high reported }';
const MEASURE = `{ total ${ESTIMATE} civilians ${ESTIMATE} perpetrators ${ESTIMATE} securityForces ${ESTIMATE} unknown ${ESTIMATE} }`;
/** Sums from the summaries (an actor, a country, a timeline), every part of both measures. */
const DASHBOARD = `{
  isisK: eventStats(filter: { actor: "isis-k" }) { events casualties { killed ${MEASURE} wounded ${MEASURE} } }
  all: eventStats { events casualties { killed ${MEASURE} wounded ${MEASURE} } }
  afghanistan: eventStats(filter: { country: "afghanistan" }) { events casualties { killed ${MEASURE} wounded ${MEASURE} } }
  timeline(interval: YEAR) { buckets { start casualties { killed ${MEASURE} wounded ${MEASURE} } } }
}`;

type LengthRow = {
  table: string;
  expected: number;
  stored: number;
  rows: number;
};

describe('casualty vectors in the summaries', () => {
  let f: WriteFixture;
  beforeAll(async () => {
    f = await writeFixture();
    // The article gives no wounded figure: one event with one, written as an analyst would.
    const text = 'A bombing in Kabul killed 4 people and wounded 11, ISIS-K said.';
    const write = async (query: string, i: Record<string, unknown>) => {
      const r = await f.api.query<Record<string, { __typename: string }>>(query, { i }, { token: f.tokens.analyst });
      expect(Object.values(r.data ?? {})[0]?.__typename, JSON.stringify(r)).toMatch(/Success$/);
    };
    await write('mutation($i: AddSourceInput!) { addSource(input: $i) { __typename } }', { slug: 'vector-test', publisher: 'Test', text });
    await write('mutation($i: CreateEventInput!) { createEvent(input: $i) { __typename } }', {
      slug: 'kabul-bombing-with-wounded', title: 'Bombing in Kabul', kind: 'ATTACK', place: 'kabul', confidence: 70,
      date: { text: 'in 2024', earliest: '2024-01-01', latest: '2024-12-31', precision: 'YEAR' },
      killed: { min: 4, max: 4, text: '4 people' }, wounded: { min: 11, max: 11, text: '11' },
      citations: [{ source: 'vector-test', quote: text }], participants: [{ actor: 'isis-k', role: 'CLAIMED_RESPONSIBILITY' }],
    });
    await drainSummaries(f.scratch.handle.db);
  });
  afterAll(async () => {
    await f.close();
  });

  /** Per summary table, how many rows have each (expected, stored) vector length. */
  async function lengths(): Promise<LengthRow[]> {
    return f.scratch.handle.db.execute<LengthRow>(sql`
      select t.tbl as "table", ${EXPECTED_LENGTH} as expected, cardinality(t.casualties) as stored, count(*)::int as rows
        from (select 'actor_event_links' as tbl, event_id, casualties from actor_event_links
              union all select 'event_rollup_members', event_id, casualties from event_rollup_members
              union all select 'event_doctrines', event_id, casualties from event_doctrines) t
        join events e on e.id = t.event_id
       group by 1, 2, 3 order by 1, 2, 3`);
  }

  it('keeps each event\'s vector up to the last measure it gives', async () => {
    const rows = await lengths();
    for (const row of rows) expect(row.stored, `${row.table}: ${row.rows} rows`).toBe(row.expected);
    // Events of every shape: the article's with no figure, a killed total alone and killed parts
    // ("170 Afghan civilians and 13 U.S. servicemembers"), and the one above with a wounded figure.
    expect(new Set(rows.filter((r) => r.table === 'actor_event_links').map((r) => r.stored))).toEqual(new Set([0, 6, 30, CASUALTY_VECTOR_LENGTH]));
  });

  it('shortens vectors a database stored at full length, answering the same, once', async () => {
    const db = f.scratch.handle.db;
    const dashboard = async () => {
      const r = await f.api.query(DASHBOARD);
      expect(r.errors).toBeUndefined();
      return r.data;
    };
    const before = await dashboard();
    expect(before).toMatchObject({ isisK: { casualties: { killed: { civilians: { low: 170 } } } } });
    // A database from before: every per-event vector padded with zeros to the full length.
    const pad = sql.raw(`array_cat(casualties, array_fill(0::bigint, array[${CASUALTY_VECTOR_LENGTH} - cardinality(casualties)]))`);
    for (const table of ['actor_event_links', 'event_rollup_members', 'event_doctrines']) {
      await db.execute(sql`update ${sql.identifier(table)} set casualties = ${pad} where cardinality(casualties) < ${CASUALTY_VECTOR_LENGTH}`);
    }
    expect((await lengths()).every((r) => r.stored === CASUALTY_VECTOR_LENGTH)).toBe(true);
    expect(await dashboard()).toEqual(before);

    // A database from before the backfill has no record of it in sql_backfills_done.
    await f.scratch.handle.sql`delete from sql_backfills_done where name = 'casualty vectors shortened'`;
    expect(await applySqlSources(f.scratch.handle.sql, { force: true })).toBe(true);
    for (const row of await lengths()) expect(row.stored, `${row.table}: ${row.rows} rows`).toBe(row.expected);
    expect(await dashboard()).toEqual(before);

    // Applied again (recorded as done, and with nothing left to shorten), it rewrites no row.
    const versions = sql`select count(*)::int as n, sum(hashtext(xmin::text))::bigint as x from actor_event_links`;
    const [first] = await db.execute<{ n: number; x: string }>(versions);
    expect(await applySqlSources(f.scratch.handle.sql, { force: true })).toBe(true);
    const [second] = await db.execute<{ n: number; x: string }>(versions);
    expect(second).toEqual(first);
  });
});
