/**
 * Merging actors folds a duplicate into the actor kept. History is not rewritten: the merge is a
 * timestamped row (actor_merges) and reads resolve actors at their view's time, so after the
 * merge the removed actor's claims, citations and slug all lead to the kept actor, while a read
 * asOf a time before it answers exactly as it did then. The kept actor gains the removed actor's
 * name and aliases; the database keeps the list before as a revision, so that too reads as it was
 * before the merge.
 */
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { actorMerges, actors } from '../../db/schema.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { parseInput, reasonSchema } from '../input.ts';
import type { Json, Principal, Tx } from '../service.ts';

const mergeActorsSchema = z.object({ keep: z.string().min(1), remove: z.string().min(1), reason: reasonSchema });
export type MergeActorsInput = z.infer<typeof mergeActorsSchema>;

export function parseMergeActors(raw: unknown): MergeActorsInput {
  return parseInput(mergeActorsSchema, raw);
}

async function actorForMerge(tx: Tx, slug: string, path: string[], lock: boolean) {
  const query = tx
    .select({ id: actors.id, slug: actors.slug, name: actors.name, aliases: actors.aliases, canonical: sql<number>`canonical_actor(${actors.id}, 'infinity')` })
    .from(actors)
    .where(eq(actors.slug, slug));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw new NotFoundError(`no actor "${slug}"`, path);
  return row;
}

/**
 * The two actors of a merge, refused as the merge refuses them; `lock` takes their rows for the
 * merge (a merge job checks without it when it is started, and again with it when it runs).
 */
export async function mergeableActors(tx: Tx, input: MergeActorsInput, { lock }: { lock: boolean }) {
  const keep = await actorForMerge(tx, input.keep, ['input', 'keep'], lock);
  const remove = await actorForMerge(tx, input.remove, ['input', 'remove'], lock);
  if (keep.id === remove.id) throw new ValidationError('an actor cannot be merged into itself', ['input', 'remove']);
  if (remove.canonical !== remove.id) throw new ConflictError(`"${remove.slug}" was already merged into another actor`, ['input', 'remove']);
  if (keep.canonical !== keep.id) {
    throw new ConflictError(`"${keep.slug}" was merged into another actor; merge into that one instead`, ['input', 'keep']);
  }
  return { keep, remove };
}

/** Folds `remove` into `keep`: its claims, citations and slug lead to the kept actor from now on. */
export async function mergeActors(tx: Tx, principal: Principal, input: MergeActorsInput) {
  // Merges are serialised: two crossing merges (A into B, B into A) must not both pass.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended('mergeActors', 0))`);
  const { keep, remove } = await mergeableActors(tx, input, { lock: true });
  await tx.insert(actorMerges).values({ removedActorId: remove.id, keptActorId: keep.id, mergedBy: principal.name, reason: input.reason });
  const aliases = [...keep.aliases];
  for (const alias of [remove.name, ...remove.aliases]) {
    if (alias !== keep.name && !aliases.includes(alias)) aliases.push(alias);
  }
  await tx.update(actors).set({ aliases }).where(eq(actors.id, keep.id));
  return {
    keep: { id: keep.id, slug: keep.slug },
    remove: { id: remove.id, slug: remove.slug },
    reason: input.reason,
    aliasesBefore: keep.aliases,
    aliasesAfter: aliases,
  } satisfies Json;
}
