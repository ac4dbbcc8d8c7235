/**
 * The CSV and GeoJSON exports of events: one row (or Feature) per event, streamed as text chunks,
 * one chunk per cursor batch. Columns are documented in docs/exports.md; list-valued facts
 * (participants, quotes) are JSON in their cell, so R's jsonlite or Python's json reads them back
 * without a second delimiter convention.
 */
import { stringify } from 'csv-stringify/sync';
import type { ExportSession } from './session.ts';
import type { ClaimRecord, EventRecord, ParticipantRecord, QuoteRecord } from './records.ts';
import { eventRecordsQuery } from './records.ts';
import { sidesOf } from '../../domain/events/dyads.ts';
import { ACLED_EVENT_TYPES, ACLED_SUB_EVENT_TYPES, GTD_ATTACK_TYPES, STANDARD_TYPES_BY_KIND } from '../../domain/events/standard-types.ts';
import type { ExportQuery } from './parameters.ts';

/** Events per cursor fetch: big enough to amortise a round trip, small enough to stay a few MB. */
export const EVENT_BATCH = 500;

/** The CSV columns, in order (docs/exports.md describes each). */
export const CSV_COLUMNS = [
  'slug', 'title', 'kind', 'description',
  'date_text', 'date_earliest', 'date_latest', 'date_precision',
  'place_slug', 'place_name', 'place_kind', 'country_slug', 'country_name', 'country_code', 'region',
  'latitude', 'longitude', 'geo_precision',
  'killed_min', 'killed_max', 'killed_text', 'wounded_min', 'wounded_max', 'wounded_text',
  'killed_best', 'killed_parts', 'wounded_best', 'wounded_parts',
  'acled_event_type', 'acled_sub_event_type', 'gtd_attack_type', 'gtd_suicide', 'side_a', 'side_b',
  'confidence', 'note', 'recorded_at', 'recorded_by', 'retracted_at',
  'actors', 'participants', 'quotes',
] as const;

interface QuoteOut {
  source: string;
  quote: string;
  start: number;
  end: number;
}

interface ParticipantOut {
  role: string;
  actor: string;
  actorName: string;
  attributedBy: string | null;
  side: 'A' | 'B' | null;
  confidence: number;
  retractedAt: string | null;
  quotes: QuoteOut[];
}

const quotesOut = (quotes: QuoteRecord[]): QuoteOut[] => quotes.map(({ source, quote, start, end }) => ({ source, quote, start, end }));

function participantOut(p: ParticipantRecord): ParticipantOut {
  return {
    role: p.role,
    actor: p.actor,
    actorName: p.actorName,
    attributedBy: p.attributedBy,
    side: p.side,
    confidence: p.claim.confidence,
    retractedAt: p.claim.retractedAt,
    quotes: quotesOut(p.claim.quotes),
  };
}

/** The properties an event has in both formats (GeoJSON keeps the lists as arrays). */
function eventProperties(e: EventRecord) {
  const claim: ClaimRecord = e.claim;
  return {
    slug: e.slug,
    title: e.title,
    kind: e.kind,
    description: e.description,
    date_text: e.dateText,
    date_earliest: e.dateEarliest,
    date_latest: e.dateLatest,
    date_precision: e.datePrecision,
    place_slug: e.placeSlug,
    place_name: e.placeName,
    place_kind: e.placeKind,
    country_slug: e.countrySlug,
    country_name: e.countryName,
    country_code: e.countryCode,
    region: e.region,
    latitude: e.latitude,
    longitude: e.longitude,
    geo_precision: e.geoPrecision,
    killed_min: e.killedMin,
    killed_max: e.killedMax,
    killed_text: e.killedText,
    wounded_min: e.woundedMin,
    wounded_max: e.woundedMax,
    wounded_text: e.woundedText,
    killed_best: e.killedBest,
    killed_parts: e.killedParts ?? [],
    wounded_best: e.woundedBest,
    wounded_parts: e.woundedParts ?? [],
    ...standardTypeColumns(e.kind),
    ...sideColumns(e),
    confidence: claim.confidence,
    note: claim.note,
    recorded_at: claim.recordedAt,
    recorded_by: claim.recordedBy,
    retracted_at: claim.retractedAt,
    participants: e.participants.map(participantOut),
    quotes: quotesOut(claim.quotes),
  };
}

