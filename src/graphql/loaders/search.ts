/**
 * Full-text search over actors (names, aliases, names in other languages and scripts), events (titles, descriptions), sources (titles,
 * texts) and citation quotes, in one statement. Events, sources and citations are matched and
 * ranked on their stored documents (side tables kept by triggers, src/db/schema.ts), actors on
 * their GIN expression index; snippets are built only for the hits returned, since ts_headline
 * parses the text.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import type { KnowledgeView } from '../context.ts';
import { actorsAt, claimVisibleAs, eventsAt, mergeTime, storedByAs } from '../view.ts';
import {
  actors,
  citationSearchDocuments,
  citations,
  eventSearchDocuments,
  events,
  searchDocuments,
  sourceSearchDocuments,
  sources,
} from '../../db/schema.ts';

export type SearchKind = 'ACTOR' | 'EVENT' | 'SOURCE' | 'CITATION';

/**
 * How many matches of each kind are ranked: the most recently added ones (highest ids). Ranking
 * every match of a common word in a million events costs far more than the answer is worth; the
 * newest matches are a sample whose meaning a reader can be told. Sources are long texts, so
 * fewer of them are ranked.
 */
export const CANDIDATES = 200;
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

/** A kind whose documents are stored in a side table keyed by the record's id. */
interface StoredKind {
  kind: SearchKind;
  /** CTE name prefix. */
  name: string;
  table: typeof eventSearchDocuments | typeof sourceSearchDocuments | typeof citationSearchDocuments;
  /** The id column's name. */
  id: string;
  cap: number;
  /** How many of the newest documents are read to estimate how common the query is. */
  sample: number;
  /** The most newest documents read for matches before the index is asked instead. */
  maxProbe: number;
}

// Reading a stored document costs ~0.4 µs (events, quotes) to ~1 µs (sources, longer); listing
// the matches through a GIN index and fetching them costs far more per match once there are
// thousands. The bounds keep the probe under ~20 ms where the index would take longer.
const STORED_KINDS: StoredKind[] = [
  { kind: 'EVENT', name: 'event', table: eventSearchDocuments, id: 'event_id', cap: CANDIDATES, sample: 500, maxProbe: 50_000 },
  { kind: 'SOURCE', name: 'source', table: sourceSearchDocuments, id: 'source_id', cap: SOURCE_CANDIDATES, sample: 100, maxProbe: 5_000 },
  { kind: 'CITATION', name: 'citation', table: citationSearchDocuments, id: 'citation_id', cap: CANDIDATES, sample: 500, maxProbe: 50_000 },
];

/** Read twice as many newest documents as the sample's rate says hold `cap` matches. */
const PROBE_MARGIN = 2;

/**
 * The newest `cap` matches of a stored kind that are in the view (`visible`: inView), found one of
 * two ways with the same answer; as of a past time, the newest stored by then, so that matches
 * stored later do not crowd out the older ones.
 *
 * A common query ("suicide bombing" matches 55,000 events) has its newest matches among the
 * newest rows: reading those newest first finds them in a few thousand cheap checks, where the
 * GIN index would first list all 55,000 matches and fetch each (~25 ms per table). How many to
 * read is estimated from the newest `sample` rows; when even `maxProbe` rows would not do (a
 * rare query), or the probe comes up short (the sample was luckier than the rows behind it), the
 * GIN index lists every match and the newest are kept. Either way the candidates are the `cap`
 * newest matches; only the cost differs. `extra`: ids matched otherwise, added to them (events
 * reworded since asOf, matched on their words then).
 */
