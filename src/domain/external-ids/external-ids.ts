/**
 * External identifiers: which record of Wikidata, ACLED, UCDP or the GTD an actor, place, event or
 * source is. Reference data about identity, not claims: each is checked against its scheme's
 * published form, identifies at most one record of each kind, and is only ever added. Imports look
 * records up by them, so importing a dataset twice finds its records instead of adding them again.
 */
import { and, eq, isNotNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { externalIds, externalIdScheme } from '../../db/schema.ts';
import { actorIdBySlug } from '../actors/lookup.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import { eventIdBySlug } from '../events/lookup.ts';
import { parseInput } from '../input.ts';
import { nameSchema, slugSchema } from '../limits.ts';
import { placeBySlug } from '../places/lookup.ts';
import type { Json, Principal, Tx } from '../service.ts';
import { sourceIdBySlug } from '../sources/lookup.ts';

export const externalIdSchemeValues = externalIdScheme.enumValues;
export type ExternalIdScheme = (typeof externalIdSchemeValues)[number];
export type IdentifiedKind = 'actor' | 'place' | 'event' | 'source';

/**
 * Each scheme's published form and the kinds of record it identifies. A dataset's row id names the
 * event and also the dataset-record source the row is stored as.
 */
export const EXTERNAL_ID_SCHEMES: Record<ExternalIdScheme, { kinds: readonly IdentifiedKind[]; form: z.ZodType<string>; example: string }> = {
  // Wikidata item ids: Q and a positive number (https://www.wikidata.org/wiki/Wikidata:Identifiers).
  WIKIDATA: { kinds: ['actor', 'place', 'event', 'source'], form: z.string().regex(/^Q[1-9]\d{0,11}$/), example: 'Q19827219' },
  // ACLED's event_id_cnty: the country's ISO 3166-1 alpha-3 code and a number (ACLED codebook).
  ACLED_EVENT_ID: { kinds: ['event', 'source'], form: z.string().regex(/^[A-Z]{3}\d{1,12}$/), example: 'AFG12345' },
  // ACLED names actors by their name as coded (actor1, actor2): the name is the identifier.
  ACLED_ACTOR: { kinds: ['actor'], form: nameSchema, example: 'Islamic State (Afghanistan)' },
  // UCDP GED's event id (the `id` column): a positive integer.
  UCDP_GED_ID: { kinds: ['event', 'source'], form: z.string().regex(/^[1-9]\d{0,11}$/), example: '244657' },
  // UCDP actor ids (side_a_new_id, side_b_new_id): a positive integer.
  UCDP_ACTOR_ID: { kinds: ['actor'], form: z.string().regex(/^[1-9]\d{0,8}$/), example: '1184' },
  // GTD eventid: twelve digits, the date (yyyymmdd) and a four-digit sequence number (GTD codebook).
  GTD_EVENTID: { kinds: ['event', 'source'], form: z.string().regex(/^\d{12}$/), example: '201801010001' },
};

/** The problem with `value` as an id of `scheme` for a record of `kind`, or null when it is fine. */
export function externalIdProblem(scheme: ExternalIdScheme, value: string, kind: IdentifiedKind): string | null {
  const rule = EXTERNAL_ID_SCHEMES[scheme];
  if (!rule.kinds.includes(kind)) return `${scheme} identifies ${rule.kinds.join(' or ')} records, not ${kind}s`;
  if (!rule.form.safeParse(value).success) return `"${value}" is not a ${scheme} id (e.g. "${rule.example}")`;
  return null;
}

/** An external id as a knowledge file or the API gives it, checked against its scheme. */
export function externalIdSchema(kind: IdentifiedKind) {
  return z
    .object({ scheme: z.enum(externalIdSchemeValues), value: z.string().trim().min(1, 'must not be empty') })
    .strict()
    .superRefine((id, ctx) => {
      const problem = externalIdProblem(id.scheme, id.value, kind);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['value'] });
    });
}

