import { eq } from 'drizzle-orm';
import { sources } from '../../db/schema.ts';
import { NotFoundError } from '../errors.ts';
import type { Tx } from '../service.ts';

export async function sourceIdBySlug(tx: Tx, slug: string, path: string[]): Promise<number> {
  const [row] = await tx.select({ id: sources.id }).from(sources).where(eq(sources.slug, slug));
  if (!row) throw new NotFoundError(`no source "${slug}"`, path);
  return row.id;
}
