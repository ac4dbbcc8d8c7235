/**
 * The knowledge base's tables. Every statement about the world is a row in `claims`
 * (with confidence, who recorded it and when, and whether it was retracted) and is pinned to
 * one or more verbatim `citations` through `claim_citations`. Entity tables (actors, events,
 * doctrines) point at the claim that establishes them; relationship-like facts (adherence,
 * relationship, participation) *are* claims and share the claim's id.
 *
 * Integrity rules that Drizzle cannot express (quote = source text at its offsets, no claim
 * without a citation, source hash) live in the custom migration `drizzle/0001_*.sql`.
 */
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { CasualtyCategory } from './casualties.ts';
import {
  bigint,
  boolean,
  check,
  doublePrecision,
  jsonb,
  date,
  index,
  integer,
  type AnyPgColumn,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  customType,
  unique,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/**
 * An actor's full-text search document (English stemming; name and aliases weighted A): both the
 * expression of its GIN index below and what search queries match and rank with, so the planner
 * can use the index. Events, sources and citations store theirs in side tables (below), kept by
 * triggers from the same kind of SQL function (migration `*_search_documents_stored`).
 */
export const searchDocuments = {
  actor: (name: SQLWrapper, aliases: SQLWrapper): SQL => sql`actor_search_document(${name}, ${aliases})`,
};

/** PostgreSQL's tsvector, which Drizzle has no column type for; read only inside SQL. */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const datePrecision = pgEnum('date_precision', ['DAY', 'MONTH', 'YEAR', 'RANGE']);

/**
 * The days a stored date may name (src/domain/limits.ts explains the choice and checks inputs
 * against it); the database refuses others too, whoever writes.
 */
export const DATE_RANGE = { earliest: '1700-01-01', latest: '2200-12-31' } as const;

/** A CHECK that a date column, when set, lies in DATE_RANGE. */
function dateInRange(column: SQL | AnyPgColumn): SQL {
  return sql`${column} is null or ${column} between ${sql.raw(`'${DATE_RANGE.earliest}'`)} and ${sql.raw(`'${DATE_RANGE.latest}'`)}`;
}

export const actorKind = pgEnum('actor_kind', [
  'ARMED_ORGANIZATION',
  'STATE',
  'GOVERNMENT',
  'STATE_AGENCY',
  'PERSON',
  'COMMUNITY',
  'OFFICIALS',
]);

export const placeKind = pgEnum('place_kind', ['COUNTRY', 'REGION', 'CITY', 'SITE', 'ADMIN1', 'ADMIN2']);

/**
 * How precisely a place's coordinates locate it, in the order of UCDP GED's `where_prec` (1–6):
 * the exact site; within about 25 km of it; somewhere in a second-order administrative area
 * (district) or a first-order one (province); somewhere in a part of a country; somewhere in the
 * country. Comparisons follow this order (EXACT < ... < COUNTRY), so "at most ADMIN1" drops
 * events known only to a part of a country or to the country (centroid-coded).
 */
export const geoPrecision = pgEnum('geo_precision', ['EXACT', 'NEAR', 'ADMIN2', 'ADMIN1', 'REGION', 'COUNTRY']);

export const eventKind = pgEnum('event_kind', [
  'ATTACK',
  'SUICIDE_ATTACK',
  'SUICIDE_BOMBING',
  'MASS_SHOOTING',
  'STORMING',
  'ASSASSINATION_ATTEMPT',
  'PLOT',
  'ATTACKS_AND_PLOTS',
  'CAMPAIGN',
  'INSURGENCY',
  'MILITARY_OPERATION',
  'WITHDRAWAL',
  'TAKEOVER',
  'FOUNDING',
  // Added last: a value added to an enum goes at its end unless placed, and nothing orders by kind.
  'ARMED_CLASH',
]);

export const claimKind = pgEnum('claim_kind', [
  'ACTOR_PROFILE',
  'EVENT_REPORT',
  'DOCTRINE_DEFINITION',
  'ADHERENCE',
  'RELATIONSHIP',
  'PARTICIPATION',
  'ACTOR_NAME',
]);

export const relationshipType = pgEnum('relationship_type', [
  'AFFILIATE_OF',
  'RIVAL_OF',
  'AT_WAR_WITH',
  'AT_ODDS_WITH',
  'ALLIED_WITH',
  'SHELTERS',
  'TACIT_COOPERATION_WITH',
  'ENGAGES_DIPLOMATICALLY',
  'FAVORS_RECOGNITION_OF',
  'LEADS',
  'MEMBER_OF',
  'FORMED_FROM',
  'RECRUITS_FROM',
  'SUPPORTS',
  'SUSPECTED_TIES_WITH',
]);

export const participationRole = pgEnum('participation_role', [
  'PERPETRATOR',
  'CLAIMED_RESPONSIBILITY',
  'ATTRIBUTED',
  'IMPLICATED',
  'INSPIRED',
  'TARGET',
  'VICTIM',
]);

/**
 * Which side of an event's dyad an actor that acted was on, where both sides acted (a battle): A
 * the side the source names first (UCDP side_a, ACLED actor1), B the other. The rules that make
 * sides of roles are in src/domain/events/dyads.ts.
 */
export const dyadSide = pgEnum('dyad_side', ['A', 'B']);

/** The Admiralty (NATO) source-reliability grades, A best; OpenCTI and MISP use the same letters. */
export const sourceReliability = pgEnum('source_reliability', ['A', 'B', 'C', 'D', 'E', 'F']);

/** The field datasets whose rows the importers store as sources (src/import/datasets). */
export const dataset = pgEnum('dataset', ['UCDP_GED', 'ACLED', 'GTD']);

export const sources = pgTable('sources', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  slug: text('slug').notNull().unique(),
  title: text('title'),
  publisher: text('publisher').notNull(),
  author: text('author'),
  url: text('url'),
  publishedText: text('published_text'),
  publishedEarliest: date('published_earliest', { mode: 'string' }),
  publishedLatest: date('published_latest', { mode: 'string' }),
  publishedPrecision: datePrecision('published_precision'),
  text: text('text').notNull(),
  // Admiralty source reliability (A completely reliable … E unreliable, F cannot be judged): an
  // analyst's grade of the source, not a claim from it; null when nobody graded it.
  reliability: sourceReliability('reliability'),
  // The dataset this source is one row of (its text is the row, one `column: value` line per
  // field), set by the dataset importers; null for a document. Search indexes a row's values, not
  // its column names (search.sql).
  dataset: dataset('dataset'),
  // Set by a trigger from `text` (hex sha256 of its UTF-8 bytes); a loader compares it with the
  // hash of the text it holds to notice a re-worded source before re-anchoring citations.
  textSha256: text('text_sha256').notNull(),
  // A dataset row as a later release gives it, stored when an import applies it as a correction
  // (applyDatasetCorrections): the record's first stored version. Null for a first version or a
  // document. The record's claims rest on any of its versions.
  versionOfId: integer('version_of_id').references((): AnyPgColumn => sources.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  check('sources_published_earliest_range_check', dateInRange(t.publishedEarliest)),
  check('sources_version_of_check', sql`${t.versionOfId} is null or (${t.dataset} is not null and ${t.versionOfId} <> ${t.id})`),
  index('sources_version_of_id_idx').on(t.versionOfId).where(sql`${t.versionOfId} is not null`),
  check('sources_published_latest_range_check', dateInRange(t.publishedLatest)),
  // Duplicate warnings: a source added again (same text, or same URL).
  index('sources_text_sha256_idx').on(t.textSha256),
  index('sources_url_idx').on(t.url),
]);

export const citations = pgTable(
  'citations',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    sourceId: integer('source_id')
      .notNull()
      .references(() => sources.id, { onDelete: 'restrict' }),
    quote: text('quote').notNull(),
    // Unicode code points, half-open [start, end): W3C TextPositionSelector.
    startOffset: integer('start_offset').notNull(),
    endOffset: integer('end_offset').notNull(),
    // W3C TextQuoteSelector context, so the quote can be re-anchored if the text changes.
    prefix: text('prefix').notNull(),
    suffix: text('suffix').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('citations_source_span_key').on(t.sourceId, t.startOffset, t.endOffset),
    check('citations_offsets_check', sql`${t.startOffset} >= 0 and ${t.endOffset} > ${t.startOffset}`),
    check('citations_quote_length_check', sql`char_length(${t.quote}) = ${t.endOffset} - ${t.startOffset}`),
  ],
);

/**
 * Where each 1,024-byte chunk of a long source text (over 16 KB) starts, in code points and bytes,
 * for the database's check that a citation's quote is the text at its code-point offsets
 * (citations_match_sources, src/db/sql/integrity.sql). Mapping a 6 MB text took that check ~45 ms
 * in every statement that cited it, a single cited write included; the map is kept beside the
 * text instead, written by the triggers that write the text, and used only while its hash is the
 * text's.
 */
