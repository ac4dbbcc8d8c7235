/**
 * Actors: established by a cited profile claim; an update is itself a cited claim (its note says
 * what changed), named in the row's revision_claim_id, and the values before it stay readable as
 * a revision.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { actors } from '../../db/schema.ts';
import { recordCitedClaim } from '../claims/cited.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { citationsSchema, confidenceSchema, parseInput } from '../input.ts';
import { freeTextSchema, LIST_LIMITS, nameSchema, slugSchema } from '../limits.ts';
import { countryIdBySlug } from '../places/lookup.ts';
import { actualChanges, snapshot, updateNote } from '../revisions/changes.ts';
import type { Json, Principal, Tx } from '../service.ts';
import { actorKindValues } from '../vocabulary.ts';
import { externalIdsSchema, storeExternalIds } from '../external-ids/external-ids.ts';
import { actorIdBySlug } from './lookup.ts';

/** An actor's other names: none repeated. */
export const aliasesSchema = z.array(nameSchema).max(LIST_LIMITS.aliases).refine((a) => new Set(a).size === a.length, 'must not repeat an alias');

const createActorSchema = z.object({
  slug: slugSchema,
  name: nameSchema,
  aliases: aliasesSchema,
  kind: z.enum(actorKindValues),
  description: freeTextSchema.nullish(),
  homeCountry: slugSchema.nullish(),
  externalIds: externalIdsSchema('actor').nullish(),
  confidence: confidenceSchema,
  note: freeTextSchema.nullish(),
  citations: citationsSchema,
});
export type CreateActorInput = z.infer<typeof createActorSchema>;

export function parseCreateActor(raw: unknown): CreateActorInput {
  return parseInput(createActorSchema, raw);
}

/** Adds an actor, established by a cited claim. */
export async function createActor(tx: Tx, principal: Principal, input: CreateActorInput) {
  const [taken] = await tx.select({ id: actors.id }).from(actors).where(eq(actors.slug, input.slug));
  if (taken) throw new ConflictError(`an actor "${input.slug}" exists already`, ['input', 'slug']);
  const { claimId, citationIds } = await recordCitedClaim(tx, principal, 'ACTOR_PROFILE', input);
  const [row] = await tx
    .insert(actors)
    .values({
      slug: input.slug,
      name: input.name,
      aliases: input.aliases,
      kind: input.kind,
      description: input.description ?? null,
      homeCountryId: input.homeCountry != null ? await countryIdBySlug(tx, input.homeCountry, ['input', 'homeCountry']) : null,
      claimId,
    })
    .returning({ id: actors.id });
  if (!row) throw new Error('insert into actors returned no row');
  await storeExternalIds(tx, principal, 'actor', row.id, input.externalIds);
  return { actor: { id: row.id, slug: input.slug }, claimId, citationIds } satisfies Json;
}

const updateActorSchema = z.object({
  slug: slugSchema,
  name: nameSchema.nullish(),
  aliases: aliasesSchema.nullish(),
  addAliases: z.array(nameSchema).max(LIST_LIMITS.aliases).nullish(),
  kind: z.enum(actorKindValues).nullish(),
  description: freeTextSchema.nullish(),
  homeCountry: slugSchema.nullish(),
  confidence: confidenceSchema,
  note: freeTextSchema.nullish(),
  citations: citationsSchema,
});
export type UpdateActorInput = z.infer<typeof updateActorSchema>;

export function parseUpdateActor(raw: unknown): UpdateActorInput {
  return parseInput(updateActorSchema, raw);
}

/** Changes an actor's profile, backed by a cited claim; the old values stay readable as a revision. */
export async function updateActor(tx: Tx, principal: Principal, input: UpdateActorInput) {
  const id = await actorIdBySlug(tx, input.slug, ['input', 'slug']);
  const [before] = await tx.select().from(actors).where(eq(actors.id, id)).for('update');
  if (!before) throw new NotFoundError(`no actor "${input.slug}"`, ['input', 'slug']);
  const aliases = [...(input.aliases ?? before.aliases)];
  for (const alias of input.addAliases ?? []) if (!aliases.includes(alias)) aliases.push(alias);
  const given: Partial<typeof actors.$inferSelect> = {
    ...(input.name != null ? { name: input.name } : {}),
    ...(input.aliases != null || input.addAliases != null ? { aliases } : {}),
    ...(input.kind != null ? { kind: input.kind } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.homeCountry !== undefined
      ? { homeCountryId: input.homeCountry === null ? null : await countryIdBySlug(tx, input.homeCountry, ['input', 'homeCountry']) }
      : {}),
  };
  const changes = actualChanges(before, given);
  const { claimId, citationIds } = await recordCitedClaim(tx, principal, 'ACTOR_PROFILE', input, input.note ?? updateNote(`actor ${before.slug}`, changes));
  // The update claim goes with the values it supports; the database keeps the old ones as a revision.
  const [after] = await tx.update(actors).set({ ...changes, revisionClaimId: claimId }).where(eq(actors.id, id)).returning();
  if (!after) throw new Error('update of actors returned no row');
  return { actor: { id, slug: before.slug }, claimId, citationIds, before: snapshot(before), after: snapshot(after) } satisfies Json;
}