function newestMatches(k: StoredKind, wanted: SQL, visible: (id: SQL) => SQL, extra?: SQL): SQL {
  const cte = (suffix: string) => sql.identifier(`${k.name}_${suffix}`);
  const id = sql.identifier(k.id);
  const int = (n: number) => sql.raw(String(n));
  const newest = (rows: SQL) => sql`(select ${id} as id, document from ${k.table} order by ${id} desc limit ${rows}) d`;
  // Matches the sample must hold for maxProbe rows to be expected to hold cap of them, with margin.
  const enough = Math.ceil((PROBE_MARGIN * k.cap * k.sample) / k.maxProbe);
  return sql`
    ${cte('sample')} as materialized (
      select count(*) as n from ${newest(int(k.sample))} where ${wanted} and d.document @@ (select query from q) and ${visible(sql`d.id`)}),
    ${cte('probe')} as materialized (
      select d.id from ${newest(sql`(select ceil(${int(PROBE_MARGIN * k.cap * k.sample)}::float8 / greatest(n, 1))::int from ${cte('sample')})`)}
       where ${wanted} and (select n from ${cte('sample')}) >= ${int(enough)} and d.document @@ (select query from q) and ${visible(sql`d.id`)}
       limit ${int(k.cap)}),
    -- No LIMIT here: with one, the planner could serve it by reading the table newest first,
    -- which for a rare query reads it all.
    ${cte('indexed')} as materialized (
      select ${id} as id from ${k.table}
       where ${wanted} and (select count(*) from ${cte('probe')}) < ${int(k.cap)} and document @@ (select query from q)),
    -- Newest first, each asked whether it is in the view only until cap are (OFFSET 0 keeps the
    -- check above the sort): asked of every match, 54,000 for "suicide bombing", the probes took
    -- 0.4 s a kind where listing the matches took 0.13 s.
    ${cte('candidates')} as (
      select id from ${cte('probe')} where (select count(*) from ${cte('probe')}) = ${int(k.cap)}
      union all
      (select id from (select id from ${cte('indexed')} order by id desc offset 0) newest
        where ${visible(sql`newest.id`)} limit ${int(k.cap)})${extra ? sql` union all ${extra}` : sql``})`;
}

/**
 * As of a past time, the events whose words (title, description) were other then than they are now,
 * with their document as it was: the stored document says what they say now. Found from the
 * revisions superseded since then (event_revisions_superseded_at_idx), so a search as of a time
 * costs one document per event reworded since; none live, where the stored documents are exact.
 */
function eventsRewordedSince(view: KnowledgeView, asOf: Date): SQL {
  const at = sql`${asOf.toISOString()}::timestamptz`;
  return sql`
    event_then as materialized (
      select v.id, event_search_document(v.title, v.description) as document
        from ${eventsAt(view, 'v')} join ${events} now on now.id = v.id
       where v.id in (select r.event_id from event_revisions r where r.superseded_at > ${at})
         and (v.title, v.description) is distinct from (now.title, now.description)),`;
}

/**
 * Whether the record of `kind` with id `id` is in the view: an actor or event whose claim (its
 * profile, its report) is visible in it (recorded by asOf, not retracted by then unless retracted
 * claims are asked for), as `actor(slug)` and `event(slug)` find them; a source or quote stored by
 * asOf. Live, sources and quotes are all in (nothing retracts them).
 */
function inView(view: KnowledgeView, kind: SearchKind, id: SQL): SQL {
  // A scalar subquery, one probe per candidate, with aliases no caller uses (`id` may name a
  // caller's column). As EXISTS, PostgreSQL planned it as a semi-join over every visible event.
  const visibleClaim = (table: typeof actors | typeof events) =>
    sql`coalesce((select ${claimVisibleAs(view, 'in_view_claim')} from ${table} in_view
                   join claims in_view_claim on in_view_claim.id = in_view.claim_id where in_view.id = ${id}), false)`;
  const storedBy = (table: typeof sources | typeof citations) =>
    view.asOf ? sql`coalesce((select ${storedByAs(view, 'in_view')} from ${table} in_view where in_view.id = ${id}), false)` : sql`true`;
  switch (kind) {
    case 'ACTOR':
      return visibleClaim(actors);
    case 'EVENT':
      return visibleClaim(events);
    case 'SOURCE':
      return storedBy(sources);
    case 'CITATION':
      return storedBy(citations);
  }
}