export const sourceTextMaps = pgTable('source_text_maps', {
  sourceId: integer('source_id')
    .primaryKey()
    .references(() => sources.id, { onDelete: 'cascade' }),
  textSha256: text('text_sha256').notNull(),
  // Per chunk: the code points before it, its first and end byte (0-based, end exclusive), and
  // whether all its characters are one byte long.
  points: integer('points').array().notNull(),
  starts: integer('starts').array().notNull(),
  ends: integer('ends').array().notNull(),
  singleByte: boolean('single_byte').array().notNull(),
});

export const claims = pgTable(
  'claims',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    // Stable external key (e.g. `rel:isis-k:RIVAL_OF:afghan-taliban`) so loads are idempotent.
    key: text('key').unique(),
    kind: claimKind('kind').notNull(),
    // One scale everywhere: 0–100 as in STIX 2.1, set from the source's own hedging.
    confidence: smallint('confidence').notNull(),
    // Admiralty information credibility (1 confirmed by other sources … 5 improbable, 6 cannot be
    // judged), separate from confidence; null when nobody graded it.
    credibility: smallint('credibility'),
    // The best reliability grade among the sources the claim is cited from; null while none of
    // them is graded. Derived, never written by writers: kept by claim_citations_grade_claims
    // and sources_regrade_claims (src/db/sql/integrity.sql) so that a reliability floor reads a
    // column of the claim instead of its citations and their sources.
    sourceReliability: sourceReliability('source_reliability'),
    note: text('note'),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
    recordedBy: text('recorded_by').notNull(),
    retractedAt: timestamp('retracted_at', { withTimezone: true }),
    retractionReason: text('retraction_reason'),
    // Who retracted it, and the quote that justifies the retraction (issue 4: retractClaim).
    retractedBy: text('retracted_by'),
    retractionCitationId: integer('retraction_citation_id').references((): AnyPgColumn => citations.id),
  },
  (t) => [
    check('claims_confidence_check', sql`${t.confidence} between 0 and 100`),
    check('claims_credibility_check', sql`${t.credibility} between 1 and 6`),
    check(
      'claims_retraction_check',
      sql`(${t.retractedAt} is null) = (${t.retractionReason} is null)`,
    ),
    // No index on kind: no query picks claims by kind alone, and every claim written paid for one.
    // The retracted claims alone (a claim written unretracted adds no entry), by kind: lists that
    // reach actors, events or doctrines through other claims read the retracted ones of a kind
    // once per statement (establishedInView, src/graphql/view.ts).
    index('claims_retracted_idx').on(t.kind, t.retractedAt, t.id).where(sql`${t.retractedAt} is not null`),
  ],
);

/**
 * A source graded anew: the analyst's Admiralty reliability grade changed, from what, why and by
 * whom. Append-only; inserting one is how a grade changes after the source was added (sources_graded,
 * src/db/sql/grades.sql, writes the source's grade and the previous one), so a grade never changes
 * without its reason.
 */
export const sourceGradings = pgTable(
  'source_gradings',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    sourceId: integer('source_id').notNull().references(() => sources.id),
    // The grade before and the grade given (null: not graded, or the grade withdrawn).
    previous: sourceReliability('previous'),
    reliability: sourceReliability('reliability'),
    reason: text('reason').notNull(),
    gradedBy: text('graded_by').notNull(),
    gradedAt: timestamp('graded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // graded_at: whether any grade changed after a view's asOf time (claimPasses).
  (t) => [index('source_gradings_source_id_idx').on(t.sourceId, t.id), index('source_gradings_graded_at_idx').on(t.gradedAt)],
);

/**
 * A claim graded anew: the analyst's Admiralty information-credibility grade changed (e.g. to 1 once
 * other sources confirm it). Append-only, and the one way a claim's credibility changes once it is
 * recorded (claims_graded, src/db/sql/grades.sql): the claim's statement, confidence and citations
 * stay as recorded.
 */
export const claimGradings = pgTable(
  'claim_gradings',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    claimId: integer('claim_id').notNull().references(() => claims.id),
    // The grade before and the grade given (null: not graded, or the grade withdrawn).
    previous: smallint('previous'),
    credibility: smallint('credibility'),
    reason: text('reason').notNull(),
    gradedBy: text('graded_by').notNull(),
    gradedAt: timestamp('graded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('claim_gradings_credibility_check', sql`${t.credibility} between 1 and 6`),
    index('claim_gradings_claim_id_idx').on(t.claimId, t.id),
    index('claim_gradings_graded_at_idx').on(t.gradedAt),
  ],
);

export const claimCitations = pgTable(
  'claim_citations',
  {
    claimId: integer('claim_id')
      .notNull()
      .references(() => claims.id, { onDelete: 'cascade' }),
    citationId: integer('citation_id')
      .notNull()
      .references(() => citations.id, { onDelete: 'restrict' }),
  },
  (t) => [
    primaryKey({ columns: [t.claimId, t.citationId] }),
    index('claim_citations_citation_id_idx').on(t.citationId),
  ],
);

/**
 * When an entity's current values were recorded (knowledge time). Null until its first revision:
 * the values are those it was created with. Set by the revision triggers (actors_keep_revision and the others, src/db/sql/revisions.sql), never
 * by writers.
 */
function revisionColumns() {
  return { revisedAt: timestamp('revised_at', { withTimezone: true }) };
}

/**
 * The cited update claim behind an actor's or event's current values; null while they are those of
 * its establishing claim. A writer changing the entity sets it to a claim recorded in the same
 * transaction; the revision trigger refuses any other change (actors_keep_revision, events_keep_revision).
 */
function revisionClaimColumn() {
  return { revisionClaimId: integer('revision_claim_id').references((): AnyPgColumn => claims.id) };
}

/**
 * Where a place lies (WGS84) and how precisely, with where the coordinates came from: all three
 * location columns are set or none is (a place without coordinates is located by its nearest
 * containing place that has them, place_locations in src/db/sql/geography.sql). `gazetteer` names
 * the reference data the values were taken from (package@version and GeoNames code); null when
 * a writer set them.
 */
function placeLocationColumns() {
  return {
    latitude: doublePrecision('latitude'),
    longitude: doublePrecision('longitude'),
    geoPrecision: geoPrecision('geo_precision'),
    gazetteer: text('gazetteer'),
  };
}

function placeLocationChecks(
  table: string,
  t: { latitude: AnyPgColumn; longitude: AnyPgColumn; geoPrecision: AnyPgColumn },
) {
  return [
    check(
      `${table}_location_check`,
      sql`(${t.latitude} is null) = (${t.longitude} is null) and (${t.latitude} is null) = (${t.geoPrecision} is null)`,
    ),
    check(`${table}_latitude_check`, sql`${t.latitude} between -90 and 90`),
    check(`${table}_longitude_check`, sql`${t.longitude} between -180 and 180`),
  ];
}

export const places = pgTable(
  'places',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    slug: text('slug').notNull().unique(),
    name: text('name').notNull(),
    kind: placeKind('kind').notNull(),
    // The containing place (site → city → country); null for countries.
    parentId: integer('parent_id').references((): AnyPgColumn => places.id),
    // The country a place lies in (itself for a country), denormalised for country filters.
    countryId: integer('country_id').references((): AnyPgColumn => places.id),
    // Gazetteer reference data, not claims: ISO 3166-1 alpha-2 and UN M49 sub-region.
    countryCode: text('country_code'),
    region: text('region'),
    ...placeLocationColumns(),
    ...revisionColumns(),
  },
  (t) => [
    index('places_parent_id_idx').on(t.parentId),
    index('places_country_id_idx').on(t.countryId),
    // Duplicate warnings: a place of the same name in the same country (normalized_name, src/db/sql/names.sql).
    index('places_normalized_name_idx').on(sql`normalized_name(${t.name})`, t.countryId),
    ...placeLocationChecks('places', t),
  ],
);

export const doctrines = pgTable(
  'doctrines',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    slug: text('slug').notNull().unique(),
    name: text('name').notNull(),
    description: text('description'),
    parentId: integer('parent_id').references((): AnyPgColumn => doctrines.id),
    claimId: integer('claim_id')
      .notNull()
      .references(() => claims.id),
  },
  (t) => [
    index('doctrines_parent_id_idx').on(t.parentId),
    index('doctrines_claim_id_idx').on(t.claimId),
  ],
);

export const actors = pgTable(
  'actors',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    slug: text('slug').notNull().unique(),
    name: text('name').notNull(),
    aliases: text('aliases').array().notNull().default(sql`'{}'::text[]`),
    kind: actorKind('kind').notNull(),
    description: text('description'),
    homeCountryId: integer('home_country_id').references(() => places.id),
    claimId: integer('claim_id')
      .notNull()
      .references(() => claims.id),
    ...revisionColumns(),
    ...revisionClaimColumn(),
  },
  (t) => [
    index('actors_kind_idx').on(t.kind),
    index('actors_home_country_id_idx').on(t.homeCountryId),
    index('actors_claim_id_idx').on(t.claimId),
    index('actors_revision_claim_id_idx').on(t.revisionClaimId),
    index('actors_search_idx').using('gin', searchDocuments.actor(t.name, t.aliases)),
    // Duplicate warnings: an actor whose name is another's name or alias (normalized_name, src/db/sql/names.sql).
    index('actors_normalized_name_idx').on(sql`normalized_name(${t.name})`),
  ],
);

