/**
 * The STIX 2.1 export: one bundle, streamed object by object. The mapping (docs/exports.md):
 *
 * - the project                → identity (organization), the created_by_ref of every object;
 * - an actor                   → threat-actor (ARMED_ORGANIZATION) or identity (every other kind:
 *                                STATE, GOVERNMENT, STATE_AGENCY → organization; PERSON →
 *                                individual; COMMUNITY → class; OFFICIALS → group);
 * - a doctrine                 → identity (class: its adherents), parent in the extension;
 * - a place                    → location (country: ISO 3166 code; region: UN M49 sub-region as
 *                                region-ov; city: name), kind and parent in the extension;
 * - a source                   → artifact (its text, UTF-8, base64, with its SHA-256);
 * - an event                   → incident (STIX gives incidents only a name and description; the
 *                                rest — kind, date, casualties — is in the extension), located-at
 *                                its place;
 * - a participation            → relationship between the incident and the actor, by role;
 * - a relationship             → relationship (start_time/stop_time from its period);
 * - an adherence               → relationship actor adheres-to doctrine;
 * - an actor's other name        → note on the actor (STIX has no object for names in other languages);
 * - a claim's confidence       → confidence; each quote → an external reference (source, quote,
 *                                offsets) and, exactly, in the extension's `citations`.
 *
 * Everything the knowledge base stores and STIX has no property for goes into one property
 * extension (an extension-definition in the bundle), so that the importer (src/import/stix.ts)
 * recreates sources, places, actors, doctrines, events, claims and citations exactly. Ids are
 * UUIDv5 of each record's stable key (slug, or claim key), so exporting again gives the same ids.
 */
import { STANDARD_TYPES_BY_KIND } from '../../domain/events/standard-types.ts';
import { createHash } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { v5 as uuidv5 } from 'uuid';
import { doctrines } from '../../db/schema.ts';
import { actorAsMergedAt, actorsAt, claimVisibleAs, establishedInView, mergedAwayBy, mergeTime, placesAt } from '../view.ts';
import type { ExportQuery } from './parameters.ts';
import { claimJson, eventRecordsQuery, type ClaimRecord, type EventRecord, type QuoteRecord } from './records.ts';
import type { ExportSession } from './session.ts';
import { EVENT_BATCH } from './tables.ts';

/** The namespace of every id this project mints (a fixed random UUID: ids stay stable forever). */
export const STIX_NAMESPACE = '6f1d3c52-93a1-4b7e-9a51-2f0d8c4be7a3';
/** The namespace STIX 2.1 §2.9 prescribes for cyber-observable ids. */
const SCO_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7';

export const stixId = (type: string, key: string): string => `${type}--${uuidv5(key, STIX_NAMESPACE)}`;

export const PROJECT_IDENTITY = stixId('identity', 'project:militant-movements-graph');
export const EXTENSION_ID = stixId('extension-definition', 'extension:record:1');
/** When the project identity and the extension definition were first defined (fixed: stable output). */
const PROJECT_CREATED = '2024-04-01T00:00:00.000Z';

type StixObject = Record<string, unknown> & { type: string; id: string };

/** STIX timestamps: RFC 3339 in UTC, millisecond precision, `Z`. */
export function stixTime(value: string): string {
  return new Date(value).toISOString();
}

