/**
 * Merging a duplicate actor into the actor kept. History is not rewritten: the merge is a
 * timestamped row (actor_merges) and reads resolve actors at their view's time, so after the
 * merge the removed actor's claims, citations and slug all lead to the kept actor, while a read
 * asOf a time before it answers exactly as it did then. The kept actor gains the removed actor's
 * name and aliases; the database keeps the list before as a revision (actors_keep_revision), so
 * that too reads as it was before the merge. The mutation `mergeActors` and the merge job
 * (merge-job.ts) both write through `mergeActors` here.
 */
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Principal } from '../../auth/tokens.ts';
import type { Database } from '../../db/client.ts';
import { actorMerges, actors } from '../../db/schema.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../graphql/errors.ts';
import type { Tx } from '../../writes/transaction.ts';
import { TEXT_LIMITS } from '../limits.ts';

export const mergeActorsSchema = z.object({
  keep: z.string().min(1),
  remove: z.string().min(1),
  reason: z.string().trim().min(3, 'say why (at least 3 characters)').max(TEXT_LIMITS.text, `must be at most ${TEXT_LIMITS.text} characters`),
});
export type MergeActorsInput = z.infer<typeof mergeActorsSchema>;

export type MergeActorsResult = {
  keep: { id: number; slug: string };
  remove: { id: number; slug: string };
  reason: string;
  aliasesBefore: string[];
  aliasesAfter: string[];
};

async function actorBySlug(tx: Tx | Database, slug: string, path: string[], lock: boolean) {
  const query = tx
    .select({ id: actors.id, slug: actors.slug, name: actors.name, aliases: actors.aliases, canonical: sql<number>`canonical_actor(${actors.id}, 'infinity')` })
    .from(actors)
    .where(eq(actors.slug, slug));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw new NotFoundError(`no actor "${slug}"`, path);
  return row;
}

/** The two actors, refused as a merge would refuse them (ValidationError, NotFoundError, ConflictError). */
export async function mergeableActors(tx: Tx | Database, input: MergeActorsInput, { lock }: { lock: boolean }) {
  const keep = await actorBySlug(tx, input.keep, ['input', 'keep'], lock);
  const remove = await actorBySlug(tx, input.remove, ['input', 'remove'], lock);
  if (keep.id === remove.id) throw new ValidationError('an actor cannot be merged into itself', ['input', 'remove']);
  if (remove.canonical !== remove.id) throw new ConflictError(`"${remove.slug}" was already merged into another actor`, ['input', 'remove']);
  if (keep.canonical !== keep.id) throw new ConflictError(`"${keep.slug}" was merged into another actor; merge into that one instead`, ['input', 'keep']);
  return { keep, remove };
}

export async function mergeActors(tx: Tx, principal: Principal, input: MergeActorsInput): Promise<MergeActorsResult> {
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
  };
}