/** One part of a casualty figure, as stored in events.killed_parts / wounded_parts. */
export interface CasualtyPartRow {
  category: CasualtyCategory;
  low: number;
  best: number | null;
  high: number | null;
  text: string | null;
}

export const events = pgTable(
  'events',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    slug: text('slug').notNull().unique(),
    title: text('title').notNull(),
    kind: eventKind('kind').notNull(),
    description: text('description'),
    // The date as the source words it, and what it resolves to: the event happened on a day
    // in [earliest, latest]; an open end is null. Precision says how fine the resolution is.
    dateText: text('date_text'),
    dateEarliest: date('date_earliest', { mode: 'string' }),
    dateLatest: date('date_latest', { mode: 'string' }),
    datePrecision: datePrecision('date_precision').notNull(),
    placeId: integer('place_id').references(() => places.id),
    // Casualties as a range: "over 100" is min 101 with no max; the words are kept.
    killedMin: integer('killed_min'),
    killedMax: integer('killed_max'),
    killedText: text('killed_text'),
    woundedMin: integer('wounded_min'),
    woundedMax: integer('wounded_max'),
    woundedText: text('wounded_text'),
    // The best estimate within [min, max] (UCDP's "best"), when the source gives one or the figure is exact.
    killedBest: integer('killed_best'),
    woundedBest: integer('wounded_best'),
    // Parts by category where the source splits the figure (src/db/casualties.ts): a jsonb array
    // of { category, low, best, high, text }; the total is never less than the parts (trigger
    // events_casualty_parts_check).
    killedParts: jsonb('killed_parts').$type<CasualtyPartRow[]>(),
    woundedParts: jsonb('wounded_parts').$type<CasualtyPartRow[]>(),
    claimId: integer('claim_id')
      .notNull()
      .references(() => claims.id),
    ...revisionColumns(),
    ...revisionClaimColumn(),
  },
  (t) => [
    // Most events are never revised: only the revised ones are indexed (lookups by claim imply it).
    index('events_revision_claim_id_idx').on(t.revisionClaimId).where(sql`${t.revisionClaimId} is not null`),
    check('events_date_earliest_range_check', dateInRange(t.dateEarliest)),
    check('events_date_latest_range_check', dateInRange(t.dateLatest)),
    check(
      'events_date_order_check',
      sql`${t.dateEarliest} is null or ${t.dateLatest} is null or ${t.dateEarliest} <= ${t.dateLatest}`,
    ),
    check(
      'events_killed_check',
      sql`${t.killedMin} >= 0 and (${t.killedMax} is null or ${t.killedMax} >= ${t.killedMin}) or ${t.killedMin} is null and ${t.killedMax} is null`,
    ),
    check(
      'events_wounded_check',
      sql`${t.woundedMin} >= 0 and (${t.woundedMax} is null or ${t.woundedMax} >= ${t.woundedMin}) or ${t.woundedMin} is null and ${t.woundedMax} is null`,
    ),
    check('events_killed_best_check', sql`${t.killedBest} is null or ${t.killedBest} >= ${t.killedMin} and (${t.killedMax} is null or ${t.killedBest} <= ${t.killedMax})`),
    check('events_wounded_best_check', sql`${t.woundedBest} is null or ${t.woundedBest} >= ${t.woundedMin} and (${t.woundedMax} is null or ${t.woundedBest} <= ${t.woundedMax})`),
    index('events_kind_idx').on(t.kind),
    index('events_place_id_idx').on(t.placeId),
    index('events_claim_id_idx').on(t.claimId),
    index('events_sort_date_idx').on(sql`coalesce(${t.dateEarliest}, ${t.dateLatest})`, t.id),
    // "Latest first, undated last" (DATE_DESC, the default order of `events`): a backward scan of
    // the index above would put undated events first, so without this the newest 100 of a million
    // events are found by sorting them all.
    index('events_sort_date_desc_idx').on(sql`coalesce(${t.dateEarliest}, ${t.dateLatest}) desc nulls last`, sql`${t.id} desc`),
    // The other orders `events` offers (KILLED_DESC, TITLE_ASC), so that their first pages are
    // index ranges too: without them the deadliest or first-titled 20 of a million events were
    // found by sorting them all (3.3 s and 2.5 s).
    index('events_killed_desc_idx').on(sql`${t.killedMin} desc nulls last`, t.id),
    index('events_title_idx').on(t.title, t.id),
    // The few events no calendar bucket holds (undated, open or spanning years): a date-bounded
    // aggregate reads the summary tables for the rest and these from events (0.04 % of them),
    // by place for a country filter.
    index('events_ungrained_idx').on(t.placeId).where(sql`event_grain_of(${t.dateEarliest}, ${t.dateLatest}) = 'NONE'`),
  ],
);

/**
 * When a claim held (valid time), for relationships and adherences: a fuzzy start and a fuzzy end,
 * each as the source words it and the range of days it can mean (the same shape as an event's
 * date). A start or end the source does not give is null throughout (its precision null): unknown,
 * which reads treat as open. An earliest or latest alone null is an open side of a given bound
 * ("before 2021": start earliest null, latest 2020-12-31).
 */
function validTimeColumns() {
  return {
    startText: text('start_text'),
    startEarliest: date('start_earliest', { mode: 'string' }),
    startLatest: date('start_latest', { mode: 'string' }),
    startPrecision: datePrecision('start_precision'),
    endText: text('end_text'),
    endEarliest: date('end_earliest', { mode: 'string' }),
    endLatest: date('end_latest', { mode: 'string' }),
    endPrecision: datePrecision('end_precision'),
  };
}

type ValidTimeTable = Record<'startEarliest' | 'startLatest' | 'endEarliest' | 'endLatest', AnyPgColumn>;

/** Bounds in DATE_RANGE, each bound's range in order, and no end that surely comes before its start. */
function validTimeChecks(table: string, t: ValidTimeTable) {
  return [
    check(`${table}_start_earliest_range_check`, dateInRange(t.startEarliest)),
    check(`${table}_start_latest_range_check`, dateInRange(t.startLatest)),
    check(`${table}_end_earliest_range_check`, dateInRange(t.endEarliest)),
    check(`${table}_end_latest_range_check`, dateInRange(t.endLatest)),
    check(`${table}_start_order_check`, sql`${t.startEarliest} is null or ${t.startLatest} is null or ${t.startEarliest} <= ${t.startLatest}`),
    check(`${table}_end_order_check`, sql`${t.endEarliest} is null or ${t.endLatest} is null or ${t.endEarliest} <= ${t.endLatest}`),
    check(`${table}_end_after_start_check`, sql`${t.startEarliest} is null or ${t.endLatest} is null or ${t.startEarliest} <= ${t.endLatest}`),
  ];
}

export const adherences = pgTable(
  'adherences',
  {
    claimId: integer('claim_id')
      .primaryKey()
      .references(() => claims.id, { onDelete: 'cascade' }),
    actorId: integer('actor_id')
      .notNull()
      .references(() => actors.id),
    doctrineId: integer('doctrine_id')
      .notNull()
      .references(() => doctrines.id),
    ...validTimeColumns(),
  },
  (t) => [
    ...validTimeChecks('adherences', t),
    index('adherences_actor_id_idx').on(t.actorId),
    index('adherences_doctrine_id_idx').on(t.doctrineId),
  ],
);

export const relationships = pgTable(
  'relationships',
  {
    claimId: integer('claim_id')
      .primaryKey()
      .references(() => claims.id, { onDelete: 'cascade' }),
    type: relationshipType('type').notNull(),
    fromActorId: integer('from_actor_id')
      .notNull()
      .references(() => actors.id),
    toActorId: integer('to_actor_id')
      .notNull()
      .references(() => actors.id),
    ...validTimeColumns(),
  },
  (t) => [
    check('relationships_not_self_check', sql`${t.fromActorId} <> ${t.toActorId}`),
    ...validTimeChecks('relationships', t),
    index('relationships_from_actor_id_idx').on(t.fromActorId, t.type),
    index('relationships_to_actor_id_idx').on(t.toActorId, t.type),
  ],
);