/** A day as the start of that day in UTC. */
const dayStart = (day: string) => `${day}T00:00:00.000Z`;
/** The end of a day, exclusive: the start of the next one. */
function dayAfter(day: string): string {
  const d = new Date(`${day}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString();
}

/** The hyphenated lowercase form STIX wants for vocabulary values (RIVAL_OF → rival-of). */
const stixWord = (value: string) => value.toLowerCase().replaceAll('_', '-');

export function sourceArtifactId(sha256: string): string {
  // STIX 2.1 §2.9: an SCO's id is UUIDv5 of its id-contributing properties (artifact: hashes).
  return `artifact--${uuidv5(JSON.stringify({ hashes: { 'SHA-256': sha256 } }), SCO_NAMESPACE)}`;
}

/** What an export collects while it streams events, to add what they reference afterwards. */
interface Referenced {
  actors: Set<string>;
  places: Set<string>;
  sources: Set<string>;
}

/** A relationship's or adherence's start and end, as selected. */
interface ValidTimeRow {
  startText: string | null;
  startEarliest: string | null;
  startLatest: string | null;
  startPrecision: string | null;
  endText: string | null;
  endEarliest: string | null;
  endLatest: string | null;
  endPrecision: string | null;
}

/** The start and end as the record extension carries them (null when the source gives none). */
function validTimeRecord(v: ValidTimeRow) {
  return {
    start: v.startPrecision ? { text: v.startText, earliest: v.startEarliest, latest: v.startLatest, precision: v.startPrecision } : null,
    end: v.endPrecision ? { text: v.endText, earliest: v.endEarliest, latest: v.endLatest, precision: v.endPrecision } : null,
  };
}

function claimExtension(claim: ClaimRecord) {
  return {
    key: claim.key ?? `claim:${claim.id}`,
    confidence: claim.confidence,
    ...(claim.credibility !== null ? { credibility: claim.credibility } : {}),
    note: claim.note,
    recorded_at: claim.recordedAt,
    recorded_by: claim.recordedBy,
    retracted_at: claim.retractedAt,
    retraction_reason: claim.retractionReason,
  };
}

function citationsOf(claim: ClaimRecord, referenced: Referenced, sourceIds: Map<string, string>) {
  return claim.quotes.map((q) => {
    referenced.sources.add(q.source);
    return { source: q.source, source_ref: sourceIds.get(q.source) ?? null, quote: q.quote, start: q.start, end: q.end, prefix: q.prefix, suffix: q.suffix };
  });
}

function externalReferences(quotes: QuoteRecord[]) {
  return quotes.map((q) => ({
    source_name: q.source,
    description: q.quote,
    external_id: `${q.source}#${q.start}-${q.end}`,
  }));
}

/** The properties every object resting on a claim has. */
function claimed(claim: ClaimRecord, modifiedAt: string | null, extension: Record<string, unknown>, referenced: Referenced, sourceIds: Map<string, string>) {
  const created = stixTime(claim.recordedAt);
  const modified = modifiedAt ? stixTime(modifiedAt) : created;
  return {
    spec_version: '2.1',
    created_by_ref: PROJECT_IDENTITY,
    created,
    modified: modified < created ? created : modified,
    confidence: claim.confidence,
    ...(claim.retractedAt ? { revoked: true } : {}),
    ...(claim.quotes.length > 0 ? { external_references: externalReferences(claim.quotes) } : {}),
    extensions: {
      [EXTENSION_ID]: {
        extension_type: 'property-extension',
        ...extension,
        claim: claimExtension(claim),
        citations: citationsOf(claim, referenced, sourceIds),
      },
    },
  };
}

function projectObjects(): StixObject[] {
  return [
    {
      type: 'identity',
      spec_version: '2.1',
      id: PROJECT_IDENTITY,
      created: PROJECT_CREATED,
      modified: PROJECT_CREATED,
      name: 'Militant movements knowledge graph',
      description: 'Claims about militant movements, each pinned to verbatim quotes of its sources.',
      identity_class: 'organization',
    },
    {
      type: 'extension-definition',
      spec_version: '2.1',
      id: EXTENSION_ID,
      created_by_ref: PROJECT_IDENTITY,
      created: PROJECT_CREATED,
      modified: PROJECT_CREATED,
      name: 'Militant movements knowledge graph record',
      description:
        'The record behind a STIX object: its kind of record and slug, the claim it rests on (key, confidence, who recorded it and when, retraction) and its citations (source, quote, code-point offsets, context).',
      schema: 'docs/exports.md#stix-21 in the militant-movements-graph repository',
      version: '1.0.0',
      extension_types: ['property-extension'],
    },
  ];
}

