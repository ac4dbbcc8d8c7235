/**
 * The HTTP exports (src/http/exports.ts) against the seeded article: CSV and GeoJSON content,
 * the events filter and knowledge view as query parameters (the same answers as the `events`
 * field), 400s naming the parameter, and READS_REQUIRE_TOKEN. STIX has tests/stix-export.test.ts.
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../src/db/client.ts';
import { createLogger } from '../src/observability/logger.ts';
import { startServer, type RunningServer } from '../src/server.ts';
import { CSV_COLUMNS } from '../src/graphql/export/tables.ts';
import { graphql, serve, testConfig } from './server-helpers.ts';
import { writeFixture, type WriteFixture } from './helpers.ts';

let server: RunningServer;

beforeAll(async () => {
  // Many deliberate 400s below: without this the penalty box would answer 429 to the rest.
  server = await serve(inject('databaseUrl'), { penalty: { threshold: 0 } });
});
afterAll(async () => {
  await server.shutdown();
});

async function download(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}${path}`, { headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

type CsvRow = Record<(typeof CSV_COLUMNS)[number], string>;
const csvRows = (text: string): CsvRow[] => parse(text, { columns: true, skip_empty_lines: true }) as CsvRow[];

/** The slugs `events` lists for a filter, through GraphQL: what every export must agree with. */
async function eventSlugs(filter: Record<string, unknown>): Promise<string[]> {
  const answer = await graphql(server, 'query($f: EventFilter) { events(filter: $f, first: 100) { totalCount nodes { slug } } }', {
    variables: { f: filter },
  });
  const events = answer.body.data?.events as { totalCount: number; nodes: { slug: string }[] };
  expect(events.totalCount).toBeLessThanOrEqual(100);
  return events.nodes.map((n) => n.slug).sort();
}

