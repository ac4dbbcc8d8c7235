/**
 * mergeActors folds a duplicate into the actor kept. History is not rewritten: the merge is a
 * timestamped row (actor_merges) and reads resolve actors at their view's time, so after the
 * merge the removed actor's claims, citations and slug all lead to the kept actor, while a read
 * asOf a time before it answers exactly as it did then. The kept actor gains the removed actor's
 * name and aliases; the database keeps the list before as a revision (migration 0016_entity_revision_triggers), so that too
 * reads as it was before the merge.
 */
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { TEXT_LIMITS } from '../../domain/limits.ts';
import { actorMerges, actors } from '../../db/schema.ts';
import type { Tx } from '../../writes/transaction.ts';
import { parseInput } from '../../writes/validate.ts';
import { builder } from '../builder.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { Actor } from '../types/actor.ts';
import { WRITE_ERRORS } from '../types/problems.ts';
import { idempotencyKeyArg, idempotencyKeyField, write } from './common.ts';

const MergeActorsInput = builder.inputType('MergeActorsInput', {
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    keep: t.string({ required: true, description: 'Slug of the actor that stays.' }),
    remove: t.string({ required: true, description: 'Slug of the duplicate folded into it; its slug keeps working.' }),
    reason: t.string({ required: true, description: 'Why they are the same actor.', extensions: { maxLength: TEXT_LIMITS.text } }),
  }),
});

const mergeSchema = z.object({
  keep: z.string().min(1),
  remove: z.string().min(1),
  reason: z.string().trim().min(3, 'say why (at least 3 characters)').max(TEXT_LIMITS.text, `must be at most ${TEXT_LIMITS.text} characters`),
});

async function actorBySlug(tx: Tx, slug: string, path: string[]) {
  const [row] = await tx
    .select({ id: actors.id, slug: actors.slug, name: actors.name, aliases: actors.aliases, canonical: sql<number>`canonical_actor(${actors.id}, 'infinity')` })
    .from(actors)
    .where(eq(actors.slug, slug))
    .for('update');
  if (!row) throw new NotFoundError(`no actor "${slug}"`, path);
  return row;
}

builder.mutationField('mergeActors', (t) =>
  t.field({
    type: Actor,
    description: 'Folds a duplicate actor into another: its claims, citations and slug lead to the kept actor from now on. Role: admin.',
    authScopes: { admin: true },
    errors: { types: WRITE_ERRORS },
    args: { input: t.arg({ type: MergeActorsInput, required: true, description: 'The actor to keep, the duplicate to fold into it, and why.' }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: async (_root, args, ctx) => {
      const input = parseInput(mergeSchema, args.input);
      const { result } = await write(ctx, 'mergeActors', args, async (tx, principal) => {
        // Merges are serialised: two crossing merges (A into B, B into A) must not both pass.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended('mergeActors', 0))`);
        const keep = await actorBySlug(tx, input.keep, ['input', 'keep']);
        const remove = await actorBySlug(tx, input.remove, ['input', 'remove']);
        if (keep.id === remove.id) throw new ValidationError('an actor cannot be merged into itself', ['input', 'remove']);
        if (remove.canonical !== remove.id) {
          throw new ConflictError(`"${remove.slug}" was already merged into another actor`, ['input', 'remove']);
        }
        if (keep.canonical !== keep.id) {
          throw new ConflictError(`"${keep.slug}" was merged into another actor; merge into that one instead`, ['input', 'keep']);
        }
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
      });
      return result.keep.id;
    },
  }),
);