// --- Events, their places and participations ----------------------------------------------------

/** How a role becomes a relationship: its type and whether it points from the incident. */
const ROLE_RELATIONSHIPS: Record<string, { type: string; fromIncident: boolean }> = {
  PERPETRATOR: { type: 'attributed-to', fromIncident: true },
  ATTRIBUTED: { type: 'attributed-to', fromIncident: true },
  CLAIMED_RESPONSIBILITY: { type: 'claimed-responsibility-for', fromIncident: false },
  IMPLICATED: { type: 'related-to', fromIncident: true },
  INSPIRED: { type: 'inspired-by', fromIncident: true },
  TARGET: { type: 'targets', fromIncident: true },
  VICTIM: { type: 'targets', fromIncident: true },
};

export const actorKey = (slug: string) => `actor:${slug}`;
export const actorTypeOf = (kind: string) => (kind === 'ARMED_ORGANIZATION' ? 'threat-actor' : 'identity');

function eventObjects(e: EventRecord, actorIds: Map<string, string>, referenced: Referenced, sourceIds: Map<string, string>): StixObject[] {
  const incident = stixId('incident', `event:${e.slug}`);
  const objects: StixObject[] = [];
  const placeRef = e.placeSlug ? stixId('location', `place:${e.placeSlug}`) : null;
  if (e.placeSlug) referenced.places.add(e.placeSlug);
  objects.push({
    type: 'incident',
    id: incident,
    ...claimed(e.claim, e.revisedAt, {
      record: 'event',
      slug: e.slug,
      kind: e.kind,
      date: { text: e.dateText, earliest: e.dateEarliest, latest: e.dateLatest, precision: e.datePrecision },
      place: e.placeSlug,
      place_ref: placeRef,
      killed: e.killedMin === null ? null : { min: e.killedMin, best: e.killedBest, max: e.killedMax, text: e.killedText, parts: e.killedParts ?? [] },
      wounded: e.woundedMin === null ? null : { min: e.woundedMin, best: e.woundedBest, max: e.woundedMax, text: e.woundedText, parts: e.woundedParts ?? [] },
      // Reference data mapped from the kind (src/domain/events/standard-types.ts), for readers that filter on them.
      standard_types: STANDARD_TYPES_BY_KIND[e.kind as keyof typeof STANDARD_TYPES_BY_KIND],
    }, referenced, sourceIds),
    name: e.title,
    ...(e.description ? { description: e.description } : {}),
  });
  if (placeRef && e.placeSlug) {
    // Where the event happened is part of its report: the same claim, confidence and quotes.
    const base = claimed(e.claim, e.revisedAt, { record: 'event-place', event: e.slug, place: e.placeSlug }, referenced, sourceIds);
    objects.push({ type: 'relationship', id: stixId('relationship', `event-place:${e.slug}`), ...base, relationship_type: 'located-at', source_ref: incident, target_ref: placeRef });
  }
  for (const p of e.participants) {
    referenced.actors.add(p.actor);
    if (p.attributedBy) referenced.actors.add(p.attributedBy);
    const mapping = ROLE_RELATIONSHIPS[p.role] ?? { type: 'related-to', fromIncident: true };
    const actor = actorIds.get(p.actor) ?? stixId('identity', actorKey(p.actor));
    const key = p.claim.key ?? `claim:${p.claim.id}`;
    objects.push({
      type: 'relationship',
      id: stixId('relationship', key),
      ...claimed(p.claim, null, {
        record: 'participation',
        event: e.slug,
        actor: p.actor,
        role: p.role,
        attributed_by: p.attributedBy,
        attributed_by_ref: p.attributedBy ? (actorIds.get(p.attributedBy) ?? null) : null,
        side: p.side,
      }, referenced, sourceIds),
      relationship_type: mapping.type,
      description:
        p.role === 'ATTRIBUTED' ? `${p.actorName}: ${p.role} (attributed by ${p.attributedByName})` : `${p.actorName}: ${p.role}`,
      source_ref: mapping.fromIncident ? incident : actor,
      target_ref: mapping.fromIncident ? actor : incident,
    });
  }
  return objects;
}

