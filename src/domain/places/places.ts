/**
 * Places: gazetteer reference data (country → city → site), not claims, so they need no
 * citation; their changes are kept as revisions too. A place's kind and parent are fixed once
 * created: they decide its country, which every event there is counted under. Its location
 * (coordinates and precision, ./location.ts) is given with the write or taken from the gazetteer,
 * and revised like its name.
 */
import { externalIdsSchema, storeExternalIds } from '../external-ids/external-ids.ts';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { places } from '../../db/schema.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { parseInput } from '../input.ts';
import { freeTextSchema, nameSchema, slugSchema } from '../limits.ts';
import { actualChanges, snapshot } from '../revisions/changes.ts';
import type { Json, Principal, Tx } from '../service.ts';
import { placeKindValues } from '../vocabulary.ts';
import { coordinatesSchema, gazetteerReferenceSchema, locationColumns, NO_LOCATION, type PlaceLocationColumns } from './location.ts';
import { placeBySlug } from './lookup.ts';

export type PlaceKind = (typeof placeKindValues)[number];

export const countryCodeSchema = z.string().regex(/^[A-Z]{2}$/, 'must be two capital letters (ISO 3166-1 alpha-2)');

/**
 * What a place of each kind may lie in: provinces in a country, districts in a province (or a
 * country, where the province is not known), cities and sites in those or in a region of a country,
 * regions in a country, in a larger region or in none ("the West"); a country in none.
 */
export const PLACE_PARENT_KINDS: Record<PlaceKind, { kinds: readonly PlaceKind[]; none: boolean }> = {
  COUNTRY: { kinds: [], none: true },
  REGION: { kinds: ['COUNTRY', 'REGION'], none: true },
  ADMIN1: { kinds: ['COUNTRY'], none: false },
  ADMIN2: { kinds: ['ADMIN1', 'COUNTRY'], none: false },
  CITY: { kinds: ['ADMIN2', 'ADMIN1', 'COUNTRY', 'REGION'], none: false },
  SITE: { kinds: ['SITE', 'CITY', 'ADMIN2', 'ADMIN1', 'COUNTRY', 'REGION'], none: false },
};

/** Only regions may lie within a region that lies in no country: the rest are in a country. */
const IN_A_COUNTRY: readonly PlaceKind[] = ['ADMIN1', 'ADMIN2', 'CITY', 'SITE'];

/**
 * Why a place of `kind` cannot lie in `parent` (its kind, and whether it lies in a country), or
 * null. The bulk load holds the same rule over its staged places (src/domain/bulk/load.ts).
 */
export function placeParentProblem(kind: PlaceKind, parent: { slug: string; kind: PlaceKind; inCountry: boolean } | null): string | null {
  const rule = PLACE_PARENT_KINDS[kind];
  const a = (k: string) => `${/^[AEIOU]/.test(k) ? 'an' : 'a'} ${k}`;
  if (parent === null) return rule.none ? null : `${a(kind)} lies in another place: give its parent`;
  if (rule.kinds.length === 0) return `${a(kind)} lies in no other place`;
  if (!rule.kinds.includes(parent.kind)) return `${a(kind)} lies in ${rule.kinds.map(a).join(' or ')}, not in ${a(parent.kind)} ("${parent.slug}")`;
  if (IN_A_COUNTRY.includes(kind) && !parent.inCountry) return `${a(kind)} lies in a country, and the region "${parent.slug}" lies in none`;
  return null;
}

/** The part of the rule an input shows without looking its parent up. */
export const PLACE_PARENT_RULE = 'a country lies in no other place, and every place but a country or a region lies in one';

export function placeParentHolds(kind: PlaceKind, parent: string | null | undefined): boolean {
  const rule = PLACE_PARENT_KINDS[kind];
  return parent != null ? rule.kinds.length > 0 : rule.none;
}

