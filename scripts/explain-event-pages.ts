/**
 * `EXPLAIN_DATABASE_URL=... npx tsx scripts/explain-event-pages.ts [--events 300000] [--depth 250000]`:
 * what a deep page of `events(orderBy: DATE_DESC)` costs with keyset cursors, next to the OFFSET
 * query the API used to send for the same page.
 *
 * The database must be migrated and seeded (it is topped up with synthetic events, a tenth of them
 * undated, written with triggers off: this measures reads, not the write rules). The keyset page
 * is sent through the app in-process and the statements it sends are captured with their
 * parameters and run under EXPLAIN (ANALYZE, BUFFERS); the plans are printed.
 */
import { parseArgs } from 'node:util';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { createApp } from '../src/yoga.ts';

const { values: options } = parseArgs({
  options: { events: { type: 'string', default: '300000' }, depth: { type: 'string', default: '250000' } },
});
const url = process.env.EXPLAIN_DATABASE_URL;
if (!url) throw new Error('set EXPLAIN_DATABASE_URL to a migrated, seeded database');
const EVENTS = Number(options.events);
const DEPTH = Number(options.depth);

const sql = postgres(url, { max: 1, onnotice: () => {} });
const [{ n } = { n: 0 }] = await sql<{ n: number }[]>`select count(*)::int as n from events`;
if (n < EVENTS) {
  const missing = EVENTS - n;
  await sql.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    await tx`
      with made as (
        insert into claims (kind, confidence, recorded_by)
        select 'EVENT_REPORT', 50, 'explain-event-pages' from generate_series(1, ${missing})
        returning id
      ), numbered as (select id, row_number() over (order by id) as i from made)
      insert into events (slug, title, kind, date_text, date_earliest, date_latest, date_precision, claim_id)
      select 'synthetic-' || id, 'Synthetic event ' || id, 'ATTACK',
             case when i % 10 = 0 then 'unknown' else 'a day' end,
             case when i % 10 = 0 then null else date '1990-01-01' + (i * 7919 % 12000)::int end,
             case when i % 10 = 0 then null else date '1990-01-01' + (i * 7919 % 12000)::int end,
             case when i % 10 = 0 then 'RANGE'::date_precision else 'DAY'::date_precision end,
             id
        from numbered`;
  });
  await sql`analyze events`;
  await sql`analyze claims`;
  console.log(`added ${missing} synthetic events`);
}

// The row at DEPTH in DATE_DESC order, and its cursor as the API would give it.
const [row] = await sql<{ d: string | null; id: number }[]>`
  select coalesce(date_earliest, date_latest)::text as d, id from events
   order by coalesce(date_earliest, date_latest) desc nulls last, id desc offset ${DEPTH} limit 1`;
if (!row) throw new Error('not enough events');
const cursor = Buffer.from(JSON.stringify(['events:DATE_DESC', row.d, row.id])).toString('base64');

const captured: { text: string; parameters: unknown[] }[] = [];
const capturing = postgres(url, {
  max: 1,
  onnotice: () => {},
  debug: (_c: number, text: string, parameters: unknown[]) => captured.push({ text, parameters }),
});
const app = createApp({ db: drizzle(capturing) });

async function explain(name: string, text: string, parameters: unknown[]): Promise<void> {
  const params = parameters as postgres.ParameterOrJSON<never>[];
  await sql.unsafe(text, params); // warm the cache
  const plan = await sql.unsafe<{ 'QUERY PLAN': string }[]>(`explain (analyze, buffers) ${text}`, params);
  console.log(`\n## ${name}\n\n\`\`\`\n${text.trim()}\n\n${plan.map((r) => r['QUERY PLAN']).join('\n')}\n\`\`\``);
}

for (const [name, after] of [
  [`keyset page at depth ${DEPTH} (dated rows)`, cursor],
  ['keyset page among the undated rows', null],
] as const) {
  let at = after;
  if (at === null) {
    const [undated] = await sql<{ id: number }[]>`
      select id from events where coalesce(date_earliest, date_latest) is null order by id desc offset 1000 limit 1`;
    at = Buffer.from(JSON.stringify(['events:DATE_DESC', null, undated?.id ?? 0])).toString('base64');
  }
  captured.splice(0);
  const response = await app.fetch('http://explain/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `query($after: String) { events(first: 20, after: $after) { nodes { title } } }`, variables: { after: at } }),
  });
  const body = (await response.json()) as { errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  for (const statement of captured.filter((q) => !q.text.includes('pg_catalog.pg_type'))) {
    await explain(name, statement.text, statement.parameters);
  }
}

// What the API sent before keyset cursors, for the same page.
await explain(
  `OFFSET page at depth ${DEPTH} (before)`,
  `select events.*, c.confidence from events join claims c on c.id = events.claim_id
    where c.retracted_at is null
    order by coalesce(events.date_earliest, events.date_latest) desc nulls last, events.id desc
    limit 21 offset ${DEPTH + 1}`,
  [],
);

await capturing.end();
await sql.end();