// --- Actors, doctrines, relationships, places, sources --------------------------------------------

interface ActorRow {
  slug: string;
  name: string;
  aliases: string[];
  kind: string;
  description: string | null;
  homeCountry: string | null;
  revisedAt: string | null;
  claim: ClaimRecord;
}

const IDENTITY_CLASS: Record<string, string> = {
  STATE: 'organization',
  GOVERNMENT: 'organization',
  STATE_AGENCY: 'organization',
  PERSON: 'individual',
  COMMUNITY: 'class',
  OFFICIALS: 'group',
};

function actorObject(a: ActorRow, referenced: Referenced, sourceIds: Map<string, string>): StixObject {
  const type = actorTypeOf(a.kind);
  if (a.homeCountry) referenced.places.add(a.homeCountry);
  const base = claimed(a.claim, a.revisedAt, {
    record: 'actor',
    slug: a.slug,
    kind: a.kind,
    home_country: a.homeCountry,
    home_country_ref: a.homeCountry ? stixId('location', `place:${a.homeCountry}`) : null,
  }, referenced, sourceIds);
  const common = { type, id: stixId(type, actorKey(a.slug)), ...base, name: a.name, ...(a.description ? { description: a.description } : {}) };
  if (type === 'threat-actor') return { ...common, ...(a.aliases.length > 0 ? { aliases: a.aliases } : {}) };
  return {
    ...common,
    identity_class: IDENTITY_CLASS[a.kind] ?? 'unknown',
    ...(['STATE', 'GOVERNMENT', 'STATE_AGENCY'].includes(a.kind) ? { sectors: ['government-national'] } : {}),
    // Identities have no aliases property: they stay in the extension.
    extensions: { [EXTENSION_ID]: { ...(base.extensions[EXTENSION_ID] as object), aliases: a.aliases } },
  };
}

function actorsQuery(query: ExportQuery, slugs: string[]): SQL {
  const { view } = query;
  const at = mergeTime(view);
  return sql`
    select a.slug, a.name, a.aliases, a.kind, a.description, hc.slug as "homeCountry",
           to_json(a.revised_at) #>> '{}' as "revisedAt", ${claimJson('c', query.view)} as claim
      from ${actorsAt(view, 'a')} join claims c on c.id = a.claim_id and ${claimVisibleAs(view, 'c')}
      left join ${placesAt(view, 'hc')} on hc.id = a.home_country_id
     where not ${mergedAwayBy(sql`a.id`, at)}
       ${query.filtered ? sql`and a.slug = any(${sql.param(slugs)}::text[])` : sql``}
     order by a.id`;
}

/** Relationships among the bundle's actors (so that both ends of each are in the bundle). */
function relationshipsQuery(query: ExportQuery, slugs: string[]): SQL {
  const { view } = query;
  const at = mergeTime(view);
  return sql`
    select r.type, fa.slug as "from", fa.kind as "fromKind", ta.slug as "to", ta.kind as "toKind",
           r.start_text as "startText", r.start_earliest::text as "startEarliest", r.start_latest::text as "startLatest", r.start_precision as "startPrecision",
           r.end_text as "endText", r.end_earliest::text as "endEarliest", r.end_latest::text as "endLatest", r.end_precision as "endPrecision", ${claimJson('c', query.view)} as claim
      from relationships r join claims c on c.id = r.claim_id and ${claimVisibleAs(view, 'c')}
      join ${actorsAt(view, 'fa')} on fa.id = ${actorAsMergedAt(sql`r.from_actor_id`, at)}
      join ${actorsAt(view, 'ta')} on ta.id = ${actorAsMergedAt(sql`r.to_actor_id`, at)}
     where fa.slug = any(${sql.param(slugs)}::text[]) and ta.slug = any(${sql.param(slugs)}::text[])
     order by r.claim_id`;
}

