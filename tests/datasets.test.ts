/**
 * The dataset importers (UCDP GED, ACLED, GTD): each row a dataset-record source whose text is the
 * row as given, every claim quoting its fields; a file with a bad row refused whole, each bad row
 * named by line; a re-import changes nothing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applySqlSources } from '../src/db/migrate.ts';
import { drainSummaries } from '../src/db/summaries.ts';
import { importDataset } from '../src/import/datasets/import.ts';
import { nameOf, slugOf } from '../src/import/datasets/rows.ts';
import { generateDataset } from '../scripts/generate-dataset.ts';
import { scratchDatabase, tableCounts, writeFixture, type WriteFixture } from './helpers.ts';

const samples = fileURLToPath(new URL('../seed/examples/datasets/', import.meta.url));
let f: WriteFixture;
let dir: string;

beforeAll(async () => {
  f = await writeFixture();
  dir = mkdtempSync(join(tmpdir(), 'datasets-test-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await f.close();
});

type Figure = { min: number; best: number | null; max: number; text: string; parts: { category: string; low: number; best: number | null; high: number | null; text: string | null }[] };
type EventAnswer = {
  eventByExternalId: {
    slug: string;
    kind: string;
    date: { earliest: string; latest: string; precision: string };
    killed: Figure | null;
    wounded: Figure | null;
    place: { name: string; country: { slug: string }; location: { latitude: number; longitude: number; precision: string } | null };
    citations: { quote: string; startOffset: number; source: { slug: string; publisher: string; text: string } }[];
    participants: { role: string; side: string | null; actor: { slug: string; name: string; externalIds: { scheme: string; value: string }[] }; citations: { quote: string }[] }[];
  };
};

const EVENT = `query($scheme: ExternalIdScheme!, $value: String!) { eventByExternalId(scheme: $scheme, value: $value) {
  slug kind date { earliest latest precision }
  killed { min best max text parts { category low best high text } } wounded { min best max text parts { category low best high text } } place { name country { slug } location { latitude longitude precision } }
  citations { quote startOffset source { slug publisher text } }
  participants { role side actor { slug name externalIds { scheme value } } citations { quote } } } }`;

type ActorAnswer = { slug: string; kind: string; citations: { quote: string; source: { slug: string } }[] };
const ACTOR = `query($scheme: ExternalIdScheme!, $value: String!) { actorByExternalId(scheme: $scheme, value: $value) { slug kind citations { quote source { slug } } } }`;

type DyadAnswer = {
  participants: { role: string; actor: { name: string }; citations: { quote: string }[] }[];
  citations: { source: { text: string } }[];
  dyad: { acledInteraction: number | null; sideA: { actor: { name: string } }[]; sideB: { actor: { name: string } }[] } | null;
};
const DYAD = `query($scheme: ExternalIdScheme!, $value: String!) { eventByExternalId(scheme: $scheme, value: $value) {
  participants { role actor { name } citations { quote } } citations { source { text } }
  dyad { acledInteraction sideA { actor { name } } sideB { actor { name } } } } }`;

/**
 * ACLED rows made from the sample's second row (state forces, inter1 1, against the Sample Armed
 * Group, inter2 2: interaction 12) with some cells changed. The cells up to `notes` hold no quoted
 * commas, so a cell is replaced by position.
 */
function acledRows() {
  const [header, , clash] = readFileSync(join(samples, 'acled-sample.csv'), 'utf8').trimEnd().split('\n');
  const columns = header!.split(',');
  const row = (changes: Record<string, string>) => {
    const cells = clash!.split(',');
    for (const [column, value] of Object.entries(changes)) cells[columns.indexOf(column)] = value;
    return cells.join(',');
  };
  return { header: header!, row };
}

function expectQuotesAtOffsets(event: EventAnswer['eventByExternalId']) {
  for (const c of event.citations) expect([...c.source.text].slice(c.startOffset, c.startOffset + [...c.quote].length).join('')).toBe(c.quote);
}

/** Quotes of citations made from sources whose slug is like `pattern` that no claim cites. */
async function quotesNoClaimCites(pattern: string): Promise<string[]> {
  const rows = await f.scratch.handle.sql<{ quote: string }[]>`
    select c.quote from citations c join sources s on s.id = c.source_id
     where s.slug like ${pattern} and not exists (select 1 from claim_citations cc where cc.citation_id = c.id)`;
  return rows.map((r) => r.quote);
}

describe.each([
  ['ucdp-ged', 'ucdp-ged-sample.csv'],
  ['acled', 'acled-sample.csv'],
  ['gtd', 'gtd-sample.csv'],
])('%s importer', (format, file) => {
  it('loads the sample file, and a re-import changes nothing', async () => {
    const before = await tableCounts(f.scratch.handle.sql);
    const report = await importDataset(f.scratch.handle.db, join(samples, file), format);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.createdEventIds).toHaveLength(2);
    const after = await tableCounts(f.scratch.handle.sql);
    expect(after.sources! - before.sources!).toBe(2);
    expect(after.events! - before.events!).toBe(2);
    expect(await quotesNoClaimCites(`${format}-%`)).toEqual([]);
    const again = await importDataset(f.scratch.handle.db, join(samples, file), format);
    expect(again).toMatchObject({ ok: true, created: 0, createdEventIds: [] });
    expect(again.unchanged).toBeGreaterThanOrEqual(2);
    const { audit_log: _a, ...rest } = await tableCounts(f.scratch.handle.sql);
    const { audit_log: _b, ...expected } = after;
    expect(rest).toEqual(expected);
  });

  it('names a row that a later version of the file changed, and leaves its stored record as it was', async () => {
    const lines = readFileSync(join(samples, file), 'utf8').trimEnd().split('\n');
    const header = lines[0]!.split(',');
    // A column the mapping keeps only in the row's text, standing before any quoted cell.
    const column = { 'ucdp-ged': 'relid', acled: 'source_scale', gtd: 'location' }[format]!;
    const cells = lines[2]!.split(',');
    cells[header.indexOf(column)] = 'corrected in a later version';
    const path = join(dir, `v2-${file}`);
    writeFileSync(path, [lines[0], lines[1], cells.join(','), ...lines.slice(3)].join('\n') + '\n');
    expect((await importDataset(f.scratch.handle.db, join(samples, file), format)).ok).toBe(true);
    const slugs = (await f.scratch.handle.sql<{ slug: string }[]>`select slug from sources where dataset is not null order by id`).map((r) => r.slug);
    const stored = await f.scratch.handle.sql<{ slug: string; text: string }[]>`select slug, text from sources where slug = any(${slugs}) order by slug`;
    const before = await tableCounts(f.scratch.handle.sql);

    const report = await importDataset(f.scratch.handle.db, path, format, { dryRun: true });
    expect(report).toMatchObject({ ok: true, created: 0, differing: ['line 3'] });
    const again = await importDataset(f.scratch.handle.db, path, format);
    expect(again).toMatchObject({ ok: true, created: 0, differing: ['line 3'], createdEventIds: [] });
    expect(again.unchanged).toBeGreaterThanOrEqual(2);
    expect(await f.scratch.handle.sql`select slug, text from sources where slug = any(${slugs}) order by slug`).toEqual(stored);
    const { audit_log: _a, ...rest } = await tableCounts(f.scratch.handle.sql);
    const { audit_log: _b, ...expected } = before;
    expect(rest).toEqual(expected);
    // The file as first imported differs in nothing.
    expect((await importDataset(f.scratch.handle.db, join(samples, file), format)).differing).toEqual([]);
  });

  it('refuses a file with bad rows, naming each by line, and writes nothing', async () => {
    const lines = readFileSync(join(samples, file), 'utf8').trimEnd().split('\n');
    const header = lines[0]!.split(',');
    const spoil = (line: string, column: string, value: string) => {
      // The samples' first columns hold no quoted commas: replace the cell by position.
      const cells = line.split(',');
      cells[header.indexOf(column)] = value;
      return cells.join(',');
    };
    const idColumn = { 'ucdp-ged': 'id', acled: 'event_id_cnty', gtd: 'eventid' }[format]!;
    const bad = [lines[0], spoil(lines[1]!, idColumn, 'not-an-id'), lines[2], lines[1]!.split(',').slice(0, 3).join(',')].join('\n');
    const path = join(dir, `bad-${file}`);
    writeFileSync(path, bad);
    const before = await tableCounts(f.scratch.handle.sql);
    const report = await importDataset(f.scratch.handle.db, path, format);
    expect(report.ok).toBe(false);
    expect(report.problems.some((p) => p.startsWith(`line 2: ${idColumn}: "not-an-id" is not a`))).toBe(true);
    expect(report.problems).toContain(`line 4: 3 fields, the header has ${header.length}`);
    expect(report.problems.some((p) => p.startsWith('line 3'))).toBe(false);
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  });
});

