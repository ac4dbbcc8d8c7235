/**
 * The raw-SQL baseline for the benchmark's nested list query: node:http and one hand-written
 * json_agg statement that returns the very JSON the GraphQL query does (100 latest events → their
 * participants → actor → doctrines, and each participation's citations → source). It is what the
 * API would cost with no GraphQL, no resolvers and no DataLoaders: a floor to compare against.
 */
import { createServer } from 'node:http';
import postgres from 'postgres';

export const NESTED_SQL = `
select json_build_object('data', json_build_object('events', json_build_object('nodes',
         coalesce(json_agg(x.event order by x.sort_date desc nulls last, x.id desc), '[]'::json))))::text as body
  from (
    select e.id, coalesce(e.date_earliest, e.date_latest) as sort_date,
           json_build_object(
             'slug', e.slug, 'title', e.title,
             'date', json_build_object('earliest', e.date_earliest, 'latest', e.date_latest, 'precision', e.date_precision),
             'killed', case when e.killed_min is null then null else json_build_object('min', e.killed_min, 'max', e.killed_max) end,
             'participants', (
               select coalesce(json_agg(json_build_object(
                        'role', p.role,
                        'actor', json_build_object('slug', a.slug, 'name', a.name, 'doctrines', (
                          select coalesce(json_agg(json_build_object('doctrine', json_build_object('slug', d.slug, 'name', d.name))
                                                   order by ad.actor_id, ad.claim_id), '[]'::json)
                            from adherences ad
                            join claims ac on ac.id = ad.claim_id and ac.retracted_at is null
                            join doctrines d on d.id = ad.doctrine_id
                           where ad.actor_id = a.id)),
                        'citations', (
                          select coalesce(json_agg(json_build_object('quote', ct.quote, 'source', json_build_object('slug', s.slug, 'title', s.title))
                                                   order by ct.source_id, ct.start_offset, ct.id), '[]'::json)
                            from claim_citations cc
                            join citations ct on ct.id = cc.citation_id
                            join sources s on s.id = ct.source_id
                           where cc.claim_id = p.claim_id))
                      order by p.role, p.claim_id), '[]'::json)
                 from participations p
                 join claims pc on pc.id = p.claim_id and pc.retracted_at is null
                 join actors a on a.id = p.actor_id
                where p.event_id = e.id)) as event
      from events e
     order by coalesce(e.date_earliest, e.date_latest) desc nulls last, e.id desc
     limit 100
  ) x`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required');
  const sql = postgres(url, { max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      sql
        .unsafe<{ body: string }[]>(NESTED_SQL, [], { prepare: true })
        .then(([row]) => {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(row?.body ?? '');
        })
        .catch((error: unknown) => {
          response.writeHead(500);
          response.end(String(error));
        });
    });
  });
  server.listen(Number(process.env.PORT ?? 4100), '127.0.0.1', () => console.log('ready'));
}