function actorNamesQuery(query: ExportQuery, slugs: string[]): SQL {
  const { view } = query;
  return sql`
    select a.slug as actor, a.kind as "actorKind", n.name, n.language, n.script, ${claimJson('c', query.view)} as claim
      from actor_names n join claims c on c.id = n.claim_id and ${claimVisibleAs(view, 'c')}
      join ${actorsAt(view, 'a')} on a.id = ${actorAsMergedAt(sql`n.actor_id`, mergeTime(view))}
     where a.slug = any(${sql.param(slugs)}::text[])
     order by n.claim_id`;
}

function adherencesQuery(query: ExportQuery, slugs: string[]): SQL {
  const { view } = query;
  return sql`
    select a.slug as actor, a.kind as "actorKind", d.slug as doctrine,
           ad.start_text as "startText", ad.start_earliest::text as "startEarliest", ad.start_latest::text as "startLatest", ad.start_precision as "startPrecision",
           ad.end_text as "endText", ad.end_earliest::text as "endEarliest", ad.end_latest::text as "endLatest", ad.end_precision as "endPrecision", ${claimJson('c', query.view)} as claim
      from adherences ad join claims c on c.id = ad.claim_id and ${claimVisibleAs(view, 'c')}
      join ${actorsAt(view, 'a')} on a.id = ${actorAsMergedAt(sql`ad.actor_id`, mergeTime(view))}
      join doctrines d on d.id = ad.doctrine_id
     -- A retracted doctrine has no object in the bundle (doctrinesQuery): nor adherences to it.
     where a.slug = any(${sql.param(slugs)}::text[]) and ${establishedInView(view, doctrines, sql`ad.doctrine_id`)}
     order by ad.claim_id`;
}

/** The doctrines named (every doctrine when unfiltered) and their ancestors, parents first. */
function doctrinesQuery(query: ExportQuery, slugs: string[]): SQL {
  const { view } = query;
  return sql`
    with recursive wanted as (
      select d.id from doctrines d ${query.filtered ? sql`where d.slug = any(${sql.param(slugs)}::text[])` : sql``}
      union
      select d.parent_id from doctrines d join wanted w on w.id = d.id where d.parent_id is not null
    ), depth as (
      select d.id, 0 as depth from doctrines d where d.parent_id is null
      union all
      select d.id, depth.depth + 1 from doctrines d join depth on d.parent_id = depth.id
    )
    select d.slug, d.name, d.description, p.slug as parent, ${claimJson('c', query.view)} as claim
      from doctrines d join wanted w on w.id = d.id
      join claims c on c.id = d.claim_id and ${claimVisibleAs(view, 'c')}
      -- A parent retracted in the view has no object in the bundle: no parent_ref to it.
      left join doctrines p on p.id = d.parent_id and ${establishedInView(view, doctrines, sql`p.id`)}
      join depth on depth.id = d.id
     order by depth.depth, d.id`;
}

