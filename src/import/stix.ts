/**
 * Imports a STIX 2.1 bundle written by /export/stix (src/graphql/export/stix.ts): the project's
 * property extension on each object carries the record behind it (slug, fields, the claim's key,
 * confidence, note, who recorded it and when, and its citations with code-point offsets), and
 * each source travels as an artifact with its full text and SHA-256. So an empty instance gets
 * back the same sources, places, doctrines, actors, events, claims and citations, at the same
 * offsets. Objects without the extension (from other tools) are not this importer's business and
 * are counted as skipped, as are retracted claims (a retraction needs its own cited claim).
 *
 * Like the knowledge-file import: everything is checked before anything is written, problems are
 * named by their place in the bundle (`objects[12]`), the write is one transaction, and claims are
 * keyed, so importing the same bundle again changes nothing.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../db/client.ts';
import { actors, adherences, auditLog, doctrines, events, participations, places, relationships, sources } from '../db/schema.ts';
import { recordKeyedClaim, type ClaimKind } from '../domain/claims/record.ts';
import { eventDateColumns, periodColumns } from '../domain/dates.ts';
import { casualtyColumns } from '../domain/events/events.ts';
import { filePrincipal } from '../domain/knowledge/load.ts';
import { slugSchema } from '../domain/limits.ts';
import { ATTRIBUTION_RULE, attributionHolds } from '../domain/participations/attribution.ts';
import { placeRow } from '../domain/places/places.ts';
import { storeCitation } from '../domain/sources/citations.ts';
import { sha256Hex, sourceRow } from '../domain/sources/sources.ts';
import { actorKindValues, datePrecisionValues, eventKindValues, participationRoleValues, placeKindValues, relationshipTypeValues } from '../domain/vocabulary.ts';

/** The extension's name in the bundle's extension-definition: how this importer finds its data. */
const EXTENSION_NAME = 'Militant movements knowledge graph record';

