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
import { importDataset } from '../src/import/datasets/import.ts';
import { tableCounts, writeFixture, type WriteFixture } from './helpers.ts';

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
    participants: { role: string; actor: { slug: string; name: string; externalIds: { scheme: string; value: string }[] }; citations: { quote: string }[] }[];
  };
};

const EVENT = `query($scheme: ExternalIdScheme!, $value: String!) { eventByExternalId(scheme: $scheme, value: $value) {
  slug kind date { earliest latest precision }
  killed { min best max text parts { category low best high text } } wounded { min best max text parts { category low best high text } } place { name country { slug } location { latitude longitude precision } }
  citations { quote startOffset source { slug publisher text } }
  participants { role actor { slug name externalIds { scheme value } } citations { quote } } } }`;

function expectQuotesAtOffsets(event: EventAnswer['eventByExternalId']) {
  for (const c of event.citations) expect([...c.source.text].slice(c.startOffset, c.startOffset + [...c.quote].length).join('')).toBe(c.quote);
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
    const again = await importDataset(f.scratch.handle.db, join(samples, file), format);
    expect(again).toMatchObject({ ok: true, created: 0, createdEventIds: [] });
    expect(again.unchanged).toBeGreaterThanOrEqual(2);
    const { audit_log: _a, ...rest } = await tableCounts(f.scratch.handle.sql);
    const { audit_log: _b, ...expected } = after;
    expect(rest).toEqual(expected);
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

describe('what a dataset row becomes', () => {
  it('a UCDP GED row: its source is the row as given; the event, its dates, deaths and both sides quote their fields', async () => {
    const res = await f.api.query<EventAnswer>(EVENT, { scheme: 'UCDP_GED_ID', value: '900001' });
    const e = res.data!.eventByExternalId;
    expect(e).toMatchObject({ slug: 'ucdp-ged-900001', kind: 'ATTACK', date: { earliest: '2023-05-01', latest: '2023-05-01', precision: 'DAY' }, killed: { min: 7, max: 9, text: 'best 7 (low 7, high 9)' } });
    expect(e.place).toMatchObject({ name: 'Sample Town', country: { slug: 'afghanistan' }, location: { latitude: 34.5, longitude: 69.2, precision: 'EXACT' } });
    expect(e.citations[0]!.source).toMatchObject({ slug: 'ucdp-ged-900001', publisher: 'Uppsala Conflict Data Program (UCDP GED)' });
    expect(e.citations[0]!.source.text.split('\n')[0]).toBe('id: 900001');
    // The quoted CSV field keeps its text as given, its doubled quotes undone by the CSV reading.
    expect(e.citations[0]!.source.text).toContain('source_article: Sample Wire, "Clashes reported", 2023-05-02');
    expect(e.citations.map((c) => c.quote)).toEqual(expect.arrayContaining(['id: 900001', 'date_start: 2023-05-01', 'best: 7', 'low: 7', 'high: 9']));
    expectQuotesAtOffsets(e);
    expect(e.participants.map((p) => [p.role, p.actor.name, p.actor.externalIds])).toEqual([
      ['PERPETRATOR', 'Government of Afghanistan', [{ scheme: 'UCDP_ACTOR_ID', value: '130' }]],
      ['PERPETRATOR', 'Sample Front', [{ scheme: 'UCDP_ACTOR_ID', value: '9001' }]],
    ]);
    expect(e.participants[0]!.citations.map((c) => c.quote)).toEqual(['type_of_violence: 1', 'side_a: Government of Afghanistan']);
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
    expect(e.citations.map((c) => c.quote)).toEqual(expect.arrayContaining(['deaths_a: 2', 'deaths_b: 5', 'deaths_civilians: 0', 'deaths_unknown: 0']));
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

  it('GTD rows: suicide bombing, claimed; an unknown day is a month; a suspected group is IMPLICATED', async () => {
    const bomb = (await f.api.query<EventAnswer>(EVENT, { scheme: 'GTD_EVENTID', value: '201901019001' })).data!.eventByExternalId;
    expect(bomb).toMatchObject({ kind: 'SUICIDE_BOMBING', date: { earliest: '2019-01-01', precision: 'DAY' }, killed: { min: 5, max: 5, text: '5' } });
    expect(bomb.participants.map((p) => p.role).sort()).toEqual(['CLAIMED_RESPONSIBILITY', 'PERPETRATOR']);
    // nkill the total, nkillter the perpetrators among them (the suicide bomber); nwound / nwoundte likewise.
    expect(bomb.killed).toEqual({ min: 5, best: 5, max: 5, text: '5', parts: [{ category: 'PERPETRATORS', low: 1, best: 1, high: 1, text: 'nkillter: 1' }] });
    expect(bomb.wounded).toEqual({ min: 8, best: 8, max: 8, text: '8', parts: [{ category: 'PERPETRATORS', low: 0, best: 0, high: 0, text: 'nwoundte: 0' }] });
    expect(bomb.citations.map((c) => c.quote)).toEqual(expect.arrayContaining(['nkill: 5', 'nkillter: 1', 'nwound: 8', 'nwoundte: 0']));
    expectQuotesAtOffsets(bomb);
    const shooting = (await f.api.query<EventAnswer>(EVENT, { scheme: 'GTD_EVENTID', value: '201903009002' })).data!.eventByExternalId;
    expect(shooting).toMatchObject({ kind: 'ASSASSINATION_ATTEMPT', date: { earliest: '2019-03-01', latest: '2019-03-31', precision: 'MONTH' } });
    expect(shooting.place.name).toBe('Afghanistan');
    expect(shooting.participants.map((p) => p.role)).toEqual(['IMPLICATED']);
  });
});