export async function search(
  db: Database,
  view: KnowledgeView,
  query: string,
  kinds: readonly SearchKind[],
  first: number,
): Promise<SearchRow[]> {
  const wanted = (kind: SearchKind) => sql`${kinds.includes(kind)}::boolean`;
  // ts_rank normalisation 1 divides by 1 + log(length): a long source does not win by size alone.
  const rank = (document: SQL) => sql`ts_rank(${document}, (select query from q), 1)::float8`;
  // Actors are matched on their names and aliases as they stood in the view (a merge since adds aliases).
  const actorDoc = searchDocuments.actor(sql`a.name`, sql`a.aliases`);
  // As of a time, events reworded since (event_then) are matched and ranked on their words then,
  // the rest on their stored documents.
  const reworded = (k: StoredKind) => k.kind === 'EVENT' && view.asOf !== null;
  const matches = (k: StoredKind) =>
    reworded(k)
      ? newestMatches(k, wanted(k.kind), (id) => sql`${inView(view, k.kind, id)} and ${id} not in (select id from event_then)`,
          sql`select t.id from event_then t where ${wanted(k.kind)} and t.document @@ (select query from q) and ${inView(view, k.kind, sql`t.id`)}`)
      : newestMatches(k, wanted(k.kind), (id) => inView(view, k.kind, id));
  const ranked = (k: StoredKind) => sql`
      (select ${k.kind}::text as kind, c.id, ${rank(reworded(k) ? sql`coalesce(t.document, d.document)` : sql`d.document`)} as rank
         from ${sql.identifier(`${k.name}_candidates`)} c
         ${reworded(k) ? sql`left join event_then t on t.id = c.id left join` : sql`join`} ${k.table} d on d.${sql.identifier(k.id)} = c.id
        order by 3 desc, 2 limit ${first})`;
  const rows = await db.execute<SearchRow>(sql`
    with q as materialized (select websearch_to_tsquery('english', ${query}) as query),
    ${view.asOf ? eventsRewordedSince(view, view.asOf) : sql``}
    -- Actors are few (their GIN expression index answers any query quickly, also through the
    -- view's union with the revisions as of a time); MATERIALIZED so the planner plans the match
    -- without the LIMIT, through the index.
    -- An actor merged into another by then is found as that one (as its id loads), once.
    actor_matches as materialized (
      select distinct coalesce(fold.canonical_id, m.id) as id from (
        select a.id from ${actorsAt(view, 'a')} where ${wanted('ACTOR')} and ${actorDoc} @@ (select query from q)
        -- An actor's names in other languages and scripts (actor_names, each a claim standing in the view).
        union
        select n.actor_id from actor_names n join claims c on c.id = n.claim_id and ${claimVisibleAs(view, 'c')}
         where ${wanted('ACTOR')} and actor_name_search_document(n.name) @@ (select query from q)) m
        left join actor_folds(${mergeTime(view)}) fold on fold.actor_id = m.id
       where ${inView(view, 'ACTOR', sql`coalesce(fold.canonical_id, m.id)`)}),
    ${sql.join(STORED_KINDS.map(matches), sql`,`)},
    hits as (
      (select 'ACTOR'::text as kind, a.id,
              greatest(${rank(actorDoc)}, (select max(${rank(sql`actor_name_search_document(n.name)`)}) from actor_names n
                                            join claims c on c.id = n.claim_id and ${claimVisibleAs(view, 'c')} where n.actor_id = a.id)) as rank
         from (select id from actor_matches order by id desc limit ${CANDIDATES}) m join ${actorsAt(view, 'a')} on a.id = m.id
        order by 3 desc, 2 limit ${first})
      union all
      ${sql.join(STORED_KINDS.map(ranked), sql` union all `)}
    ),
    top as (select * from hits order by rank desc, kind, id limit ${first})
    select top.kind, top.id, top.rank,
           ts_headline('english',
             ${escaped(sql`case top.kind
               when 'ACTOR' then a.name || coalesce(' (' || nullif(concat_ws(', ', nullif(array_to_string(a.aliases, ', '), ''),
                 (select string_agg(n.name, ', ' order by n.name) from actor_names n join claims c on c.id = n.claim_id and ${claimVisibleAs(view, 'c')}
                   where n.actor_id = a.id and not n.name = any(a.aliases))), '') || ')', '')
               when 'EVENT' then ev.title || coalesce('. ' || ev.description, '')
               when 'SOURCE' then coalesce(s.title || '. ', '') || s.text
               else ct.quote end`)},
             (select query from q), 'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "') as snippet
      from top
      -- Shown as they stood in the view.
      left join ${actorsAt(view, 'a')} on top.kind = 'ACTOR' and a.id = top.id
      left join ${eventsAt(view, 'ev')} on top.kind = 'EVENT' and ev.id = top.id
      left join ${sources} s on top.kind = 'SOURCE' and s.id = top.id
      left join ${citations} ct on top.kind = 'CITATION' and ct.id = top.id
     order by top.rank desc, top.kind, top.id`);
  return [...rows];
}
