import { eq } from 'drizzle-orm';
import { places } from '../../db/schema.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { Tx } from '../service.ts';

/** The place a slug names, with its kind and country. */
export async function placeBySlug(tx: Tx, slug: string, path: string[]): Promise<{ id: number; kind: string; countryId: number | null }> {
  const [row] = await tx.select({ id: places.id, kind: places.kind, countryId: places.countryId }).from(places).where(eq(places.slug, slug));
  if (!row) throw new NotFoundError(`no place "${slug}"`, path);
  return row;
}

/** The id of the country a slug names (an actor's home country must be a COUNTRY place). */
export async function countryIdBySlug(tx: Tx, slug: string, path: string[]): Promise<number> {
  const place = await placeBySlug(tx, slug, path);
  if (place.kind !== 'COUNTRY') throw new ValidationError(`"${slug}" is a ${place.kind.toLowerCase()}, not a country`, path);
  return place.id;
}