describe('GET /export/events.csv', () => {
  it('has the documented columns and one row per event, with participants, casualties, place, date and quotes', async () => {
    const answer = await download('/export/events.csv');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/csv/);
    const header = parse(answer.text, { to_line: 1 }) as string[][];
    expect(header[0]).toEqual([...CSV_COLUMNS]);
    const rows = csvRows(answer.text);
    expect(rows.map((r) => r.slug).sort()).toEqual(await eventSlugs({}));
    const moscow = rows.find((r) => r.slug === 'moscow-concert-hall-attack');
    expect(moscow).toBeDefined();
    if (!moscow) return;
    // Casualty parts, standard types and sides (Kabul: 170 civilians and 13 military; a suicide bombing).
    const kabul = rows.find((r) => r.slug === 'kabul-airport-suicide-attack');
    expect(JSON.parse(kabul?.killed_parts ?? 'null')).toEqual([
      { category: 'CIVILIANS', low: 170, best: 170, high: 170, text: '170 Afghan civilians' },
      { category: 'SECURITY_FORCES', low: 13, best: 13, high: 13, text: '13 U.S. servicemembers' },
    ]);
    expect(kabul).toMatchObject({
      killed_best: '183', acled_event_type: 'Explosions/Remote violence', acled_sub_event_type: 'Suicide bomb', gtd_attack_type: '3', gtd_suicide: '1',
      side_a: 'isis-k', side_b: 'afghan-civilians;us-military',
    });
    expect(moscow.place_slug).toBe('moscow');
    expect(moscow.country_slug).toBe('russia');
    expect(moscow.country_code).toBe('RU');
    expect(moscow.killed_min).toMatch(/^\d+$/);
    expect(moscow.date_precision).not.toBe('');
    const participants = JSON.parse(moscow.participants) as { role: string; actor: string; attributedBy: string | null; confidence: number; quotes: { source: string; quote: string; start: number; end: number }[] }[];
    // The article's three roles for the Moscow attack, kept apart (README).
    expect(participants).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ role: 'CLAIMED_RESPONSIBILITY', actor: 'isis', confidence: 90 }),
        expect.objectContaining({ role: 'ATTRIBUTED', actor: 'isis-k', attributedBy: 'unnamed-us-officials', confidence: 90 }),
        expect.objectContaining({ role: 'IMPLICATED', actor: 'isis-k', confidence: 40 }),
      ]),
    );
    expect(moscow.actors.split(';')).toContain('IMPLICATED:isis-k');
    const quotes = JSON.parse(moscow.quotes) as { source: string; quote: string; start: number; end: number }[];
    expect(quotes.length).toBeGreaterThan(0);
    for (const q of [...quotes, ...participants.flatMap((p) => p.quotes)]) {
      expect(q.source).toBe('globely-news-isis-k-long-reach');
      expect(Array.from(q.quote).length).toBe(q.end - q.start);
    }
  });

  it('quotes are the source text at their offsets (code points)', async () => {
    const source = await graphql(server, '{ source(slug: "globely-news-isis-k-long-reach") { text } }');
    const text = Array.from((source.body.data?.source as { text: string }).text);
    const rows = csvRows((await download('/export/events.csv')).text);
    for (const row of rows) {
      for (const q of JSON.parse(row.quotes) as { quote: string; start: number; end: number }[]) {
        expect(text.slice(q.start, q.end).join('')).toBe(q.quote);
      }
    }
  });

  it('filters like `events`: actor, role, between, country, kind, from, to', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['actor=isis-k', { actor: 'isis-k' }],
      // The events with ISIS-K on one side and the Afghan Taliban on the other (Event.dyad).
      ['between=isis-k,afghan-taliban', { between: ['isis-k', 'afghan-taliban'] }],
      ['between=afghan-taliban&between=isis-k', { between: ['afghan-taliban', 'isis-k'] }],
      ['actor=isis-k&role=PERPETRATOR', { actor: 'isis-k', role: ['PERPETRATOR'] }],
      ['country=afghanistan', { country: 'afghanistan' }],
      ['from=2021-01-01', { from: '2021-01-01' }],
      ['from=2020-01-01&to=2022-12-31&kind=SUICIDE_ATTACK,TAKEOVER', { from: '2020-01-01', to: '2022-12-31', kind: ['SUICIDE_ATTACK', 'TAKEOVER'] }],
    ];
    for (const [params, filter] of cases) {
      const rows = csvRows((await download(`/export/events.csv?${params}`)).text);
      const expected = await eventSlugs(filter);
      expect(rows.map((r) => r.slug).sort(), params).toEqual(expected);
      expect(expected.length, `${params} selects something`).toBeGreaterThan(0);
    }
    // The filters narrow: an actor's events are fewer than all.
    expect((await eventSlugs({ actor: 'isis-k' })).length).toBeLessThan((await eventSlugs({})).length);
  });

  it('minConfidence keeps events whose report is at least that sure', async () => {
    const all = csvRows((await download('/export/events.csv')).text);
    // The article reports every event at 90: 90 keeps them all, 91 none.
    for (const threshold of [90, 91]) {
      const sure = csvRows((await download(`/export/events.csv?minConfidence=${threshold}`)).text);
      expect(sure.map((r) => r.slug).sort()).toEqual(all.filter((r) => Number(r.confidence) >= threshold).map((r) => r.slug).sort());
    }
    expect(csvRows((await download('/export/events.csv?minConfidence=91')).text)).toEqual([]);
    expect(csvRows((await download('/export/events.csv?minConfidence=90')).text).length).toBe(all.length);
  });

  it('an empty selection still has the header', async () => {
    const answer = await download('/export/events.csv?from=1900-01-01&to=1900-12-31&kind=FOUNDING&country=russia');
    expect(answer.status).toBe(200);
    expect(parse(answer.text, { to_line: 1 })).toEqual([[...CSV_COLUMNS]]);
    expect(csvRows(answer.text)).toEqual([]);
  });
});