describe('dataset rows as sources', () => {
  type Hit = { kind: string; source: { slug: string } | null; citation: { quote: string; source: { slug: string } } | null };
  const search = async (query: string) => {
    const r = await f.api.query<{ search: Hit[] }>(
      `query($q: String!) { search(query: $q, types: [SOURCE, CITATION], first: 50) { kind source { slug } citation { quote source { slug } } } }`,
      { q: query },
    );
    expect(r.errors).toBeUndefined();
    return r.data!.search.map((h) => h.source?.slug ?? `${h.citation!.source.slug}: ${h.citation!.quote}`);
  };

  it('know their dataset; documents have none; the list filters by it', async () => {
    const r = await f.api.query<{ ucdp: { dataset: string | null }; seed: { nodes: { slug: string; dataset: string | null }[] }; gtd: { totalCount: number; nodes: { slug: string }[] }; documents: { nodes: { dataset: string | null }[] } }>(`{
      ucdp: source(slug: "ucdp-ged-900001") { dataset }
      seed: sources(first: 1, documentsOnly: true) { nodes { slug dataset } }
      gtd: sources(dataset: GTD) { totalCount nodes { slug } }
      documents: sources(documentsOnly: true, first: 100) { nodes { dataset } } }`);
    expect(r.errors).toBeUndefined();
    expect(r.data!.ucdp.dataset).toBe('UCDP_GED');
    expect(r.data!.seed.nodes).toHaveLength(1);
    expect(r.data!.seed.nodes[0]!.dataset).toBeNull();
    expect(r.data!.gtd.totalCount).toBeGreaterThanOrEqual(2);
    expect(r.data!.gtd.nodes.every((s) => s.slug.startsWith('gtd-'))).toBe(true);
    expect(r.data!.documents.nodes.every((s) => s.dataset === null)).toBe(true);
  });

  it('are found by their values, not by the column names every row of the dataset shares', async () => {
    // Every UCDP row has where_coordinates and deaths_civilians lines; only the one-sided row names civilians as a side.
    expect((await search('coordinates')).filter((hit) => hit.startsWith('ucdp-ged-'))).toEqual([]);
    const civilians = (await search('civilians')).filter((hit) => hit.startsWith('ucdp-ged-'));
    expect(civilians).toContain('ucdp-ged-900002');
    expect(civilians.some((hit) => hit.startsWith('ucdp-ged-900001'))).toBe(false);
    // A value finds its row and the quote of it.
    expect(await search('"Sample Town"')).toEqual(expect.arrayContaining(['ucdp-ged-900001', 'ucdp-ged-900001: where_prec: 1\nwhere_coordinates: Sample Town']));
  });

  it('imported before sources kept their dataset: the next start finds it again, and indexes the row by its values', async () => {
    await f.scratch.handle.sql`update sources set dataset = null where slug = 'ucdp-ged-900001'`;
    expect(await search('coordinates')).toContain('ucdp-ged-900001');
    // A database from before the backfill has no record of it in sql_backfills_done.
    await f.scratch.handle.sql`delete from sql_backfills_done where name = 'datasets of dataset records'`;
    await applySqlSources(f.scratch.handle.sql, { force: true });
    const [row] = await f.scratch.handle.sql<{ dataset: string }[]>`select dataset from sources where slug = 'ucdp-ged-900001'`;
    expect(row!.dataset).toBe('UCDP_GED');
    expect((await search('coordinates')).filter((hit) => hit.startsWith('ucdp-ged-'))).toEqual([]);
  });
});