/** The places named (every place when unfiltered) and the places containing them, parents first. */
function placesQuery(query: ExportQuery, slugs: string[]): SQL {
  const { view } = query;
  return sql`
    with recursive wanted as (
      select pl.id, 0 as depth from ${placesAt(view, 'pl')} ${query.filtered ? sql`where pl.slug = any(${sql.param(slugs)}::text[])` : sql``}
      union
      select pl.parent_id, w.depth + 1 from ${placesAt(view, 'pl')} join wanted w on w.id = pl.id where pl.parent_id is not null
    )
    select pl.slug, pl.name, pl.kind, parent.slug as parent, country.country_code as "countryCode", pl.country_code as "ownCode",
           coalesce(pl.region, country.region) as region, pl.region as "ownRegion",
           pl.latitude, pl.longitude, pl.geo_precision as "geoPrecision", pl.gazetteer,
           to_json(pl.revised_at) #>> '{}' as "revisedAt"
      from ${placesAt(view, 'pl')}
      join (select id, max(depth) as depth from wanted group by id) w on w.id = pl.id
      left join ${placesAt(view, 'parent')} on parent.id = pl.parent_id
      left join ${placesAt(view, 'country')} on country.id = pl.country_id
     order by w.depth desc, pl.id`;
}

function sourcesQuery(slugs: string[]): SQL {
  return sql`
    select s.slug, s.title, s.publisher, s.author, s.url, s.published_text as "publishedText",
           s.published_earliest::text as "publishedEarliest", s.published_latest::text as "publishedLatest",
           s.published_precision as "publishedPrecision", s.reliability, s.text, s.text_sha256 as "textSha256",
           to_json(s.created_at) #>> '{}' as "createdAt"
      from sources s where s.slug = any(${sql.param(slugs)}::text[])
     order by s.id`;
}

interface PlaceRow {
  slug: string;
  name: string;
  kind: string;
  parent: string | null;
  countryCode: string | null;
  ownCode: string | null;
  region: string | null;
  ownRegion: string | null;
  latitude: number | null;
  longitude: number | null;
  geoPrecision: string | null;
  gazetteer: string | null;
  revisedAt: string | null;
}

/**
 * STIX location `precision` is a radius in meters: only NEAR (within ~25 km) is one; the other
 * codes name an area, which the extension's geo_precision carries instead.
 */
const STIX_PRECISION_METERS: Record<string, number> = { NEAR: 25_000 };

function placeObject(p: PlaceRow): StixObject {
  // region-ov's values are the UN M49 (sub-)regions, hyphenated; a place with neither region nor
  // country (e.g. "the West") gets its slug, as the open vocabulary allows.
  const region = p.region ? stixWord(p.region.replaceAll(' ', '-')) : p.countryCode ? null : p.slug;
  const created = p.revisedAt ? stixTime(p.revisedAt) : PROJECT_CREATED;
  return {
    type: 'location',
    spec_version: '2.1',
    id: stixId('location', `place:${p.slug}`),
    created_by_ref: PROJECT_IDENTITY,
    created,
    modified: created,
    name: p.name,
    ...(region ? { region } : {}),
    ...(p.countryCode ? { country: p.countryCode } : {}),
    ...(p.kind === 'CITY' ? { city: p.name } : {}),
    ...(p.latitude !== null && p.longitude !== null ? { latitude: p.latitude, longitude: p.longitude } : {}),
    ...(p.geoPrecision && STIX_PRECISION_METERS[p.geoPrecision] ? { precision: STIX_PRECISION_METERS[p.geoPrecision] } : {}),
    extensions: {
      [EXTENSION_ID]: {
        extension_type: 'property-extension',
        record: 'place',
        slug: p.slug,
        kind: p.kind,
        parent: p.parent,
        parent_ref: p.parent ? stixId('location', `place:${p.parent}`) : null,
        country_code: p.ownCode,
        region: p.ownRegion,
        latitude: p.latitude,
        longitude: p.longitude,
        geo_precision: p.geoPrecision,
        gazetteer: p.gazetteer,
      },
    },
  };
}

interface SourceRow {
  slug: string;
  title: string | null;
  publisher: string;
  author: string | null;
  url: string | null;
  publishedText: string | null;
  publishedEarliest: string | null;
  publishedLatest: string | null;
  publishedPrecision: string | null;
  reliability: string | null;
  text: string;
  textSha256: string;
  createdAt: string;
}

