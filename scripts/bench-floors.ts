/**
 * `SYNTHETIC_DATABASE_URL=… npx tsx scripts/bench-floors.ts [--runs 5] [--floor 60]`: what a
 * confidence floor costs the dashboard aggregates at a million events, next to the same
 * aggregates without one.
 *
 * Unfloored live aggregates read the summary tables; floored ones too (event_rollup_by_band without
 * an actor or role; actor_event_links' role_confidence with one), except a DOCTRINE breakdown,
 * which reads events, participations, adherences and claims. Each query runs in-process
 * with the app, capturing every SQL statement it sends with its parameters; each statement is then
 * run under EXPLAIN (ANALYZE, BUFFERS) `--runs` times and the table prints the median of their
 * summed PostgreSQL execution times (planning excluded), beside the Node CPU ms of the request
 * (median over the runs, measured with process.cpuUsage around app.fetch).
 */
import { parseArgs } from 'node:util';
import { capturingSyntheticDatabase, executionMs, type SentStatement } from './statement-capture.ts';
import { createApp } from '../src/yoga.ts';

const { values: options } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    floor: { type: 'string', default: '60' },
    // Only the scenarios whose name contains this.
    only: { type: 'string' },
  },
});
const RUNS = Number(options.runs);
const FLOOR = Number(options.floor);
const { client, db, sent } = await capturingSyntheticDatabase();

const [busiest] = await client<{ slug: string }[]>`
  select a.slug from participations p join actors a on a.id = p.actor_id
   where p.role = 'PERPETRATOR' group by a.slug order by count(*) desc, a.slug limit 1`;
const [country] = await client<{ slug: string }[]>`
  select c.slug from events e join places pl on pl.id = e.place_id join places c on c.id = pl.country_id
   group by c.slug order by count(*) desc, c.slug limit 1`;
if (!busiest || !country) throw new Error('the synthetic database is empty: run npm run seed:synthetic first');

/** Each scenario's filter, given without and with the floor (`$floor`). */
const scenarios: { name: string; query: string; variables?: Record<string, unknown> }[] = [
  { name: 'eventStats (all events)', query: 'query($f: EventFilter) { eventStats(filter: $f) { events killed { min max reported } firstDate lastDate } }' },
  {
    name: `eventStats (country ${country.slug})`,
    query: 'query($f: EventFilter) { eventStats(filter: $f) { events killed { min max } } }',
    variables: { country: country.slug },
  },
  {
    name: `eventStats (actor ${busiest.slug})`,
    query: 'query($f: EventFilter) { eventStats(filter: $f) { events killed { min max } } }',
    variables: { actor: busiest.slug },
  },
  { name: 'timeline YEAR (all events)', query: 'query($f: EventFilter) { timeline(interval: YEAR, filter: $f) { buckets { start events } unplaced { events } } }' },
  { name: 'timeline MONTH (from 2020)', query: 'query($f: EventFilter) { timeline(interval: MONTH, filter: $f) { buckets { start events } unplaced { events } } }', variables: { from: '2020-01-01' } },
  { name: 'breakdown COUNTRY top 10', query: 'query($f: EventFilter) { breakdown(by: COUNTRY, filter: $f) { key events killed { min max } } }' },
  {
    name: `timeline YEAR (actor ${busiest.slug})`,
    query: 'query($f: EventFilter) { timeline(interval: YEAR, filter: $f) { buckets { start events } unplaced { events } } }',
    variables: { actor: busiest.slug },
  },
  {
    name: `breakdown COUNTRY (actor ${busiest.slug}, PERPETRATOR)`,
    query: 'query($f: EventFilter) { breakdown(by: COUNTRY, filter: $f) { key events killed { min max } } }',
    variables: { actor: busiest.slug, role: ['PERPETRATOR'] },
  },
  { name: 'breakdown ACTOR (PERPETRATOR) top 10', query: 'query($f: EventFilter) { breakdown(by: ACTOR, filter: $f) { key events } }', variables: { role: ['PERPETRATOR'] } },
  { name: 'breakdown ACTOR (any role) top 10', query: 'query($f: EventFilter) { breakdown(by: ACTOR, filter: $f) { key events } }' },
  { name: 'breakdown DOCTRINE top 10', query: 'query($f: EventFilter) { breakdown(by: DOCTRINE, filter: $f) { key events killed { min max } } }' },
  {
    name: `reach (${busiest.slug})`,
    query: 'query($a: String!, $m: Int) { actor(slug: $a) { reach(minConfidence: $m) { countries { country { slug } role events } } } }',
  },
  { name: 'events first 20, totalCount', query: 'query($f: EventFilter) { events(first: 20, filter: $f) { totalCount nodes { slug } } }' },
];

const app = createApp({ db });

async function run(query: string, variables: Record<string, unknown>): Promise<{ statements: SentStatement[]; cpuMs: number }> {
  sent.splice(0);
  const cpu = process.cpuUsage();
  const response = await app.fetch('http://bench/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { errors?: { message: string }[] };
  const used = process.cpuUsage(cpu);
  if (body.errors) throw new Error(`${query}: ${body.errors.map((e) => e.message).join('; ')}`);
  return { statements: [...sent], cpuMs: (used.user + used.system) / 1000 };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function measure(query: string, variables: Record<string, unknown>) {
  const cpu: number[] = [];
  let statements: SentStatement[] = [];
  for (let r = 0; r < RUNS; r++) {
    const result = await run(query, variables);
    cpu.push(result.cpuMs);
    statements = result.statements;
  }
  return { statements: statements.length, pgMs: await executionMs(client, statements, RUNS), cpuMs: median(cpu) };
}

const [size] = await client<{ events: number; claims: number }[]>`
  select (select count(*) from events)::int as events, (select count(*) from claims)::int as claims`;
console.log(`${size?.events} events, ${size?.claims} claims; floor minConfidence ${FLOOR}; median of ${RUNS} runs\n`);
console.log('| query | no floor: statements | no floor: PostgreSQL ms | no floor: Node CPU ms | floor: statements | floor: PostgreSQL ms | floor: Node CPU ms |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const s of scenarios.filter((x) => options.only === undefined || x.name.includes(options.only))) {
  const isReach = s.name.startsWith('reach');
  const plain = isReach ? { a: busiest.slug } : { f: { ...s.variables } };
  const floored = isReach ? { a: busiest.slug, m: FLOOR } : { f: { ...s.variables, minConfidence: FLOOR } };
  const a = await measure(s.query, plain);
  const b = await measure(s.query, floored);
  console.log(`| ${s.name} | ${a.statements} | ${a.pgMs.toFixed(1)} | ${a.cpuMs.toFixed(1)} | ${b.statements} | ${b.pgMs.toFixed(1)} | ${b.cpuMs.toFixed(1)} |`);
}
await client.end();
