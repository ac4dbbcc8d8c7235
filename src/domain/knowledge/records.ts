/**
 * Records as /export/stix exports them (src/graphql/export/stix.ts puts one in each object's
 * extension): a source, place, doctrine, actor, event or claim with its stable key, who recorded it
 * and when, and its citations at code-point offsets. Restoring them writes the same records back,
 * the claims under the same keys, so restoring the same records again changes nothing.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { actorNames, actors, adherences, doctrines, events, participations, places, relationships, sources } from '../../db/schema.ts';
import { recordKeyedClaim, type ClaimKind } from '../claims/record.ts';
import { eventDateColumns, validTimeColumns, type FuzzyDate } from '../dates.ts';
import { CASUALTY_CATEGORIES } from '../../db/casualties.ts';
import { casualtyColumns } from '../events/events.ts';
import { slugSchema } from '../limits.ts';
import { actorNameFields } from '../names/names.ts';
import { coordinatesSchema } from '../places/location.ts';
import { placeParentProblem, placeRow, type PlaceKind } from '../places/places.ts';
import type { Principal, Tx } from '../service.ts';
import { storeCitation } from '../sources/citations.ts';
import { sourceRow } from '../sources/sources.ts';
import { actorKindValues, datePrecisionValues, dyadSideValues, eventKindValues, participationRoleValues, placeKindValues, relationshipTypeValues, sourceReliabilityValues } from '../vocabulary.ts';
import { KnowledgeFileError } from './load.ts';

const slug = slugSchema;
const day = z.iso.date().nullable();
const fuzzyDate = z.object({ text: z.string().nullable(), earliest: day, latest: day, precision: z.enum(datePrecisionValues) });
const part = z.object({
  category: z.enum(CASUALTY_CATEGORIES),
  low: z.number().int().min(0),
  best: z.number().int().min(0).nullable(),
  high: z.number().int().min(0).nullable(),
  text: z.string().nullable(),
});
// best and parts are absent from exports made before casualty estimates had them.
const range = z
  .object({
    min: z.number().int().min(0),
    best: z.number().int().min(0).nullable().optional(),
    max: z.number().int().min(0).nullable(),
    text: z.string().nullable(),
    parts: z.array(part).optional(),
  })
  .nullable();
const claim = z.object({
  key: z.string().min(1),
  confidence: z.number().int().min(0).max(100),
  credibility: z.number().int().min(1).max(6).nullable().optional(),
  note: z.string().nullable(),
  recorded_at: z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'not a timestamp'),
  recorded_by: z.string().min(1),
  retracted_at: z.string().nullable(),
});
const citation = z.object({
  source: slug,
  quote: z.string().min(1),
  start: z.number().int().min(0),
  end: z.number().int().min(1),
  prefix: z.string(),
  suffix: z.string(),
});
const validTime = { start: fuzzyDate.nullable().optional(), end: fuzzyDate.nullable().optional() };
const claimed = { claim, citations: z.array(citation).min(1, 'a claim needs at least one citation') };

export const exportedRecordSchema = z.discriminatedUnion('record', [
  z.object({
    record: z.literal('source'),
    slug,
    title: z.string().nullable(),
    publisher: z.string().min(1),
    author: z.string().nullable(),
    url: z.string().nullable(),
    published: z.object({ text: z.string().nullable(), earliest: day, latest: day, precision: z.enum(datePrecisionValues).nullable() }),
    reliability: z.enum(sourceReliabilityValues).nullable().optional(),
  }),
  z
    .object({
      record: z.literal('place'), slug, kind: z.enum(placeKindValues), parent: slug.nullable(), country_code: z.string().regex(/^[A-Z]{2}$/).nullable(), region: z.string().nullable(),
      // Absent in bundles written before places had coordinates.
      latitude: coordinatesSchema.shape.latitude.nullish(),
      longitude: coordinatesSchema.shape.longitude.nullish(),
      geo_precision: coordinatesSchema.shape.precision.nullish(),
      gazetteer: z.string().nullish(),
    })
    .refine((p) => (p.latitude == null) === (p.longitude == null) && (p.latitude == null) === (p.geo_precision == null), {
      message: 'latitude, longitude and geo_precision are given together or not at all',
      path: ['latitude'],
    }),
  z.object({ record: z.literal('doctrine'), slug, parent: slug.nullable(), ...claimed }),
  z.object({ record: z.literal('actor'), slug, kind: z.enum(actorKindValues), home_country: slug.nullable(), aliases: z.array(z.string()).optional(), ...claimed }),
  z.object({
    record: z.literal('event'),
    slug,
    kind: z.enum(eventKindValues),
    date: fuzzyDate,
    place: slug.nullable(),
    killed: range,
    wounded: range,
    ...claimed,
  }),
  z.object({ record: z.literal('event-place'), event: slug, place: slug }),
  z.object({ record: z.literal('participation'), event: slug, actor: slug, role: z.enum(participationRoleValues), attributed_by: slug.nullable(), side: z.enum(dyadSideValues).nullable().optional(), ...claimed }),
  // `period` is how bundles exported before start and end named a relationship's time: both lay in it.
  z.object({ record: z.literal('relationship'), type: z.enum(relationshipTypeValues), from: slug, to: slug, period: fuzzyDate.nullable().optional(), ...validTime, ...claimed }),
  z.object({ record: z.literal('adherence'), actor: slug, doctrine: slug, ...validTime, ...claimed }),
  z.object({ record: z.literal('actor-name'), actor: slug, ...actorNameFields, ...claimed }),
]);
export type ExportedRecord = z.infer<typeof exportedRecordSchema>;
export type RecordOf<K extends ExportedRecord['record']> = Extract<ExportedRecord, { record: K }>;

/** A record to restore: where it stands in its file (for problems), and the text it carries beside it. */
export interface RestoreItem<K extends ExportedRecord['record']> {
  at: string;
  data: RecordOf<K>;
  name?: string | undefined;
  description?: string | undefined;
  aliases?: string[] | undefined;
}