export const participations = pgTable(
  'participations',
  {
    claimId: integer('claim_id')
      .primaryKey()
      .references(() => claims.id, { onDelete: 'cascade' }),
    eventId: integer('event_id')
      .notNull()
      .references(() => events.id),
    actorId: integer('actor_id')
      .notNull()
      .references(() => actors.id),
    role: participationRole('role').notNull(),
    // For ATTRIBUTED: the third party who attributed the event to the actor.
    attributedById: integer('attributed_by_id').references(() => actors.id),
    // For an actor that acted, in an event whose two sides both acted: which side (sidesOf).
    side: dyadSide('side'),
  },
  (t) => [
    check(
      'participations_attribution_check',
      sql`(${t.role} = 'ATTRIBUTED') = (${t.attributedById} is not null)`,
    ),
    // Only an actor that acted takes a side: one acted against is on side B by its role.
    check(
      'participations_side_check',
      sql`${t.side} is null or ${t.role} in ('PERPETRATOR', 'CLAIMED_RESPONSIBILITY', 'ATTRIBUTED')`,
    ),
    index('participations_event_id_idx').on(t.eventId, t.role),
    // By actor and role: participations_actor_covering_idx, which also holds event and claim (a custom
    // migration: drizzle cannot declare INCLUDE columns).
    // Only ATTRIBUTED participations name an attributor: only they are indexed.
    index('participations_attributed_by_id_idx').on(t.attributedById).where(sql`${t.attributedById} is not null`),
  ],
);

/**
 * An actor's other names, each with its language (a BCP 47 tag: `en`, `ps`, `ru`, `ar-Latn`) and
 * script (an ISO 15924 code: `Latn`, `Arab`, `Cyrl`), and each a cited claim of its own (kind
 * ACTOR_NAME, sharing the claim's id) like a relationship: "ISIS-K" is a name of the Islamic
 * State-Khorasan because the article says "The Islamic State-Khorasan (ISIS-K), as it is known".
 * Retracting the claim withdraws the name. Search matches them (actor_name_search_document).
 */
export const actorNames = pgTable(
  'actor_names',
  {
    claimId: integer('claim_id')
      .primaryKey()
      .references(() => claims.id, { onDelete: 'cascade' }),
    actorId: integer('actor_id')
      .notNull()
      .references(() => actors.id),
    name: text('name').notNull(),
    language: text('language').notNull(),
    script: text('script'),
  },
  (t) => [
    index('actor_names_actor_id_idx').on(t.actorId),
    // Duplicate warnings compare names case- and space-insensitively (normalized_name, src/db/sql/names.sql).
    index('actor_names_normalized_idx').on(sql`normalized_name(${t.name})`),
    index('actor_names_search_idx').using('gin', sql`actor_name_search_document(${t.name})`),
  ],
);

/**
 * The identifying schemes of the field's datasets and of Wikidata. Reference data about identity,
 * not claims about the world: an id says which record elsewhere this one is, so imports find it
 * again and analysts can join across datasets.
 */
export const externalIdScheme = pgEnum('external_id_scheme', [
  'WIKIDATA',
  'ACLED_EVENT_ID',
  'ACLED_ACTOR',
  'UCDP_GED_ID',
  'UCDP_ACTOR_ID',
  'GTD_EVENTID',
]);

/**
 * External identifiers of actors, places, events and sources: one row names one record (exactly one
 * of the four references is set). Two records of a kind sharing an id are duplicates an analyst
 * should merge: allowed (a create is warned, not refused), and lookups answer with the first.
 * Imports look records up by them, so a dataset imported twice finds its records again. Ids are only
 * added, never changed; when and by whom is kept.
 */
export const externalIds = pgTable(
  'external_ids',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    scheme: externalIdScheme('scheme').notNull(),
    value: text('value').notNull(),
    actorId: integer('actor_id').references(() => actors.id),
    placeId: integer('place_id').references(() => places.id),
    eventId: integer('event_id').references(() => events.id),
    sourceId: integer('source_id').references(() => sources.id),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
    recordedBy: text('recorded_by').notNull(),
  },
  (t) => [
    check('external_ids_one_record_check', sql`num_nonnulls(${t.actorId}, ${t.placeId}, ${t.eventId}, ${t.sourceId}) = 1`),
    check('external_ids_value_check', sql`char_length(${t.value}) between 1 and 500`),
    uniqueIndex('external_ids_actor_key').on(t.scheme, t.value, t.actorId).where(sql`${t.actorId} is not null`),
    uniqueIndex('external_ids_place_key').on(t.scheme, t.value, t.placeId).where(sql`${t.placeId} is not null`),
    uniqueIndex('external_ids_event_key').on(t.scheme, t.value, t.eventId).where(sql`${t.eventId} is not null`),
    uniqueIndex('external_ids_source_key').on(t.scheme, t.value, t.sourceId).where(sql`${t.sourceId} is not null`),
    index('external_ids_actor_id_idx').on(t.actorId),
    index('external_ids_place_id_idx').on(t.placeId),
    index('external_ids_event_id_idx').on(t.eventId),
    index('external_ids_source_id_idx').on(t.sourceId),
  ],
);

/**
 * Full-text search documents of events, sources and citations, stored so that ranking reads them
 * instead of parsing each text again, and apart from their records so that the loaders that read
 * those rows do not ship them. Each row is written by triggers on its record (src/db/sql/search.sql):
 * events' titles weighted A and descriptions B, sources' titles A and texts D, citations' quotes D,
 * all with English stemming. They hold no foreign key: only those triggers write them (in the
 * statement that adds the record, or, for a bulk statement's records, the summary drainer after its
 * commit) and delete them with it; a key checked row by row cost a bulk load ~5 µs a document.
 */
export const eventSearchDocuments = pgTable(
  'event_search_documents',
  {
    eventId: integer('event_id').primaryKey(),
    document: tsvector('document').notNull(),
  },
  (t) => [index('event_search_documents_document_idx').using('gin', t.document)],
);

export const sourceSearchDocuments = pgTable(
  'source_search_documents',
  {
    sourceId: integer('source_id').primaryKey(),
    document: tsvector('document').notNull(),
  },
  (t) => [index('source_search_documents_document_idx').using('gin', t.document)],
);

export const citationSearchDocuments = pgTable(
  'citation_search_documents',
  {
    citationId: integer('citation_id').primaryKey(),
    document: tsvector('document').notNull(),
  },
  (t) => [index('citation_search_documents_document_idx').using('gin', t.document)],
);

/**
 * The finest calendar bucket that holds all of an event's possible dates: "March 2024" is MONTH,
 * "2021" is YEAR, an open or multi-year range is NONE. Timelines place an event only in a bucket
 * at least this coarse.
 */
export const eventGrain = pgEnum('event_grain', ['MONTH', 'QUARTER', 'YEAR', 'NONE']);

/** Counts and casualty sums of a group of events, as kept in the rollup tables below. */
const rollupCounts = {
  events: integer('events').notNull(),
  killedMin: bigint('killed_min', { mode: 'number' }).notNull(),
  // Sum of the upper bounds of the events that have one; killedOpen counts those that do not.
  killedMax: bigint('killed_max', { mode: 'number' }).notNull(),
  killedOpen: integer('killed_open').notNull(),
  killedReported: integer('killed_reported').notNull(),
};

/**
 * The counts with killed and wounded, total and by category, summed (src/db/casualties.ts); the
 * vector is empty only between the migration that added it and summaries.sql rebuilding the
 * summaries. The map's per-place rollup keeps counts only (its bins show killed ranges).
 */
const rollupCountsWithParts = {
  ...rollupCounts,
  casualties: bigint('casualties', { mode: 'number' }).array().notNull().default(sql`'{}'::bigint[]`),
};

/** The counts, and the earliest and latest possible day of the group's events. */
const rollupMeasures = {
  ...rollupCountsWithParts,
  firstDate: date('first_date', { mode: 'string' }),
  lastDate: date('last_date', { mode: 'string' }),
};

/**
 * Summary tables for dashboards, kept current by the drainer (summaries_drain, src/db/sql/summaries.sql): totals,
 * timelines and country/kind/year breakdowns read a few thousand rows instead of every event.
 * One per dimension, so each stays small; a filter on both country and kind reads events.
 */
export const eventRollupByKind = pgTable(
  'event_rollup_by_kind',
  {
    grain: eventGrain('grain').notNull(),
    // First day of the bucket; null for NONE.
    period: date('period', { mode: 'string' }),
    kind: eventKind('kind').notNull(),
    ...rollupMeasures,
  },
  (t) => [unique('event_rollup_by_kind_key').on(t.grain, t.period, t.kind).nullsNotDistinct()],
);

export const eventRollupByCountry = pgTable(
  'event_rollup_by_country',
  {
    grain: eventGrain('grain').notNull(),
    period: date('period', { mode: 'string' }),
    // Null for events at no place or at a place in no country.
    countryId: integer('country_id').references(() => places.id),
    ...rollupMeasures,
  },
  (t) => [
    unique('event_rollup_by_country_key').on(t.grain, t.period, t.countryId).nullsNotDistinct(),
    // INCLUDE (first_date, last_date), by hand in its migration: a country's dates are read from
    // its buckets' rows (event_rollup_settle), index-only.
    index('event_rollup_by_country_country_id_idx').on(t.countryId),
  ],
);