function sourceObject(s: SourceRow): StixObject {
  return {
    type: 'artifact',
    spec_version: '2.1',
    id: sourceArtifactId(s.textSha256),
    mime_type: 'text/plain',
    payload_bin: Buffer.from(s.text, 'utf8').toString('base64'),
    hashes: { 'SHA-256': s.textSha256 },
    extensions: {
      [EXTENSION_ID]: {
        extension_type: 'property-extension',
        record: 'source',
        slug: s.slug,
        title: s.title,
        publisher: s.publisher,
        author: s.author,
        url: s.url,
        published: { text: s.publishedText, earliest: s.publishedEarliest, latest: s.publishedLatest, precision: s.publishedPrecision },
        ...(s.reliability ? { reliability: s.reliability } : {}),
      },
    },
  };
}

/** Rows of a statement through the session's cursor, each turned into STIX objects. */
async function* objectsOf<T>(session: ExportSession, query: SQL, toObjects: (row: T) => StixObject[], batch = EVENT_BATCH): AsyncGenerator<StixObject[]> {
  for await (const rows of session.cursor<T>(query, batch)) yield rows.flatMap(toObjects);
}

/** Each source slug's artifact id, for the extension's source_ref (the artifact id needs its hash). */
async function sourceArtifactIds(session: ExportSession): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for await (const rows of session.cursor<{ slug: string; sha: string }>(sql`select slug, text_sha256 as sha from sources`, 5000)) {
    for (const row of rows) ids.set(row.slug, sourceArtifactId(row.sha));
  }
  return ids;
}

