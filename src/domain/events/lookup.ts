import { eq } from 'drizzle-orm';
import { events } from '../../db/schema.ts';
import { NotFoundError } from '../errors.ts';
import type { Tx } from '../service.ts';

export async function eventIdBySlug(tx: Tx, slug: string, path: string[]): Promise<number> {
  const [row] = await tx.select({ id: events.id }).from(events).where(eq(events.slug, slug));
  if (!row) throw new NotFoundError(`no event "${slug}"`, path);
  return row.id;
}
