/**
 * Where the dataset importers put a row: its location in the district and province the row names
 * (UCDP's adm_1/adm_2, ACLED's admin1/admin2, the GTD's provstate), areas that rows of every
 * dataset, and the seed's own areas, share; the area itself when the row is located only to it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../src/import/datasets/import.ts';
import { writeFixture, type WriteFixture } from './helpers.ts';

const samples = fileURLToPath(new URL('../seed/examples/datasets/', import.meta.url));
let f: WriteFixture;
let dir: string;

beforeAll(async () => {
  f = await writeFixture();
  dir = mkdtempSync(join(tmpdir(), 'dataset-places-'));
  for (const [format, file] of [['ucdp-ged', 'ucdp-ged-sample.csv'], ['acled', 'acled-sample.csv'], ['gtd', 'gtd-sample.csv']] as const) {
    const report = await importDataset(f.scratch.handle.db, join(samples, file), format);
    expect(report.problems).toEqual([]);
  }
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await f.close();
});

/**
 * A file of the sample's header and `line` (a row with no quoted cell before the columns changed)
 * with cells replaced by position, once per set of changes.
 */
function fileOf(name: string, sample: string, line: number, changes: Record<string, string>[]): string {
  const lines = readFileSync(join(samples, sample), 'utf8').trimEnd().split('\n');
  const header = lines[0]!.split(',');
  const rows = changes.map((change) => {
    const cells = lines[line - 1]!.split(',');
    for (const [column, value] of Object.entries(change)) {
      expect(header).toContain(column);
      cells[header.indexOf(column)] = value;
    }
    return cells.join(',');
  });
  const path = join(dir, name);
  writeFileSync(path, [lines[0], ...rows].join('\n') + '\n');
  return path;
}

type PlaceChain = { slug: string; kind: string; name: string; gazetteer: string | null; parent: PlaceChain | null };
const CHAIN = 'slug kind name gazetteer parent { slug kind name gazetteer parent { slug kind name gazetteer parent { slug kind name gazetteer parent { slug kind name gazetteer } } } }';

async function placeOf(scheme: string, value: string): Promise<PlaceChain> {
  const r = await f.api.query<{ eventByExternalId: { place: PlaceChain } }>(
    `query($scheme: ExternalIdScheme!, $value: String!) { eventByExternalId(scheme: $scheme, value: $value) { place { ${CHAIN} } } }`,
    { scheme, value },
  );
  expect(r.errors).toBeUndefined();
  return r.data!.eventByExternalId.place;
}

const chain = (place: PlaceChain | null): string[] => (place ? [`${place.kind} ${place.slug}`, ...chain(place.parent)] : []);

async function within(slug: string): Promise<string[]> {
  const r = await f.api.query<{ events: { nodes: { slug: string }[] } }>(`query($s: String!) { events(filter: { within: $s }, first: 100) { nodes { slug } } }`, { s: slug });
  expect(r.errors).toBeUndefined();
  return r.data!.events.nodes.map((e) => e.slug).sort();
}