/**
 * The events of each calendar bucket, country and kind per confidence of their reports (the band):
 * an aggregate with a confidence floor and no actor or role sums the bands at or above the floor
 * instead of reading every event and its report (docs/performance.md, "Confidence floors").
 * Reports take few distinct confidences (90, 60...), so this is a few times event_rollup_by_country.
 */
export const eventRollupByBand = pgTable(
  'event_rollup_by_band',
  {
    grain: eventGrain('grain').notNull(),
    period: date('period', { mode: 'string' }),
    countryId: integer('country_id'),
    kind: eventKind('kind').notNull(),
    band: smallint('band').notNull(),
    ...rollupMeasures,
  },
  (t) => [
    unique('event_rollup_by_band_key').on(t.grain, t.period, t.countryId, t.kind, t.band).nullsNotDistinct(),
    // INCLUDE (first_date, last_date), by hand in its migration: a country and band's dates are
    // read from these rows (event_rollup_settle), index-only.
    index('event_rollup_by_band_country_idx').on(t.countryId, t.band),
  ],
);

/**
 * The grades of the events' reports as a floor compares them (event_rollup_members): reliability
 * A–F (F: no graded source) and credibility 1–6 (6: not given). A grade floor keeps the rows at or
 * better than it, as a confidence floor keeps the bands at or above it.
 */
const reportGrades = {
  reliability: sourceReliability('reliability').notNull(),
  credibility: smallint('credibility').notNull(),
};

/**
 * event_rollup_by_band's events summed over countries and kinds (per bucket, band and grades) and
 * over buckets and kinds (per country, band and grades): a floored total or timeline reads a few
 * thousand rows, a floored country breakdown a few hundred, instead of every event and its report
 * (the band rollup keeps no grades: per country and kind it would be many times larger). Kept by
 * the same drainer, from event_rollup_members.
 */
export const eventRollupByBandPeriod = pgTable(
  'event_rollup_by_band_period',
  {
    grain: eventGrain('grain').notNull(),
    period: date('period', { mode: 'string' }),
    band: smallint('band').notNull(),
    ...reportGrades,
    ...rollupMeasures,
  },
  (t) => [unique('event_rollup_by_band_period_key').on(t.grain, t.period, t.band, t.reliability, t.credibility).nullsNotDistinct()],
);

export const eventRollupByBandCountry = pgTable(
  'event_rollup_by_band_country',
  {
    countryId: integer('country_id'),
    band: smallint('band').notNull(),
    ...reportGrades,
    ...rollupMeasures,
  },
  (t) => [unique('event_rollup_by_band_country_key').on(t.countryId, t.band, t.reliability, t.credibility).nullsNotDistinct()],
);

/**
 * The two rollups above summed over kinds (per calendar bucket) and over buckets (per country):
 * an unfiltered timeline reads ~500 rows instead of ~4,600, a country breakdown ~150 instead of
 * ~53,000. Kept by the same drainer (event_rollups_refresh).
 */
export const eventRollupByPeriod = pgTable(
  'event_rollup_by_period',
  {
    grain: eventGrain('grain').notNull(),
    period: date('period', { mode: 'string' }),
    ...rollupMeasures,
  },
  (t) => [unique('event_rollup_by_period_key').on(t.grain, t.period).nullsNotDistinct()],
);

export const eventRollupByCountryTotal = pgTable(
  'event_rollup_by_country_total',
  {
    countryId: integer('country_id').references(() => places.id),
    ...rollupMeasures,
  },
  (t) => [unique('event_rollup_by_country_total_key').on(t.countryId).nullsNotDistinct()],
);

/*
 * Per-actor summaries (actor_links_refresh, src/db/sql/summaries.sql). Participations are claims, and two sources may link the
 * same actor to the same event in the same role, so counting events per actor or role means
 * counting *distinct* events. `actor_event_links` makes that distinctness a key: one row per
 * (event, actor as merged now), with the set of roles its live participation claims give it as a
 * bitmask (participation_role_bit), plus the event's facts. Actor 0 stands for "any actor": one
 * row per event with the roles of all its live links. The summaries below are sums over these
 * rows, so an event counts once per group however many claims link it. Triggers on
 * participations, claims, events, places, adherences and actor_merges keep them equal to what
 * the base tables say for live reads (not asOf or includeRetracted ones, which read the base
 * tables). No foreign keys: 0 is no actor and no country, and every row is derived data.
 */
export const actorEventLinks = pgTable(
  'actor_event_links',
  {
    eventId: integer('event_id').notNull(),
    // The actor as merged now (canonical_actor at 'infinity'); 0 for the row of all actors.
    actorId: integer('actor_id').notNull(),
    roles: smallint('roles').notNull(),
    // The event's country (places.country_id of its place); 0 when it has none.
    countryId: integer('country_id').notNull(),
    kind: eventKind('kind').notNull(),
    grain: eventGrain('grain').notNull(),
    period: date('period', { mode: 'string' }),
    killedMin: integer('killed_min'),
    killedMax: integer('killed_max'),
    // The event's casualty vector (event_casualty_vector): up to the last measure it gives, empty for none.
    casualties: bigint('casualties', { mode: 'number' }).array().notNull().default(sql`'{}'::bigint[]`),
    firstDate: date('first_date', { mode: 'string' }),
    lastDate: date('last_date', { mode: 'string' }),
    // The event's place (0 when it has none), for maps by actor: joined to place_locations at read
    // time, so a place moved moves its events on the map without touching these rows.
    placeId: integer('place_id').notNull(),
    // Per role (element i for bit 2^(i-1) of participation_role_bit), the best confidence of the
    // actor's live links to the event in that role, capped by the confidence of the event's
    // report; -1 for a role it has no live link in. A confidence floor keeps the row in a role
    // whose element is at least the floor (link_roles_at), as eventConditions keeps the event.
    roleConfidence: smallint('role_confidence').array().notNull(),
    // The actor's sides in the event's dyad, as Event.dyad gives them (actor_event_links_of): bit 1
    // side A, bit 2 side B, 0 for none (and for actor 0). Null only until the backfill that follows
    // the migration adding it (src/db/sql/backfills.sql).
    sides: smallint('sides'),
  },
  // Also actor_event_links_group_idx (created by hand: INCLUDE columns; see the actor_links_by_place and actor_links_role_confidence migrations).
  (t) => [primaryKey({ columns: [t.eventId, t.actorId] })],
);

/**
 * Events per actor (0: any actor) and set of roles, at three levels: per country and kind, per
 * country (kind null), and in all (country and kind null). A filter's roles match a row when
 * they share a bit with its set; each event is in one row per actor and level, so sums are exact.
 */
export const actorRollup = pgTable(
  'actor_rollup',
  {
    actorId: integer('actor_id').notNull(),
    roles: smallint('roles').notNull(),
    // Null: all countries; 0: no country.
    countryId: integer('country_id'),
    // Null: all kinds.
    kind: eventKind('kind'),
    ...rollupMeasures,
  },
  // Also actor_rollup_country_idx and actor_rollup_totals_idx (created by hand in the actor_rollup_triggers migration: INCLUDE columns).
  (t) => [unique('actor_rollup_key').on(t.actorId, t.roles, t.countryId, t.kind).nullsNotDistinct()],
);

/** Events per actor (0: any actor), set of roles and calendar bucket, for timelines. */
export const actorRollupTimeline = pgTable(
  'actor_rollup_timeline',
  {
    actorId: integer('actor_id').notNull(),
    roles: smallint('roles').notNull(),
    grain: eventGrain('grain').notNull(),
    period: date('period', { mode: 'string' }),
    ...rollupCountsWithParts,
  },
  (t) => [unique('actor_rollup_timeline_key').on(t.actorId, t.roles, t.grain, t.period).nullsNotDistinct()],
);

/**
 * Events per actor in one role (null: in any role), ordered by count: the top actors of a
 * breakdown are the first rows of an index scan instead of a sort of every actor.
 */
export const actorRollupByRole = pgTable(
  'actor_rollup_by_role',
  {
    role: participationRole('role'),
    actorId: integer('actor_id').notNull(),
    ...rollupCountsWithParts,
  },
  (t) => [
    unique('actor_rollup_by_role_key').on(t.actorId, t.role).nullsNotDistinct(),
    index('actor_rollup_by_role_events_idx').on(t.role, t.events.desc(), t.actorId),
    // "Any role" is null, and `role is null` does not make an index ordered by role usable for
    // ordering by events: its own index.
    index('actor_rollup_by_role_any_events_idx').on(t.events.desc(), t.actorId).where(sql`${t.role} is null`),
  ],
);

/**
 * Events per actor in one role (null: in any role) by the confidence of the actor's best live link
 * to the event in that role, capped by the report's (actor_event_links.role_confidence; for any
 * role, the best of its elements): the band. An actor's events in a role under a confidence floor
 * are the sum of its bands at or above the floor. Kept for actor_rollup_by_role_floor. Without
 * casualty parts: summing their vectors made the drainer's work on these tables several times
 * dearer, for a request few dashboards make (a floored ACTOR breakdown with parts reads
 * actor_event_links).
 */
