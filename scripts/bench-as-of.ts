/**
 * `SYNTHETIC_DATABASE_URL=… npx tsx scripts/bench-as-of.ts [--runs 5] [--revise 10000]`: what reads
 * as of a past time cost at a million events, next to the same reads live.
 *
 * Migrates the database, makes sure `--revise` events have been updated (each with a cited update
 * claim, as updateEvent does: new date, place and toll) so that reads as of a time before those
 * updates take their values from event_revisions, then runs each dashboard query in-process with
 * the app, live and asOf, capturing every SQL statement it sends with its parameters. Each statement
 * is then run under EXPLAIN (ANALYZE, BUFFERS) `--runs` times; the table prints, per query, the
 * statements sent and the median of their summed PostgreSQL execution times (planning excluded),
 * so Node and the shared machine's load stay out of the numbers.
 */
import { parseArgs } from 'node:util';
import { capturingSyntheticDatabase, executionMs, type SentStatement } from './statement-capture.ts';
import { createApp } from '../src/yoga.ts';

const { values: options } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    revise: { type: 'string', default: '10000' },
  },
});
const RUNS = Number(options.runs);
const REVISE = Number(options.revise);
const { client, db, sent } = await capturingSyntheticDatabase();

/** Updates `count` events that have none yet, as updateEvent would; returns a time before them. */
async function reviseEvents(count: number): Promise<string> {
  const [have] = await client<{ n: number; before: string | null }[]>`
    select count(*)::int as n, to_json(min(superseded_at) - interval '1 second') #>> '{}' as before from event_revisions`;
  if ((have?.n ?? 0) >= count && have?.before) return have.before;
  const before = new Date(Date.now() - 1000).toISOString();
  await client.begin(async (tx) => {
    await tx`create temp table revised on commit drop as
      select e.id, row_number() over (order by e.id) as n from events e
       where e.revised_at is null order by md5(e.id::text) limit ${count}`;
    await tx`create temp table update_claims on commit drop as
      with made as (
        insert into claims (kind, confidence, recorded_by, note)
        select 'EVENT_REPORT', 60, 'bench:as-of', 'bench update ' || n from revised returning id, note)
      select m.id as claim_id, r.id as event_id from made m join revised r on m.note = 'bench update ' || r.n`;
    await tx`insert into claim_citations (claim_id, citation_id) select claim_id, (select min(id) from citations) from update_claims`;
    // A week later, another place of another country, and a toll: what dashboards group and sum by.
    await tx`update events e
                set date_earliest = e.date_earliest + 7, date_latest = e.date_latest + 7,
                    place_id = (select p.id from places p where p.kind = 'CITY' and p.country_id is distinct from
                                  (select country_id from places where id = e.place_id) order by md5(p.id::text || e.id::text) limit 1),
                    killed_min = coalesce(e.killed_min, 0) + 1, killed_max = e.killed_max + 1, killed_text = 'bench',
                    revision_claim_id = u.claim_id
               from update_claims u where u.event_id = e.id`;
  });
  await client`analyze events`;
  await client`analyze event_revisions`;
  return before;
}

const beforeUpdates = await reviseEvents(REVISE);
const [busiest] = await client<{ slug: string }[]>`
  select a.slug from participations p join actors a on a.id = p.actor_id
   where p.role = 'PERPETRATOR' group by a.slug order by count(*) desc, a.slug limit 1`;
const [country] = await client<{ slug: string }[]>`
  select c.slug from events e join places pl on pl.id = e.place_id join places c on c.id = pl.country_id
   group by c.slug order by count(*) desc, c.slug limit 1`;
if (!busiest || !country) throw new Error('the synthetic database is empty: run npm run seed:synthetic first');

const scenarios: { name: string; query: string; variables?: Record<string, unknown> }[] = [
  {
    name: 'events first 100 (place, country)',
    query: 'query($t: DateTime) { events(first: 100, asOf: $t) { totalCount nodes { slug title date { earliest } place { name country { name } } killed { min } } } }',
  },
  {
    name: `events first 20, country ${country.slug}`,
    query: 'query($t: DateTime, $c: String!) { events(first: 20, filter: { country: $c }, asOf: $t) { nodes { slug place { name } } } }',
    variables: { c: country.slug },
  },
  { name: 'eventStats (all events)', query: 'query($t: DateTime) { eventStats(asOf: $t) { events killed { min max reported } firstDate lastDate } }' },
  {
    name: `eventStats (country ${country.slug})`,
    query: 'query($t: DateTime, $c: String!) { eventStats(filter: { country: $c }, asOf: $t) { events killed { min max } } }',
    variables: { c: country.slug },
  },
  { name: 'timeline MONTH (all events)', query: 'query($t: DateTime) { timeline(interval: MONTH, asOf: $t) { buckets { start events } unplaced { events } } }' },
  { name: 'breakdown COUNTRY top 10', query: 'query($t: DateTime) { breakdown(by: COUNTRY, asOf: $t) { key label events killed { min max } } }' },
  {
    name: 'breakdown ACTOR (PERPETRATOR) top 10',
    query: 'query($t: DateTime) { breakdown(by: ACTOR, filter: { role: [PERPETRATOR] }, asOf: $t) { key label events } }',
  },
  {
    name: `reach (${busiest.slug})`,
    query: 'query($t: DateTime, $a: String!) { actor(slug: $a, asOf: $t) { reach { countries { country { name } role events } } } }',
    variables: { a: busiest.slug },
  },
  {
    name: `participations first 20 (${busiest.slug})`,
    query: 'query($t: DateTime, $a: String!) { actor(slug: $a, asOf: $t) { name participations(first: 20) { nodes { event { title place { name } } } } } }',
    variables: { a: busiest.slug },
  },
];

const app = createApp({ db });

async function statementsOf(query: string, variables: Record<string, unknown>): Promise<SentStatement[]> {
  sent.splice(0);
  const response = await app.fetch('http://bench/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { errors?: { message: string }[] };
  if (body.errors) throw new Error(`${query}: ${body.errors.map((e) => e.message).join('; ')}`);
  return [...sent];
}

const [size] = await client<{ events: number; revisions: number }[]>`
  select (select count(*) from events)::int as events, (select count(*) from event_revisions)::int as revisions`;
console.log(`${size?.events} events, ${size?.revisions} of them revised (asOf before: ${beforeUpdates}); median of ${RUNS} runs of each statement under EXPLAIN ANALYZE\n`);
console.log('| query | live: statements | live: PostgreSQL ms | asOf before the updates: statements | asOf: PostgreSQL ms | asOf now: PostgreSQL ms |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const s of scenarios) {
  const live = await statementsOf(s.query, { ...s.variables });
  const then = await statementsOf(s.query, { ...s.variables, t: beforeUpdates });
  const now = await statementsOf(s.query, { ...s.variables, t: new Date().toISOString() });
  console.log(
    `| ${s.name} | ${live.length} | ${(await executionMs(client, live, RUNS)).toFixed(1)} | ${then.length} | ${(await executionMs(client, then, RUNS)).toFixed(1)} | ${(await executionMs(client, now, RUNS)).toFixed(1)} |`,
  );
}
await client.end();
