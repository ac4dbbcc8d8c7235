/**
 * `SYNTHETIC_DATABASE_URL=... npx tsx scripts/explain-dashboards.ts [--only text] [--plans] [--runs 5]`:
 * the PostgreSQL time of each dashboard query in isolation, on the synthetic dataset.
 *
 * Each scenario is sent through the app in-process (the real resolvers and loaders), the SQL
 * statements it sends are captured with their parameters, and each is run again under
 * EXPLAIN (ANALYZE, BUFFERS): the median execution time of `--runs` runs (after one warm-up) is
 * printed, with the buffers of the last run and, with --plans, the plan. Unlike `npm run bench`,
 * nothing else runs at the same time, so the figures are the queries' own cost.
 */
import { parseArgs } from 'node:util';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { migrateDatabase } from '../src/db/migrate.ts';
import { connectDatabase } from '../src/db/client.ts';
import { createApp } from '../src/yoga.ts';
import { startSyntheticServer } from './synthetic-db.ts';

const { values: options } = parseArgs({
  options: {
    only: { type: 'string' },
    plans: { type: 'boolean', default: false },
    runs: { type: 'string', default: '5' },
  },
});
const RUNS = Number(options.runs);

interface Captured {
  text: string;
  parameters: unknown[];
}

interface PlanJson {
  Plan: { 'Shared Hit Blocks'?: number; 'Shared Read Blocks'?: number };
  'Planning Time': number;
  'Execution Time': number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main() {
  const server = await startSyntheticServer();
  const setup = connectDatabase(server.databaseUrl, { max: 1 });
  await migrateDatabase(setup.db);
  await setup.close();

  const explain = postgres(server.databaseUrl, { max: 1, onnotice: () => {} });
  const [busiest] = await explain<{ slug: string }[]>`
    select a.slug from participations p join actors a on a.id = p.actor_id
     where p.role = 'PERPETRATOR' group by a.slug order by count(*) desc, a.slug limit 1`;
  const [country] = await explain<{ slug: string }[]>`
    select c.slug from events e join places pl on pl.id = e.place_id join places c on c.id = pl.country_id
     group by c.slug order by count(*) desc, c.slug limit 1`;
  if (!busiest || !country) throw new Error('the synthetic database is empty: run npm run seed:synthetic first');
  const actor = busiest.slug;
  const [targeted] = await explain<{ slug: string }[]>`
    select a.slug from participations p join participations t on t.event_id = p.event_id and t.role = 'TARGET'
      join actors b on b.id = p.actor_id and b.slug = ${busiest.slug} join actors a on a.id = t.actor_id
     where p.role = 'PERPETRATOR' group by a.slug order by count(*) desc, a.slug limit 1`;
  const target = targeted?.slug ?? busiest.slug;
  const c = country.slug;
  // The bench's map viewport: 20° around the busiest country's point.
  const [focus] = await explain<{ latitude: number; longitude: number }[]>`select latitude, longitude from places where slug = ${c}`;
  const box = focus
    ? `{ west: ${Math.max(-180, focus.longitude - 10)}, south: ${Math.max(-90, focus.latitude - 10)}, east: ${Math.min(180, focus.longitude + 10)}, north: ${Math.min(90, focus.latitude + 10)} }`
    : '{ west: -180, south: -90, east: 180, north: 90 }';

  const scenarios: { name: string; query: string }[] = [
    { name: 'eventStats (all events)', query: '{ eventStats { events killed { min max reported } firstDate lastDate } }' },
    { name: `eventStats (country ${c})`, query: `{ eventStats(filter: { country: "${c}" }) { events killed { min max } } }` },
    { name: `eventStats (actor ${actor}, PERPETRATOR)`, query: `{ eventStats(filter: { actor: "${actor}", role: [PERPETRATOR] }) { events killed { min max } firstDate lastDate } }` },
    { name: `eventStats (actor ${actor})`, query: `{ eventStats(filter: { actor: "${actor}" }) { events killed { min max } firstDate lastDate } }` },
    { name: `eventStats (actor ${actor}, PERPETRATOR+CLAIMED_RESPONSIBILITY, country ${c})`, query: `{ eventStats(filter: { actor: "${actor}", role: [PERPETRATOR, CLAIMED_RESPONSIBILITY], country: "${c}" }) { events killed { min max } firstDate lastDate } }` },
    { name: 'eventStats (role CLAIMED_RESPONSIBILITY)', query: '{ eventStats(filter: { role: [CLAIMED_RESPONSIBILITY] }) { events killed { min max } firstDate lastDate } }' },
    { name: 'eventStats (2020-2024)', query: '{ eventStats(filter: { from: "2020-01-01", to: "2024-12-31" }) { events killed { min max } firstDate lastDate } }' },
    { name: 'timeline MONTH (all events)', query: '{ timeline(interval: MONTH) { buckets { start events killed { min max } } unplaced { events } } }' },
    { name: `timeline MONTH (country ${c}, 2020-2024)`, query: `{ timeline(interval: MONTH, filter: { country: "${c}", from: "2020-01-01", to: "2024-12-31" }) { buckets { start events } } }` },
    { name: `timeline MONTH (actor ${actor}, PERPETRATOR)`, query: `{ timeline(interval: MONTH, filter: { actor: "${actor}", role: [PERPETRATOR] }) { buckets { start events } unplaced { events } } }` },
    { name: 'timeline YEAR (role VICTIM)', query: '{ timeline(interval: YEAR, filter: { role: [VICTIM] }) { buckets { start events } unplaced { events } } }' },
    { name: 'breakdown COUNTRY top 10', query: '{ breakdown(by: COUNTRY) { key label events killed { min max } } }' },
    { name: 'breakdown EVENT_KIND', query: '{ breakdown(by: EVENT_KIND) { key events } }' },
    { name: 'breakdown YEAR top 30', query: '{ breakdown(by: YEAR, top: 30) { key events } }' },
    { name: 'breakdown ACTOR (PERPETRATOR) top 10', query: '{ breakdown(by: ACTOR, filter: { role: [PERPETRATOR] }) { key label events } }' },
    { name: 'breakdown ACTOR (PERPETRATOR+CLAIMED_RESPONSIBILITY) top 10', query: '{ breakdown(by: ACTOR, filter: { role: [PERPETRATOR, CLAIMED_RESPONSIBILITY] }) { key label events } }' },
    { name: 'breakdown ACTOR top 10', query: '{ breakdown(by: ACTOR) { key label events killed { min max } } }' },
    { name: `breakdown ACTOR (country ${c}) top 10`, query: `{ breakdown(by: ACTOR, filter: { country: "${c}" }) { key label events } }` },
    { name: 'breakdown ROLE', query: '{ breakdown(by: ROLE) { key events } }' },
    { name: `breakdown ACTOR (actor ${actor}) top 10`, query: `{ breakdown(by: ACTOR, filter: { actor: "${actor}" }) { key label events } }` },
    { name: `breakdown ACTOR (actor ${actor}, minReliability B) top 10`, query: `{ breakdown(by: ACTOR, filter: { actor: "${actor}", minReliability: B }) { key label events } }` },
    { name: `breakdown ROLE (actor ${actor})`, query: `{ breakdown(by: ROLE, filter: { actor: "${actor}" }) { key events killed { min max } } }` },
    { name: `breakdown COUNTRY (actor ${actor}, PERPETRATOR)`, query: `{ breakdown(by: COUNTRY, filter: { actor: "${actor}", role: [PERPETRATOR] }) { key events } }` },
    { name: 'breakdown DOCTRINE', query: '{ breakdown(by: DOCTRINE) { key label events killed { min max } } }' },
    { name: 'breakdown DOCTRINE (minConfidence 60)', query: '{ breakdown(by: DOCTRINE, filter: { minConfidence: 60 }) { key label events killed { min max } } }' },
    { name: 'breakdown DOCTRINE (2020-2024)', query: '{ breakdown(by: DOCTRINE, filter: { from: "2020-01-01", to: "2024-12-31" }) { key label events killed { min max } } }' },
    { name: `breakdown DOCTRINE (actor ${actor})`, query: `{ breakdown(by: DOCTRINE, filter: { actor: "${actor}" }) { key label events killed { min max } } }` },
    { name: 'breakdown DOCTRINE (PERPETRATOR)', query: '{ breakdown(by: DOCTRINE, filter: { role: [PERPETRATOR] }) { key label events killed { min max } } }' },
    { name: 'breakdown DOCTRINE (minReliability B)', query: '{ breakdown(by: DOCTRINE, filter: { minReliability: B }) { key label events killed { min max } } }' },
    { name: `breakdown DOCTRINE (country ${c})`, query: `{ breakdown(by: DOCTRINE, filter: { country: "${c}" }) { key label events } }` },
    // Casualty parts, standard types and dyads (issue 10): the new sums ride on the same rows.
    { name: 'eventStats casualties by part (all events)', query: '{ eventStats { events casualties { killed { total { low best high } civilians { low high } securityForces { low } } wounded { total { low } } } } }' },
    { name: `eventStats casualties by part (actor ${actor}, PERPETRATOR)`, query: `{ eventStats(filter: { actor: "${actor}", role: [PERPETRATOR] }) { events casualties { killed { civilians { low high } } } } }` },
    { name: 'timeline MONTH casualties by part', query: '{ timeline(interval: MONTH) { buckets { start casualties { killed { civilians { low } } } } } }' },
    { name: 'breakdown GTD_ATTACK_TYPE', query: '{ breakdown(by: GTD_ATTACK_TYPE) { key label events killed { min max } } }' },
    { name: `breakdown ACLED_SUB_EVENT_TYPE (actor ${actor})`, query: `{ breakdown(by: ACLED_SUB_EVENT_TYPE, filter: { actor: "${actor}" }) { key label events } }` },
    { name: 'eventStats (gtdSuicide)', query: '{ eventStats(filter: { gtdSuicide: true }) { events killed { min max } casualties { killed { civilians { low } } } } }' },
    { name: `events between (${actor}, a target)`, query: `{ events(filter: { between: ["${actor}", "${target}"] }, first: 20) { totalCount nodes { slug dyad { acledInteraction } } } }` },
    // Maps and place-filtered totals (docs/performance.md, "Maps").
    { name: 'eventMap zoom 3 (all events)', query: '{ eventMap(zoom: 3) { events bins { latitude longitude events killed { min max } coarsestPrecision } } }' },
    { name: `eventMap zoom 4 (actor ${actor}, PERPETRATOR)`, query: `{ eventMap(zoom: 4, filter: { actor: "${actor}", role: [PERPETRATOR] }) { events bins { latitude longitude events } } }` },
    { name: `eventMap zoom 4 (actor ${actor}, PERPETRATOR, 2020-2024)`, query: `{ eventMap(zoom: 4, filter: { actor: "${actor}", role: [PERPETRATOR], from: "2020-01-01", to: "2024-12-31" }) { events bins { latitude longitude events killed { min max } } } }` },
    { name: `eventMap zoom 4 (actor ${actor}, any role, ${c})`, query: `{ eventMap(zoom: 4, filter: { actor: "${actor}", country: "${c}" }) { events bins { latitude longitude events } } }` },
    { name: 'eventMap zoom 4 (role PERPETRATOR, any actor)', query: '{ eventMap(zoom: 4, filter: { role: [PERPETRATOR] }) { events bins { latitude longitude events } } }' },
    { name: 'eventMap zoom 4 (2020-2024)', query: '{ eventMap(zoom: 4, filter: { from: "2020-01-01", to: "2024-12-31" }) { events bins { latitude longitude events killed { min max } } } }' },
    { name: 'eventMap zoom 4 (2020-03-15 to 2024-06-30)', query: '{ eventMap(zoom: 4, filter: { from: "2020-03-15", to: "2024-06-30" }) { events bins { latitude longitude events } } }' },
    { name: `eventStats (bbox around ${c})`, query: `{ eventStats(filter: { bbox: ${box} }) { events killed { min max } } }` },
    { name: `eventStats (bbox around ${c}, actor ${actor})`, query: `{ eventStats(filter: { bbox: ${box}, actor: "${actor}" }) { events killed { min max } firstDate lastDate } }` },
    { name: `eventStats (actor ${actor}, PERPETRATOR, 2020-2024)`, query: `{ eventStats(filter: { actor: "${actor}", role: [PERPETRATOR], from: "2020-01-01", to: "2024-12-31" }) { events killed { min max } } }` },
    { name: `timeline YEAR (actor ${actor}, PERPETRATOR, 2020-2024)`, query: `{ timeline(interval: YEAR, filter: { actor: "${actor}", role: [PERPETRATOR], from: "2020-01-01", to: "2024-12-31" }) { buckets { start events } } }` },
    { name: 'breakdown ACTOR (PERPETRATOR, 2020-2024) top 10', query: '{ breakdown(by: ACTOR, filter: { role: [PERPETRATOR], from: "2020-01-01", to: "2024-12-31" }) { key label events } }' },
    { name: 'eventStats (role PERPETRATOR, 2020-2024)', query: '{ eventStats(filter: { role: [PERPETRATOR], from: "2020-01-01", to: "2024-12-31" }) { events killed { min max } } }' },
    { name: `eventStats (actor ${actor}, minReliability B)`, query: `{ eventStats(filter: { actor: "${actor}", minReliability: B }) { events killed { min max } } }` },
    { name: 'eventStats (minCredibility 2)', query: '{ eventStats(filter: { minCredibility: 2 }) { events killed { min max } } }' },
    { name: 'eventStats (minReliability B)', query: '{ eventStats(filter: { minReliability: B }) { events killed { min max } } }' },
    { name: 'eventStats (minConfidence 60)', query: '{ eventStats(filter: { minConfidence: 60 }) { events killed { min max } firstDate lastDate } }' },
    { name: 'timeline MONTH (minConfidence 60)', query: '{ timeline(interval: MONTH, filter: { minConfidence: 60 }) { buckets { start events killed { min max } } unplaced { events } } }' },
    { name: 'breakdown COUNTRY (minConfidence 60)', query: '{ breakdown(by: COUNTRY, filter: { minConfidence: 60 }) { key label events killed { min max } } }' },
    { name: 'eventStats (minConfidence 60, minReliability C, minCredibility 3)', query: '{ eventStats(filter: { minConfidence: 60, minReliability: C, minCredibility: 3 }) { events killed { min max } firstDate lastDate } }' },
    { name: 'timeline MONTH (minReliability B)', query: '{ timeline(interval: MONTH, filter: { minReliability: B }) { buckets { start events killed { min max } } unplaced { events } } }' },
    { name: 'timeline YEAR (minCredibility 2, 2020-03-15 to 2024-06-30)', query: '{ timeline(interval: YEAR, filter: { minCredibility: 2, from: "2020-03-15", to: "2024-06-30" }) { buckets { start events } } }' },
    { name: 'breakdown COUNTRY (minReliability B)', query: '{ breakdown(by: COUNTRY, filter: { minReliability: B }) { key label events killed { min max } } }' },
    { name: 'breakdown YEAR (minReliability B, minCredibility 3)', query: '{ breakdown(by: YEAR, top: 40, filter: { minReliability: B, minCredibility: 3 }) { key events } }' },
    { name: `breakdown ACTOR (minReliability B)`, query: `{ breakdown(by: ACTOR, top: 10, filter: { minReliability: B }) { key events } }` },
    { name: `timeline YEAR (actor ${actor}, minReliability B)`, query: `{ timeline(interval: YEAR, filter: { actor: "${actor}", minReliability: B }) { buckets { start events } } }` },
    { name: `timeline MONTH (bbox around ${c})`, query: `{ timeline(interval: MONTH, filter: { bbox: ${box} }) { buckets { start events killed { min max } } unplaced { events } } }` },
    { name: `timeline MONTH (bbox around ${c}, 2020-2024)`, query: `{ timeline(interval: MONTH, filter: { bbox: ${box}, from: "2020-01-01", to: "2024-12-31" }) { buckets { start events } } }` },
    { name: `breakdown YEAR (bbox around ${c})`, query: `{ breakdown(by: YEAR, top: 30, filter: { bbox: ${box} }) { key events } }` },
    { name: `breakdown COUNTRY (bbox around ${c})`, query: `{ breakdown(by: COUNTRY, filter: { bbox: ${box} }) { key label events killed { min max } } }` },
    { name: `breakdown EVENT_KIND (bbox around ${c})`, query: `{ breakdown(by: EVENT_KIND, filter: { bbox: ${box} }) { key events } }` },
    { name: `network depth 2 (${actor})`, query: `{ actor(slug: "${actor}") { network(depth: 2) { nodes { depth actor { slug name } } edges { type from { slug } to { slug } } } } }` },
    { name: `reach (${actor})`, query: `{ actor(slug: "${actor}") { reach { homeRegion countries { country { name } role events firstDate lastDate extraRegional } regions { region role events } } } }` },
    { name: `reach (${actor}, PERPETRATOR)`, query: `{ actor(slug: "${actor}") { reach(roles: [PERPETRATOR]) { countries { country { name } events } } } }` },
  ].filter((s) => !options.only || s.name.includes(options.only));

  const captured: Captured[] = [];
  const capturing = postgres(server.databaseUrl, {
    max: 2,
    onnotice: () => {},
    debug: (_connection: number, text: string, parameters: unknown[]) => captured.push({ text, parameters }),
  });
  const app = createApp({ db: drizzle(capturing) });

  console.log('| scenario | statement | execution ms (median) | planning ms | shared hit | shared read |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const s of scenarios) {
    captured.splice(0);
    const response = await app.fetch('http://explain/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: s.query }),
    });
    const body = (await response.json()) as { errors?: unknown[] };
    if (body.errors) throw new Error(`${s.name}: ${JSON.stringify(body.errors)}`);
    // Statements the app sends once per process (type lookups) are not the query's.
    const statements = captured.filter((q) => !q.text.includes('pg_catalog.pg_type'));
    for (const [i, q] of statements.entries()) {
      const times: number[] = [];
      let last: PlanJson | undefined;
      let planning = 0;
      for (let run = 0; run <= RUNS; run++) {
        const [row] = await explain.unsafe<{ 'QUERY PLAN': PlanJson[] }[]>(
          `explain (analyze, buffers, format json) ${q.text}`,
          q.parameters as postgres.ParameterOrJSON<never>[],
        );
        last = row?.['QUERY PLAN'][0];
        if (run > 0 && last) {
          times.push(last['Execution Time']);
          planning = last['Planning Time'];
        }
      }
      console.log(`| ${s.name} | ${i + 1}/${statements.length} | ${median(times).toFixed(1)} | ${planning.toFixed(1)} | ${last?.Plan['Shared Hit Blocks'] ?? '–'} | ${last?.Plan['Shared Read Blocks'] ?? '–'} |`);
      if (options.plans) {
        const [text] = await explain.unsafe<{ 'QUERY PLAN': string }[]>(
          `explain (analyze, buffers, format text) ${q.text}`,
          q.parameters as postgres.ParameterOrJSON<never>[],
        ).then((rows) => [rows.map((r) => r['QUERY PLAN']).join('\n')]);
        console.log(`\n\`\`\`\n${q.text}\n\n${text}\n\`\`\`\n`);
      }
    }
  }
  await capturing.end();
  await explain.end();
  await server.stop();
}

await main();
