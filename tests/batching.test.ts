/**
 * The batching guard: a deep query costs the same number of SQL statements for 5 events as for
 * 50 — one per nesting level, never one per item.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSeed } from '../src/domain/knowledge/seed.ts';
import { openApi, scratchDatabase, type TestApi } from './helpers.ts';

const DEEP_QUERY = `query Deep($n: Int!) {
  events(first: $n, orderBy: DATE_ASC) {
    nodes {
      slug
      place { name country { name } }
      citations { quote source { slug } }
      participants {
        role
        attributedBy { name }
        citations { quote source { slug } }
        actor {
          name
          doctrines {
            doctrine { name parent { name } }
            citations { quote source { slug } }
          }
        }
      }
    }
  }
}`;

let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
let api: TestApi;

beforeAll(async () => {
  scratch = await scratchDatabase();
  await loadSeed(scratch.handle.db);
  // 60 more events, each reported by an existing citation and with three participants drawn
  // from the seeded actors, so that 50 events really means 50 distinct subtrees to resolve.
  await scratch.handle.sql.begin(async (tx) => {
    await tx`
      with numbered as (select n from generate_series(1, 60) n),
      new_claims as (
        insert into claims (key, kind, confidence, recorded_by)
        select 'test:event:' || n, 'EVENT_REPORT', 50, 'test' from numbered returning id, key),
      linked as (
        insert into claim_citations (claim_id, citation_id)
        select id, (select min(id) from citations) from new_claims returning claim_id)
      insert into events (slug, title, kind, date_precision, date_earliest, date_latest, place_id, claim_id)
      select 'test-event-' || split_part(key, ':', 3), 'Test event ' || split_part(key, ':', 3), 'ATTACK', 'DAY',
             date '1990-01-01' + split_part(key, ':', 3)::int, date '1990-01-01' + split_part(key, ':', 3)::int,
             (select id from places where slug = 'kabul'), id
        from new_claims`;
    await tx`
      with pairs as (
        select e.id as event_id, a.id as actor_id, row_number() over () as n
          from events e
          cross join lateral (select id from actors order by md5(e.id::text || id::text) limit 3) a
         where e.slug like 'test-event-%'),
      new_claims as (
        insert into claims (key, kind, confidence, recorded_by)
        select 'test:participation:' || n, 'PARTICIPATION', 50, 'test' from pairs returning id, key),
      linked as (
        insert into claim_citations (claim_id, citation_id)
        select id, (select max(id) from citations) from new_claims returning claim_id)
      insert into participations (claim_id, event_id, actor_id, role)
      select c.id, p.event_id, p.actor_id, 'PERPETRATOR'
        from new_claims c join pairs p on 'test:participation:' || p.n = c.key`;
  });
  api = openApi(scratch.url);
  await api.query(`{ sources { totalCount } }`); // warm the connection (type lookups)
});

afterAll(async () => {
  await api.close();
  await scratch.drop();
});

async function statementsFor(n: number): Promise<{ count: number; events: number; participants: number }> {
  api.resetStatements();
  const { data, errors } = await api.query<{ events: { nodes: { participants: unknown[] }[] } }>(DEEP_QUERY, { n });
  expect(errors).toBeUndefined();
  const nodes = data?.events.nodes ?? [];
  return { count: api.statements.length, events: nodes.length, participants: nodes.reduce((s, e) => s + e.participants.length, 0) };
}

describe('DataLoader batching', () => {
  it('sends the same number of statements for 5 events as for 50', async () => {
    const five = await statementsFor(5);
    const fifty = await statementsFor(50);
    expect(five.events).toBe(5);
    expect(fifty.events).toBe(50);
    expect(fifty.participants).toBeGreaterThanOrEqual(150);
    expect(fifty.count).toBe(five.count);
    // events, places, countries, event citations, sources, participants, participant citations,
    // actors, adherences, adherence citations, doctrines, parent doctrines — one each at most.
    expect(fifty.count).toBeLessThanOrEqual(12);
  });

  it('sends one statement per level, with key arrays as a single parameter', async () => {
    await statementsFor(50);
    const texts = api.statements.join('\n');
    expect(texts).not.toMatch(/in \(\$1, \$2/);
    // Prepared loaders take the array behind a subquery (keyArray), so no plan sees its length.
    expect(texts).toMatch(/= any\(\(select \$\d+::int\[\]\)::int\[\]\)/);
  });
});