const slug = slugSchema;
const day = z.iso.date().nullable();
const fuzzyDate = z.object({ text: z.string().nullable(), earliest: day, latest: day, precision: z.enum(datePrecisionValues) });
const range = z.object({ min: z.number().int().min(0), max: z.number().int().min(0).nullable(), text: z.string().nullable() }).nullable();
const claim = z.object({
  key: z.string().min(1),
  confidence: z.number().int().min(0).max(100),
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
const claimed = { claim, citations: z.array(citation).min(1, 'a claim needs at least one citation') };

const records = z.discriminatedUnion('record', [
  z.object({
    record: z.literal('source'),
    slug,
    title: z.string().nullable(),
    publisher: z.string().min(1),
    author: z.string().nullable(),
    url: z.string().nullable(),
    published: z.object({ text: z.string().nullable(), earliest: day, latest: day, precision: z.enum(datePrecisionValues).nullable() }),
  }),
  z.object({ record: z.literal('place'), slug, kind: z.enum(placeKindValues), parent: slug.nullable(), country_code: z.string().regex(/^[A-Z]{2}$/).nullable(), region: z.string().nullable() }),
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
  z.object({ record: z.literal('participation'), event: slug, actor: slug, role: z.enum(participationRoleValues), attributed_by: slug.nullable(), ...claimed }),
  z.object({ record: z.literal('relationship'), type: z.enum(relationshipTypeValues), from: slug, to: slug, period: fuzzyDate.nullable(), ...claimed }),
  z.object({ record: z.literal('adherence'), actor: slug, doctrine: slug, ...claimed }),
]);
type Record_ = z.infer<typeof records>;
type Of<K extends Record_['record']> = Extract<Record_, { record: K }>;

const stixObject = z.looseObject({ type: z.string(), id: z.string(), extensions: z.record(z.string(), z.unknown()).optional() });
const bundleSchema = z.looseObject({ type: z.literal('bundle'), id: z.string(), objects: z.array(stixObject) });

export interface StixImportReport {
  ok: boolean;
  problems: string[];
  created: number;
  unchanged: number;
  /** Objects not imported: without the project's extension, or resting on a retracted claim. */
  skipped: number;
  createdEventIds: number[];
}

class Refused extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}
class DryRun extends Error {}

/** Only for the textual part of objects: names and descriptions STIX carries outside the extension. */
interface Described {
  name?: string;
  description?: string;
  aliases?: string[];
}

interface Item<K extends Record_['record']> {
  at: string;
  data: Of<K>;
  object: Described & { payload_bin?: string; hashes?: Record<string, string> };
}

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

export async function importStixBundle(db: Database, fileName: string, raw: unknown, options: { dryRun?: boolean } = {}): Promise<StixImportReport> {
  const refuse = (problems: string[]): StixImportReport => ({ ok: false, problems, created: 0, unchanged: 0, skipped: 0, createdEventIds: [] });
  const parsed = bundleSchema.safeParse(raw);
  if (!parsed.success) return refuse(parsed.error.issues.map((i) => `${i.path.join('.') || 'bundle'}: ${i.message}`));
  const objects = parsed.data.objects;
  const extensionId = objects.find((o) => o.type === 'extension-definition' && o.name === EXTENSION_NAME)?.id;
  if (!extensionId) return refuse([`bundle: no extension-definition named "${EXTENSION_NAME}"; this importer reads bundles exported by /export/stix`]);

  const problems: string[] = [];
  let skipped = 0;
  const items: { [K in Record_['record']]: Item<K>[] } = {
    source: [], place: [], doctrine: [], actor: [], event: [], 'event-place': [], participation: [], relationship: [], adherence: [],
  };
  objects.forEach((object, i) => {
    const extension = object.extensions?.[extensionId];
    if (extension === undefined) {
      if (object.id !== extensionId && object.type !== 'identity') skipped++;
      return;
    }
    const result = records.safeParse(extension);
    if (!result.success) {
      for (const issue of result.error.issues) problems.push(`objects[${i}] (${object.id}): ${[...issue.path].join('.') || 'extension'}: ${issue.message}`);
      return;
    }
    const data = result.data;
    if (data.record === 'participation' && !attributionHolds(data.role, data.attributed_by)) {
      problems.push(`objects[${i}] (${object.id}): attributed_by: ${ATTRIBUTION_RULE}`);
      return;
    }
    if ('claim' in data && data.claim.retracted_at !== null) {
      skipped++;
      return;
    }
    (items[data.record] as Item<typeof data.record>[]).push({ at: `objects[${i}]`, data, object: object as Item<'source'>['object'] });
  });

  // Sources: the text from the artifact, which must hash to what it says.
  const texts = new Map<string, { text: string; points: string[]; sha256: string }>();
  for (const { at, data, object } of items.source) {
    const text = typeof object.payload_bin === 'string' ? Buffer.from(object.payload_bin, 'base64').toString('utf8') : null;
    const sha256 = text === null ? null : sha256Hex(text);
    if (text === null || sha256 !== object.hashes?.['SHA-256']) {
      problems.push(`${at}: source "${data.slug}": the payload is missing or does not hash to its SHA-256`);
      continue;
    }
    texts.set(data.slug, { text, points: Array.from(text), sha256 });
  }
  const stored = new Map(
    (await db.execute<{ slug: string; text: string; sha: string }>(sql`select slug, text, text_sha256 as sha from sources`)).map((r) => [r.slug, r]),
  );
  for (const [slugName, source] of texts) {
    const existing = stored.get(slugName);
    if (existing && existing.sha !== source.sha256) problems.push(`source "${slugName}" is stored with another text (sha256 ${existing.sha}); its citations would no longer match`);
  }
  const textOf = (slugName: string) => texts.get(slugName) ?? (stored.has(slugName) ? { points: Array.from(stored.get(slugName)?.text ?? '') } : undefined);

  // Every quote must be its source's text at its offsets (the database checks again on insert).
  const claimedItems = [...items.doctrine, ...items.actor, ...items.event, ...items.participation, ...items.relationship, ...items.adherence];
  for (const { at, data } of claimedItems) {
    if (!('citations' in data)) continue;
    data.citations.forEach((c, j) => {
      const source = textOf(c.source);
      if (!source) problems.push(`${at}: citations[${j}]: source "${c.source}" is neither in the bundle nor stored`);
      else if (source.points.slice(c.start, c.end).join('') !== c.quote) problems.push(`${at}: citations[${j}]: the quote is not the text of "${c.source}" at [${c.start}, ${c.end})`);
    });
  }
  if (problems.length > 0) return refuse(problems);

  let created = 0;
  let unchanged = 0;
  const createdEventIds: number[] = [];
  try {
    await db.transaction(async (tx) => {
      const ids = async (table: string) =>
        new Map((await tx.execute<{ slug: string; id: number }>(sql`select slug, id from ${sql.identifier(table)}`)).map((r) => [r.slug, r.id]));
      const must = (map: Map<string, number>, what: string, key: string, at: string) => {
        const id = map.get(key);
        if (id === undefined) throw new Refused([`${at}: ${what} "${key}" is neither in the bundle nor stored`]);
        return id;
      };

      const sourceIds = await ids('sources');
      for (const { data } of items.source) {
        if (sourceIds.has(data.slug)) {
          unchanged++;
          continue;
        }
        const [row] = await tx
          .insert(sources)
          .values(sourceRow({ ...data, text: texts.get(data.slug)?.text ?? '' }))
          .returning({ id: sources.id });
        if (row) sourceIds.set(data.slug, row.id);
        created++;
      }

      const placeIds = await ids('places');
      const placeCountry = new Map(
        (await tx.execute<{ slug: string; country_id: number | null }>(sql`select slug, country_id from places`)).map((r) => [r.slug, r.country_id]),
      );
      for (const { at, data, object } of parentsFirst(items.place)) {
        if (placeIds.has(data.slug)) {
          unchanged++;
          continue;
        }
        const parent = data.parent ? { id: must(placeIds, 'place', data.parent, at), countryId: placeCountry.get(data.parent) ?? null } : null;
        const [row] = await tx
          .insert(places)
          .values(placeRow({ slug: data.slug, name: object.name ?? data.slug, kind: data.kind, countryCode: data.country_code, region: data.region }, parent))
          .returning({ id: places.id, countryId: places.countryId });
        if (!row) throw new Error(`insert into places returned no row for ${data.slug}`);
        placeIds.set(data.slug, row.id);
        placeCountry.set(data.slug, row.countryId);
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
          if (sourceId === undefined) throw new Refused([`source "${c.source}" is neither in the bundle nor stored`]);
          citationIds.push(await storeCitation(tx, sourceId, { quote: c.quote, startOffset: c.start, endOffset: c.end, prefix: c.prefix, suffix: c.suffix }));
        }
        const recorded = await recordKeyedClaim(tx, data.claim.key, {
          kind,
          confidence: data.claim.confidence,
          note: data.claim.note,
          recordedAt: data.claim.recorded_at,
          recordedBy: data.claim.recorded_by,
          citationIds,
        });
        created++;
        return recorded.claimId;
      };

      const doctrineIds = await ids('doctrines');
      for (const { at, data, object } of parentsFirst(items.doctrine)) {
        const claimId = await recordClaim('DOCTRINE_DEFINITION', data);
        if (claimId === null) continue;
        const [row] = await tx
          .insert(doctrines)
          .values({
            slug: data.slug,
            name: object.name ?? data.slug,
            description: object.description ?? null,
            parentId: data.parent ? must(doctrineIds, 'doctrine', data.parent, at) : null,
            claimId,
          })
          .returning({ id: doctrines.id });
        if (row) doctrineIds.set(data.slug, row.id);
      }

      const actorIds = await ids('actors');
      for (const { at, data, object } of items.actor) {
        const claimId = await recordClaim('ACTOR_PROFILE', data);
        if (claimId === null) continue;
        const [row] = await tx
          .insert(actors)
          .values({
            slug: data.slug,
            name: object.name ?? data.slug,
            aliases: data.aliases ?? object.aliases ?? [],
            kind: data.kind,
            description: object.description ?? null,
            homeCountryId: data.home_country ? must(placeIds, 'place', data.home_country, at) : null,
            claimId,
          })
          .returning({ id: actors.id });
        if (row) actorIds.set(data.slug, row.id);
      }

      const eventIds = await ids('events');
      for (const { at, data, object } of items.event) {
        const claimId = await recordClaim('EVENT_REPORT', data);
        if (claimId === null) continue;
        const [row] = await tx
          .insert(events)
          .values({
            slug: data.slug,
            title: object.name ?? data.slug,
            kind: data.kind,
            description: object.description ?? null,
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

      for (const { at, data } of items.adherence) {
        const claimId = await recordClaim('ADHERENCE', data);
        if (claimId === null) continue;
        await tx.insert(adherences).values({ claimId, actorId: must(actorIds, 'actor', data.actor, at), doctrineId: must(doctrineIds, 'doctrine', data.doctrine, at) });
      }
      for (const { at, data } of items.relationship) {
        const claimId = await recordClaim('RELATIONSHIP', data);
        if (claimId === null) continue;
        await tx.insert(relationships).values({
          claimId,
          type: data.type,
          fromActorId: must(actorIds, 'actor', data.from, at),
          toActorId: must(actorIds, 'actor', data.to, at),
          ...periodColumns(data.period),
        });
      }
      for (const { at, data } of items.participation) {
        const claimId = await recordClaim('PARTICIPATION', data);
        if (claimId === null) continue;
        await tx.insert(participations).values({
          claimId,
          eventId: must(eventIds, 'event', data.event, at),
          actorId: must(actorIds, 'actor', data.actor, at),
          role: data.role,
          attributedById: data.attributed_by ? must(actorIds, 'actor', data.attributed_by, at) : null,
        });
      }
      if (created > 0 && !options.dryRun) {
        await tx.insert(auditLog).values({
          principal: filePrincipal(`import:${fileName}`).name,
          operation: 'import',
          details: { file: fileName, format: 'stix-2.1', bundle: parsed.data.id, created, unchanged, events: createdEventIds.length },
        });
      }
      if (options.dryRun) throw new DryRun();
    });
  } catch (error) {
    if (error instanceof Refused) return refuse(error.problems);
    if (!(error instanceof DryRun)) throw error;
    return { ok: true, problems: [], created, unchanged, skipped, createdEventIds: [] };
  }
  return { ok: true, problems: [], created, unchanged, skipped, createdEventIds };
}
