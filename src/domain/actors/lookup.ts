import { eq, sql } from 'drizzle-orm';
import { actors } from '../../db/schema.ts';
import { NotFoundError } from '../errors.ts';
import type { Tx } from '../service.ts';

/** The id of the actor a slug names now: a merged-away actor's slug leads to the kept one. */
export async function actorIdBySlug(tx: Tx, slug: string, path: string[]): Promise<number> {
  const [row] = await tx
    .select({ id: sql<number>`canonical_actor(${actors.id}, 'infinity')` })
    .from(actors)
    .where(eq(actors.slug, slug));
  if (!row) throw new NotFoundError(`no actor "${slug}"`, path);
  return row.id;
}