export const actorRollupByRoleBand = pgTable(
  'actor_rollup_by_role_band',
  {
    actorId: integer('actor_id').notNull(),
    role: participationRole('role'),
    band: smallint('band').notNull(),
    ...rollupCounts,
  },
  (t) => [unique('actor_rollup_by_role_band_key').on(t.actorId, t.role, t.band).nullsNotDistinct()],
);

/**
 * actor_rollup_by_role under confidence floors: per actor and role (null: any), one row per band
 * of actor_rollup_by_role_band, summing the bands at or above it; the row answers every floor from
 * floorLow (one above the next lower band, 0 for the lowest) to floorHigh (the band). Each actor
 * has at most one row holding a given floor, so a floored ACTOR breakdown reads the first rows of
 * an index ordered by count, as the unfloored one reads actor_rollup_by_role.
 */
export const actorRollupByRoleFloor = pgTable(
  'actor_rollup_by_role_floor',
  {
    actorId: integer('actor_id').notNull(),
    role: participationRole('role'),
    floorLow: smallint('floor_low').notNull(),
    floorHigh: smallint('floor_high').notNull(),
    ...rollupCounts,
  },
  (t) => [
    unique('actor_rollup_by_role_floor_key').on(t.actorId, t.role, t.floorHigh).nullsNotDistinct(),
    // The floors in the key, so rows of other floors are passed over in the index, not fetched.
    index('actor_rollup_by_role_floor_events_idx').on(t.role, t.events.desc(), t.actorId, t.floorLow, t.floorHigh),
    index('actor_rollup_by_role_floor_any_events_idx').on(t.events.desc(), t.actorId, t.floorLow, t.floorHigh).where(sql`${t.role} is null`),
  ],
);

/**
 * One row per (event, doctrine) that a perpetrator or claimant of the event (PERPETRATOR,
 * CLAIMED_RESPONSIBILITY), as merged now, adheres to through a live claim: an event counts once
 * per doctrine however many of its perpetrators share it. Only events with two or more such
 * actors ("shared"): an event with one counts through event_solo_actors and actor_solo_rollup.
 */
export const eventDoctrines = pgTable(
  'event_doctrines',
  {
    eventId: integer('event_id').notNull(),
    doctrineId: integer('doctrine_id').notNull(),
    countryId: integer('country_id').notNull(),
    kind: eventKind('kind').notNull(),
    killedMin: integer('killed_min'),
    killedMax: integer('killed_max'),
    // The event's casualty vector (event_casualty_vector): up to the last measure it gives, empty for none.
    casualties: bigint('casualties', { mode: 'number' }).array().notNull().default(sql`'{}'::bigint[]`),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.doctrineId] })],
);

/**
 * The live doctrines of each actor as merged now (its own adherences and those of actors merged
 * into it), as event_doctrines counts them: an adherence that leaves an actor's set as it was
 * changes no summary, and one that changes it changes only that doctrine's rows (summaries_drain).
 */
export const actorDoctrineSets = pgTable(
  'actor_doctrine_sets',
  {
    actorId: integer('actor_id').notNull(),
    doctrineId: integer('doctrine_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.actorId, t.doctrineId] })],
);

/**
 * The one perpetrator or claimant (as merged now) of each event that has exactly one, with what
 * the event adds to the sums, as last summarized. Such an event counts for every doctrine in its
 * actor's set (actor_doctrine_sets), so a doctrine the actor gains or loses changes the doctrine
 * sums by the actor's totals (actor_solo_rollup) instead of a row per event.
 */
export const eventSoloActors = pgTable(
  'event_solo_actors',
  {
    eventId: integer('event_id').primaryKey(),
    actorId: integer('actor_id').notNull(),
    countryId: integer('country_id').notNull(),
    kind: eventKind('kind').notNull(),
    killedMin: integer('killed_min'),
    killedMax: integer('killed_max'),
    casualties: bigint('casualties', { mode: 'number' }).array().notNull().default(sql`'{}'::bigint[]`),
  },
  (t) => [index('event_solo_actors_actor_idx').on(t.actorId)],
);

/** Sums of each actor's events in event_solo_actors, per country and kind and in all (country and kind null). */
export const actorSoloRollup = pgTable(
  'actor_solo_rollup',
  {
    actorId: integer('actor_id').notNull(),
    countryId: integer('country_id'),
    kind: eventKind('kind'),
    ...rollupCountsWithParts,
  },
  (t) => [unique('actor_solo_rollup_key').on(t.actorId, t.countryId, t.kind).nullsNotDistinct()],
);

/** Events per doctrine, per country and kind and in all (country and kind null). */
export const doctrineRollup = pgTable(
  'doctrine_rollup',
  {
    doctrineId: integer('doctrine_id').notNull(),
    countryId: integer('country_id'),
    kind: eventKind('kind'),
    ...rollupCountsWithParts,
  },
  (t) => [unique('doctrine_rollup_key').on(t.doctrineId, t.countryId, t.kind).nullsNotDistinct()],
);

// ---------------------------------------------------------------------------------------------
// Writes through the API (issue 4): who may write (tokens), what was written (audit log), retried
// requests (idempotency keys) and duplicate actors folded together (merges). Nothing here is a
// claim about the world; it is bookkeeping about the knowledge base itself.
// ---------------------------------------------------------------------------------------------

export const role = pgEnum('role', ['viewer', 'analyst', 'admin']);

export const apiTokens = pgTable('api_tokens', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  name: text('name').notNull().unique(),
  role: role('role').notNull(),
  // Only the sha256 of the secret is kept: a leaked table does not leak usable tokens.
  tokenSha256: text('token_sha256').notNull().unique(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});

export const auditLog = pgTable(
  'audit_log',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    /** Who wrote: `token:<name>`, `import:<file>`... the same text as the claims' recorded_by. */
    principal: text('principal').notNull(),
    operation: text('operation').notNull(),
    requestId: text('request_id'),
    idempotencyKey: text('idempotency_key'),
    /** What was written: ids and slugs of the records created or changed. */
    details: jsonb('details').notNull(),
  },
  (t) => [index('audit_log_at_idx').on(t.at, t.id)],
);

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    principal: text('principal').notNull(),
    key: text('key').notNull(),
    operation: text('operation').notNull(),
    // sha256 of the operation's input: the same key with different input is a conflict, not a replay.
    requestSha256: text('request_sha256').notNull(),
    result: jsonb('result').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.principal, t.key] }),
    // Expired keys are found and purged by age, implicit and client keys each by their own
    // lifetime (src/writes/transaction.ts): each index holds only its kind, so a purge reads only
    // expired keys, not every key younger than its lifetime. The literal must stay the
    // IMPLICIT_PREFIX of transaction.ts (tests/idempotency.test.ts reads the plans).
    index('idempotency_keys_implicit_age_idx').on(t.createdAt).where(sql`starts_with(key, 'implicit:')`),
    index('idempotency_keys_client_age_idx').on(t.createdAt).where(sql`not starts_with(key, 'implicit:')`),
    // Implicit keys of one operation on one record are forgotten by their prefix: a range of this
    // byte-ordered index (a prefix is not a range of the default collation's order).
    index('idempotency_keys_key_bytes_idx').on(sql`(${t.key} collate "C")`),
  ],
);

export const actorMerges = pgTable(
  'actor_merges',
  {
    // An actor is removed at most once; reads at or after merged_at resolve it to the kept actor.
    removedActorId: integer('removed_actor_id')
      .primaryKey()
      .references(() => actors.id),
    keptActorId: integer('kept_actor_id')
      .notNull()
      .references(() => actors.id),
    mergedAt: timestamp('merged_at', { withTimezone: true }).notNull().defaultNow(),
    mergedBy: text('merged_by').notNull(),
    reason: text('reason').notNull(),
  },
  (t) => [
    check('actor_merges_not_self_check', sql`${t.removedActorId} <> ${t.keptActorId}`),
    index('actor_merges_kept_actor_id_idx').on(t.keptActorId),
  ],
);

// ---------------------------------------------------------------------------------------------
// Revisions (issue 4: time travel). An update never loses what an entity said before: a trigger
// (actors_keep_revision and the others, src/db/sql/revisions.sql) copies the row as it was into its revision table, in the update's transaction,
// with the knowledge-time interval it was current for — [revised_at, superseded_at), revised_at
// null meaning "since the entity was created" — and what superseded it. Reads `asOf` a time in that
// interval use the copy (src/graphql/view.ts). Copied values are kept as they were; only the
// references to places stay foreign keys, so a place cannot vanish from under history.
// ---------------------------------------------------------------------------------------------

