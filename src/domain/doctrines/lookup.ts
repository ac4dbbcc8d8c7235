import { eq } from 'drizzle-orm';
import { doctrines } from '../../db/schema.ts';
import { NotFoundError } from '../errors.ts';
import type { Tx } from '../service.ts';

export async function doctrineIdBySlug(tx: Tx, slug: string, path: string[]): Promise<number> {
  const [row] = await tx.select({ id: doctrines.id }).from(doctrines).where(eq(doctrines.slug, slug));
  if (!row) throw new NotFoundError(`no doctrine "${slug}"`, path);
  return row.id;
}
