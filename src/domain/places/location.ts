/**
 * Where a place lies, as a writer gives it: WGS84 latitude and longitude in decimal degrees and a
 * precision code (UCDP GED's where_prec, src/db/schema.ts geoPrecision), or a gazetteer
 * reference to take all three from (./gazetteer.ts). Checked here, so a latitude of 91 is an
 * error naming its input path, never a database error.
 */
import { z } from 'zod';
import { geoPrecision } from '../../db/schema.ts';
import { ValidationError } from '../errors.ts';
import { GAZETTEER_REFERENCE, GAZETTEER_REFERENCE_RULE, gazetteerLocation } from './gazetteer.ts';

export const geoPrecisionValues = geoPrecision.enumValues;
export type GeoPrecision = (typeof geoPrecisionValues)[number];

export const coordinatesSchema = z
  .object({
    latitude: z.number().finite().min(-90, 'latitude must be between -90 and 90').max(90, 'latitude must be between -90 and 90'),
    longitude: z.number().finite().min(-180, 'longitude must be between -180 and 180').max(180, 'longitude must be between -180 and 180'),
    precision: z.enum(geoPrecisionValues),
  })
  .strict();
export type CoordinatesInput = z.infer<typeof coordinatesSchema>;

export const gazetteerReferenceSchema = z.string().regex(GAZETTEER_REFERENCE, `must be ${GAZETTEER_REFERENCE_RULE}`);

/** A place's location columns, as stored. */
export interface PlaceLocationColumns {
  latitude: number | null;
  longitude: number | null;
  geoPrecision: GeoPrecision | null;
  gazetteer: string | null;
}

export const NO_LOCATION: PlaceLocationColumns = { latitude: null, longitude: null, geoPrecision: null, gazetteer: null };

/**
 * The location columns for a write that gives coordinates or a gazetteer reference (not both);
 * undefined when it gives neither, null coordinates when it clears them.
 */
export function locationColumns(
  input: { location?: CoordinatesInput | null | undefined; gazetteer?: string | null | undefined },
  path: readonly string[],
): PlaceLocationColumns | undefined {
  if (input.location != null && input.gazetteer != null) {
    throw new ValidationError('give coordinates or a gazetteer reference, not both', [...path, 'gazetteer']);
  }
  if (input.gazetteer != null) {
    const found = gazetteerLocation(input.gazetteer, [...path, 'gazetteer']);
    return { latitude: found.latitude, longitude: found.longitude, geoPrecision: found.precision, gazetteer: found.gazetteer };
  }
  if (input.location != null) {
    return { latitude: input.location.latitude, longitude: input.location.longitude, geoPrecision: input.location.precision, gazetteer: null };
  }
  if (input.location === null) return NO_LOCATION;
  return undefined;
}