/** What superseded a version, and when; shared by the three revision tables. */
function supersededColumns() {
  return {
    // Knowledge time at which the next version was recorded (the update's transaction time).
    supersededAt: timestamp('superseded_at', { withTimezone: true }).notNull(),
    // Who recorded the next version: the update claim's recorded_by, the merge's merged_by, or the
    // writing transaction's principal for places.
    supersededBy: text('superseded_by').notNull(),
  };
}

export const actorRevisions = pgTable(
  'actor_revisions',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    actorId: integer('actor_id')
      .notNull()
      .references(() => actors.id),
    // The actor row as it was (every column but id).
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    aliases: text('aliases').array().notNull(),
    kind: actorKind('kind').notNull(),
    description: text('description'),
    homeCountryId: integer('home_country_id').references(() => places.id),
    claimId: integer('claim_id').notNull(),
    revisedAt: timestamp('revised_at', { withTimezone: true }),
    revisionClaimId: integer('revision_claim_id'),
    ...supersededColumns(),
    // The cited update claim that superseded it, or (for the aliases a merge adds) the merge.
    supersededByClaimId: integer('superseded_by_claim_id').references(() => claims.id),
    supersededByMergeId: integer('superseded_by_merge_id').references(() => actorMerges.removedActorId),
  },
  (t) => [
    check(
      'actor_revisions_cause_check',
      sql`(${t.supersededByClaimId} is null) <> (${t.supersededByMergeId} is null)`,
    ),
    check('actor_revisions_interval_check', sql`${t.revisedAt} is null or ${t.revisedAt} <= ${t.supersededAt}`),
    index('actor_revisions_actor_id_idx').on(t.actorId, t.supersededAt),
    index('actor_revisions_superseded_at_idx').on(t.supersededAt),
    index('actor_revisions_home_country_id_idx').on(t.homeCountryId),
    index('actor_revisions_superseded_by_claim_id_idx').on(t.supersededByClaimId),
    index('actor_revisions_superseded_by_merge_id_idx').on(t.supersededByMergeId),
  ],
);

export const eventRevisions = pgTable(
  'event_revisions',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    eventId: integer('event_id')
      .notNull()
      .references(() => events.id),
    // The event row as it was (every column but id).
    slug: text('slug').notNull(),
    title: text('title').notNull(),
    kind: eventKind('kind').notNull(),
    description: text('description'),
    dateText: text('date_text'),
    dateEarliest: date('date_earliest', { mode: 'string' }),
    dateLatest: date('date_latest', { mode: 'string' }),
    datePrecision: datePrecision('date_precision').notNull(),
    placeId: integer('place_id').references(() => places.id),
    killedMin: integer('killed_min'),
    killedMax: integer('killed_max'),
    killedText: text('killed_text'),
    woundedMin: integer('wounded_min'),
    woundedMax: integer('wounded_max'),
    woundedText: text('wounded_text'),
    killedBest: integer('killed_best'),
    woundedBest: integer('wounded_best'),
    killedParts: jsonb('killed_parts').$type<CasualtyPartRow[]>(),
    woundedParts: jsonb('wounded_parts').$type<CasualtyPartRow[]>(),
    claimId: integer('claim_id').notNull(),
    revisedAt: timestamp('revised_at', { withTimezone: true }),
    revisionClaimId: integer('revision_claim_id'),
    ...supersededColumns(),
    supersededByClaimId: integer('superseded_by_claim_id')
      .notNull()
      .references(() => claims.id),
  },
  (t) => [
    check('event_revisions_interval_check', sql`${t.revisedAt} is null or ${t.revisedAt} <= ${t.supersededAt}`),
    index('event_revisions_event_id_idx').on(t.eventId, t.supersededAt),
    index('event_revisions_superseded_at_idx').on(t.supersededAt),
    index('event_revisions_place_id_idx').on(t.placeId),
    index('event_revisions_superseded_by_claim_id_idx').on(t.supersededByClaimId),
  ],
);

export const placeRevisions = pgTable(
  'place_revisions',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    placeId: integer('place_id')
      .notNull()
      .references(() => places.id),
    // The place row as it was (every column but id).
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    kind: placeKind('kind').notNull(),
    parentId: integer('parent_id').references(() => places.id),
    countryId: integer('country_id').references(() => places.id),
    countryCode: text('country_code'),
    region: text('region'),
    ...placeLocationColumns(),
    revisedAt: timestamp('revised_at', { withTimezone: true }),
    ...supersededColumns(),
  },
  (t) => [
    check('place_revisions_interval_check', sql`${t.revisedAt} is null or ${t.revisedAt} <= ${t.supersededAt}`),
    ...placeLocationChecks('place_revisions', t),
    index('place_revisions_place_id_idx').on(t.placeId, t.supersededAt),
    index('place_revisions_superseded_at_idx').on(t.supersededAt),
    index('place_revisions_parent_id_idx').on(t.parentId),
    index('place_revisions_country_id_idx').on(t.countryId),
  ],
);

// ---------------------------------------------------------------------------------------------
// The changes feed (`changes`, `changeAdded`): every create, update, retraction and merge, written
// by triggers (record_entity_change and the others, src/db/sql/changes.sql) whoever writes — the API, an import, psql — so a
// mirror can stay current. The feed lists them by (xid, id), only below the oldest running
// transaction, so a reader that has passed a position never sees an earlier one appear later
// (src/db/changes.ts); no writer takes a lock for it.
// ---------------------------------------------------------------------------------------------

/** PostgreSQL's 64-bit transaction id (pg_current_xact_id()); read as text. */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

export const changeKind = pgEnum('change_kind', ['CREATED', 'UPDATED', 'RETRACTED', 'MERGED', 'GRADED']);

export const changes = pgTable(
  'changes',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** The writing transaction: the feed's order (src/db/changes.ts); its commit time is in change_commits. */
    xid: xid8('xid').notNull().default(sql`pg_current_xact_id()`),
    /** Knowledge time: the transaction's start, as claims' recorded_at. */
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    kind: changeKind('kind').notNull(),
    /** The GraphQL type of what changed (Event, Actor, Relationship, UpdateClaim...). */
    entityType: text('entity_type').notNull(),
    /** Its id as in its global id (for claims-as-records, the claim id). */
    entityId: integer('entity_id').notNull(),
    /** The claim behind the change: establishing, update or retracted claim; none for places and sources. */
    claimId: integer('claim_id'),
    /** For a merge: the actor the removed one was folded into. */
    intoId: integer('into_id'),
    /** Who: the claim's recorded_by, the retraction's retracted_by, the merge's merged_by, or the writing transaction's principal. */
    principal: text('principal').notNull(),
  },
  (t) => [index('changes_xid_idx').on(t.xid, t.id)],
);