export async function* stixChunks(session: ExportSession, query: ExportQuery, url: URL): AsyncGenerator<string> {
  // The bundle's id is the request's: the same parameters give the same bundle id.
  const bundleId = stixId('bundle', `bundle:${url.pathname}?${[...url.searchParams].map(([k, v]) => `${k}=${v}`).sort().join('&')}`);
  yield `{"type":"bundle","id":"${bundleId}","objects":[`;
  let first = true;
  const emit = (objects: StixObject[]) => {
    if (objects.length === 0) return '';
    const text = (first ? '' : ',') + objects.map((o) => JSON.stringify(o)).join(',');
    first = false;
    return text;
  };
  yield emit(projectObjects());
  const referenced: Referenced = { actors: new Set(), places: new Set(), sources: new Set() };
  const sourceIds = await sourceArtifactIds(session);
  // Actor ids depend on their kind (threat-actor or identity): kinds first, a small map.
  const actorIds = new Map<string, string>();
  for await (const rows of session.cursor<{ slug: string; kind: string }>(sql`select slug, kind from ${actorsAt(query.view, 'a')}`, 5000)) {
    for (const row of rows) actorIds.set(row.slug, stixId(actorTypeOf(row.kind), actorKey(row.slug)));
  }

  for await (const objects of objectsOf<EventRecord>(session, eventRecordsQuery(query), (e) => eventObjects(e, actorIds, referenced, sourceIds))) {
    yield emit(objects);
  }

  const actorSlugs = () => [...referenced.actors];
  const actorsInBundle = new Set<string>();
  for await (const objects of objectsOf<ActorRow>(session, actorsQuery(query, actorSlugs()), (a) => {
    actorsInBundle.add(a.slug);
    return [actorObject(a, referenced, sourceIds)];
  })) {
    yield emit(objects);
  }
  const inBundle = [...actorsInBundle];

  type RelationshipRow = { type: string; from: string; fromKind: string; to: string; toKind: string; claim: ClaimRecord } & ValidTimeRow;
  for await (const objects of objectsOf<RelationshipRow>(session, relationshipsQuery(query, inBundle), (r) => {
    const key = r.claim.key ?? `claim:${r.claim.id}`;
    return [{
      type: 'relationship',
      id: stixId('relationship', key),
      ...claimed(r.claim, null, {
        record: 'relationship',
        type: r.type,
        from: r.from,
        to: r.to,
        ...validTimeRecord(r),
      }, referenced, sourceIds),
      relationship_type: stixWord(r.type),
      source_ref: stixId(actorTypeOf(r.fromKind), actorKey(r.from)),
      target_ref: stixId(actorTypeOf(r.toKind), actorKey(r.to)),
      // STIX start/stop times are instants: the first day the start may fall on, the day after the last day the end may.
      ...(r.startEarliest ? { start_time: dayStart(r.startEarliest) } : {}),
      ...(r.endLatest ? { stop_time: dayAfter(r.endLatest) } : {}),
    }];
  })) {
    yield emit(objects);
  }

  // An actor's names in other languages: STIX has no object for them, so each is a note on the
  // actor (its text the name), the claim and its citations in the extension.
  type ActorNameRow = { actor: string; actorKind: string; name: string; language: string; script: string | null; claim: ClaimRecord };
  for await (const objects of objectsOf<ActorNameRow>(session, actorNamesQuery(query, inBundle), (n) => {
    const key = n.claim.key ?? `claim:${n.claim.id}`;
    return [{
      type: 'note',
      id: stixId('note', key),
      ...claimed(n.claim, null, { record: 'actor-name', actor: n.actor, name: n.name, language: n.language, script: n.script }, referenced, sourceIds),
      abstract: `Also called ${n.name} (${n.language}${n.script ? `, ${n.script}` : ''})`,
      content: n.name,
      lang: n.language,
      object_refs: [stixId(actorTypeOf(n.actorKind), actorKey(n.actor))],
    }];
  })) {
    yield emit(objects);
  }

  const doctrinesNamed = new Set<string>();
  type AdherenceRow = { actor: string; actorKind: string; doctrine: string; claim: ClaimRecord } & ValidTimeRow;
  for await (const objects of objectsOf<AdherenceRow>(session, adherencesQuery(query, inBundle), (a) => {
    doctrinesNamed.add(a.doctrine);
    const key = a.claim.key ?? `claim:${a.claim.id}`;
    return [{
      type: 'relationship',
      id: stixId('relationship', key),
      ...claimed(a.claim, null, { record: 'adherence', actor: a.actor, doctrine: a.doctrine, ...validTimeRecord(a) }, referenced, sourceIds),
      relationship_type: 'adheres-to',
      source_ref: stixId(actorTypeOf(a.actorKind), actorKey(a.actor)),
      target_ref: stixId('identity', `doctrine:${a.doctrine}`),
    }];
  })) {
    yield emit(objects);
  }

  type DoctrineRow = { slug: string; name: string; description: string | null; parent: string | null; claim: ClaimRecord };
  for await (const objects of objectsOf<DoctrineRow>(session, doctrinesQuery(query, [...doctrinesNamed]), (d) => [{
    type: 'identity',
    id: stixId('identity', `doctrine:${d.slug}`),
    ...claimed(d.claim, null, {
      record: 'doctrine',
      slug: d.slug,
      parent: d.parent,
      parent_ref: d.parent ? stixId('identity', `doctrine:${d.parent}`) : null,
    }, referenced, sourceIds),
    name: d.name,
    ...(d.description ? { description: d.description } : {}),
    identity_class: 'class',
  }])) {
    yield emit(objects);
  }

  for await (const objects of objectsOf<PlaceRow>(session, placesQuery(query, [...referenced.places]), (p) => [placeObject(p)])) {
    yield emit(objects);
  }
  // Sources last: every quote in the bundle has named its source by now.
  for await (const objects of objectsOf<SourceRow>(session, sourcesQuery([...referenced.sources]), (s) => [sourceObject(s)], 20)) {
    yield emit(objects);
  }
  yield ']}\n';
}

/** sha256 of a text as the sources table stores it (hex of its UTF-8 bytes). */
export const textSha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
