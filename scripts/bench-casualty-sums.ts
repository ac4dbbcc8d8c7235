/**
 * `npx tsx scripts/bench-casualty-sums.ts [--runs 5]`: what summing casualty parts costs the
 * dashboard aggregates, on the synthetic dataset (npm run seed:synthetic). Each pair runs the same
 * aggregate without and with the casualty vector sum (src/db/casualties.ts) under EXPLAIN ANALYZE
 * and prints the median execution time: the summary path (rollup rows) and the events path (asOf
 * reads, `between`), where each event's vector is computed from its columns.
 */
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { casualtySumSql } from '../src/db/casualties.ts';
import { startSyntheticServer } from './synthetic-db.ts';

const { values: options } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = Number(options.runs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const killed = (a: string) => `coalesce(sum(${a}.killed_min), 0), count(${a}.killed_min)`;
const vectorOf = `event_casualty_vector(e.killed_min, e.killed_best, e.killed_max, e.killed_parts, e.wounded_min, e.wounded_best, e.wounded_max, e.wounded_parts)`;

const pairs: { name: string; without: string; with: string }[] = [
  {
    name: 'eventStats from event_rollup_by_period (summary path)',
    without: `select sum(r.events), ${killed('r')} from event_rollup_by_period r`,
    with: `select sum(r.events), ${killed('r')}, ${casualtySumSql((i) => `r.casualties[${i}]`)} from event_rollup_by_period r`,
  },
  {
    name: 'breakdown by kind from event_rollup_by_kind (summary path)',
    without: `select r.kind, sum(r.events), ${killed('r')} from event_rollup_by_kind r group by r.kind`,
    with: `select r.kind, sum(r.events), ${killed('r')}, ${casualtySumSql((i) => `r.casualties[${i}]`)} from event_rollup_by_kind r group by r.kind`,
  },
  {
    name: 'eventStats of the busiest actor from actor_rollup (summary path)',
    without: `select sum(r.events), ${killed('r')} from actor_rollup r where r.actor_id = (select actor_id from actor_rollup where actor_id <> 0 order by events desc limit 1) and r.country_id is null and r.kind is null`,
    with: `select sum(r.events), ${killed('r')}, ${casualtySumSql((i) => `r.casualties[${i}]`)} from actor_rollup r where r.actor_id = (select actor_id from actor_rollup where actor_id <> 0 order by events desc limit 1) and r.country_id is null and r.kind is null`,
  },
  {
    name: 'eventStats over every event read from events (asOf path)',
    without: `select count(*), ${killed('e')} from events e`,
    with: `select count(*), ${killed('e')}, ${casualtySumSql((i) => `e.casualties[${i}]`)} from (select e.killed_min, ${vectorOf} as casualties from events e offset 0) e`,
  },
];

async function main() {
  const server = await startSyntheticServer();
  const sql = postgres(server.databaseUrl, { max: 1, onnotice: () => {} });
  const [{ n } = { n: 0 }] = await sql<{ n: number }[]>`select count(*)::int as n from events`;
  console.log(`${n} events; median of ${RUNS} runs after one warm-up (PostgreSQL execution time, ms)\n`);
  console.log('| aggregate | without parts | with parts |');
  console.log('| --- | ---: | ---: |');
  for (const pair of pairs) {
    const time = async (text: string) => {
      const runs: number[] = [];
      for (let i = 0; i <= RUNS; i++) {
        const [row] = await sql.unsafe<{ 'QUERY PLAN': [{ 'Execution Time': number }] }[]>(`explain (analyze, format json) ${text}`);
        if (i > 0 && row) runs.push(row['QUERY PLAN'][0]['Execution Time']);
      }
      return median(runs);
    };
    console.log(`| ${pair.name} | ${(await time(pair.without)).toFixed(1)} | ${(await time(pair.with)).toFixed(1)} |`);
  }
  await sql.end();
  await server.stop();
}

await main();
