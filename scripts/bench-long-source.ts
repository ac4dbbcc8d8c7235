/**
 * What a single cited write costs against a long source: `addCitation` of distinct sentences of a
 * source of each size, through `yoga.fetch` (no socket), one after another. Prints ms per write,
 * the Node CPU per write, and the database's citation check per write (pg_stat_user_functions).
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx scripts/bench-long-source.ts [SENTENCES ...]
 *
 * A fresh database `bench_long_source` is made on that server and dropped at the end.
 */
import postgres from 'postgres';
import { createToken } from '../src/auth/tokens.ts';
import { connectDatabase } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { sha256Hex } from '../src/domain/sources/sources.ts';
import { createApp } from '../src/yoga.ts';

const base = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const sizes = process.argv.slice(2).map(Number);
const WRITES = 100;
const NAME = 'bench_long_source';

// Some characters outside ASCII, so code points and bytes differ all through the text.
const sentence = (i: number) => `Paragraph ${i}: the group — «الدولة» — was said to have acted in the area that day.`;

async function main() {
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${NAME}`);
  await admin.unsafe(`create database ${NAME}`);
  await admin.unsafe(`alter database ${NAME} set track_functions = 'all'`);
  const url = new URL(base);
  url.pathname = `/${NAME}`;
  const database = connectDatabase(url.toString(), { max: 4 });
  try {
    await migrateDatabase(database.db);
    const { token } = await createToken(database.db, 'bench-long-source', 'analyst');
    const app = createApp({ db: database.db });
    const cite = async (slug: string, quote: string) => {
      const response = await app.fetch('http://bench/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          query: 'mutation($i: AddCitationInput!) { addCitation(input: $i) { __typename ... on UserError { message } } }',
          variables: { i: { source: slug, quote } },
        }),
      });
      const body = (await response.json()) as { data?: { addCitation: { __typename: string; message?: string } } };
      if (body.data?.addCitation.__typename !== 'MutationAddCitationSuccess') throw new Error(JSON.stringify(body));
    };
    const checkMs = async () => {
      const [row] = await database.sql<{ ms: number }[]>`
        select coalesce(sum(total_time), 0)::float8 as ms from pg_stat_user_functions where funcname = 'citations_match_sources'`;
      return row?.ms ?? 0;
    };
    console.log('| sentences | text MB | ms per write | Node CPU ms per write | citation check ms per write |');
    console.log('| ---: | ---: | ---: | ---: | ---: |');
    for (const count of sizes.length > 0 ? sizes : [1_000, 60_000]) {
      const slug = `long-${count}`;
      const text = Array.from({ length: count }, (_, i) => sentence(i)).join(' ');
      await database.sql`insert into sources (slug, title, publisher, text, text_sha256)
        values (${slug}, 'Long report', 'Bench Wire', ${text}, ${sha256Hex(text)})`;
      // The first writes find the text unindexed in this process; the run measures the writes after.
      for (let i = 0; i < 5; i++) await cite(slug, sentence(i * 7 + 1));
      const checkBefore = await checkMs();
      const cpu = process.cpuUsage();
      const started = performance.now();
      for (let i = 0; i < WRITES; i++) await cite(slug, sentence((i * 577 + 3) % count));
      const ms = (performance.now() - started) / WRITES;
      const { user, system } = process.cpuUsage(cpu);
      // Statistics reach pg_stat_user_functions when a backend's transaction ends; give them a moment.
      await new Promise((resolve) => setTimeout(resolve, 700));
      const check = ((await checkMs()) - checkBefore) / WRITES;
      const mb = Buffer.byteLength(text) / 1e6;
      console.log(`| ${count.toLocaleString('en')} | ${mb.toFixed(2)} | ${ms.toFixed(1)} | ${((user + system) / 1000 / WRITES).toFixed(1)} | ${check.toFixed(2)} |`);
    }
  } finally {
    await database.close();
    await admin.unsafe(`drop database if exists ${NAME} with (force)`);
    await admin.end();
  }
}

main().then(() => process.exit(0), (error: unknown) => { console.error(error); process.exit(1); });
