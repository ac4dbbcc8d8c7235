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

type EventAnswer = {
  eventByExternalId: {
    slug: string;
    kind: string;
    date: { earliest: string; latest: string; precision: string };
    killed: { min: number; max: number; text: string } | null;
    place: { name: string; country: { slug: string }; location: { latitude: number; longitude: number; precision: string } | null };
    citations: { quote: string; startOffset: number; source: { slug: string; publisher: string; text: string } }[];
    participants: { role: string; actor: { slug: string; name: string; externalIds: { scheme: string; value: string }[] }; citations: { quote: string }[] }[];
  };
};

const EVENT = `query($scheme: ExternalIdScheme!, $value: String!) { eventByExternalId(scheme: $scheme, value: $value) {
  slug kind date { earliest latest precision } killed { min max text } place { name country { slug } location { latitude longitude precision } }
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
    const shooting = (await f.api.query<EventAnswer>(EVENT, { scheme: 'GTD_EVENTID', value: '201903009002' })).data!.eventByExternalId;
    expect(shooting).toMatchObject({ kind: 'ASSASSINATION_ATTEMPT', date: { earliest: '2019-03-01', latest: '2019-03-31', precision: 'MONTH' } });
    expect(shooting.place.name).toBe('Afghanistan');
    expect(shooting.participants.map((p) => p.role)).toEqual(['IMPLICATED']);
  });
});