describe('what a dataset row becomes', () => {
  it('a UCDP GED row: its source is the row as given; the event, its dates, deaths and both sides quote their fields', async () => {
    const res = await f.api.query<EventAnswer>(EVENT, { scheme: 'UCDP_GED_ID', value: '900001' });
    const e = res.data!.eventByExternalId;
    // State-based violence (type_of_violence 1): armed forces fighting each other.
    expect(e).toMatchObject({ slug: 'ucdp-ged-900001', kind: 'ARMED_CLASH', date: { earliest: '2023-05-01', latest: '2023-05-01', precision: 'DAY' }, killed: { min: 7, max: 9, text: 'best 7 (low 7, high 9)' } });
    expect(e.place).toMatchObject({ name: 'Sample Town', country: { slug: 'afghanistan' }, location: { latitude: 34.5, longitude: 69.2, precision: 'EXACT' } });
    expect(e.citations[0]!.source).toMatchObject({ slug: 'ucdp-ged-900001', publisher: 'Uppsala Conflict Data Program (UCDP GED)' });
    expect(e.citations[0]!.source.text.split('\n')[0]).toBe('id: 900001');
    // The quoted CSV field keeps its text as given, its doubled quotes undone by the CSV reading.
    expect(e.citations[0]!.source.text).toContain('source_article: Sample Wire, "Clashes reported", 2023-05-02');
    // Each quoted field once; fields on consecutive lines as one passage, a line the claim does not
    // rest on (where_description, geom_wkt …) keeping two quotes apart.
    expect(e.citations.map((c) => c.quote).sort()).toEqual([
      'country: Afghanistan',
      'date_start: 2023-05-01\ndate_end: 2023-05-01\ndeaths_a: 2\ndeaths_b: 5\ndeaths_civilians: 0\ndeaths_unknown: 0\nbest: 7\nhigh: 9\nlow: 7',
      'id: 900001',
      'latitude: 34.5\nlongitude: 69.2',
      // The kind rests on it (ARMED_CLASH): the participations quote the same line, one citation.
      'type_of_violence: 1',
      'where_prec: 1\nwhere_coordinates: Sample Town',
    ]);
    expectQuotesAtOffsets(e);
    // Each on the side the row names it.
    expect(e.participants.map((p) => [p.role, p.side, p.actor.name, p.actor.externalIds])).toEqual([
      ['PERPETRATOR', 'A', 'Government of Afghanistan', [{ scheme: 'UCDP_ACTOR_ID', value: '130' }]],
      ['PERPETRATOR', 'B', 'Sample Front', [{ scheme: 'UCDP_ACTOR_ID', value: '9001' }]],
    ]);
    expect(e.participants[0]!.citations.map((c) => c.quote)).toEqual(['type_of_violence: 1', 'side_a: Government of Afghanistan']);
    // Both sides fought: the dyad is UCDP's side A and side B, and `between` finds the event either way round.
    const dyad = (await f.api.query<{ eventByExternalId: { dyad: { sideA: { actor: { name: string } }[]; sideB: { actor: { name: string } }[] } | null } }>(DYAD, { scheme: 'UCDP_GED_ID', value: '900001' })).data!.eventByExternalId.dyad;
    expect(dyad).toMatchObject({ sideA: [{ actor: { name: 'Government of Afghanistan' } }], sideB: [{ actor: { name: 'Sample Front' } }] });
    const slugs = (await f.scratch.handle.sql<{ slug: string }[]>`
      select a.slug from participations p join actors a on a.id = p.actor_id join events e on e.id = p.event_id where e.slug = 'ucdp-ged-900001' order by p.claim_id`).map((r) => r.slug);
    for (const pair of [slugs, [...slugs].reverse()]) {
      const r = await f.api.query<{ events: { nodes: { slug: string }[] } }>(`{ events(filter: { between: ["${pair[0]}", "${pair[1]}"] }, first: 50) { nodes { slug } } }`);
      expect(r.data!.events.nodes.map((n) => n.slug)).toContain('ucdp-ged-900001');
    }
  });

  it('a UCDP GED row: best is the best estimate; deaths per side, of civilians and of unknown are parts, each quoting its column', async () => {
    const e = (await f.api.query<EventAnswer>(EVENT, { scheme: 'UCDP_GED_ID', value: '900001' })).data!.eventByExternalId;
    expect(e.killed).toMatchObject({ min: 7, best: 7, max: 9 });
    // State-based: side A is the government (its security forces), side B the one armed group (the perpetrators).
    // A part has no low or high of its own in UCDP: at least 0, at most the row's high.
    expect(e.killed!.parts).toEqual([
      { category: 'SECURITY_FORCES', low: 0, best: 2, high: 9, text: 'deaths_a: 2' },
      { category: 'PERPETRATORS', low: 0, best: 5, high: 9, text: 'deaths_b: 5' },
      { category: 'CIVILIANS', low: 0, best: 0, high: 9, text: 'deaths_civilians: 0' },
      { category: 'UNKNOWN', low: 0, best: 0, high: 9, text: 'deaths_unknown: 0' },
    ]);
    // Each part's line is quoted by the event's report.
    const quotedLines = e.citations.flatMap((c) => c.quote.split('\n'));
    expect(quotedLines).toEqual(expect.arrayContaining(['deaths_a: 2', 'deaths_b: 5', 'deaths_civilians: 0', 'deaths_unknown: 0']));
    expect(e.wounded).toBeNull();
    // One-sided: the "Civilians" side's deaths are counted in deaths_civilians, not as a side.
    const market = (await f.api.query<EventAnswer>(EVENT, { scheme: 'UCDP_GED_ID', value: '900002' })).data!.eventByExternalId;
    expect(market.killed).toMatchObject({ min: 3, best: 4, max: 6 });
    expect(market.killed!.parts.map((p) => [p.category, p.best, p.text])).toEqual([
      ['PERPETRATORS', 0, 'deaths_a: 0'],
      ['CIVILIANS', 4, 'deaths_civilians: 4'],
      ['UNKNOWN', 0, 'deaths_unknown: 0'],
    ]);
    expectQuotesAtOffsets(market);
  });

  it('UCDP non-state violence (two armed groups): their deaths stay in the text, not parts; an empty column makes no part', async () => {
    const lines = readFileSync(join(samples, 'ucdp-ged-sample.csv'), 'utf8').trimEnd().split('\n');
    const row = lines[2]!.replace(/^900002,SAMPLE-2,2023,1,Clear,3,/, '900003,SAMPLE-3,2023,1,Clear,2,').replace(',1,1,Civilians,', ',9003,9003,Sample Legion,').replace(',0,0,4,0,4,6,3,700,', ',1,2,,0,3,3,3,700,');
    const path = join(dir, 'ucdp-non-state.csv');
    writeFileSync(path, [lines[0], row].join('\n'));
    const report = await importDataset(f.scratch.handle.db, path, 'ucdp-ged');
    expect(report.problems).toEqual([]);
    const e = (await f.api.query<EventAnswer>(EVENT, { scheme: 'UCDP_GED_ID', value: '900003' })).data!.eventByExternalId;
    expect(e.killed).toMatchObject({ min: 3, best: 3, max: 3 });
    expect(e.killed!.parts).toEqual([{ category: 'UNKNOWN', low: 0, best: 0, high: 3, text: 'deaths_unknown: 0' }]);
    expect(e.citations[0]!.source.text).toContain('deaths_a: 1\ndeaths_b: 2\ndeaths_civilians: \n');
  });

  it('refuses deaths parts that exceed the figure, naming the row and column, and writes nothing', async () => {
    const ucdp = readFileSync(join(samples, 'ucdp-ged-sample.csv'), 'utf8').trimEnd().split('\n');
    const gtd = readFileSync(join(samples, 'gtd-sample.csv'), 'utf8').trimEnd().split('\n');
    const cases: [string, string, string[], string][] = [
      // Deaths by side and of civilians adding up to more than high.
      ['ucdp-ged', 'ucdp-ged-parts.csv', [ucdp[0]!, ucdp[1]!.replace(',2,5,0,0,7,9,7,700,', ',2,5,50,0,7,9,7,700,')], 'line 2: deaths_a, deaths_b, deaths_civilians, deaths_unknown: add up to 57, more than high 9'],
      // More perpetrators killed than killed.
      ['gtd', 'gtd-parts.csv', [gtd[0]!, gtd[1]!.replace('Explosives,5,0,1,8,', 'Explosives,5,0,9,8,')], "line 2: nkillter: the part's high (9) exceeds the total's high (5)"],
    ];
    for (const [format, name, rows, problem] of cases) {
      const path = join(dir, name);
      writeFileSync(path, rows.join('\n'));
      const before = await tableCounts(f.scratch.handle.sql);
      const report = await importDataset(f.scratch.handle.db, path, format);
      expect(report.ok).toBe(false);
      expect(report.problems).toContain(problem);
      expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
    }
  });

  it('one-sided UCDP violence makes the civilians victims; a multi-day date is a range', async () => {
    const res = await f.api.query<EventAnswer>(EVENT, { scheme: 'UCDP_GED_ID', value: '900002' });
    const e = res.data!.eventByExternalId;
    expect(e.date).toEqual({ earliest: '2023-06-05', latest: '2023-06-11', precision: 'RANGE' });
    expect(e.participants.map((p) => [p.role, p.actor.name])).toEqual([['PERPETRATOR', 'Sample Brigade'], ['VICTIM', 'Civilians']]);
  });

  it('ACLED rows: a suicide bomb is a SUICIDE_BOMBING; a week-precise date is a range around the coded day; actors keep their ACLED names', async () => {
    const bomb = (await f.api.query<EventAnswer>(EVENT, { scheme: 'ACLED_EVENT_ID', value: 'AFG900001' })).data!.eventByExternalId;
    expect(bomb).toMatchObject({ kind: 'SUICIDE_BOMBING', date: { earliest: '2023-07-14', latest: '2023-07-14', precision: 'DAY' }, killed: { min: 3, max: 3 } });
    expect(bomb.participants.map((p) => [p.role, p.actor.name])).toEqual([['PERPETRATOR', 'Sample Armed Group'], ['VICTIM', 'Civilians (Afghanistan)']]);
    // fatalities is one figure: its best estimate, no parts.
    expect(bomb.killed).toEqual({ min: 3, best: 3, max: 3, text: '3', parts: [] });
    expect(bomb.citations.map((c) => c.quote)).toContain('fatalities: 3');
    expectQuotesAtOffsets(bomb);
    const clash = (await f.api.query<EventAnswer>(EVENT, { scheme: 'ACLED_EVENT_ID', value: 'AFG900002' })).data!.eventByExternalId;
    expect(clash.date).toEqual({ earliest: '2023-08-14', latest: '2023-08-20', precision: 'RANGE' });
    // geo_precision 2: near the named place.
    expect(clash.place.location).toEqual({ latitude: 34.7, longitude: 69.4, precision: 'NEAR' });
    const actor = await f.api.query<{ actorByExternalId: { slug: string } }>(`{ actorByExternalId(scheme: ACLED_ACTOR, value: "Sample Armed Group") { slug } }`);
    expect(actor.data?.actorByExternalId).toEqual({ slug: 'acled-sample-armed-group' });
    // Both rows name the same group: one actor.
    expect(clash.participants.find((p) => p.actor.name === 'Sample Armed Group')?.actor.slug).toBe('acled-sample-armed-group');
  });

  it('ACLED inter codes give the actors their kinds, the profile quoting the inter line; the dyad reads the row\'s interaction back', async () => {
    const actor = async (value: string) =>
      (await f.api.query<{ actorByExternalId: ActorAnswer }>(ACTOR, { scheme: 'ACLED_ACTOR', value })).data!.actorByExternalId;
    // The sample: a rebel group (2) bombs civilians (7), interaction 27; state forces (1) fight it, interaction 12.
    const group = await actor('Sample Armed Group');
    expect(group.kind).toBe('ARMED_ORGANIZATION');
    // Established by the first row that names it (AFG900001: actor1, inter1 2).
    expect(group.citations.map((c) => [c.quote, c.source.slug])).toEqual([['actor1: Sample Armed Group', 'acled-afg900001'], ['inter1: 2', 'acled-afg900001']]);
    expect((await actor('Civilians (Afghanistan)')).citations.map((c) => c.quote)).toEqual(['actor2: Civilians (Afghanistan)', 'inter2: 7']);
    expect(await actor('Civilians (Afghanistan)')).toMatchObject({ kind: 'COMMUNITY' });
    expect(await actor('Military Forces of Afghanistan (2021-)')).toMatchObject({ kind: 'STATE_AGENCY' });
    const bomb = (await f.api.query<{ eventByExternalId: DyadAnswer }>(DYAD, { scheme: 'ACLED_EVENT_ID', value: 'AFG900001' })).data!.eventByExternalId;
    // Civilians coded 7 are the victims, and their participation quotes the code that says so.
    expect(bomb.participants.find((p) => p.role === 'VICTIM')?.citations.map((c) => c.quote)).toEqual(['sub_event_type: Suicide bomb', 'actor2: Civilians (Afghanistan)', 'inter2: 7']);
    // Side A is actor1, side B actor2; the interaction from their kinds is the row's own.
    expect(bomb.dyad).toEqual({ acledInteraction: 27, sideA: [{ actor: { name: 'Sample Armed Group' } }], sideB: [{ actor: { name: 'Civilians (Afghanistan)' } }] });
    expect(bomb.citations[0]!.source.text).toContain('interaction: 27');
    // In a battle both sides fought: side A is actor1, side B actor2, and the interaction reads back too.
    const clash = (await f.api.query<{ eventByExternalId: DyadAnswer }>(DYAD, { scheme: 'ACLED_EVENT_ID', value: 'AFG900002' })).data!.eventByExternalId;
    expect(clash.participants.map((p) => [p.role, p.actor.name])).toEqual([['PERPETRATOR', 'Military Forces of Afghanistan (2021-)'], ['PERPETRATOR', 'Sample Armed Group']]);
    expect(clash.dyad).toEqual({ acledInteraction: 12, sideA: [{ actor: { name: 'Military Forces of Afghanistan (2021-)' } }], sideB: [{ actor: { name: 'Sample Armed Group' } }] });
    expect(clash.citations[0]!.source.text).toContain('interaction: 12');
  });

  it('ACLED actor types as codes or words: militias are armed groups, rioters and protesters bodies of civilians (targets); 8 and a blank code take the name\'s kind', async () => {
    const path = join(dir, 'acled-types.csv');
    const { header, row } = acledRows();
    const remote = { event_type: 'Explosions/Remote violence', sub_event_type: 'Grenade' };
    writeFileSync(path, [
      header,
      // Not battles (where actor2 fought too): actor2 is the target, on side B of the dyad.
      row({ event_id_cnty: 'AFG900011', ...remote, actor1: 'Sample Party Militia', inter1: '3', actor2: 'Sample Communal Militia', inter2: 'Identity militia', interaction: 'Political militia-Identity militia' }),
      row({ event_id_cnty: 'AFG900012', ...remote, actor1: 'Military Forces of the United States', inter1: '8', actor2: 'Protesters (Afghanistan)', inter2: '6', interaction: '68' }),
      row({ event_id_cnty: 'AFG900013', ...remote, actor1: 'Sample Security Company', inter1: 'External/Other forces', actor2: 'Rioters (Afghanistan)', inter2: 'rioters', interaction: '' }),
      row({ event_id_cnty: 'AFG900014', actor1: 'Sample Unnamed Gang', inter1: '', actor2: 'Civilians (Pakistan)', inter2: '', interaction: '' }),
      // No actor2: numeric exports code inter2 0 and interaction "20" (rebel group only).
      row({ event_id_cnty: 'AFG900015', actor1: 'Sample Lone Cell', inter1: '2', actor2: '', inter2: '0', interaction: '20' }),
      row({ event_id_cnty: 'AFG900016', actor1: 'Sample Second Cell', inter1: 'Rebel group', actor2: '', inter2: '', interaction: 'Rebel group only' }),
    ].join('\n'));
    const report = await importDataset(f.scratch.handle.db, path, 'acled');
    expect(report.problems).toEqual([]);
    expect(report.createdEventIds).toHaveLength(6);
    const actor = async (value: string) => {
      const a = (await f.api.query<{ actorByExternalId: ActorAnswer }>(ACTOR, { scheme: 'ACLED_ACTOR', value })).data!.actorByExternalId;
      return [a.kind, a.citations.map((c) => c.quote)];
    };
    expect(await actor('Sample Party Militia')).toEqual(['ARMED_ORGANIZATION', ['actor1: Sample Party Militia', 'inter1: 3']]);
    expect(await actor('Sample Communal Militia')).toEqual(['ARMED_ORGANIZATION', ['actor2: Sample Communal Militia', 'inter2: Identity militia']]);
    expect(await actor('Protesters (Afghanistan)')).toEqual(['COMMUNITY', ['actor2: Protesters (Afghanistan)', 'inter2: 6']]);
    expect(await actor('Rioters (Afghanistan)')).toEqual(['COMMUNITY', ['actor2: Rioters (Afghanistan)', 'inter2: rioters']]);
    // External/Other forces (8) and a blank code: the kind is the name's, and the profile quotes the name only.
    expect(await actor('Military Forces of the United States')).toEqual(['STATE_AGENCY', ['actor1: Military Forces of the United States']]);
    expect(await actor('Sample Security Company')).toEqual(['ARMED_ORGANIZATION', ['actor1: Sample Security Company']]);
    expect(await actor('Sample Unnamed Gang')).toEqual(['ARMED_ORGANIZATION', ['actor1: Sample Unnamed Gang']]);
    expect(await actor('Civilians (Pakistan)')).toEqual(['COMMUNITY', ['actor2: Civilians (Pakistan)']]);
    const roles = async (value: string) =>
      (await f.api.query<{ eventByExternalId: DyadAnswer }>(DYAD, { scheme: 'ACLED_EVENT_ID', value })).data!.eventByExternalId.participants.map((p) => [p.role, p.citations.map((c) => c.quote)]);
    // Protesters and rioters are acted against, not counted as victims (ACLED's civilian victims are code 7).
    expect(await roles('AFG900012')).toEqual([
      // sub_event_type and actor1 are consecutive lines: one passage.
      ['PERPETRATOR', ['sub_event_type: Grenade\nactor1: Military Forces of the United States']],
      ['TARGET', ['sub_event_type: Grenade', 'actor2: Protesters (Afghanistan)', 'inter2: 6']],
    ]);
    expect((await roles('AFG900013'))[1]![0]).toBe('TARGET');
    // The dyad's interaction comes from the kinds, coarser than ACLED's types: two militias (3, 4)
    // read back as armed groups (22); the row's own "Political militia-Identity militia" stays in its text.
    const militias = (await f.api.query<{ eventByExternalId: DyadAnswer }>(DYAD, { scheme: 'ACLED_EVENT_ID', value: 'AFG900011' })).data!.eventByExternalId;
    expect(militias.dyad?.acledInteraction).toBe(22);
    expect(militias.citations[0]!.source.text).toContain('interaction: Political militia-Identity militia');
    // Without a code, civilians by their name are the victims, as before, in a battle too.
    expect(await roles('AFG900014')).toEqual([
      ['PERPETRATOR', ['sub_event_type: Armed clash\nactor1: Sample Unnamed Gang']],
      ['VICTIM', ['sub_event_type: Armed clash', 'actor2: Civilians (Pakistan)']],
    ]);
    expect(await roles('AFG900015')).toEqual([['PERPETRATOR', ['sub_event_type: Armed clash\nactor1: Sample Lone Cell']]]);
    const counts = await tableCounts(f.scratch.handle.sql);
    const again = await importDataset(f.scratch.handle.db, path, 'acled');
    expect(again).toMatchObject({ ok: true, created: 0, unchanged: 6 });
    const { audit_log: _a, ...rest } = await tableCounts(f.scratch.handle.sql);
    const { audit_log: _b, ...expected } = counts;
    expect(rest).toEqual(expected);
  });

  it('refuses ACLED rows whose inter codes are not actor types or do not fit their actors and interaction, each named by line, and writes nothing', async () => {
    const path = join(dir, 'acled-bad-types.csv');
    const { header, row } = acledRows();
    writeFileSync(path, [
      header,
      row({ event_id_cnty: 'AFG900031', inter1: '9' }),
      row({ event_id_cnty: 'AFG900032', inter2: 'x' }),
      row({ event_id_cnty: 'AFG900033', interaction: '27' }),
      row({ event_id_cnty: 'AFG900034', inter2: '0', interaction: '10' }),
      row({ event_id_cnty: 'AFG900035', interaction: 'State forces-Spies' }),
      row({ event_id_cnty: 'AFG900036', actor2: '', inter2: '2', interaction: '12' }),
      row({ event_id_cnty: 'AFG900037', inter1: 'Rebel group', inter2: 'State forces', interaction: 'State forces-Rebel group' }),
    ].join('\n'));
    const before = await tableCounts(f.scratch.handle.sql);
    const report = await importDataset(f.scratch.handle.db, path, 'acled');
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      'line 2: inter1: "9" is not an ACLED actor type (1–8, or in words: State forces, Rebel group, Political militia, Identity militia, Rioters, Protesters, Civilians, External/Other forces)',
      'line 3: inter2: "x" is not an ACLED actor type (1–8, or in words: State forces, Rebel group, Political militia, Identity militia, Rioters, Protesters, Civilians, External/Other forces)',
      'line 4: interaction: "27" is not the interaction of inter1 and inter2 (12)',
      'line 5: inter2: 0 codes no actor, but actor2 is "Sample Armed Group"',
      'line 6: interaction: "State forces-Spies" is not an ACLED interaction (two codes as "12", or in words as "State forces-Rebel group" or "State forces only")',
      'line 7: inter2: "2" codes an actor, but actor2 is empty',
      'line 7: interaction: "12" is not the interaction of inter1 and inter2 (10)',
    ]);
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  });

  it('an ACLED actor coded differently across rows: the first row that names it sets its kind; a stored actor keeps its own', async () => {
    const { header, row } = acledRows();
    const first = join(dir, 'acled-shifting.csv');
    writeFileSync(first, [
      header,
      row({ event_id_cnty: 'AFG900041', actor1: 'Sample Shifting Group', inter1: '3', interaction: '23' }),
      // The same group, coded as state forces further down the file (as ACLED recodes a group that takes power).
      row({ event_id_cnty: 'AFG900042', actor1: 'Sample Shifting Group', inter1: '1', interaction: '12' }),
    ].join('\n'));
    expect((await importDataset(f.scratch.handle.db, first, 'acled')).problems).toEqual([]);
    const shifting = async () => (await f.api.query<{ actorByExternalId: ActorAnswer }>(ACTOR, { scheme: 'ACLED_ACTOR', value: 'Sample Shifting Group' })).data!.actorByExternalId;
    expect((await shifting()).kind).toBe('ARMED_ORGANIZATION');
    expect((await shifting()).citations.map((c) => [c.quote, c.source.slug])).toEqual([['actor1: Sample Shifting Group', 'acled-afg900041'], ['inter1: 3', 'acled-afg900041']]);
    // The second row's inter1 line is quoted only by a profile the group already has: no citation is made of it.
    expect(await quotesNoClaimCites('acled-afg90004%')).toEqual([]);
    // A later file codes it as civilians: the actor stays as stored; this row's role follows its own code.
    const later = join(dir, 'acled-shifting-later.csv');
    writeFileSync(later, [header, row({ event_id_cnty: 'AFG900043', actor1: 'Sample Armed Group', inter1: '2', actor2: 'Sample Shifting Group', inter2: '7', interaction: '27' })].join('\n'));
    expect((await importDataset(f.scratch.handle.db, later, 'acled')).problems).toEqual([]);
    expect((await shifting()).kind).toBe('ARMED_ORGANIZATION');
    expect((await shifting()).citations.map((c) => c.source.slug)).toEqual(['acled-afg900041', 'acled-afg900041']);
    const e = (await f.api.query<{ eventByExternalId: DyadAnswer }>(DYAD, { scheme: 'ACLED_EVENT_ID', value: 'AFG900043' })).data!.eventByExternalId;
    expect(e.participants.map((p) => [p.role, p.actor.name])).toEqual([['PERPETRATOR', 'Sample Armed Group'], ['VICTIM', 'Sample Shifting Group']]);
  });

  it('ACLED associated actors: of actor1 implicated, of the civilians attacked their victims, each quoting its line', async () => {
    const { header, row } = acledRows();
    const path = join(dir, 'acled-associates.csv');
    const associates2 = 'Hazara Ethnic Group (Afghanistan); Shia Muslim Group (Afghanistan)';
    writeFileSync(path, [
      header,
      row({
        event_id_cnty: 'AFG900051', event_type: 'Violence against civilians', sub_event_type: 'Attack',
        actor1: 'Sample Armed Group', inter1: '2', assoc_actor_1: 'Sample Allied Militia',
        actor2: 'Civilians (Afghanistan)', inter2: '7', assoc_actor_2: associates2, interaction: '27', civilian_targeting: 'Civilian targeting',
      }),
    ].join('\n'));
    expect((await importDataset(f.scratch.handle.db, path, 'acled')).problems).toEqual([]);
    const e = (await f.api.query<{ eventByExternalId: DyadAnswer }>(DYAD, { scheme: 'ACLED_EVENT_ID', value: 'AFG900051' })).data!.eventByExternalId;
    expect(e.participants.map((p) => [p.role, p.actor.name])).toEqual([
      ['PERPETRATOR', 'Sample Armed Group'],
      ['IMPLICATED', 'Sample Allied Militia'],
      ['VICTIM', 'Civilians (Afghanistan)'],
      ['VICTIM', 'Hazara Ethnic Group (Afghanistan)'],
      ['VICTIM', 'Shia Muslim Group (Afghanistan)'],
    ]);
    const hazara = e.participants.find((p) => p.actor.name.startsWith('Hazara'))!;
    // actor2, assoc_actor_2 and inter2 (which makes them victims) are consecutive lines: one passage.
    expect(hazara.citations.map((c) => c.quote)).toEqual(['sub_event_type: Attack', `actor2: Civilians (Afghanistan)\nassoc_actor_2: ${associates2}\ninter2: 7`]);
    const militia = e.participants.find((p) => p.role === 'IMPLICATED')!;
    expect(militia.citations.map((c) => c.quote)).toEqual(['sub_event_type: Attack\nactor1: Sample Armed Group\nassoc_actor_1: Sample Allied Militia']);
    // The dyad still reads back the row's interaction: side B's first actor is the civilians.
    expect(e.dyad).toMatchObject({ acledInteraction: 27, sideA: [{ actor: { name: 'Sample Armed Group' } }] });
    expect(e.dyad!.sideB.map((s) => s.actor.name)).toEqual(['Civilians (Afghanistan)', 'Hazara Ethnic Group (Afghanistan)', 'Shia Muslim Group (Afghanistan)']);
    const kinds = await f.scratch.handle.sql<{ name: string; kind: string }[]>`
      select name, kind from actors where name in ('Sample Allied Militia', 'Hazara Ethnic Group (Afghanistan)', 'Shia Muslim Group (Afghanistan)') order by name`;
    expect(kinds).toEqual([
      { name: 'Hazara Ethnic Group (Afghanistan)', kind: 'COMMUNITY' },
      { name: 'Sample Allied Militia', kind: 'ARMED_ORGANIZATION' },
      { name: 'Shia Muslim Group (Afghanistan)', kind: 'COMMUNITY' },
    ]);
    expect(await quotesNoClaimCites('acled-afg900051')).toEqual([]);
    // Associated actors of an actor the row does not name: a bad row.
    const bad = join(dir, 'acled-associates-bad.csv');
    writeFileSync(bad, [header, row({ event_id_cnty: 'AFG900052', actor2: '', inter2: '', interaction: '10', assoc_actor_2: 'Hazara Ethnic Group (Afghanistan)' })].join('\n'));
    expect((await importDataset(f.scratch.handle.db, bad, 'acled')).problems).toEqual(['line 2: assoc_actor_2: names associated actors, but actor2 is empty']);
  });

  it('ACLED battles: actor2 and its associated actors fought, PERPETRATOR quoting the event_type line; other event types keep the target', async () => {
    const { header, row } = acledRows();
    const path = join(dir, 'acled-battles.csv');
    writeFileSync(path, [
      header,
      // The sample's battle (state forces against a rebel group, interaction 12) with an ally of actor2.
      row({ event_id_cnty: 'AFG900061', assoc_actor_2: 'Sample Allied Front' }),
      row({ event_id_cnty: 'AFG900062', sub_event_type: 'Government regains territory', inter1: '', inter2: '', interaction: '' }),
      row({ event_id_cnty: 'AFG900063', sub_event_type: 'Non-state actor overtakes territory', actor1: 'Sample Armed Group', inter1: '2', actor2: 'Military Forces of Afghanistan (2021-)', inter2: '1' }),
      // The same two actors, not a battle: an air strike on the group, its target.
      row({ event_id_cnty: 'AFG900064', event_type: 'Explosions/Remote violence', sub_event_type: 'Air/drone strike' }),
    ].join('\n'));
    expect((await importDataset(f.scratch.handle.db, path, 'acled')).problems).toEqual([]);
    // The summaries (the OPPONENT breakdown's sides below), brought up to date as `npm run import` does.
    await drainSummaries(f.scratch.handle.db);
    const of = async (value: string) => (await f.api.query<{ eventByExternalId: DyadAnswer }>(DYAD, { scheme: 'ACLED_EVENT_ID', value })).data!.eventByExternalId;
    const roles = (e: DyadAnswer) => e.participants.map((p) => [p.role, p.actor.name, p.citations.map((c) => c.quote)]);
    const army = 'Military Forces of Afghanistan (2021-)';
    expect(roles(await of('AFG900061'))).toEqual([
      ['PERPETRATOR', army, ['sub_event_type: Armed clash\nactor1: Military Forces of Afghanistan (2021-)']],
      // event_type and sub_event_type are consecutive lines: one passage; the coded inter2 says actor2 is no civilian.
      ['PERPETRATOR', 'Sample Armed Group', ['event_type: Battles\nsub_event_type: Armed clash', 'actor2: Sample Armed Group', 'inter2: 2']],
      ['PERPETRATOR', 'Sample Allied Front', ['event_type: Battles\nsub_event_type: Armed clash', 'actor2: Sample Armed Group\nassoc_actor_2: Sample Allied Front\ninter2: 2']],
    ]);
    // Without inter codes the role rests on the event type alone.
    expect(roles(await of('AFG900062'))[1]).toEqual(['PERPETRATOR', 'Sample Armed Group', ['event_type: Battles\nsub_event_type: Government regains territory', 'actor2: Sample Armed Group']]);
    expect(roles(await of('AFG900063')).map(([role, name]) => [role, name])).toEqual([['PERPETRATOR', 'Sample Armed Group'], ['PERPETRATOR', army]]);
    expect(roles(await of('AFG900064'))[1]).toEqual(['TARGET', 'Sample Armed Group', ['sub_event_type: Air/drone strike', 'actor2: Sample Armed Group', 'inter2: 2']]);
    // Each fighting side is stored as the row names it; the air strike's target takes none.
    const stored = await f.scratch.handle.sql<{ id: string; actor: string; role: string; side: string | null }[]>`
      select x.value as id, a.name as actor, p.role::text as role, p.side::text as side
        from participations p join events e on e.id = p.event_id join actors a on a.id = p.actor_id
        join external_ids x on x.event_id = e.id and x.scheme = 'ACLED_EVENT_ID'
       where x.value in ('AFG900061', 'AFG900064') order by x.value, p.claim_id`;
    expect(stored.map((r) => [r.id, r.actor, r.role, r.side])).toEqual([
      ['AFG900061', army, 'PERPETRATOR', 'A'],
      ['AFG900061', 'Sample Armed Group', 'PERPETRATOR', 'B'],
      ['AFG900061', 'Sample Allied Front', 'PERPETRATOR', 'B'],
      ['AFG900064', army, 'PERPETRATOR', null],
      ['AFG900064', 'Sample Armed Group', 'TARGET', null],
    ]);
    // A battle's two sides both fought: side A is actor1 (the first side named), side B actor2 and
    // its allies; the air strike's side B is its target.
    const sides = (e: DyadAnswer) => e.dyad && [e.dyad.sideA.map((p) => p.actor.name), e.dyad.sideB.map((p) => p.actor.name)];
    expect(sides(await of('AFG900061'))).toEqual([[army], ['Sample Armed Group', 'Sample Allied Front']]);
    expect(sides(await of('AFG900062'))).toEqual([[army], ['Sample Armed Group']]);
    expect(sides(await of('AFG900063'))).toEqual([['Sample Armed Group'], [army]]);
    expect((await of('AFG900064')).dyad).toMatchObject({ acledInteraction: 12, sideA: [{ actor: { name: army } }], sideB: [{ actor: { name: 'Sample Armed Group' } }] });
    const between = async (a: string, b: string) => {
      const r = await f.api.query<{ events: { nodes: { slug: string }[] } }>(`{ events(filter: { between: ["${a}", "${b}"] }, first: 50) { nodes { slug } } }`);
      expect(r.errors).toBeUndefined();
      return r.data!.events.nodes.map((e) => e.slug).filter((slug) => slug.startsWith('acled-afg90006')).sort();
    };
    // Every battle and the air strike are between the group and the army, either way round...
    const all = ['acled-afg900061', 'acled-afg900062', 'acled-afg900063', 'acled-afg900064'];
    expect(await between('acled-sample-armed-group', slugOf('acled', army))).toEqual(all);
    expect(await between(slugOf('acled', army), 'acled-sample-armed-group')).toEqual(all);
    // ...the ally fought the army, not the group it fought beside.
    expect(await between(slugOf('acled', army), slugOf('acled', 'Sample Allied Front'))).toEqual(['acled-afg900061']);
    expect(await between('acled-sample-armed-group', slugOf('acled', 'Sample Allied Front'))).toEqual([]);
    // Whom each met on the other side, counted as between counts them.
    const opponents = async (actor: string) => {
      const r = await f.api.query<{ breakdown: { key: string; events: number }[] }>(`{ breakdown(by: OPPONENT, top: 100, filter: { actor: "${actor}" }) { key events } }`);
      expect(r.errors).toBeUndefined();
      return r.data!.breakdown;
    };
    const betweenCount = async (a: string, b: string) =>
      (await f.api.query<{ eventStats: { events: number } }>(`{ eventStats(filter: { between: ["${a}", "${b}"] }) { events } }`)).data?.eventStats.events;
    const armys = await opponents(slugOf('acled', army));
    expect(armys.map((g) => g.key).sort()).toEqual(['acled-sample-allied-front', 'acled-sample-armed-group']);
    for (const g of armys) expect(g.events).toBe(await betweenCount(slugOf('acled', army), g.key));
    // The group's ally fought beside it: not its opponent.
    const groups = await opponents('acled-sample-armed-group');
    expect(groups.map((g) => g.key)).toContain(slugOf('acled', army));
    expect(groups.map((g) => g.key)).not.toContain('acled-sample-allied-front');
    for (const g of groups) expect(g.events).toBe(await betweenCount('acled-sample-armed-group', g.key));
    expect(await quotesNoClaimCites('acled-afg90006%')).toEqual([]);
  });

  it('battles are armed clashes: UCDP state-based rows and ACLED armed clashes; one-sided violence is an attack', async () => {
    const r = await f.api.query<{ events: { nodes: { slug: string; kind: string; standardTypes: { acledEventType: string | null; acledSubEventType: string | null; gtdAttackType: string | null } }[] } }>(`{
      events(filter: { kind: [ARMED_CLASH, ATTACK] }, first: 100) { nodes { slug kind standardTypes { acledEventType acledSubEventType gtdAttackType } } } }`);
    expect(r.errors).toBeUndefined();
    const of = (slug: string) => r.data!.events.nodes.find((e) => e.slug === slug);
    expect(of('ucdp-ged-900001')).toEqual({ slug: 'ucdp-ged-900001', kind: 'ARMED_CLASH', standardTypes: { acledEventType: 'BATTLES', acledSubEventType: 'ARMED_CLASH', gtdAttackType: null } });
    expect(of('acled-afg900002')?.kind).toBe('ARMED_CLASH');
    expect(of('ucdp-ged-900002')?.kind).toBe('ATTACK');
  });

  it('GTD rows naming a second and third group (gname2, gname3): each its own participation, suspected or claimed as coded', async () => {
    const lines = readFileSync(join(samples, 'gtd-sample.csv'), 'utf8').trimEnd().split('\n');
    const header = lines[0]!.split(',');
    // The sample's first columns hold no quoted commas: the id is replaced by position.
    const withId = (line: string, id: string) => [id, ...line.split(',').slice(1)].join(',');
    const path = join(dir, 'gtd-groups.csv');
    writeFileSync(path, [
      `${lines[0]},gname2,guncertain2,claim2,gname3,guncertain3,claim3`,
      `${withId(lines[1]!, '201901019101')},Second Sample Group,1,0,Third Sample Group,0,1`,
      // The same group twice, and "Unknown", name no one more.
      `${withId(lines[1]!, '201901019102')},Sample Group,0,0,Unknown,0,0`,
    ].join('\n'));
    expect(header).toContain('gname');
    expect((await importDataset(f.scratch.handle.db, path, 'gtd')).problems).toEqual([]);
    const roles = async (value: string) =>
      (await f.api.query<EventAnswer>(EVENT, { scheme: 'GTD_EVENTID', value })).data!.eventByExternalId.participants.map((p) => `${p.role} ${p.actor.name}: ${p.citations.map((c) => c.quote).join(' | ')}`).sort();
    expect(await roles('201901019101')).toEqual([
      'CLAIMED_RESPONSIBILITY Sample Group: gname: Sample Group | claimed: 1',
      // The claim rests on gname3 and claim3, not on guncertain3 between them: two quotes.
      'CLAIMED_RESPONSIBILITY Third Sample Group: gname3: Third Sample Group | claim3: 1',
      'IMPLICATED Second Sample Group: gname2: Second Sample Group\nguncertain2: 1',
      'PERPETRATOR Sample Group: gname: Sample Group | guncertain1: 0',
      'PERPETRATOR Third Sample Group: gname3: Third Sample Group\nguncertain3: 0',
    ]);
    expect((await roles('201901019102')).map((r) => r.split(':')[0])).toEqual(['CLAIMED_RESPONSIBILITY Sample Group', 'PERPETRATOR Sample Group']);
  });

  it('GTD rows: suicide bombing, claimed; an unknown day is a month; a suspected group is IMPLICATED', async () => {
    const bomb = (await f.api.query<EventAnswer>(EVENT, { scheme: 'GTD_EVENTID', value: '201901019001' })).data!.eventByExternalId;
    expect(bomb).toMatchObject({ kind: 'SUICIDE_BOMBING', date: { earliest: '2019-01-01', precision: 'DAY' }, killed: { min: 5, max: 5, text: '5' } });
    expect(bomb.participants.map((p) => p.role).sort()).toEqual(['CLAIMED_RESPONSIBILITY', 'PERPETRATOR']);
    // nkill the total, nkillter the perpetrators among them (the suicide bomber); nwound / nwoundte likewise.
    expect(bomb.killed).toEqual({ min: 5, best: 5, max: 5, text: '5', parts: [{ category: 'PERPETRATORS', low: 1, best: 1, high: 1, text: 'nkillter: 1' }] });
    expect(bomb.wounded).toEqual({ min: 8, best: 8, max: 8, text: '8', parts: [{ category: 'PERPETRATORS', low: 0, best: 0, high: 0, text: 'nwoundte: 0' }] });
    // nkillus is not quoted, so nkill stands alone; nkillter and nwound are consecutive lines, one quote.
    expect(bomb.citations.map((c) => c.quote)).toEqual(expect.arrayContaining(['nkill: 5', 'nkillter: 1\nnwound: 8', 'nwoundte: 0']));
    expectQuotesAtOffsets(bomb);
    const shooting = (await f.api.query<EventAnswer>(EVENT, { scheme: 'GTD_EVENTID', value: '201903009002' })).data!.eventByExternalId;
    expect(shooting).toMatchObject({ kind: 'ASSASSINATION_ATTEMPT', date: { earliest: '2019-03-01', latest: '2019-03-31', precision: 'MONTH' } });
    // city "Unknown": placed in the province it names (provstate), in its country.
    expect(shooting.place).toMatchObject({ name: 'Sample', country: { slug: 'afghanistan' } });
    expect(shooting.participants.map((p) => p.role)).toEqual(['IMPLICATED']);
  });
});

