/**
 * What an export reads: events matching the `events` filter in a knowledge view, each with its
 * place, its report claim and the participations visible in the view — one statement, read
 * through a cursor. The filter is eventConditions (src/graphql/types/event.ts), the same SQL the
 * `events` field and the dashboards use; the view is src/graphql/view.ts's. Dates and timestamps
 * come back as text so that nothing is shifted by a time zone on the way out.
 */
import type { CasualtyPartRow } from '../../db/schema.ts';
import { sql, type SQL } from 'drizzle-orm';
import { actors, events } from '../../db/schema.ts';
import { actorAsMergedAt, actorsAt, claimVisibleAs, establishedInView, eventsAt, mergeTime, placesAt } from '../view.ts';
import type { KnowledgeView } from '../context.ts';
import { placeLocationsSql } from '../loaders/geography.ts';
import { eventConditions } from '../types/event.ts';
import type { ExportQuery } from './parameters.ts';

/** A verbatim quote backing a claim: its source, the text, and code-point offsets [start, end). */
export interface QuoteRecord {
  source: string;
  quote: string;
  start: number;
  end: number;
  prefix: string;
  suffix: string;
}

/** A claim's bookkeeping, as stored. Timestamps are RFC 3339 text with microseconds. */
export interface ClaimRecord {
  key: string | null;
  id: number;
  confidence: number;
  credibility: number | null;
  note: string | null;
  recordedAt: string;
  recordedBy: string;
  retractedAt: string | null;
  retractionReason: string | null;
  quotes: QuoteRecord[];
}

export interface ParticipantRecord {
  role: string;
  actor: string;
  actorName: string;
  attributedBy: string | null;
  attributedByName: string | null;
  /** The side an actor that acted was named on, where both sides acted (participations.side). */
  side: 'A' | 'B' | null;
  claim: ClaimRecord;
}

export interface EventRecord {
  slug: string;
  title: string;
  kind: string;
  description: string | null;
  dateText: string | null;
  dateEarliest: string | null;
  dateLatest: string | null;
  datePrecision: string;
  placeSlug: string | null;
  placeName: string | null;
  placeKind: string | null;
  countrySlug: string | null;
  countryName: string | null;
  countryCode: string | null;
  region: string | null;
  /** The event's location (its place's, or the nearest containing place's); null when none. */
  latitude: number | null;
  longitude: number | null;
  geoPrecision: string | null;
  killedMin: number | null;
  killedMax: number | null;
  killedText: string | null;
  woundedMin: number | null;
  woundedMax: number | null;
  woundedText: string | null;
  killedBest: number | null;
  killedParts: CasualtyPartRow[] | null;
  woundedBest: number | null;
  woundedParts: CasualtyPartRow[] | null;
  revisedAt: string | null;
  claim: ClaimRecord;
  participants: ParticipantRecord[];
}

/**
 * A claim aliased `alias` as JSON (ClaimRecord), with its quotes in text order. As of a past time
 * a retraction made later is not yet known (as the Claim type shows it): its time and reason are null.
 */
export function claimJson(alias: string, view: KnowledgeView): SQL {
  const c = sql.raw(alias);
  const known = view.asOf ? sql`${c}.retracted_at <= ${view.asOf.toISOString()}::timestamptz` : sql`true`;
  return sql`json_build_object(
    'key', ${c}.key, 'id', ${c}.id, 'confidence', ${c}.confidence, 'credibility', ${c}.credibility, 'note', ${c}.note,
    'recordedAt', to_json(${c}.recorded_at), 'recordedBy', ${c}.recorded_by,
    'retractedAt', case when ${known} then to_json(${c}.retracted_at) end,
    'retractionReason', case when ${known} then ${c}.retraction_reason end,
    'quotes', (select coalesce(json_agg(json_build_object('source', s.slug, 'quote', ct.quote, 'start', ct.start_offset,
                                                          'end', ct.end_offset, 'prefix', ct.prefix, 'suffix', ct.suffix)
                                        order by s.slug, ct.start_offset, ct.end_offset), '[]'::json)
                 from claim_citations cc join citations ct on ct.id = cc.citation_id join sources s on s.id = ct.source_id
                where cc.claim_id = ${c}.id))`;
}

/** The participations of the event in scope (`events`), as merged at the view's time. */
function participantsJson(view: KnowledgeView): SQL {
  const at = mergeTime(view);
  return sql`(select coalesce(json_agg(json_build_object(
        'role', p.role, 'actor', a.slug, 'actorName', a.name, 'attributedBy', ab.slug, 'attributedByName', ab.name, 'side', p.side,
        'claim', ${claimJson('pc', view)}) order by p.role, a.slug, p.claim_id), '[]'::json)
      from participations p
      join claims pc on pc.id = p.claim_id and ${claimVisibleAs(view, 'pc')}
      -- Lookups by key, kept apart by LIMIT (else PostgreSQL flattens them into a join on
      -- canonical_actor(...) and hashes every actor once per event: 1.8 ms an event with 100 actors).
      cross join lateral (select a.slug, a.name from ${actorsAt(view, 'a')} where a.id = ${actorAsMergedAt(sql`p.actor_id`, at)} limit 1) a
      left join lateral (select ab.slug, ab.name from ${actorsAt(view, 'ab')} where ab.id = ${actorAsMergedAt(sql`p.attributed_by_id`, at)} limit 1) ab on true
     -- A retracted actor is not in the exports (nor, in STIX, its object): nor are its participations.
     where p.event_id = ${events.id} and ${establishedInView(view, actors, sql`p.actor_id`)})`;
}

/** Every event the query selects, in id order (stable across exports), with what the formats need. */
export function eventRecordsQuery(query: ExportQuery): SQL {
  const { view } = query;
  const conditions = eventConditions(query.filter, view);
  return sql`
    select events.slug, events.title, events.kind, events.description,
           events.date_text as "dateText", events.date_earliest::text as "dateEarliest",
           events.date_latest::text as "dateLatest", events.date_precision as "datePrecision",
           pl.slug as "placeSlug", pl.name as "placeName", pl.kind as "placeKind",
           co.slug as "countrySlug", co.name as "countryName", co.country_code as "countryCode",
           coalesce(pl.region, co.region) as region,
           loc.latitude, loc.longitude, loc.precision as "geoPrecision",
           events.killed_min as "killedMin", events.killed_max as "killedMax", events.killed_text as "killedText",
           events.wounded_min as "woundedMin", events.wounded_max as "woundedMax", events.wounded_text as "woundedText",
           events.killed_best as "killedBest", events.killed_parts as "killedParts",
           events.wounded_best as "woundedBest", events.wounded_parts as "woundedParts",
           to_json(events.revised_at) #>> '{}' as "revisedAt",
           ${claimJson('c', view)} as claim,
           ${participantsJson(view)} as participants
      from ${eventsAt(view)} join claims c on c.id = events.claim_id
      left join ${placesAt(view, 'pl')} on pl.id = events.place_id
      left join ${placesAt(view, 'co')} on co.id = pl.country_id
      left join ${placeLocationsSql(view)} loc on loc.place_id = events.place_id
     where ${claimVisibleAs(view, 'c')}
       ${conditions ? sql`and ${conditions}` : sql``}
       ${query.minConfidence !== null ? sql`and c.confidence >= ${query.minConfidence}` : sql``}
     order by events.id`;
}
