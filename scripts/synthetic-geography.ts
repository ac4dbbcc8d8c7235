/**
 * Coordinates of the synthetic database's places (scripts/seed-synthetic.ts), shared with the
 * bench's setup, which backfills a database generated before places had coordinates. Countries
 * get world-countries' label point (precision COUNTRY); a synthetic city a point derived from its
 * slug within 2.5° of its country's (precision EXACT): made-up places at made-up but stable spots,
 * spread so that maps at every zoom have many cells.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type postgres from 'postgres';
import type { Countries } from 'world-countries';

const countries = createRequire(import.meta.url)('world-countries') as Countries;
const byCode = new Map(countries.map((c) => [c.cca2, c]));

export interface SyntheticPoint {
  latitude: number;
  longitude: number;
  precision: 'COUNTRY' | 'EXACT';
  gazetteer: string | null;
}

const clamp = (x: number, limit: number) => Math.max(-limit, Math.min(limit, x));

export function countryPoint(code: string): SyntheticPoint | null {
  const c = byCode.get(code);
  if (!c) return null;
  return { latitude: c.latlng[0]!, longitude: c.latlng[1]!, precision: 'COUNTRY', gazetteer: `world-countries country:${code}` };
}

export function cityPoint(code: string, slug: string): SyntheticPoint | null {
  const country = countryPoint(code);
  if (!country) return null;
  const hash = createHash('sha256').update(slug).digest();
  const offset = (byte: number) => ((hash.readUInt16BE(byte) / 65535) * 2 - 1) * 2.5;
  return {
    latitude: Math.round(clamp(country.latitude + offset(0), 89) * 1e5) / 1e5,
    longitude: Math.round(clamp(country.longitude + offset(2), 179.9) * 1e5) / 1e5,
    precision: 'EXACT',
    gazetteer: null,
  };
}

/** Sets the points above on a synthetic database's places that have none; returns how many. */
export async function backfillSyntheticCoordinates(sql: postgres.Sql): Promise<number> {
  const rows = await sql<{ id: number; slug: string; kind: string; code: string | null }[]>`
    select pl.id, pl.slug, pl.kind::text as kind, coalesce(pl.country_code, c.country_code) as code
      from places pl left join places c on c.id = pl.country_id where pl.latitude is null`;
  const points = rows.flatMap((r) => {
    const point = r.code === null ? null : r.kind === 'COUNTRY' ? countryPoint(r.code) : cityPoint(r.code, r.slug);
    return point ? [{ id: r.id, ...point }] : [];
  });
  if (points.length === 0) return 0;
  await sql`
    update places set latitude = p.latitude, longitude = p.longitude, geo_precision = p.precision::geo_precision, gazetteer = p.gazetteer
      from (select * from jsonb_to_recordset(${sql.json(points as never)})
              as x(id int, latitude float8, longitude float8, precision text, gazetteer text)) p
     where places.id = p.id`;
  return points.length;
}
