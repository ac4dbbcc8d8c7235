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
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../db/client.ts';
import { actorKind, auditLog, datePrecision, eventKind, participationRole, placeKind, relationshipType } from '../db/schema.ts';

/** The extension's name in the bundle's extension-definition: how this importer finds its data. */
const EXTENSION_NAME = 'Militant movements knowledge graph record';

const slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
const day = z.iso.date().nullable();
const fuzzyDate = z.object({ text: z.string().nullable(), earliest: day, latest: day, precision: z.enum(datePrecision.enumValues) });
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
    published: z.object({ text: z.string().nullable(), earliest: day, latest: day, precision: z.enum(datePrecision.enumValues).nullable() }),
  }),
  z.object({ record: z.literal('place'), slug, kind: z.enum(placeKind.enumValues), parent: slug.nullable(), country_code: z.string().regex(/^[A-Z]{2}$/).nullable(), region: z.string().nullable() }),
  z.object({ record: z.literal('doctrine'), slug, parent: slug.nullable(), ...claimed }),
  z.object({ record: z.literal('actor'), slug, kind: z.enum(actorKind.enumValues), home_country: slug.nullable(), aliases: z.array(z.string()).optional(), ...claimed }),
  z.object({
    record: z.literal('event'),
    slug,
    kind: z.enum(eventKind.enumValues),
    date: fuzzyDate,
    place: slug.nullable(),
    killed: range,
    wounded: range,
    ...claimed,
  }),
  z.object({ record: z.literal('event-place'), event: slug, place: slug }),
  z.object({ record: z.literal('participation'), event: slug, actor: slug, role: z.enum(participationRole.enumValues), attributed_by: slug.nullable(), ...claimed }),
  z.object({ record: z.literal('relationship'), type: z.enum(relationshipType.enumValues), from: slug, to: slug, period: fuzzyDate.nullable(), ...claimed }),
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
    const sha256 = text === null ? null : createHash('sha256').update(text, 'utf8').digest('hex');
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
        const text = texts.get(data.slug)?.text ?? '';
        const [row] = await tx.execute<{ id: number }>(sql`
          insert into sources (slug, title, publisher, author, url, published_text, published_earliest, published_latest, published_precision, text, text_sha256)
          values (${data.slug}, ${data.title}, ${data.publisher}, ${data.author}, ${data.url}, ${data.published.text}, ${data.published.earliest},
                  ${data.published.latest}, ${data.published.precision}, ${text}, ${texts.get(data.slug)?.sha256 ?? ''})
          returning id`);
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
        const parentId = data.parent ? must(placeIds, 'place', data.parent, at) : null;
        const countryId = data.kind === 'COUNTRY' ? null : data.parent ? (placeCountry.get(data.parent) ?? null) : null;
        const [row] = await tx.execute<{ id: number; country_id: number | null }>(sql`
          insert into places (slug, name, kind, parent_id, country_id, country_code, region)
          values (${data.slug}, ${object.name ?? data.slug}, ${data.kind}, ${parentId}, ${countryId}, ${data.country_code}, ${data.region})
          returning id, country_id`);
        if (!row) throw new Error(`insert into places returned no row for ${data.slug}`);
        placeIds.set(data.slug, row.id);
        placeCountry.set(data.slug, row.country_id);
        created++;
      }

      /** A claim under its key with its citations; its id when new, null when the key was stored already. */
      const recordClaim = async (kind: string, data: { claim: z.infer<typeof claim>; citations: z.infer<typeof citation>[] }): Promise<number | null> => {
        const [inserted] = await tx.execute<{ id: number }>(sql`
          insert into claims (key, kind, confidence, note, recorded_at, recorded_by)
          values (${data.claim.key}, ${kind}::claim_kind, ${data.claim.confidence}, ${data.claim.note}, ${data.claim.recorded_at}::timestamptz, ${data.claim.recorded_by})
          on conflict (key) do nothing returning id`);
        if (!inserted) {
          unchanged++;
          return null;
        }
        for (const c of data.citations) {
          const sourceId = sourceIds.get(c.source);
          await tx.execute(sql`
            insert into citations (source_id, quote, start_offset, end_offset, prefix, suffix)
            values (${sourceId}, ${c.quote}, ${c.start}, ${c.end}, ${c.prefix}, ${c.suffix})
            on conflict (source_id, start_offset, end_offset) do nothing`);
          await tx.execute(sql`
            insert into claim_citations (claim_id, citation_id)
            select ${inserted.id}, id from citations where source_id = ${sourceId} and start_offset = ${c.start} and end_offset = ${c.end}
            on conflict do nothing`);
        }
        created++;
        return inserted.id;
      };

      const doctrineIds = await ids('doctrines');
      for (const { at, data, object } of parentsFirst(items.doctrine)) {
        const claimId = await recordClaim('DOCTRINE_DEFINITION', data);
        if (claimId === null) continue;
        const [row] = await tx.execute<{ id: number }>(sql`
          insert into doctrines (slug, name, description, parent_id, claim_id)
          values (${data.slug}, ${object.name ?? data.slug}, ${object.description ?? null},
                  ${data.parent ? must(doctrineIds, 'doctrine', data.parent, at) : null}, ${claimId})
          returning id`);
        if (row) doctrineIds.set(data.slug, row.id);
      }

      const actorIds = await ids('actors');
      for (const { at, data, object } of items.actor) {
        const claimId = await recordClaim('ACTOR_PROFILE', data);
        if (claimId === null) continue;
        const aliases = data.aliases ?? object.aliases ?? [];
        const [row] = await tx.execute<{ id: number }>(sql`
          insert into actors (slug, name, aliases, kind, description, home_country_id, claim_id)
          values (${data.slug}, ${object.name ?? data.slug}, ${sql.param(aliases)}::text[], ${data.kind}, ${object.description ?? null},
                  ${data.home_country ? must(placeIds, 'place', data.home_country, at) : null}, ${claimId})
          returning id`);
        if (row) actorIds.set(data.slug, row.id);
      }

      const eventIds = await ids('events');
      for (const { at, data, object } of items.event) {
        const claimId = await recordClaim('EVENT_REPORT', data);
        if (claimId === null) continue;
        const [row] = await tx.execute<{ id: number }>(sql`
          insert into events (slug, title, kind, description, date_text, date_earliest, date_latest, date_precision, place_id,
                              killed_min, killed_max, killed_text, wounded_min, wounded_max, wounded_text, claim_id)
          values (${data.slug}, ${object.name ?? data.slug}, ${data.kind}, ${object.description ?? null}, ${data.date.text}, ${data.date.earliest},
                  ${data.date.latest}, ${data.date.precision}, ${data.place ? must(placeIds, 'place', data.place, at) : null},
                  ${data.killed?.min ?? null}, ${data.killed?.max ?? null}, ${data.killed?.text ?? null},
                  ${data.wounded?.min ?? null}, ${data.wounded?.max ?? null}, ${data.wounded?.text ?? null}, ${claimId})
          returning id`);
        if (row) {
          eventIds.set(data.slug, row.id);
          createdEventIds.push(row.id);
        }
      }

      for (const { at, data } of items.adherence) {
        const claimId = await recordClaim('ADHERENCE', data);
        if (claimId === null) continue;
        await tx.execute(sql`insert into adherences (claim_id, actor_id, doctrine_id)
          values (${claimId}, ${must(actorIds, 'actor', data.actor, at)}, ${must(doctrineIds, 'doctrine', data.doctrine, at)})`);
      }
      for (const { at, data } of items.relationship) {
        const claimId = await recordClaim('RELATIONSHIP', data);
        if (claimId === null) continue;
        await tx.execute(sql`insert into relationships (claim_id, type, from_actor_id, to_actor_id, period_text, period_start, period_end, period_precision)
          values (${claimId}, ${data.type}, ${must(actorIds, 'actor', data.from, at)}, ${must(actorIds, 'actor', data.to, at)},
                  ${data.period?.text ?? null}, ${data.period?.earliest ?? null}, ${data.period?.latest ?? null}, ${data.period?.precision ?? null})`);
      }
      for (const { at, data } of items.participation) {
        const claimId = await recordClaim('PARTICIPATION', data);
        if (claimId === null) continue;
        await tx.execute(sql`insert into participations (claim_id, event_id, actor_id, role, attributed_by_id)
          values (${claimId}, ${must(eventIds, 'event', data.event, at)}, ${must(actorIds, 'actor', data.actor, at)}, ${data.role},
                  ${data.attributed_by ? must(actorIds, 'actor', data.attributed_by, at) : null})`);
      }
      if (created > 0 && !options.dryRun) {
        await tx.insert(auditLog).values({
          principal: `import:${fileName}`,
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