export type RestoreItems = { [K in ExportedRecord['record']]: RestoreItem<K>[] };

export interface RestoreInput {
  fileName: string;
  items: RestoreItems;
  /** The texts of the sources restored, by slug (checked against their hashes by the caller). */
  texts: ReadonlyMap<string, string>;
}

export interface RestoreSummary {
  created: number;
  unchanged: number;
  createdEventIds: number[];
}

/** A record's start and end; an older bundle's one `period` is both (each lay in it). */
function recordedValidTime(data: { start?: FuzzyDate | null | undefined; end?: FuzzyDate | null | undefined; period?: FuzzyDate | null | undefined }) {
  return { start: data.start ?? data.period ?? null, end: data.end ?? data.period ?? null };
}

/** Orders records so that every parent comes before its children. */
function parentsFirst<T extends { data: { slug: string; parent: string | null } }>(items: T[]): T[] {
  const bySlug = new Map(items.map((i) => [i.data.slug, i]));
  const done = new Set<string>();
  const out: T[] = [];
  const visit = (item: T, depth = 0) => {
    if (done.has(item.data.slug) || depth > items.length) return;
    const parent = item.data.parent ? bySlug.get(item.data.parent) : undefined;
    if (parent) visit(parent, depth + 1);
    done.add(item.data.slug);
    out.push(item);
  };
  items.forEach((i) => visit(i));
  return out;
}

/**
 * Writes exported records in the caller's transaction; those whose claim key is stored already
 * are left as they are. Throws KnowledgeFileError when a record names one neither restored nor stored.
 */
