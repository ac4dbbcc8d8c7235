/**
 * Full-text search over actors (names, aliases), events (titles, descriptions), sources (titles,
 * texts) and citation quotes, in one statement. Each table is matched through its GIN expression
 * index (the documents are defined once, in src/db/schema.ts) and ranked; snippets are built only
 * for the hits returned, since ts_headline re-parses the text.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { actors, citations, events, searchDocuments, sources } from '../../db/schema.ts';

export type SearchKind = 'ACTOR' | 'EVENT' | 'SOURCE' | 'CITATION';

export type SearchRow = {
  kind: SearchKind;
  id: number;
  rank: number;
  snippet: string;
};

/** HTML-escapes text before highlighting, so the snippet is safe to render with its <mark> tags. */
const escaped = (text: ReturnType<typeof sql>) =>
  sql`replace(replace(replace(${text}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')`;

export async function search(
  db: Database,
  query: string,
  kinds: readonly SearchKind[],
  first: number,
): Promise<SearchRow[]> {
  const wanted = (kind: SearchKind) => sql`${kinds.includes(kind)}::boolean`;
  // ts_rank normalisation 1 divides by 1 + log(length): a long source does not win by size alone.
  const rank = (document: ReturnType<typeof sql>) => sql`ts_rank(${document}, q.query, 1)::float8`;
  const actorDoc = searchDocuments.actor(actors.name, actors.aliases);
  const eventDoc = searchDocuments.event(events.title, events.description);
  const sourceDoc = searchDocuments.source(sources.title, sources.text);
  const citationDoc = searchDocuments.citation(citations.quote);
  const rows = await db.execute<SearchRow>(sql`
    with q as (select websearch_to_tsquery('english', ${query}) as query),
    hits as (
      (select 'ACTOR' as kind, ${actors.id} as id, ${rank(actorDoc)} as rank from ${actors}, q
        where ${wanted('ACTOR')} and ${actorDoc} @@ q.query order by rank desc, id limit ${first})
      union all
      (select 'EVENT', ${events.id}, ${rank(eventDoc)} from ${events}, q
        where ${wanted('EVENT')} and ${eventDoc} @@ q.query order by 3 desc, 2 limit ${first})
      union all
      (select 'SOURCE', ${sources.id}, ${rank(sourceDoc)} from ${sources}, q
        where ${wanted('SOURCE')} and ${sourceDoc} @@ q.query order by 3 desc, 2 limit ${first})
      union all
      (select 'CITATION', ${citations.id}, ${rank(citationDoc)} from ${citations}, q
        where ${wanted('CITATION')} and ${citationDoc} @@ q.query order by 3 desc, 2 limit ${first})
    ),
    top as (select * from hits order by rank desc, kind, id limit ${first})
    select top.kind, top.id, top.rank,
           ts_headline('english',
             ${escaped(sql`case top.kind
               when 'ACTOR' then a.name || coalesce(' (' || nullif(array_to_string(a.aliases, ', '), '') || ')', '')
               when 'EVENT' then ev.title || coalesce('. ' || ev.description, '')
               when 'SOURCE' then coalesce(s.title || '. ', '') || s.text
               else ct.quote end`)},
             q.query, 'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "') as snippet
      from top cross join q
      left join ${actors} a on top.kind = 'ACTOR' and a.id = top.id
      left join ${events} ev on top.kind = 'EVENT' and ev.id = top.id
      left join ${sources} s on top.kind = 'SOURCE' and s.id = top.id
      left join ${citations} ct on top.kind = 'CITATION' and ct.id = top.id
     order by top.rank desc, top.kind, top.id`);
  return [...rows];
}
