/**
 * Geography on the seeded article: places located from the gazetteer, in their administrative
 * areas; events' locations; the bounding-box, area and precision filters; the map aggregate and
 * GeoJSON; and the errors bad coordinates and boxes get.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { importFile } from '../src/import/import.ts';
import type { RunningServer } from '../src/server.ts';
import { openApi, tableCounts, writeFixture, type WriteFixture } from './helpers.ts';
import { serve } from './server-helpers.ts';

const api = openApi();
afterAll(() => api.close());

interface LocationOut {
  latitude: number;
  longitude: number;
  precision: string;
  locatedBy: { slug: string };
  admin1: { slug: string } | null;
  admin2: { slug: string } | null;
  country: { slug: string } | null;
}

interface LocatedEvent {
  slug: string;
  kind: string;
  place: { slug: string } | null;
  location: LocationOut | null;
}

const LOCATION = 'location { latitude longitude precision locatedBy { slug } admin1 { slug } admin2 { slug } country { slug } }';
const PRECISIONS = ['EXACT', 'NEAR', 'ADMIN2', 'ADMIN1', 'REGION', 'COUNTRY'];

async function eventsWhere(filter: string): Promise<LocatedEvent[]> {
  const { data, errors } = await api.query<{ events: { totalCount: number; nodes: LocatedEvent[] } }>(
    `{ events(filter: ${filter}, first: 100) { totalCount nodes { slug kind place { slug } ${LOCATION} } } }`,
  );
  expect(errors).toBeUndefined();
  expect(data?.events.totalCount).toBe(data?.events.nodes.length);
  return data?.events.nodes ?? [];
}

const slugs = (events: { slug: string }[]) => events.map((e) => e.slug).sort();

let all: LocatedEvent[] = [];
beforeAll(async () => {
  all = await eventsWhere('{}');
});

describe('places in the gazetteer', () => {
  it('places Bajaur in its province, Khyber Pakhtunkhwa, in Pakistan, with GeoNames coordinates and provenance', async () => {
    const { data, errors } = await api.query<{ place: Record<string, unknown> & { latitude: number; longitude: number; gazetteer: string } }>(`{
      place(slug: "bajaur-tribal-area") {
        kind latitude longitude geoPrecision gazetteer
        parent { slug kind latitude gazetteer parent { slug kind } }
        ${LOCATION}
      }
    }`);
    expect(errors).toBeUndefined();
    const bajaur = data!.place;
    expect(bajaur).toMatchObject({
      kind: 'ADMIN2',
      geoPrecision: 'ADMIN2',
      parent: { slug: 'khyber-pakhtunkhwa', kind: 'ADMIN1', parent: { slug: 'pakistan', kind: 'COUNTRY' } },
      location: { precision: 'ADMIN2', locatedBy: { slug: 'bajaur-tribal-area' }, admin2: { slug: 'bajaur-tribal-area' }, admin1: { slug: 'khyber-pakhtunkhwa' }, country: { slug: 'pakistan' } },
    });
    // The district lies in the north-west of Pakistan, on the Afghan border.
    expect(bajaur.latitude).toBeGreaterThan(34.4);
    expect(bajaur.latitude).toBeLessThan(35.1);
    expect(bajaur.longitude).toBeGreaterThan(71.0);
    expect(bajaur.longitude).toBeLessThan(71.9);
    expect(bajaur.gazetteer).toMatch(/^cities\.json@\d+\.\d+\.\d+ \(GeoNames\) admin2:PK\.03\.1183781$/);
    expect((bajaur.parent as { gazetteer: string }).gazetteer).toMatch(/admin1:PK\.03$/);
  });

  it('gives countries their label point and cities their GeoNames point; a place without its own is located by the place it lies in', async () => {
    const { data } = await api.query<{ [k: string]: { latitude: number | null; longitude: number | null; geoPrecision: string | null; gazetteer: string | null; location: LocationOut | null } }>(`{
      kabul: place(slug: "kabul") { latitude longitude geoPrecision gazetteer ${LOCATION} }
      airport: place(slug: "kabul-airport") { latitude longitude geoPrecision gazetteer ${LOCATION} }
      afghanistan: place(slug: "afghanistan") { latitude longitude geoPrecision gazetteer ${LOCATION} }
      south: place(slug: "southern-afghanistan") { latitude longitude geoPrecision gazetteer ${LOCATION} }
      west: place(slug: "the-west") { latitude longitude geoPrecision gazetteer ${LOCATION} }
    }`);
    expect(data?.kabul).toMatchObject({ latitude: 34.52813, longitude: 69.17233, geoPrecision: 'EXACT', gazetteer: expect.stringMatching(/city:AF\.13:Kabul$/) });
    expect(data?.afghanistan).toMatchObject({ latitude: 33, longitude: 65, geoPrecision: 'COUNTRY', gazetteer: expect.stringMatching(/^world-countries@.* country:AF$/) });
    // Nothing in the text locates the airport more finely than Kabul: within ~25 km of the city's point.
    expect(data?.airport).toMatchObject({ latitude: null, geoPrecision: null, gazetteer: null });
    expect(data?.airport?.location).toMatchObject({ latitude: 34.52813, longitude: 69.17233, precision: 'NEAR', locatedBy: { slug: 'kabul' }, country: { slug: 'afghanistan' } });
    // "Southern Afghanistan" stays vague: the country's point, coded as such.
    expect(data?.south?.location).toMatchObject({ precision: 'COUNTRY', locatedBy: { slug: 'afghanistan' } });
    expect(data?.west?.location).toBeNull();
  });
});

describe('event locations and filters', () => {
  it('every event at a place has a location with its precision and areas', () => {
    const airport = all.find((e) => e.slug === 'kabul-airport-suicide-attack');
    expect(airport?.location).toMatchObject({ precision: 'NEAR', locatedBy: { slug: 'kabul' }, country: { slug: 'afghanistan' }, admin1: null });
    const bajaur = all.find((e) => e.slug === 'bajaur-political-rally-bombing');
    expect(bajaur?.location).toMatchObject({ precision: 'ADMIN2', admin1: { slug: 'khyber-pakhtunkhwa' }, admin2: { slug: 'bajaur-tribal-area' } });
    for (const e of all) {
      if (e.location) {
        expect(PRECISIONS).toContain(e.location.precision);
        expect(Math.abs(e.location.latitude)).toBeLessThanOrEqual(90);
        expect(Math.abs(e.location.longitude)).toBeLessThanOrEqual(180);
      }
    }
    expect(all.filter((e) => e.location).length).toBeGreaterThan(5);
  });

  const inside = (box: { west: number; south: number; east: number; north: number }) => (e: LocatedEvent) => {
    const l = e.location;
    if (!l || l.latitude < box.south || l.latitude > box.north) return false;
    return box.west <= box.east ? l.longitude >= box.west && l.longitude <= box.east : l.longitude >= box.west || l.longitude <= box.east;
  };

  it('filters by bounding box: Afghanistan and the Pakistani border districts', async () => {
    const box = { west: 60, south: 29, east: 75, north: 39 };
    const found = await eventsWhere(`{ bbox: { west: 60, south: 29, east: 75, north: 39 } }`);
    expect(slugs(found)).toEqual(slugs(all.filter(inside(box))));
    expect(slugs(found)).toContain('bajaur-political-rally-bombing');
    expect(slugs(found)).toContain('kabul-airport-suicide-attack');
    expect(slugs(found)).not.toContain('kerman-memorial-bombings');
  });

  it('a box with west east of east crosses the antimeridian instead of being empty', async () => {
    const box = { west: 60, south: -90, east: 40, north: 90 };
    const found = await eventsWhere(`{ bbox: { west: 60, south: -90, east: 40, north: 90 } }`);
    expect(slugs(found)).toEqual(slugs(all.filter(inside(box))));
    // Kerman (57° E) lies in the gap between 40° and 60°; Kabul (69° E) does not.
    expect(slugs(found)).not.toContain('kerman-memorial-bombings');
    expect(slugs(found)).toContain('kabul-airport-suicide-attack');
  });

  it('filters by administrative area, places inside it included', async () => {
    expect(slugs(await eventsWhere(`{ within: "khyber-pakhtunkhwa" }`))).toEqual(['bajaur-political-rally-bombing']);
    expect(slugs(await eventsWhere(`{ within: "pakistan" }`))).toEqual(slugs(await eventsWhere(`{ country: "pakistan" }`)));
    const kabul = await eventsWhere(`{ within: "kabul" }`);
    expect(slugs(kabul)).toEqual(slugs(all.filter((e) => e.place && ['kabul', 'kabul-airport', 'pakistani-embassy-kabul'].includes(e.place.slug))));
    expect(kabul.length).toBeGreaterThan(0);
  });

  it('drops centroid-coded events by maximum precision', async () => {
    const precise = await eventsWhere(`{ maxPrecision: ADMIN1 }`);
    const rank = (p: string) => PRECISIONS.indexOf(p);
    expect(slugs(precise)).toEqual(slugs(all.filter((e) => e.location && rank(e.location.precision) <= rank('ADMIN1'))));
    expect(slugs(precise)).not.toContain('southern-afghanistan-suicide-blast');
    expect(slugs(precise)).toContain('bajaur-political-rally-bombing');
  });

  it('eventStats agrees with the list under a geographic filter', async () => {
    const { data } = await api.query<{ eventStats: { events: number }; events: { totalCount: number } }>(`{
      eventStats(filter: { within: "afghanistan", maxPrecision: NEAR }) { events }
      events(filter: { within: "afghanistan", maxPrecision: NEAR }) { totalCount }
    }`);
    expect(data?.eventStats.events).toBe(data?.events.totalCount);
    expect(data?.events.totalCount).toBeGreaterThan(0);
  });

  it('eventStats by place reads the per-place summaries unless it asks for what they lack, and answers the same', async () => {
    const box = '{ west: 60, south: 29, east: 75, north: 39 }';
    const stats = async (filter: string, fields: string) => {
      const { data, errors } = await api.query<{ eventStats: Record<string, unknown> }>(`{ eventStats(filter: ${filter}) { ${fields} } }`);
      expect(errors).toBeUndefined();
      return data!.eventStats;
    };
    const counts = 'events killed { min max reported }';
    for (const filter of [`{ bbox: ${box} }`, `{ bbox: ${box}, actor: "isis-k" }`, `{ within: "kabul", role: [PERPETRATOR], from: "2021-01-01" }`]) {
      const full = await stats(filter, `${counts} firstDate lastDate casualties { killed { total { low } } }`);
      expect(await stats(filter, counts)).toEqual({ events: full.events, killed: full.killed });
      expect(await stats(filter, `${counts} firstDate lastDate`)).toEqual({ events: full.events, killed: full.killed, firstDate: full.firstDate, lastDate: full.lastDate });
      expect(full.events).toBeGreaterThan(0);
    }
  });
});

interface MapOut {
  eventMap: {
    events: number;
    fromSummary: boolean;
    truncated: boolean;
    cellDegrees: number;
    bins: { latitude: number; longitude: number; events: number; places: number; killed: { min: number; max: number | null }; coarsestPrecision: string; cell: { west: number; south: number; east: number; north: number } }[];
    geojson: { type: string; features: { type: string; geometry: { type: string; coordinates: number[] }; properties: Record<string, unknown>; bbox: number[] }[] };
  };
  events: { totalCount: number };
}

async function map(filter: string, zoom: number, bbox = '') {
  const { data, errors } = await api.query<MapOut>(`{
    eventMap(filter: ${filter}, zoom: ${zoom} ${bbox ? `, bbox: ${bbox}` : ''}) {
      events fromSummary truncated cellDegrees
      bins { latitude longitude events places killed { min max } coarsestPrecision cell { west south east north } }
      geojson
    }
    events(filter: ${filter.replace(/}$/, `${filter === '{}' ? '' : ','} bbox: ${bbox || '{ west: -180, south: -90, east: 180, north: 90 }'} }`)}) { totalCount }
  }`);
  expect(errors).toBeUndefined();
  return data!;
}

describe('eventMap', () => {
  it('bins add up to the located events the filter matches, at every zoom, from the per-place summary', async () => {
    for (const zoom of [0, 2, 5, 9]) {
      const m = await map('{}', zoom);
      expect(m.eventMap.fromSummary).toBe(true);
      expect(m.eventMap.bins.reduce((n, b) => n + b.events, 0)).toBe(m.events.totalCount);
      expect(m.eventMap.events).toBe(m.events.totalCount);
      expect(m.eventMap.cellDegrees).toBe(90 / 2 ** zoom);
      for (const b of m.eventMap.bins) {
        expect(b.latitude).toBeGreaterThanOrEqual(b.cell.south);
        expect(b.latitude).toBeLessThanOrEqual(b.cell.north);
        expect(b.longitude).toBeGreaterThanOrEqual(b.cell.west);
        expect(b.longitude).toBeLessThanOrEqual(b.cell.east);
      }
    }
    // Finer zooms split cells: never fewer bins.
    expect((await map('{}', 9)).eventMap.bins.length).toBeGreaterThan((await map('{}', 0)).eventMap.bins.length);
  });

  it('agrees with the events under kind, place, actor and date filters, from the summaries', async () => {
    for (const filter of ['{ kind: [SUICIDE_BOMBING, SUICIDE_ATTACK] }', '{ country: "afghanistan" }', '{ maxPrecision: ADMIN2 }', '{ actor: "isis-k", role: [PERPETRATOR] }',
      '{ actor: "isis-k", from: "2021-01-01", to: "2023-12-31" }', '{ role: [PERPETRATOR] }', '{ role: [VICTIM, TARGET], country: "afghanistan" }',
      '{ from: "2021-01-01", to: "2023-12-31" }', '{ from: "2021-08-26" }', '{ to: "2015-06-30", within: "pakistan" }']) {
      const m = await map(filter, 4);
      expect(m.eventMap.fromSummary).toBe(true);
      expect(m.eventMap.events).toBe(m.events.totalCount);
      expect(m.events.totalCount).toBeGreaterThan(0);
    }
  });

  it('reads a role without an actor from the per-place role sums, and date bounds from the per-place buckets', async () => {
    const read = async (filter: string) => {
      api.resetStatements();
      const m = await map(filter, 4);
      expect(m.eventMap.fromSummary, filter).toBe(true);
      expect(m.eventMap.events, filter).toBe(m.events.totalCount);
      return api.statements.join('\n');
    };
    const byRole = await read('{ role: [PERPETRATOR, CLAIMED_RESPONSIBILITY] }');
    expect(byRole).toContain('event_rollup_by_place_roles');
    expect(byRole).not.toContain('actor_event_links');
    const dated = await read('{ from: "2016-03-10", to: "2022-12-31" }');
    expect(dated).toContain('event_rollup_by_place_period');
    // Kinds with dates: the buckets have no kind, so the events are read.
    const kinded = await api.query<{ eventMap: { fromSummary: boolean } }>('{ eventMap(filter: { from: "2016-01-01", kind: [ATTACK] }, zoom: 4) { fromSummary } }');
    expect(kinded.data?.eventMap.fromSummary).toBe(false);
  });

  it('a timeline or breakdown of a box reads the per-place summaries, and the events when it asks for casualty parts', async () => {
    const box = '{ west: 60, south: 29, east: 75, north: 39 }';
    const read = async (query: string) => {
      api.resetStatements();
      const r = await api.query<Record<string, unknown>>(query);
      expect(r.errors, query).toBeUndefined();
      return { data: r.data, sql: api.statements.join('\n') };
    };
    const counts = await read(`{ timeline(interval: YEAR, filter: { bbox: ${box}, from: "2016-03-01" }) { buckets { start events } unplaced { events } } }`);
    expect(counts.sql).toContain('event_rollup_by_place_period');
    const parts = await read(`{ timeline(interval: YEAR, filter: { bbox: ${box}, from: "2016-03-01" }) { buckets { start events casualties { killed { total { low } } } } unplaced { events } } }`);
    expect(parts.sql).not.toContain('event_rollup_by_place_period');
    const years = (d: unknown) => (d as { timeline: { buckets: { start: string; events: number }[] } }).timeline.buckets.map((b) => [b.start, b.events]);
    expect(years(counts.data)).toEqual(years(parts.data));
    expect(years(counts.data).length).toBeGreaterThan(0);
    const kinds = await read(`{ breakdown(by: EVENT_KIND, filter: { bbox: ${box} }) { key events } }`);
    expect(kinds.sql).toContain('event_rollup_by_place');
    expect((await read(`{ breakdown(by: COUNTRY, filter: { within: "afghanistan", to: "2021-06-30" }) { key events } }`)).sql).toContain('event_rollup_by_place_period');
  });

  it('reads events for what the summaries do not hold: a past view, a confidence floor, a pair of actors beside a third', async () => {
    const filter = '{ actor: "isis-k", role: [PERPETRATOR], from: "2021-01-01" }';
    const { data, errors } = await api.query<Record<string, { events: number; fromSummary: boolean }>>(`{
      live: eventMap(filter: ${filter}, zoom: 4) { events fromSummary }
      floor: eventMap(filter: { actor: "isis-k", minConfidence: 1 }, zoom: 4) { events fromSummary }
      pair: eventMap(filter: { between: ["isis-k", "afghan-taliban"], actor: "afghan-taliban" }, zoom: 4) { events fromSummary }
    }`);
    expect(errors).toBeUndefined();
    // One operation reads as of one time: the past view on its own.
    const past = await api.query<{ eventMap: { events: number; fromSummary: boolean } }>(
      `query($at: DateTime!) { eventMap(filter: ${filter}, zoom: 4, asOf: $at) { events fromSummary } }`, { at: new Date().toISOString() });
    expect(past.errors).toBeUndefined();
    expect(data?.live).toMatchObject({ fromSummary: true });
    expect(data?.live?.events).toBeGreaterThan(0);
    expect(past.data?.eventMap).toEqual({ events: data?.live?.events, fromSummary: false });
    expect(data?.floor?.fromSummary).toBe(false);
    expect(data?.pair?.fromSummary).toBe(false);
  });

  it('a bounding box in the filter counts what the list finds in it, from the summary', async () => {
    const box = '{ west: 60, south: 29, east: 75, north: 39 }';
    const { data } = await api.query<{ eventMap: { events: number; fromSummary: boolean }; events: { totalCount: number } }>(`{
      eventMap(filter: { bbox: ${box}, maxPrecision: ADMIN2 }, zoom: 5) { events fromSummary }
      events(filter: { bbox: ${box}, maxPrecision: ADMIN2 }) { totalCount }
    }`);
    expect(data?.eventMap.fromSummary).toBe(true);
    expect(data?.eventMap.events).toBe(data?.events.totalCount);
    expect(data?.events.totalCount).toBeGreaterThan(0);
  });

  it('killed ranges sum the events in each cell', async () => {
    const m = await map('{ within: "kabul" }', 8);
    expect(m.eventMap.bins).toHaveLength(1);
    const kabulEvents = (await api.query<{ events: { nodes: { killed: { min: number; max: number | null } | null }[] } }>(
      `{ events(filter: { within: "kabul" }, first: 100) { nodes { killed { min max } } } }`,
    )).data!.events.nodes;
    expect(m.eventMap.bins[0]?.killed.min).toBe(kabulEvents.reduce((n, e) => n + (e.killed?.min ?? 0), 0));
  });

  it('keeps to the viewport', async () => {
    const m = await map('{}', 3, '{ west: 60, south: 29, east: 75, north: 39 }');
    expect(m.eventMap.events).toBe(m.events.totalCount);
    for (const b of m.eventMap.bins) expect(b.longitude).toBeGreaterThanOrEqual(60);
  });

  it('returns valid GeoJSON: a FeatureCollection of Points, [longitude, latitude], one per bin', async () => {
    const m = await map('{}', 4);
    const geojson = m.eventMap.geojson;
    expect(geojson.type).toBe('FeatureCollection');
    expect(geojson.features).toHaveLength(m.eventMap.bins.length);
    geojson.features.forEach((f, i) => {
      const bin = m.eventMap.bins[i]!;
      expect(f.type).toBe('Feature');
      expect(f.geometry).toEqual({ type: 'Point', coordinates: [bin.longitude, bin.latitude] });
      expect(f.properties).toMatchObject({ events: bin.events, places: bin.places, killedMin: bin.killed.min, coarsestPrecision: bin.coarsestPrecision });
      expect(f.bbox).toEqual([bin.cell.west, bin.cell.south, bin.cell.east, bin.cell.north]);
    });
  });
});

describe('GeoJSON export of events', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await serve(inject('databaseUrl'), { penalty: { threshold: 0 } });
  });
  afterAll(() => server.shutdown());
  it('puts each located event at its point and names the precision', async () => {
    const response = await fetch(`${server.url}/export/events.geojson?within=kabul`);
    expect(response.status).toBe(200);
    const collection = (await response.json()) as { type: string; features: { id: string; geometry: { type: string; coordinates: number[] } | null; properties: Record<string, unknown> }[] };
    expect(collection.type).toBe('FeatureCollection');
    expect(collection.features.length).toBeGreaterThan(0);
    for (const f of collection.features) {
      expect(f.geometry).toEqual({ type: 'Point', coordinates: [69.17233, 34.52813] });
      expect(['EXACT', 'NEAR']).toContain(f.properties.geo_precision);
    }
  });

  it('refuses a bad bbox parameter by name', async () => {
    const inverted = await fetch(`${server.url}/export/events.geojson?bbox=60,39,75,29`);
    expect(inverted.status).toBe(400);
    expect(await inverted.text()).toMatch(/bbox.*south \(39\) is north of north \(29\)/);
    const garbled = await fetch(`${server.url}/export/events.geojson?bbox=60,29,75`);
    expect(garbled.status).toBe(400);
    expect(await garbled.text()).toMatch(/bbox must be four numbers/);
  });
});

describe('bad input', () => {
  it('an upside-down box, an out-of-range edge and a bad zoom are refused with the argument named', async () => {
    const inverted = await api.query(`{ events(filter: { bbox: { west: 60, south: 39, east: 75, north: 29 } }) { totalCount } }`);
    expect(inverted.errors?.[0]?.message).toMatch(/filter\.bbox is upside down/);
    expect(inverted.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'filter.bbox' });
    const wide = await api.query(`{ eventMap(bbox: { west: -200, south: 0, east: 10, north: 10 }) { events } }`);
    expect(wide.errors?.[0]?.message).toMatch(/bbox\.west must be between -180 and 180/);
    const zoom = await api.query(`{ eventMap(zoom: 40) { events } }`);
    expect(zoom.errors?.[0]?.message).toMatch(/zoom must be a whole number from 0 to 16/);
  });
});

describe('writing locations', () => {
  let f: WriteFixture;
  beforeAll(async () => {
    f = await writeFixture();
  }, 120_000);
  afterAll(() => f.close());

  const CREATE = `mutation($i: CreatePlaceInput!) { createPlace(input: $i) { __typename ... on MutationCreatePlaceSuccess { data { slug latitude longitude geoPrecision gazetteer } } ... on UserError { message path } } }`;
  const UPDATE = `mutation($i: UpdatePlaceInput!) { updatePlace(input: $i) { __typename ... on MutationUpdatePlaceSuccess { data { slug latitude longitude geoPrecision } } ... on UserError { message path } } }`;

  it('places each kind where it can lie: a region in none, a district in a province, not in a city', async () => {
    const create = async (i: Record<string, unknown>) =>
      (await f.api.query<{ createPlace: { __typename: string; message?: string; path?: string[] } }>(CREATE, { i }, { token: f.tokens.analyst })).data!.createPlace;
    // A region spanning countries lies in no other place, as the seed's "the West" does.
    expect(await create({ slug: 'central-asia', name: 'Central Asia', kind: 'REGION' })).toMatchObject({ __typename: 'MutationCreatePlaceSuccess' });
    // A district in the seed's city of Kabul, a city in a region no country holds, a city nowhere: refused by their parent.
    expect(await create({ slug: 'kabul-district', name: 'Kabul district', kind: 'ADMIN2', parent: 'kabul' })).toMatchObject({
      __typename: 'ValidationError', path: ['input', 'parent'], message: 'an ADMIN2 lies in an ADMIN1 or a COUNTRY, not in a CITY ("kabul")',
    });
    expect(await create({ slug: 'samarkand', name: 'Samarkand', kind: 'CITY', parent: 'central-asia' })).toMatchObject({
      __typename: 'ValidationError', path: ['input', 'parent'], message: 'a CITY lies in a country, and the region "central-asia" lies in none',
    });
    expect(await create({ slug: 'samarkand', name: 'Samarkand', kind: 'CITY' })).toMatchObject({ __typename: 'ValidationError', path: ['input', 'parent'] });
    expect(await f.scratch.handle.sql`select slug from places where slug in ('kabul-district', 'samarkand')`).toHaveLength(0);
    // A province in a country, its district in it, a site in the district.
    expect(await create({ slug: 'kabul-province', name: 'Kabul Province', kind: 'ADMIN1', parent: 'afghanistan' })).toMatchObject({ __typename: 'MutationCreatePlaceSuccess' });
    expect(await create({ slug: 'kabul-district', name: 'Kabul district', kind: 'ADMIN2', parent: 'kabul-province' })).toMatchObject({ __typename: 'MutationCreatePlaceSuccess' });
    expect(await create({ slug: 'kabul-checkpoint', name: 'A checkpoint', kind: 'SITE', parent: 'kabul-district' })).toMatchObject({ __typename: 'MutationCreatePlaceSuccess' });
  });

  it('refuses latitude 91 and longitude -181 naming the field, and writes nothing', async () => {
    const bad = await f.api.query<{ createPlace: { message: string; path: string[] } }>(CREATE, {
      i: { slug: 'nowhere', name: 'Nowhere', kind: 'CITY', parent: 'pakistan', location: { latitude: 91, longitude: 70, precision: 'EXACT' } },
    }, { token: f.tokens.analyst });
    expect(bad.data?.createPlace).toMatchObject({ path: ['input', 'location', 'latitude'], message: expect.stringMatching(/latitude must be between -90 and 90/) });
    const west = await f.api.query<{ createPlace: { message: string; path: string[] } }>(CREATE, {
      i: { slug: 'nowhere', name: 'Nowhere', kind: 'CITY', parent: 'pakistan', location: { latitude: 30, longitude: -181, precision: 'EXACT' } },
    }, { token: f.tokens.analyst });
    expect(west.data?.createPlace.path).toEqual(['input', 'location', 'longitude']);
    expect(await f.scratch.handle.sql`select 1 from places where slug = 'nowhere'`).toHaveLength(0);
  });

  it('refuses coordinates and a gazetteer reference together, and a reference the gazetteer lacks', async () => {
    const both = await f.api.query<{ createPlace: { message: string; path: string[] } }>(CREATE, {
      i: { slug: 'peshawar', name: 'Peshawar', kind: 'CITY', parent: 'pakistan', gazetteer: 'city:PK.03:Peshawar', location: { latitude: 34, longitude: 71.5, precision: 'EXACT' } },
    }, { token: f.tokens.analyst });
    expect(both.data?.createPlace).toMatchObject({ path: ['input', 'gazetteer'], message: expect.stringMatching(/not both/) });
    const missing = await f.api.query<{ createPlace: { message: string; path: string[] } }>(CREATE, {
      i: { slug: 'atlantis', name: 'Atlantis', kind: 'CITY', parent: 'pakistan', gazetteer: 'city:PK.03:Atlantis' },
    }, { token: f.tokens.analyst });
    expect(missing.data?.createPlace).toMatchObject({ path: ['input', 'gazetteer'], message: expect.stringMatching(/no town "Atlantis" in PK\.03/) });
  });

  it('takes a city from the gazetteer, and keeps the old coordinates as a revision when corrected', async () => {
    const created = await f.api.query<{ createPlace: { data: Record<string, unknown> } }>(CREATE, {
      i: { slug: 'peshawar', name: 'Peshawar', kind: 'CITY', parent: 'khyber-pakhtunkhwa', gazetteer: 'city:PK.03:Peshawar' },
    }, { token: f.tokens.analyst });
    expect(created.data?.createPlace.data).toMatchObject({ slug: 'peshawar', geoPrecision: 'EXACT', gazetteer: expect.stringMatching(/city:PK\.03:Peshawar$/) });
    const before = new Date();
    await new Promise((r) => setTimeout(r, 20));
    const updated = await f.api.query<{ updatePlace: { data: Record<string, unknown> } }>(UPDATE, {
      i: { slug: 'peshawar', location: { latitude: 34.0, longitude: 71.5, precision: 'NEAR' } },
    }, { token: f.tokens.analyst });
    expect(updated.data?.updatePlace.data).toEqual({ slug: 'peshawar', latitude: 34.0, longitude: 71.5, geoPrecision: 'NEAR' });
    const then = await f.api.query<{ place: { geoPrecision: string; gazetteer: string | null } }>(
      `query($at: DateTime!) { place(slug: "peshawar", asOf: $at) { geoPrecision gazetteer } }`, { at: before.toISOString() },
    );
    expect(then.data?.place).toMatchObject({ geoPrecision: 'EXACT', gazetteer: expect.stringMatching(/Peshawar$/) });
    const now = await f.api.query<{ place: { gazetteer: string | null } }>(`{ place(slug: "peshawar") { gazetteer } }`);
    expect(now.data?.place.gazetteer).toBeNull();
  });

  it('moving a city moves the sites located by it: place_locations equals the locations worked out from the places', async () => {
    const moved = await f.api.query<{ updatePlace: { __typename: string } }>(UPDATE, {
      i: { slug: 'kabul', location: { latitude: 34.5, longitude: 69.2, precision: 'EXACT' } },
    }, { token: f.tokens.analyst });
    expect(moved.data?.updatePlace.__typename).toBe('MutationUpdatePlaceSuccess');
    const airport = await f.api.query<{ place: { location: LocationOut } }>(`{ place(slug: "kabul-airport") { ${LOCATION} } }`);
    expect(airport.data?.place.location).toMatchObject({ latitude: 34.5, longitude: 69.2, precision: 'NEAR' });
    const inBox = await f.api.query<{ events: { nodes: { slug: string }[] } }>(
      `{ events(filter: { bbox: { west: 69.19, south: 34.49, east: 69.21, north: 34.51 } }, first: 100) { nodes { slug } } }`,
    );
    expect(inBox.data?.events.nodes.map((e) => e.slug)).toContain('kabul-airport-suicide-attack');
    const [drift] = await f.scratch.handle.sql<{ n: number }[]>`
      with recursive chain as (
        select pl.id as place_id, pl.parent_id, pl.latitude, pl.longitude, pl.geo_precision, 0 as depth from places pl
        union all
        select c.place_id, up.parent_id, up.latitude, up.longitude, up.geo_precision, c.depth + 1
          from chain c join places up on up.id = c.parent_id where c.latitude is null),
      truth as (select place_id, latitude, longitude,
                       case when depth = 0 then geo_precision else greatest(geo_precision, 'NEAR'::geo_precision) end as precision
                  from chain where latitude is not null)
      select count(*)::int as n from ((table place_locations except table truth) union all (table truth except table place_locations)) d`;
    expect(drift?.n).toBe(0);
  });

  it('a knowledge file’s places take coordinates or a gazetteer reference; a bad one is named and nothing is written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'geo-import-'));
    try {
      const text = 'Nothing happened in Jalalabad.';
      writeFileSync(join(dir, 'geo-report.txt'), text);
      const file = (places: unknown[]) => ({
        source: {
          slug: 'geo-report', title: null, publisher: 'Test', author: null, url: null,
          published: { text: null, earliest: null, latest: null, precision: 'RANGE' },
          textFile: 'geo-report.txt', sha256: createHash('sha256').update(text).digest('hex'),
        },
        places, doctrines: [], actors: [], events: [], adherences: [], relationships: [], participations: [],
      });
      const place = { name: 'Jalalabad', kind: 'CITY', parent: 'afghanistan', countryCode: 'AF', region: 'Southern Asia' };
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, JSON.stringify(file([
        { slug: 'jalalabad', ...place, gazetteer: 'city:AF.18:Atlantis' },
        { slug: 'jalalabad-2', ...place, location: { latitude: 91, longitude: 70.45, precision: 'EXACT' } },
      ])));
      const before = await tableCounts(f.scratch.handle.sql);
      const refused = await importFile(f.scratch.handle.db, bad);
      expect(refused.ok).toBe(false);
      expect(refused.problems).toEqual([
        expect.stringMatching(/places\[0\]\.gazetteer: the gazetteer has no town "Atlantis" in AF\.18/),
        expect.stringMatching(/places\[1\]\.location\.latitude: latitude must be between -90 and 90/),
      ]);
      expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);

      const good = join(dir, 'good.json');
      writeFileSync(good, JSON.stringify(file([
        { slug: 'jalalabad', ...place, gazetteer: 'city:AF.18:Jalālābād' },
        { slug: 'jalalabad-airfield', name: 'Jalalabad airfield', kind: 'SITE', parent: 'jalalabad', countryCode: 'AF', region: 'Southern Asia', location: { latitude: 34.4, longitude: 70.5, precision: 'NEAR' } },
      ])));
      expect(await importFile(f.scratch.handle.db, good)).toMatchObject({ ok: true, problems: [] });
      const rows = await f.scratch.handle.sql`select slug, geo_precision, gazetteer, latitude from places where slug like 'jalalabad%' order by slug`;
      expect(rows).toEqual([
        { slug: 'jalalabad', geo_precision: 'EXACT', gazetteer: expect.stringMatching(/^cities\.json@.* city:AF\.18:Jalālābād$/), latitude: expect.any(Number) },
        { slug: 'jalalabad-airfield', geo_precision: 'NEAR', gazetteer: null, latitude: 34.4 },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