export async function restoreRecords(tx: Tx, _principal: Principal, input: RestoreInput): Promise<RestoreSummary> {
  let created = 0;
  let unchanged = 0;
  const createdEventIds: number[] = [];
  const ids = async (table: string) =>
    new Map((await tx.execute<{ slug: string; id: number }>(sql`select slug, id from ${sql.identifier(table)}`)).map((r) => [r.slug, r.id]));
  const must = (map: Map<string, number>, what: string, key: string, at: string) => {
    const id = map.get(key);
    if (id === undefined) throw new KnowledgeFileError(input.fileName, [`${at}: ${what} "${key}" is neither in the bundle nor stored`]);
    return id;
  };

  const sourceIds = await ids('sources');
  for (const { data } of input.items.source) {
    if (sourceIds.has(data.slug)) {
      unchanged++;
      continue;
    }
    const [row] = await tx
      .insert(sources)
      .values(sourceRow({ ...data, text: input.texts.get(data.slug) ?? '' }))
      .returning({ id: sources.id });
    if (row) sourceIds.set(data.slug, row.id);
    created++;
  }

  const placeIds = await ids('places');
  const storedPlaces = await tx.execute<{ slug: string; country_id: number | null; kind: PlaceKind }>(sql`select slug, country_id, kind from places`);
  const placeCountry = new Map(storedPlaces.map((r) => [r.slug, r.country_id]));
  const placeKind = new Map(storedPlaces.map((r) => [r.slug, r.kind]));
  for (const item of parentsFirst(input.items.place)) {
    const { at, data } = item;
    if (placeIds.has(data.slug)) {
      unchanged++;
      continue;
    }
    const parent = data.parent ? { id: must(placeIds, 'place', data.parent, at), countryId: placeCountry.get(data.parent) ?? null } : null;
    // The rule createPlace holds, here for a bundle's places (parents come first, so each is known).
    const problem = placeParentProblem(data.kind, parent && { slug: data.parent!, kind: placeKind.get(data.parent!)!, inCountry: parent.countryId !== null });
    if (problem) throw new KnowledgeFileError(input.fileName, [`${at}: parent: ${problem}`]);
    const [row] = await tx
      .insert(places)
      .values(
        placeRow({ slug: data.slug, name: item.name ?? data.slug, kind: data.kind, countryCode: data.country_code, region: data.region }, parent, {
          latitude: data.latitude ?? null,
          longitude: data.longitude ?? null,
          geoPrecision: data.geo_precision ?? null,
          gazetteer: data.gazetteer ?? null,
        }),
      )
      .returning({ id: places.id, countryId: places.countryId });
    if (!row) throw new Error(`insert into places returned no row for ${data.slug}`);
    placeIds.set(data.slug, row.id);
    placeCountry.set(data.slug, row.countryId);
    placeKind.set(data.slug, data.kind);
    created++;
  }

  /**
   * A claim under its exported key, recorded when and by whom it first was, with its citations
   * at their exported offsets; its id when new, null when the key was stored already.
   */
  const recordClaim = async (kind: ClaimKind, data: { claim: z.infer<typeof claim>; citations: z.infer<typeof citation>[] }): Promise<number | null> => {
    const [stored] = await tx.execute<{ id: number }>(sql`select id from claims where key = ${data.claim.key}`);
    if (stored) {
      unchanged++;
      return null;
    }
    const citationIds: number[] = [];
    for (const c of data.citations) {
      const sourceId = sourceIds.get(c.source);
      if (sourceId === undefined) throw new KnowledgeFileError(input.fileName, [`source "${c.source}" is neither in the bundle nor stored`]);
      citationIds.push(await storeCitation(tx, sourceId, { quote: c.quote, startOffset: c.start, endOffset: c.end, prefix: c.prefix, suffix: c.suffix }));
    }
    const recorded = await recordKeyedClaim(tx, data.claim.key, {
      kind,
      confidence: data.claim.confidence,
      credibility: data.claim.credibility ?? null,
      note: data.claim.note,
      recordedAt: data.claim.recorded_at,
      recordedBy: data.claim.recorded_by,
      citationIds,
    });
    created++;
    return recorded.claimId;
  };

  const doctrineIds = await ids('doctrines');
  for (const item of parentsFirst(input.items.doctrine)) {
    const { at, data } = item;
    const claimId = await recordClaim('DOCTRINE_DEFINITION', data);
    if (claimId === null) continue;
    const [row] = await tx
      .insert(doctrines)
      .values({
        slug: data.slug,
        name: item.name ?? data.slug,
        description: item.description ?? null,
        parentId: data.parent ? must(doctrineIds, 'doctrine', data.parent, at) : null,
        claimId,
      })
      .returning({ id: doctrines.id });
    if (row) doctrineIds.set(data.slug, row.id);
  }

  const actorIds = await ids('actors');
  for (const item of input.items.actor) {
    const { at, data } = item;
    const claimId = await recordClaim('ACTOR_PROFILE', data);
    if (claimId === null) continue;
    const [row] = await tx
      .insert(actors)
      .values({
        slug: data.slug,
        name: item.name ?? data.slug,
        aliases: data.aliases ?? item.aliases ?? [],
        kind: data.kind,
        description: item.description ?? null,
        homeCountryId: data.home_country ? must(placeIds, 'place', data.home_country, at) : null,
        claimId,
      })
      .returning({ id: actors.id });
    if (row) actorIds.set(data.slug, row.id);
  }

  const eventIds = await ids('events');
  for (const item of input.items.event) {
    const { at, data } = item;
    const claimId = await recordClaim('EVENT_REPORT', data);
    if (claimId === null) continue;
    const [row] = await tx
      .insert(events)
      .values({
        slug: data.slug,
        title: item.name ?? data.slug,
        kind: data.kind,
        description: item.description ?? null,
        ...eventDateColumns(data.date),
        placeId: data.place ? must(placeIds, 'place', data.place, at) : null,
        ...casualtyColumns('killed', data.killed),
        ...casualtyColumns('wounded', data.wounded),
        claimId,
      })
      .returning({ id: events.id });
    if (row) {
      eventIds.set(data.slug, row.id);
      createdEventIds.push(row.id);
    }
  }

  for (const { at, data } of input.items.adherence) {
    const claimId = await recordClaim('ADHERENCE', data);
    if (claimId === null) continue;
    await tx.insert(adherences).values({
      claimId,
      actorId: must(actorIds, 'actor', data.actor, at),
      doctrineId: must(doctrineIds, 'doctrine', data.doctrine, at),
      ...validTimeColumns(recordedValidTime(data)),
    });
  }
  for (const { at, data } of input.items.relationship) {
    const claimId = await recordClaim('RELATIONSHIP', data);
    if (claimId === null) continue;
    await tx.insert(relationships).values({
      claimId,
      type: data.type,
      fromActorId: must(actorIds, 'actor', data.from, at),
      toActorId: must(actorIds, 'actor', data.to, at),
      ...validTimeColumns(recordedValidTime(data)),
    });
  }
  for (const { at, data } of input.items.participation) {
    const claimId = await recordClaim('PARTICIPATION', data);
    if (claimId === null) continue;
    await tx.insert(participations).values({
      claimId,
      eventId: must(eventIds, 'event', data.event, at),
      actorId: must(actorIds, 'actor', data.actor, at),
      role: data.role,
      attributedById: data.attributed_by ? must(actorIds, 'actor', data.attributed_by, at) : null,
      side: data.side ?? null,
    });
  }
  for (const { at, data } of input.items['actor-name']) {
    const claimId = await recordClaim('ACTOR_NAME', data);
    if (claimId === null) continue;
    await tx.insert(actorNames).values({ claimId, actorId: must(actorIds, 'actor', data.actor, at), name: data.name, language: data.language, script: data.script ?? null });
  }
  return { created, unchanged, createdEventIds };
}