export const changeCommits = pgTable('change_commits', {
  /**
   * Commit order of the transactions that wrote changes before the feed was ordered by transaction
   * id (src/db/changes.ts); kept so that cursors handed out then still resume.
   */
  position: bigint('position', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  xid: xid8('xid').notNull().unique(),
  committedAt: timestamp('committed_at', { withTimezone: true }).notNull().default(sql`clock_timestamp()`),
});
/*
 * Summaries off the write path (src/db/sql/summaries.sql). A write does not update
 * the summary tables: its triggers append the keys it made stale to `summary_queue`, in its own
 * transaction, and a drainer (summaries_drain, called by src/db/summaries.ts) recomputes them.
 * Writers only insert there (no unique key, no sequence), so they never wait for one another.
 */
export const summaryKeyKinds = [
  'event', 'event_doctrines', 'actor_events', 'actor_doctrines', 'place', 'source_search', 'citation_search',
] as const;

/** How many partitions the queue is cut into: drainers work on different ones at once. */
export const SUMMARY_PARTITIONS = 16;

export const summaryQueue = pgTable(
  'summary_queue',
  {
    // What went stale: an event (all its summary rows), an event's doctrines, the events of an
    // actor's participations (a merge), an actor's own events' doctrines, the events at a place;
    // or, for a bulk statement, a source or a block of 1,024 citation ids whose search documents are
    // still to be made (src/db/sql/search.sql).
    kind: text('kind', { enum: summaryKeyKinds }).notNull(),
    id: integer('id').notNull(),
    // A key's partition: one drainer at a time recomputes the rows of a given event.
    part: smallint('part')
      .notNull()
      .generatedAlwaysAs(sql`(id % 16)::smallint`),
    // When the write queued it (before its commit); the summaries are complete up to the oldest.
    markedAt: timestamp('marked_at', { withTimezone: true, mode: 'string' }).notNull().default(sql`clock_timestamp()`),
  },
  (t) => [
    check(
      'summary_queue_kind_check',
      sql`${t.kind} in ('event', 'event_doctrines', 'actor_events', 'actor_doctrines', 'place', 'source_search', 'citation_search')`,
    ),
    index('summary_queue_part_idx').on(t.part, t.markedAt),
    index('summary_queue_marked_at_idx').on(t.markedAt),
  ],
);

/**
 * The hash of the src/db/sql files last applied (src/db/migrate.ts), so a start with unchanged files
 * does not replace every trigger again.
 */
export const sqlSourcesApplied = pgTable('sql_sources_applied', {
  sha256: text('sha256').notNull(),
  appliedAt: timestamp('applied_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * The one-time backfills of src/db/sql/backfills.sql that have run here, by name: applying the
 * files again (a server start after an upgrade that changed any of them) skips their checks, which
 * read whole tables (seconds at a million events, with the files' trigger locks held). A database
 * from before a backfill existed has no row for it, so it runs there once.
 */
export const sqlBackfillsDone = pgTable('sql_backfills_done', {
  name: text('name').primaryKey(),
  doneAt: timestamp('done_at', { withTimezone: true }).notNull().defaultNow(),
});

/** One row per queue partition; a drainer locks one (FOR UPDATE SKIP LOCKED) while it works on it. */
export const summaryPartitions = pgTable('summary_partitions', {
  part: smallint('part').primaryKey(),
});

/**
 * What each live event adds to the event rollups, as last summarized: the drainer compares it with
 * the event as it is now and applies the difference to the rollups' sums.
 */
export const eventRollupMembers = pgTable(
  'event_rollup_members',
  {
    eventId: integer('event_id').primaryKey(),
    grain: eventGrain('grain').notNull(),
    period: date('period', { mode: 'string' }),
    kind: eventKind('kind').notNull(),
    countryId: integer('country_id'),
    killedMin: integer('killed_min'),
    killedMax: integer('killed_max'),
    // The event's casualty vector (event_casualty_vector): up to the last measure it gives, empty for none.
    casualties: bigint('casualties', { mode: 'number' }).array().notNull().default(sql`'{}'::bigint[]`),
    firstDate: date('first_date', { mode: 'string' }),
    lastDate: date('last_date', { mode: 'string' }),
    // The confidence of the event's report (claims never change, so neither does this): its band
    // in event_rollup_by_band.
    confidence: smallint('confidence'),
    // The report's grades as a floor compares them (claimPasses): its best source's reliability,
    // F when no source is graded, and its credibility, 6 (cannot be judged) when not given. They can
    // change (a source graded anew), and the drainer then moves the event (claims_summaries_regraded).
    // Null only in rows made before grades were kept, until src/db/sql/backfills.sql fills them.
    reliability: sourceReliability('reliability'),
    credibility: smallint('credibility'),
  },
  (t) => [
    // A bucket's members, for its first/last dates after it loses one.
    index('event_rollup_members_bucket_idx').on(t.grain, t.period, t.kind, t.countryId, t.firstDate, t.lastDate),
    index('event_rollup_members_country_idx').on(t.countryId, t.firstDate, t.lastDate),
    // A country's members in one band and grade, for the dates of an event_rollup_by_band_country
    // group after it loses one (INCLUDE (first_date, last_date), by hand in its migration).
    index('event_rollup_members_grade_idx').on(t.countryId, t.confidence, t.reliability, t.credibility),
  ],
);

/**
 * Long writes run as jobs (src/domain/jobs/): a row the client polls for its status, progress and
 * result, drained by a runner in every server process (FOR UPDATE SKIP LOCKED, as the summaries).
 */
export const jobStatus = pgEnum('job_status', ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED']);

export const jobs = pgTable(
  'jobs',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    /** What the job does, e.g. `mergeActors`. */
    kind: text('kind').notNull(),
    input: jsonb('input').notNull(),
    status: jobStatus('status').notNull().default('QUEUED'),
    /** 0–1. */
    progress: doublePrecision('progress').notNull().default(0),
    /** What it is doing now, in words. */
    stage: text('stage'),
    result: jsonb('result'),
    error: text('error'),
    requestedBy: text('requested_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** Renewed by the runner while it runs the job; a RUNNING job whose heartbeat stopped lost its runner. */
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }),
    /** How many runners have taken the job (more than one when a runner died running it). */
    attempts: integer('attempts').notNull().default(0),
  },
  (t) => [
    index('jobs_queued_idx').on(t.id).where(sql`${t.status} = 'QUEUED'`),
    index('jobs_running_idx').on(t.heartbeatAt).where(sql`${t.status} = 'RUNNING'`),
  ],
);

/*
 * The map's summaries (place_rollups_refresh, src/db/sql/geography.sql): what each live event at a
 * place adds, and the sums per place and kind (and, below, per place and bucket, year, or roles). A map aggregate bins places, not events: it joins
 * these few rows (places × kinds) to the places' coordinates, so its cost does not grow with the
 * number of events. Kept by the same drainer as the other summaries.
 */
export const eventPlaceMembers = pgTable(
  'event_place_members',
  {
    eventId: integer('event_id').primaryKey(),
    placeId: integer('place_id').notNull(),
    kind: eventKind('kind').notNull(),
    killedMin: integer('killed_min'),
    killedMax: integer('killed_max'),
    // The event's calendar bucket (event_grain_of, event_period_of), for the per-place bucket sums.
    grain: eventGrain('grain').notNull(),
    period: date('period', { mode: 'string' }),
    // The roles of the event's live participations, any actor (actor 0's actor_event_links row;
    // 0 for none), for the per-place role sums.
    roles: smallint('roles').notNull(),
    // The event's first and last possible days (each the other when one is unknown): a member of
    // a bucket a date bound cuts through is matched against the bound here, not read from events.
    firstDate: date('first_date', { mode: 'string' }),
    lastDate: date('last_date', { mode: 'string' }),
  },
  // The members of one bucket: a dated map reads those of the buckets its bounds cut through.
  (t) => [index('event_place_members_bucket_idx').on(t.grain, t.period)],
);

export const eventRollupByPlace = pgTable(
  'event_rollup_by_place',
  {
    placeId: integer('place_id').notNull(),
    kind: eventKind('kind').notNull(),
    ...rollupCounts,
  },
  (t) => [unique('event_rollup_by_place_key').on(t.placeId, t.kind)],
);

/**
 * The same per place and calendar bucket (no kind): a map with date bounds, and a timeline or
 * YEAR breakdown filtered by box, area or precision, read the buckets of the places instead of
 * their events. A bucket inside the bounds counts whole; the members of the buckets a bound cuts
 * through, and of none (grain NONE), are read from events (src/graphql/loaders/geography.ts).
 */
export const eventRollupByPlacePeriod = pgTable(
  'event_rollup_by_place_period',
  {
    placeId: integer('place_id').notNull(),
    grain: eventGrain('grain').notNull(),
    // First day of the bucket; null for NONE.
    period: date('period', { mode: 'string' }),
    ...rollupCounts,
  },
  (t) => [
    unique('event_rollup_by_place_period_key').on(t.placeId, t.grain, t.period).nullsNotDistinct(),
    // The buckets inside a map's date bounds, over every place.
    index('event_rollup_by_place_period_period_idx').on(t.period),
  ],
);

/**
 * event_rollup_by_place_period summed per year (events of grain NONE left out: none lies in one
 * year): a map with date bounds reads the years inside them here, a few rows per place, and only
 * the buckets of the years a bound cuts through from the finer table (~30,000 rows in all at a
 * million events, against ~200,000 buckets).
 */
export const eventRollupByPlaceYear = pgTable(
  'event_rollup_by_place_year',
  {
    placeId: integer('place_id').notNull(),
    // First day of the year.
    year: date('year', { mode: 'string' }).notNull(),
    ...rollupCounts,
  },
  (t) => [
    unique('event_rollup_by_place_year_key').on(t.placeId, t.year),
    index('event_rollup_by_place_year_year_idx').on(t.year),
  ],
);

/**
 * The same per place, kind and set of roles of the event's participants (any actor): a map
 * filtered by roles without an actor sums the rows whose set shares a role with the filter's,
 * instead of a row per event of actor 0's actor_event_links.
 */
export const eventRollupByPlaceRoles = pgTable(
  'event_rollup_by_place_roles',
  {
    placeId: integer('place_id').notNull(),
    kind: eventKind('kind').notNull(),
    roles: smallint('roles').notNull(),
    ...rollupCounts,
  },
  (t) => [unique('event_rollup_by_place_roles_key').on(t.placeId, t.kind, t.roles)],
);

/**
 * Where each place is on the map as of now: its own coordinates, or its nearest located
 * ancestor's (at least NEAR), as placeLocationsSql in src/graphql/loaders/geography.ts works them
 * out for past views. Kept by a trigger on places (place_locations_changed, src/db/sql/geography.sql)
 * so that filters and the map read a table with statistics: the planner then knows how many
 * events a bounding box holds, where a recursive query looked to it like one place.
 */
export const placeLocations = pgTable(
  'place_locations',
  {
    placeId: integer('place_id').primaryKey(),
    latitude: doublePrecision('latitude').notNull(),
    longitude: doublePrecision('longitude').notNull(),
    precision: geoPrecision('precision').notNull(),
  },
  (t) => [index('place_locations_position_idx').on(t.latitude, t.longitude)],
);
