/**
 * Full-text search over actors (names, aliases), events (titles, descriptions), sources (titles,
 * texts) and citation quotes, in one statement. Each table is matched through its GIN expression
 * index (the documents are defined once, in src/db/schema.ts) and ranked; snippets are built only
 * for the hits returned, since ts_headline re-parses the text.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { actors, citations, events, searchDocuments, sources } from '../../db/schema.ts';

export type SearchKind = 'ACTOR' | 'EVENT' | 'SOURCE' | 'CITATION';

/**
 * How many matching rows of each kind are ranked. A query matching more (a common word in a
 * million events) returns the best of the first ones the index yields, not of all: ranking every
 * match costs seconds. Sources are long texts, so fewer of them are ranked.
 */
export const CANDIDATES = 500;
export const SOURCE_CANDIDATES = 50;

export type SearchRow = {
  kind: SearchKind;
  id: number;
  rank: number;
  snippet: string;
};

/** HTML-escapes text before highlighting, so the snippet is safe to render with its <mark> tags. */
const escaped = (text: SQL) =>
  sql`replace(replace(replace(${text}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')`;

export async function search(
  db: Database,
  query: string,
  kinds: readonly SearchKind[],
  first: number,
): Promise<SearchRow[]> {
  const wanted = (kind: SearchKind) => sql`${kinds.includes(kind)}::boolean`;
  // ts_rank normalisation 1 divides by 1 + log(length): a long source does not win by size alone.
  const rank = (document: SQL) => sql`ts_rank(${document}, q.query, 1)::float8`;
  const actorDoc = searchDocuments.actor(actors.name, actors.aliases);
  const eventDoc = searchDocuments.event(events.title, events.description);
  const sourceDoc = searchDocuments.source(sources.title, sources.text);
  const citationDoc = searchDocuments.citation(citations.quote);
  // Each kind ranks at most `cap` matching rows: ts_rank re-parses each document, and thousands
  // of long source texts would take seconds. The matches are a MATERIALIZED CTE so the planner
  // plans them without the LIMIT (which tempts it into a sequential scan that parses every
  // document until enough match); it is still read lazily, up to the cap. The ranked subquery is
  // aliased as the table so the shared document expressions resolve against it.
  type Searched = typeof actors | typeof events | typeof sources | typeof citations;
  const matches = (name: string, kind: SearchKind, table: Searched, id: SQL, document: SQL) =>
    sql`${sql.identifier(name)} as materialized (
      select ${id} as id from ${table} where ${wanted(kind)} and ${document} @@ websearch_to_tsquery('english', ${query}))`;
  const ranked = (name: string, kind: SearchKind, table: Searched, id: SQL, document: SQL, cap: number) => sql`
      (select ${kind}::text as kind, ${id} as id, ${rank(document)} as rank
         from (select * from ${table} where ${id} in (select id from ${sql.identifier(name)} limit ${cap})) ${table}, q
        order by 3 desc, 2 limit ${first})`;
  const rows = await db.execute<SearchRow>(sql`
    with q as (select websearch_to_tsquery('english', ${query}) as query),
    ${matches('actor_matches', 'ACTOR', actors, sql`${actors.id}`, actorDoc)},
    ${matches('event_matches', 'EVENT', events, sql`${events.id}`, eventDoc)},
    ${matches('source_matches', 'SOURCE', sources, sql`${sources.id}`, sourceDoc)},
    ${matches('citation_matches', 'CITATION', citations, sql`${citations.id}`, citationDoc)},
    hits as (
      ${ranked('actor_matches', 'ACTOR', actors, sql`${actors.id}`, actorDoc, CANDIDATES)}
      union all
      ${ranked('event_matches', 'EVENT', events, sql`${events.id}`, eventDoc, CANDIDATES)}
      union all
      ${ranked('source_matches', 'SOURCE', sources, sql`${sources.id}`, sourceDoc, SOURCE_CANDIDATES)}
      union all
      ${ranked('citation_matches', 'CITATION', citations, sql`${citations.id}`, citationDoc, CANDIDATES)}
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