describe('dataset rows in their provinces and districts', () => {
  it('places each location in the district and province its row names, where the three datasets meet', async () => {
    const ucdp = await placeOf('UCDP_GED_ID', '900001');
    // UCDP's "Sample province" and "Sample district" without their endings: ACLED's and the GTD's "Sample".
    expect(chain(ucdp)).toEqual([
      'CITY afghanistan-sample-town', 'ADMIN2 afghanistan-admin1-sample-admin2-sample', 'ADMIN1 afghanistan-admin1-sample', 'COUNTRY afghanistan',
    ]);
    expect(ucdp.parent!.name).toBe('Sample');
    // The coordinates say which row they came from; the areas have none of their own.
    expect(ucdp.gazetteer).toBe('UCDP GED 900001');
    expect(ucdp.parent!.gazetteer).toBeNull();
    expect(chain(await placeOf('ACLED_EVENT_ID', 'AFG900001'))).toEqual([
      'CITY afghanistan-sample-village', 'ADMIN2 afghanistan-admin1-sample-admin2-sample', 'ADMIN1 afghanistan-admin1-sample', 'COUNTRY afghanistan',
    ]);
    expect(chain(await placeOf('GTD_EVENTID', '201901019001'))).toEqual(['CITY afghanistan-sample-city', 'ADMIN1 afghanistan-admin1-sample', 'COUNTRY afghanistan']);
    // The GTD's second row names its province and no city ("Unknown"): the province is its place.
    expect(chain(await placeOf('GTD_EVENTID', '201903009002'))).toEqual(['ADMIN1 afghanistan-admin1-sample', 'COUNTRY afghanistan']);
    // UCDP's second row names a province and no district: its place lies in the province.
    expect(chain(await placeOf('UCDP_GED_ID', '900002')).slice(1)).toEqual(['ADMIN1 afghanistan-admin1-sample', 'COUNTRY afghanistan']);
    expect(await f.scratch.handle.sql`select slug from places where kind in ('ADMIN1', 'ADMIN2') and name ilike 'sample%' order by slug`).toEqual([
      { slug: 'afghanistan-admin1-sample' }, { slug: 'afghanistan-admin1-sample-admin2-sample' },
    ]);
    // A filter by the province finds the events of all three datasets inside it.
    expect(await within('afghanistan-admin1-sample')).toEqual(
      expect.arrayContaining(['acled-afg900001', 'acled-afg900002', 'gtd-201901019001', 'gtd-201903009002', 'ucdp-ged-900001', 'ucdp-ged-900002']),
    );
    expect(await within('afghanistan-admin1-sample-admin2-sample')).toEqual(expect.arrayContaining(['acled-afg900001', 'ucdp-ged-900001']));
    expect(await within('afghanistan-admin1-sample-admin2-sample')).not.toContain('ucdp-ged-900002');
  });

  it('places a row located only to its province, district or country at that area', async () => {
    const path = fileOf('ucdp-areas.csv', 'ucdp-ged-sample.csv', 3, [
      { id: '900011', relid: 'SAMPLE-11', where_prec: '4', where_coordinates: 'Sample province', latitude: '34.4', longitude: '69.3' },
      { id: '900012', relid: 'SAMPLE-12', where_prec: '3', adm_2: 'Other district', where_coordinates: 'Other district', latitude: '34.3', longitude: '69.4' },
      { id: '900013', relid: 'SAMPLE-13', where_prec: '6', where_coordinates: 'Afghanistan', adm_1: '', latitude: '33.9', longitude: '67.7' },
    ]);
    const report = await importDataset(f.scratch.handle.db, path, 'ucdp-ged');
    expect(report.problems).toEqual([]);
    expect(chain(await placeOf('UCDP_GED_ID', '900011'))).toEqual(['ADMIN1 afghanistan-admin1-sample', 'COUNTRY afghanistan']);
    // The district is new: it takes the row's point, at district precision.
    const district = await placeOf('UCDP_GED_ID', '900012');
    expect(chain(district)).toEqual(['ADMIN2 afghanistan-admin1-sample-admin2-other', 'ADMIN1 afghanistan-admin1-sample', 'COUNTRY afghanistan']);
    expect(district.gazetteer).toBe('UCDP GED 900012');
    expect(await f.scratch.handle.sql`select latitude, longitude, geo_precision from places where slug = 'afghanistan-admin1-sample-admin2-other'`).toEqual([
      { latitude: 34.3, longitude: 69.4, geo_precision: 'ADMIN2' },
    ]);
    expect(chain(await placeOf('UCDP_GED_ID', '900013'))).toEqual(['COUNTRY afghanistan']);
    expect(await f.scratch.handle.sql`select slug from places where slug in ('afghanistan-afghanistan', 'afghanistan-sample-province', 'afghanistan-other-district')`).toEqual([]);
  });

  it('joins the provinces and districts the knowledge base has, by name within the country', async () => {
    // The seed has Khyber Pakhtunkhwa (ADMIN1) and the Bajaur tribal area (ADMIN2) in Pakistan.
    const path = fileOf('acled-pakistan.csv', 'acled-sample.csv', 3, [
      { event_id_cnty: 'PAK900001', iso: '586', country: 'Pakistan', admin1: 'Khyber Pakhtunkhwa', admin2: 'Bajaur Tribal  Area', location: 'Sample Khar' },
    ]);
    const report = await importDataset(f.scratch.handle.db, path, 'acled');
    expect(report.problems).toEqual([]);
    expect(chain(await placeOf('ACLED_EVENT_ID', 'PAK900001'))).toEqual([
      'CITY pakistan-sample-khar', 'ADMIN2 bajaur-tribal-area', 'ADMIN1 khyber-pakhtunkhwa', 'COUNTRY pakistan',
    ]);
    expect(await f.scratch.handle.sql`select slug from places where slug like 'pakistan-admin%'`).toEqual([]);
    expect(await within('khyber-pakhtunkhwa')).toContain('acled-pak900001');

    // A UCDP row located only to the province, and its later version applied as a correction:
    // the event stays in the seed's province.
    const first = fileOf('ucdp-kp.csv', 'ucdp-ged-sample.csv', 3, [
      { id: '900021', relid: 'SAMPLE-21', country: 'Pakistan', adm_1: 'Khyber Pakhtunkhwa province', adm_2: '', where_prec: '4', where_coordinates: 'Khyber Pakhtunkhwa province' },
    ]);
    expect((await importDataset(f.scratch.handle.db, first, 'ucdp-ged')).problems).toEqual([]);
    expect(chain(await placeOf('UCDP_GED_ID', '900021'))).toEqual(['ADMIN1 khyber-pakhtunkhwa', 'COUNTRY pakistan']);
    const later = fileOf('ucdp-kp-next.csv', 'ucdp-ged-sample.csv', 3, [
      { id: '900021', relid: 'SAMPLE-21', country: 'Pakistan', adm_1: 'Khyber Pakhtunkhwa province', adm_2: '', where_prec: '4', where_coordinates: 'Khyber Pakhtunkhwa province', best: '5' },
    ]);
    const applied = await importDataset(f.scratch.handle.db, later, 'ucdp-ged', { applyCorrections: true });
    expect(applied.problems).toEqual([]);
    expect(applied.corrected).toEqual([expect.stringMatching(/event "ucdp-ged-900021": killed$/)]);
    expect(chain(await placeOf('UCDP_GED_ID', '900021'))).toEqual(['ADMIN1 khyber-pakhtunkhwa', 'COUNTRY pakistan']);
  });
});