export function externalIdsSchema(kind: IdentifiedKind) {
  return z
    .array(externalIdSchema(kind))
    .max(50, 'at most 50 external ids')
    .refine((ids) => new Set(ids.map((i) => `${i.scheme}\u0000${i.value}`)).size === ids.length, 'must not repeat an external id');
}

const column = { actor: externalIds.actorId, place: externalIds.placeId, event: externalIds.eventId, source: externalIds.sourceId } as const;

/** The id of the record of `kind` that `scheme` `value` identifies, or null. */
export async function recordByExternalId(tx: Tx, kind: IdentifiedKind, scheme: ExternalIdScheme, value: string): Promise<number | null> {
  const [row] = await tx
    .select({ id: column[kind] })
    .from(externalIds)
    .where(and(eq(externalIds.scheme, scheme), eq(externalIds.value, value), isNotNull(column[kind])));
  return row?.id ?? null;
}

const addExternalIdSchema = z
  .object({
    actor: slugSchema.nullish(),
    place: slugSchema.nullish(),
    event: slugSchema.nullish(),
    source: slugSchema.nullish(),
    scheme: z.enum(externalIdSchemeValues),
    value: z.string().trim().min(1, 'must not be empty').max(500, 'must be at most 500 characters'),
  })
  .superRefine((input, ctx) => {
    const named = (['actor', 'place', 'event', 'source'] as const).filter((k) => input[k] != null);
    if (named.length !== 1) {
      ctx.addIssue({ code: 'custom', message: 'name exactly one record: actor, place, event or source', path: [] });
      return;
    }
    const problem = externalIdProblem(input.scheme, input.value, named[0]!);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['value'] });
  });
export type AddExternalIdInput = z.infer<typeof addExternalIdSchema>;

export function parseAddExternalId(raw: unknown): AddExternalIdInput {
  return parseInput(addExternalIdSchema, raw);
}

/** Gives a record an external id; refused when the id already names another record of that kind. */
export async function addExternalId(tx: Tx, principal: Principal, input: AddExternalIdInput) {
  const kind = (['actor', 'place', 'event', 'source'] as const).find((k) => input[k] != null);
  if (!kind) throw new ValidationError('name exactly one record: actor, place, event or source', ['input']);
  const slug = input[kind]!;
  const path = ['input', kind];
  const id =
    kind === 'actor' ? await actorIdBySlug(tx, slug, path)
    : kind === 'place' ? (await placeBySlug(tx, slug, path)).id
    : kind === 'event' ? await eventIdBySlug(tx, slug, path)
    : await sourceIdBySlug(tx, slug, path);
  const holder = await recordByExternalId(tx, kind, input.scheme, input.value);
  if (holder !== null && holder !== id) throw new ConflictError(`${input.scheme} "${input.value}" already identifies another ${kind}`, ['input', 'value']);
  if (holder === null) {
    await tx.insert(externalIds).values({ scheme: input.scheme, value: input.value, [`${kind}Id`]: id, recordedBy: principal.name });
  }
  return { kind, id, scheme: input.scheme, value: input.value, added: holder === null } satisfies Json;
}

/** The external ids of records of one kind, for a loader: one statement for any number of records. */
export async function externalIdsOf(tx: Tx, kind: IdentifiedKind, ids: readonly number[]) {
  if (ids.length === 0) return [];
  return tx
    .select({ recordId: column[kind], scheme: externalIds.scheme, value: externalIds.value, recordedAt: externalIds.recordedAt })
    .from(externalIds)
    .where(sql`${column[kind]} = any(${sql.param(ids)}::int[])`)
    .orderBy(externalIds.scheme, externalIds.value);
}

/** Stores the external ids a create gives its new record (checked by externalIdsSchema). */
export async function storeExternalIds(
  tx: Tx,
  principal: Principal,
  kind: IdentifiedKind,
  recordId: number,
  ids: readonly { scheme: ExternalIdScheme; value: string }[] | null | undefined,
): Promise<void> {
  if (!ids || ids.length === 0) return;
  await tx.insert(externalIds).values(ids.map((i) => ({ scheme: i.scheme, value: i.value, [`${kind}Id`]: recordId, recordedBy: principal.name })));
}