describe('a dataset file written part by part', () => {
  it('a bulk import\'s rows are indexed by the drain, by their values, as a small import\'s rows are at once', async () => {
    const file = join(dir, 'bulk-indexed.csv');
    await generateDataset('ucdp-ged', 1100, file);
    const db = await scratchDatabase();
    try {
      // 1,100 rows in one part: each statement adds more records than search_documents_inline_rows.
      expect(await importDataset(db.handle.db, file, 'ucdp-ged')).toMatchObject({ ok: true, refused: 0 });
      const missing = async () => (await db.handle.sql<{ n: number }[]>`
        select (select count(*) from sources s left join source_search_documents d on d.source_id = s.id
                 where d.document is distinct from source_search_document(s.title, searched_text(s.text, s.dataset)))
             + (select count(*) from citations c join sources s on s.id = c.source_id left join citation_search_documents d on d.citation_id = c.id
                 where d.document is distinct from citation_search_document(searched_text(c.quote, s.dataset)))
             + (select count(*) from events e left join event_search_documents d on d.event_id = e.id
                 where d.document is distinct from event_search_document(e.title, e.description)) as n`)[0]!.n;
      const [records] = await db.handle.sql<{ n: number }[]>`select (select count(*) from sources) + (select count(*) from citations) + (select count(*) from events) as n`;
      expect(Number(await missing())).toBe(Number(records!.n));
      await drainSummaries(db.handle.db);
      expect(Number(await missing())).toBe(0);
    } finally {
      await db.drop();
    }
  }, 120_000);

  it('gives what one part gives: the same records, claims and quotes, actors and places met again in later parts', async () => {
    const file = join(dir, 'parts.csv');
    await generateDataset('ucdp-ged', 60, file);
    const whole = await scratchDatabase();
    const parts = await scratchDatabase();
    try {
      const one = await importDataset(whole.handle.db, file, 'ucdp-ged');
      const many = await importDataset(parts.handle.db, file, 'ucdp-ged', { partRows: 7 });
      expect(one.ok && many.ok).toBe(true);
      expect(many).toMatchObject({ created: one.created, unchanged: 0 });
      expect(many.createdEventIds).toHaveLength(60);
      const { audit_log: _a, ...wholeCounts } = await tableCounts(whole.handle.sql);
      const { audit_log: _b, ...partCounts } = await tableCounts(parts.handle.sql);
      expect(partCounts).toEqual(wholeCounts);
      // Claims by key with their quotes' offsets; actors with the kind and profile the first row set; places under their parents.
      const picture = async (sql: typeof whole.handle.sql) => ({
        quotes: await sql`select c.key, s.slug, ct.start_offset, ct.end_offset from claim_citations cc join claims c on c.id = cc.claim_id
                            join citations ct on ct.id = cc.citation_id join sources s on s.id = ct.source_id order by 1, 2, 3`,
        actors: await sql`select a.slug, a.kind, c.key from actors a join claims c on c.id = a.claim_id order by 1`,
        places: await sql`select p.slug, parent.slug as parent from places p left join places parent on parent.id = p.parent_id order by 1`,
        events: await sql`select e.slug, p.slug as place, e.killed_min, e.killed_max from events e left join places p on p.id = e.place_id order by 1`,
      });
      const expected = await picture(whole.handle.sql);
      expect(expected.actors.length).toBeGreaterThan(7);
      expect(await picture(parts.handle.sql)).toEqual(expected);
    } finally {
      await whole.drop();
      await parts.drop();
    }
  });
});

describe('names and slugs of dataset actors', () => {
  it('gives names in other scripts slugs of their own, the same each time', () => {
    expect(slugOf('acled', 'Sample Armed Group')).toBe('acled-sample-armed-group');
    const isis = slugOf('acled', 'الدولة الإسلامية');
    const taliban = slugOf('acled', 'طالبان');
    expect(isis).toMatch(/^acled-x[0-9a-f]{10}$/);
    expect(taliban).toMatch(/^acled-x[0-9a-f]{10}$/);
    expect(isis).not.toBe(taliban);
    expect(slugOf('acled', 'الدولة الإسلامية')).toBe(isis);
    expect(slugOf('acled', 'ИГИЛ (Вилаят Хорасан)')).not.toBe(slugOf('acled', 'ИГИЛ'));
  });

  it('cuts a long name as the API measures it, never inside a character or before a trailing space', () => {
    const long = `${'a'.repeat(499)} tail`;
    expect(nameOf(long)).toBe('a'.repeat(499));
    const emoji = `${'b'.repeat(499)}😀`;
    expect(nameOf(emoji)).toBe('b'.repeat(499));
    expect(nameOf('Sample Armed Group')).toBe('Sample Armed Group');
  });
});