const createPlaceSchema = z
  .object({
    slug: slugSchema,
    name: nameSchema,
    kind: z.enum(placeKindValues),
    parent: slugSchema.nullish(),
    countryCode: countryCodeSchema.nullish(),
    region: freeTextSchema.nullish(),
    externalIds: externalIdsSchema('place').nullish(),
    location: coordinatesSchema.nullish(),
    gazetteer: gazetteerReferenceSchema.nullish(),
  })
  .refine((p) => placeParentHolds(p.kind, p.parent), { message: PLACE_PARENT_RULE, path: ['parent'] });
export type CreatePlaceInput = z.infer<typeof createPlaceSchema>;

export function parseCreatePlace(raw: unknown): CreatePlaceInput {
  return parseInput(createPlaceSchema, raw);
}

/**
 * The row of a new place under a stored parent: anything but a country lies in its parent's
 * country (a country's country_id, itself, is set by the database on insert).
 */
export function placeRow(
  place: { slug: string; name: string; kind: PlaceKind; countryCode?: string | null | undefined; region?: string | null | undefined },
  parent: { id: number; countryId: number | null } | null,
  location: PlaceLocationColumns = NO_LOCATION,
): typeof places.$inferInsert {
  return {
    slug: place.slug,
    name: place.name,
    kind: place.kind,
    parentId: parent?.id ?? null,
    countryId: place.kind === 'COUNTRY' ? null : (parent?.countryId ?? null),
    countryCode: place.countryCode ?? null,
    region: place.region ?? null,
    ...location,
  };
}

/** Adds a place to the gazetteer. */
export async function createPlace(tx: Tx, principal: Principal, input: CreatePlaceInput) {
  const [taken] = await tx.select({ id: places.id }).from(places).where(eq(places.slug, input.slug));
  if (taken) throw new ConflictError(`a place "${input.slug}" exists already`, ['input', 'slug']);
  const location = locationColumns(input, ['input']);
  const parent = input.parent != null ? await placeBySlug(tx, input.parent, ['input', 'parent']) : null;
  const problem = placeParentProblem(input.kind, parent && { slug: input.parent!, kind: parent.kind as PlaceKind, inCountry: parent.countryId !== null });
  if (problem) throw new ValidationError(problem, ['input', 'parent']);
  const [row] = await tx.insert(places).values(placeRow(input, parent, location)).returning({ id: places.id });
  if (!row) throw new Error('insert into places returned no row');
  await storeExternalIds(tx, principal, 'place', row.id, input.externalIds);
  return { place: { id: row.id, slug: input.slug } } satisfies Json;
}

const updatePlaceSchema = z.object({
  slug: slugSchema,
  name: nameSchema.nullish(),
  countryCode: countryCodeSchema.nullish(),
  region: freeTextSchema.nullish(),
  /** New coordinates; null clears them (the place is then located by the place it lies in). */
  location: coordinatesSchema.nullish(),
  gazetteer: gazetteerReferenceSchema.nullish(),
});
export type UpdatePlaceInput = z.infer<typeof updatePlaceSchema>;

export function parseUpdatePlace(raw: unknown): UpdatePlaceInput {
  return parseInput(updatePlaceSchema, raw);
}

/** Renames a place or corrects its codes or location; the old values stay readable as a revision. */
export async function updatePlace(tx: Tx, _principal: Principal, input: UpdatePlaceInput) {
  const location = locationColumns(input, ['input']);
  const [before] = await tx.select().from(places).where(eq(places.slug, input.slug)).for('update');
  if (!before) throw new NotFoundError(`no place "${input.slug}"`, ['input', 'slug']);
  const changes = actualChanges(before, {
    ...(input.name != null ? { name: input.name } : {}),
    ...(input.countryCode !== undefined ? { countryCode: input.countryCode } : {}),
    ...(input.region !== undefined ? { region: input.region } : {}),
    ...(location ?? {}),
  });
  const [after] = await tx.update(places).set(changes).where(eq(places.id, before.id)).returning();
  if (!after) throw new Error('update of places returned no row');
  return { place: { id: before.id, slug: before.slug }, before: snapshot(before), after: snapshot(after) } satisfies Json;
}
