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
import { auditLog } from '../db/schema.ts';
import { filePrincipal, KnowledgeFileError } from '../domain/knowledge/load.ts';
import { exportedRecordSchema, restoreRecords, type ExportedRecord, type RestoreItem, type RestoreItems } from '../domain/knowledge/records.ts';
import { ATTRIBUTION_RULE, attributionHolds } from '../domain/participations/attribution.ts';
import { SIDE_RULE, sideHolds } from '../domain/events/dyads.ts';
import { sha256Hex } from '../domain/sources/sources.ts';
import { aliasesSchema } from '../domain/actors/actors.ts';
import { freeTextSchema, nameSchema, TEXT_LIMITS, textProblem } from '../domain/limits.ts';

/** The extension's name in the bundle's extension-definition: how this importer finds its data. */
const EXTENSION_NAME = 'Militant movements knowledge graph record';

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

class DryRun extends Error {}

/** The textual part of objects: names and descriptions STIX carries outside the extension. */
interface Described {
  name?: string;
  description?: string;
  aliases?: string[];
  payload_bin?: string;
  hashes?: Record<string, string>;
}

const describedSchema = z.looseObject({ name: nameSchema.optional(), description: freeTextSchema.optional(), aliases: aliasesSchema.optional() });

export async function importStixBundle(db: Database, fileName: string, raw: unknown, options: { dryRun?: boolean } = {}): Promise<StixImportReport> {
  const refuse = (problems: string[]): StixImportReport => ({ ok: false, problems, created: 0, unchanged: 0, skipped: 0, createdEventIds: [] });
  const parsed = bundleSchema.safeParse(raw);
  if (!parsed.success) return refuse(parsed.error.issues.map((i) => `${i.path.join('.') || 'bundle'}: ${i.message}`));
  const objects = parsed.data.objects;
  const extensionId = objects.find((o) => o.type === 'extension-definition' && o.name === EXTENSION_NAME)?.id;
  if (!extensionId) return refuse([`bundle: no extension-definition named "${EXTENSION_NAME}"; this importer reads bundles exported by /export/stix`]);

  const problems: string[] = [];
  let skipped = 0;
  /** Each source's artifact (its text travels base64 in payload_bin), by its place in the bundle. */
  const artifacts = new Map<string, Described>();
  const items: RestoreItems = {
    source: [], place: [], doctrine: [], actor: [], event: [], 'event-place': [], participation: [], relationship: [], adherence: [], 'actor-name': [],
  };
  objects.forEach((object, i) => {
    const extension = object.extensions?.[extensionId];
    if (extension === undefined) {
      if (object.id !== extensionId && object.type !== 'identity') skipped++;
      return;
    }
    const result = exportedRecordSchema.safeParse(extension);
    if (!result.success) {
      for (const issue of result.error.issues) problems.push(`objects[${i}] (${object.id}): ${[...issue.path].join('.') || 'extension'}: ${issue.message}`);
      return;
    }
    const data = result.data;
    if (data.record === 'participation' && !attributionHolds(data.role, data.attributed_by)) {
      problems.push(`objects[${i}] (${object.id}): attributed_by: ${ATTRIBUTION_RULE}`);
      return;
    }
    if (data.record === 'participation' && !sideHolds(data.role, data.side)) {
      problems.push(`objects[${i}] (${object.id}): side: ${SIDE_RULE}`);
      return;
    }
    if ('claim' in data && data.claim.retracted_at !== null) {
      skipped++;
      return;
    }
    // Names, descriptions and aliases travel outside the extension: held to the rules of every
    // other write here, since a NUL among them failed the insert with a PostgreSQL error.
    const checked = describedSchema.safeParse(object);
    if (!checked.success) {
      for (const issue of checked.error.issues) problems.push(`objects[${i}] (${object.id}): ${[...issue.path].join('.')}: ${issue.message}`);
      return;
    }
    const described = object as Described;
    const at = `objects[${i}]`;
    if (data.record === 'source') artifacts.set(at, described);
    (items[data.record] as RestoreItem<ExportedRecord['record']>[]).push({ at, data, name: described.name, description: described.description, aliases: described.aliases });
  });

  // Sources: the text from the artifact, which must hash to what it says.
  const texts = new Map<string, { text: string; points: string[]; sha256: string }>();
  for (const { at, data } of items.source) {
    const object = artifacts.get(at) ?? {};
    const text = typeof object.payload_bin === 'string' ? Buffer.from(object.payload_bin, 'base64').toString('utf8') : null;
    const sha256 = text === null ? null : sha256Hex(text);
    if (text === null || sha256 !== object.hashes?.['SHA-256']) {
      problems.push(`${at}: source "${data.slug}": the payload is missing or does not hash to its SHA-256`);
      continue;
    }
    const problem = textProblem(text, TEXT_LIMITS.sourceTextFile);
    if (problem) {
      problems.push(`${at}: source "${data.slug}": the text ${problem}`);
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
  const claimedItems = [...items.doctrine, ...items.actor, ...items.event, ...items.participation, ...items.relationship, ...items.adherence, ...items['actor-name']];
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
  const principal = filePrincipal(`import:${fileName}`);
  try {
    await db.transaction(async (tx) => {
      const restored = await restoreRecords(tx, principal, { fileName, items, texts: new Map([...texts].map(([slugName, t]) => [slugName, t.text])) });
      created = restored.created;
      unchanged = restored.unchanged;
      createdEventIds.push(...restored.createdEventIds);
      if (created > 0 && !options.dryRun) {
        await tx.insert(auditLog).values({
          principal: principal.name,
          operation: 'import',
          details: { file: fileName, format: 'stix-2.1', bundle: parsed.data.id, created, unchanged, events: createdEventIds.length },
        });
      }
      if (options.dryRun) throw new DryRun();
    });
  } catch (error) {
    if (error instanceof KnowledgeFileError) return refuse(error.problems);
    if (!(error instanceof DryRun)) throw error;
    return { ok: true, problems: [], created, unchanged, skipped, createdEventIds: [] };
  }
  return { ok: true, problems: [], created, unchanged, skipped, createdEventIds };
}