/** `ROLE:actor` for each participation, `;`-separated: a column a spreadsheet filter can use. */
const actorList = (e: EventRecord) => e.participants.map((p) => `${p.role}:${p.actor}`).join(';');

/** The actors on each side of the event (Event.dyad, sidesOf), from its live participations; CSV joins them with `;`. */
function sideColumns(e: EventRecord): { side_a: string[]; side_b: string[] } {
  const live = e.participants.filter((p) => p.claim.retractedAt === null).map((p) => ({ ...p, claimId: p.claim.id }));
  const { sideA, sideB } = sidesOf(e.kind, live, (p) => p.actor);
  const actors = (side: typeof live) => [...new Set(side.map((p) => p.actor))];
  return { side_a: actors(sideA), side_b: actors(sideB) };
}

/** The kind's ACLED and GTD types (reference data), as the codebooks spell them. */
function standardTypeColumns(kind: string) {
  const t = STANDARD_TYPES_BY_KIND[kind as keyof typeof STANDARD_TYPES_BY_KIND];
  return {
    acled_event_type: t.acledEventType ? ACLED_EVENT_TYPES[t.acledEventType] : null,
    acled_sub_event_type: t.acledSubEventType ? ACLED_SUB_EVENT_TYPES[t.acledSubEventType].label : null,
    gtd_attack_type: t.gtdAttackType ? GTD_ATTACK_TYPES[t.gtdAttackType].code : null,
    gtd_suicide: t.gtdSuicide === null ? null : t.gtdSuicide ? 1 : 0,
  };
}

export async function* csvChunks(session: ExportSession, query: ExportQuery): AsyncGenerator<string> {
  let header = true;
  for await (const batch of session.cursor<EventRecord>(eventRecordsQuery(query), EVENT_BATCH)) {
    const rows = batch.map((e) => {
      const p = eventProperties(e);
      return {
        ...p,
        actors: actorList(e),
        side_a: p.side_a.join(';'),
        side_b: p.side_b.join(';'),
        killed_parts: JSON.stringify(p.killed_parts),
        wounded_parts: JSON.stringify(p.wounded_parts),
        participants: JSON.stringify(p.participants),
        quotes: JSON.stringify(p.quotes),
      };
    });
    yield stringify(rows, { header, columns: [...CSV_COLUMNS], cast: { number: (n) => String(n) } });
    header = false;
  }
  // No events: still the header, so a reader learns the columns.
  if (header) yield stringify([], { header: true, columns: [...CSV_COLUMNS] });
}

/**
 * A FeatureCollection with one Feature per event: a Point at the event's location ([longitude,
 * latitude], RFC 7946 §3.1.1), its precision among the properties; null geometry for an event
 * with no location (RFC 7946 §3.2 allows it for unlocated features).
 */
export async function* geojsonChunks(session: ExportSession, query: ExportQuery): AsyncGenerator<string> {
  yield '{"type":"FeatureCollection","features":[';
  let first = true;
  for await (const batch of session.cursor<EventRecord>(eventRecordsQuery(query), EVENT_BATCH)) {
    const features = batch.map((e) => JSON.stringify({
        type: 'Feature',
        id: e.slug,
        geometry: e.latitude !== null && e.longitude !== null ? { type: 'Point', coordinates: [e.longitude, e.latitude] } : null,
        properties: eventProperties(e),
      }));
    yield (first ? '' : ',') + features.join(',');
    first = false;
  }
  yield ']}\n';
}