describe('GET /export/events.geojson', () => {
  it('is a FeatureCollection with a Feature per event, a Point where the event is located (null where not) and the CSV properties', async () => {
    const answer = await download('/export/events.geojson?actor=isis-k');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/geo+json');
    const collection = JSON.parse(answer.text) as { type: string; features: { type: string; id: string; geometry: unknown; properties: Record<string, unknown> }[] };
    expect(collection.type).toBe('FeatureCollection');
    expect(collection.features.map((f) => f.id).sort()).toEqual(await eventSlugs({ actor: 'isis-k' }));
    for (const feature of collection.features) {
      expect(feature.type).toBe('Feature');
      // [longitude, latitude] as RFC 7946 orders them; null for an unlocated event (§3.2).
      const { latitude, longitude } = feature.properties as { latitude: number | null; longitude: number | null };
      expect(feature.geometry).toEqual(latitude === null ? null : { type: 'Point', coordinates: [longitude, latitude] });
      const keys = Object.keys(feature.properties);
      expect(keys).toEqual(CSV_COLUMNS.filter((c) => c !== 'actors'));
      expect(Array.isArray(feature.properties.participants)).toBe(true);
      expect(Array.isArray(feature.properties.quotes)).toBe(true);
    }
  });
});

describe('parameters', () => {
  const bad: [string, string][] = [
    ['from=2024-02-30', 'from'],
    ['to=yesterday', 'to'],
    ['from=2024-05-01&to=2024-01-01', 'from'],
    ['role=BYSTANDER', 'role'],
    ['kind=attack', 'kind'],
    ['actor=ISIS K', 'actor'],
    ['actor=isis-k&actor=isis', 'actor'],
    ['between=isis-k', 'between'],
    ['between=isis-k,isis,afghan-taliban', 'between'],
    ['between=isis-k,ISIS', 'between'],
    ['minConfidence=101', 'minConfidence'],
    ['minConfidence=high', 'minConfidence'],
    ['asOf=2024-01-01', 'asOf'],
    ['includeRetracted=yes', 'includeRetracted'],
    ['limit=10', 'limit'],
    ['bbox=60,39,75,29', 'bbox'],
    ['bbox=west', 'bbox'],
    ['maxPrecision=CITY', 'maxPrecision'],
    ['within=Kabul', 'within'],
    ["country=x'%20or%201=1--", 'country'],
    // Days and times PostgreSQL cannot store, or outside the documented range, never reach it.
    ['from=0000-01-01', 'from'],
    ['to=1699-12-31', 'to'],
    ['from=2201-01-01', 'from'],
    ['asOf=0000-01-01T00:00:00Z', 'asOf'],
    ['asOf=9999-12-31T23:59:59Z', 'asOf'],
    ['asOf=2024-02-30T00:00:00Z', 'asOf'],
    ['asOf=2024-01-01T24:00:00Z', 'asOf'],
  ];
  it.each(bad)('?%s is a 400 naming %s', async (params, parameter) => {
    for (const path of ['/export/events.csv', '/export/events.geojson', '/export/stix']) {
      const answer = await download(`${path}?${params}`);
      expect(answer.status).toBe(400);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      const body = JSON.parse(answer.text) as { errors: { message: string; extensions: { code: string; parameter: string } }[] };
      expect(body.errors[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', parameter });
      expect(body.errors[0]?.message).toContain(parameter);
    }
  });

  it('an unknown export is a 404 listing the exports; a POST is a 405', async () => {
    const missing = await download('/export/events.xlsx');
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('/export/events.csv');
    const post = await fetch(`${server.url}/export/events.csv`, { method: 'POST' });
    expect(post.status).toBe(405);
    await post.body?.cancel();
  });

  it('answers HEAD with the export\'s type and file name and no body', async () => {
    const head = await fetch(`${server.url}/export/stix`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('application/stix+json;version=2.1');
    expect(head.headers.get('content-disposition')).toBe('attachment; filename="bundle.stix.json"');
    expect(await head.text()).toBe('');
  });

  it('asOf before anything was recorded exports no events', async () => {
    const rows = csvRows((await download('/export/events.csv?asOf=2000-01-01T00:00:00Z')).text);
    expect(rows).toEqual([]);
  });
});

describe('READS_REQUIRE_TOKEN, and the knowledge view (asOf, includeRetracted)', () => {
  let fixture: WriteFixture;
  let locked: RunningServer;
  let database: DatabaseHandle;

  beforeAll(async () => {
    fixture = await writeFixture();
    const config = { ...testConfig(), anonymousReads: false };
    database = connectDatabase(fixture.scratch.url, { max: 4 });
    locked = await startServer({ config, database, databaseUrl: fixture.scratch.url, logger: createLogger('silent') });
  });
  afterAll(async () => {
    await locked.shutdown();
    await fixture.close();
  });

  it('refuses an export without a token (401) and with a bad one, and serves it with a viewer token', async () => {
    for (const path of ['/export/events.csv', '/export/events.geojson', '/export/stix']) {
      const anonymous = await fetch(`${locked.url}${path}`);
      expect(anonymous.status).toBe(401);
      expect(((await anonymous.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
      const forged = await fetch(`${locked.url}${path}`, { headers: { authorization: 'Bearer not-a-token' } });
      expect(forged.status).toBe(401);
      await forged.body?.cancel();
      const viewer = await fetch(`${locked.url}${path}`, { headers: { authorization: `Bearer ${fixture.tokens.viewer}` } });
      expect(viewer.status).toBe(200);
      expect((await viewer.text()).length).toBeGreaterThan(100);
    }
  });

  it('asOf and includeRetracted see a retracted participation as GraphQL does', async () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const source = 'export-view-test';
    await fixture.api.query('mutation($i: AddSourceInput!) { addSource(input: $i) { __typename } }', {
      i: { slug: source, publisher: 'Test', text: 'ISIS-K carried out the Moscow attack. That report was premature.' },
    }, { token: fixture.tokens.analyst });
    const added = await fixture.api.query<{ addParticipation: { data: { id: string } } }>(
      'mutation($i: AddParticipationInput!) { addParticipation(input: $i) { ... on MutationAddParticipationSuccess { data { id } } } }',
      { i: { event: 'moscow-concert-hall-attack', actor: 'isis-k', role: 'PERPETRATOR', confidence: 90, citations: [{ source, quote: 'ISIS-K carried out the Moscow attack.' }] } },
      { token: fixture.tokens.analyst },
    );
    const claim = added.data?.addParticipation.data.id ?? '';
    expect(claim).not.toBe('');
    await sleep(20);
    const beforeRetraction = new Date().toISOString();
    await sleep(20);
    const retracted = await fixture.api.query<{ retractClaim: { __typename: string } }>(
      'mutation($i: RetractClaimInput!) { retractClaim(input: $i) { __typename } }',
      { i: { claim, reason: 'premature report', citation: { source, quote: 'was premature' } } },
      { token: fixture.tokens.admin },
    );
    expect(retracted.data?.retractClaim.__typename).toBe('MutationRetractClaimSuccess');

    const perpetrators = async (params: string) => {
      const response = await fetch(`${locked.url}/export/events.csv?actor=isis-k${params}`, { headers: { authorization: `Bearer ${fixture.tokens.viewer}` } });
      expect(response.status).toBe(200);
      const row = csvRows(await response.text()).find((r) => r.slug === 'moscow-concert-hall-attack');
      return (JSON.parse(row?.participants ?? '[]') as { role: string; actor: string; retractedAt: string | null; quotes: { source: string }[] }[]).filter(
        (p) => p.role === 'PERPETRATOR' && p.actor === 'isis-k',
      );
    };
    expect(await perpetrators('')).toEqual([]);
    expect(await perpetrators('&includeRetracted=true')).toEqual([
      expect.objectContaining({ retractedAt: expect.any(String), quotes: [expect.objectContaining({ source })] }),
    ]);
    expect(await perpetrators(`&asOf=${encodeURIComponent(beforeRetraction)}`)).toEqual([expect.objectContaining({ retractedAt: null })]);
    // The STIX bundle marks it revoked when retracted claims are asked for.
    const bundle = (await (await fetch(`${locked.url}/export/stix?includeRetracted=true`, { headers: { authorization: `Bearer ${fixture.tokens.viewer}` } })).json()) as {
      objects: { revoked?: boolean; extensions?: Record<string, { record?: string; role?: string; actor?: string }> }[];
    };
    const revoked = bundle.objects.filter((o) => Object.values(o.extensions ?? {})[0]?.role === 'PERPETRATOR' && o.revoked === true);
    expect(revoked).toHaveLength(1);
  });
});
