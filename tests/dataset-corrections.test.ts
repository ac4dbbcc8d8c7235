/**
 * A dataset's later version applied as corrections (`--apply-corrections`): the row as the new
 * version gives it is stored as a source of its own, what it changes is written as cited claims (an
 * update of the event, participations added and retracted), the stored row is never rewritten,
 * and importing the same version again changes nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'csv-stringify/sync';
import { applyDatasetCorrections } from '../src/domain/bulk/dataset-corrections.ts';
import { laterVersionTitle } from '../src/domain/bulk/dataset.ts';
import { sha256Hex } from '../src/domain/sources/sources.ts';
import { parseCsv } from '../src/import/csv.ts';
import { DATASET_FORMATS } from '../src/import/datasets/formats.ts';
import { importDataset } from '../src/import/datasets/import.ts';
import { DatasetRow } from '../src/import/datasets/rows.ts';
import { tableCounts, writeFixture, type WriteFixture } from './helpers.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const sample = fileURLToPath(new URL('../seed/examples/datasets/ucdp-ged-sample.csv', import.meta.url));
let f: WriteFixture;
let dir: string;

beforeAll(async () => {
  f = await writeFixture();
  dir = mkdtempSync(join(tmpdir(), 'dataset-corrections-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await f.close();
});

/**
 * The UCDP GED sample with its second row (line 3: one-sided violence by the Sample Brigade, 4
 * civilians killed) changed as `changes` say; that row has no quoted cell, so a cell is replaced
 * by position.
 */
function laterVersion(name: string, changes: Record<string, string>): { path: string; row: string } {
  const lines = readFileSync(sample, 'utf8').trimEnd().split('\n');
  const header = lines[0]!.split(',');
  const cells = lines[2]!.split(',');
  for (const [column, value] of Object.entries(changes)) {
    expect(header).toContain(column);
    cells[header.indexOf(column)] = value;
  }
  const path = join(dir, name);
  writeFileSync(path, [lines[0], lines[1], cells.join(','), ...lines.slice(3)].join('\n') + '\n');
  const text = header.map((column, i) => `${column}: ${cells[i]}`).join('\n');
  return { path, row: text };
}

type Answer = {
  eventByExternalId: {
    slug: string;
    killed: { min: number; best: number | null; max: number; parts: { category: string; best: number | null }[] } | null;
    participants: { role: string; actor: { slug: string; name: string } }[];
    revisions: { nodes: { changes: { field: string }[]; update: { note: string | null; citations: { quote: string; source: { slug: string } }[] } }[] };
  } | null;
};
const EVENT = `query($asOf: DateTime, $retracted: Boolean! = false) {
  eventByExternalId(scheme: UCDP_GED_ID, value: "900002", asOf: $asOf, includeRetracted: $retracted) {
    slug killed { min best max parts { category best } }
    participants { role actor { slug name } }
    revisions { nodes { changes { field } update { note citations { quote source { slug } } } } } } }`;

async function event(variables: { asOf?: string; retracted?: boolean } = {}) {
  const r = await f.api.query<Answer>(EVENT, variables);
  expect(r.errors).toBeUndefined();
  return r.data!.eventByExternalId!;
}

const countsWithoutAudit = async () => {
  const { audit_log: _, ...rest } = await tableCounts(f.scratch.handle.sql);
  return rest;
};

describe('a dataset import with --apply-corrections', () => {
  it('stores a version that changes only a column kept in the text, and changes nothing else', async () => {
    expect((await importDataset(f.scratch.handle.db, sample, 'ucdp-ged')).ok).toBe(true);
    const { path, row } = laterVersion('ged-relid.csv', { relid: 'SAMPLE-2-REVISED' });
    const before = await countsWithoutAudit();
    const report = await importDataset(f.scratch.handle.db, path, 'ucdp-ged', { applyCorrections: true });
    expect(report).toMatchObject({ ok: true, created: 0, differing: [], corrected: [`line 3: stored as source "ucdp-ged-900002-${sha256Hex(row).slice(0, 12)}"; nothing else it maps changed`] });
    const after = await countsWithoutAudit();
    expect(after.sources).toBe(before.sources! + 1);
    expect({ ...after, sources: before.sources }).toEqual(before);
  });

  it('stores a later version of a row as its own source and applies what it changes as cited claims', async () => {
    const storedRow = await f.scratch.handle.sql<{ text: string }[]>`select text from sources where slug = 'ucdp-ged-900002'`;
    const [{ now: before }] = await f.scratch.handle.sql<[{ now: string }]>`select to_json(now())#>>'{}' as now`;
    const original = await event();
    expect(original.killed).toMatchObject({ min: 3, best: 4, max: 6 });
    expect(original.participants.map((p) => `${p.actor.slug} ${p.role}`).sort()).toEqual(['ucdp-actor-1 VICTIM', 'ucdp-actor-9002 PERPETRATOR']);

    // The next release: two more civilians killed, and the killing attributed to another group.
    const { path, row } = laterVersion('ged-next.csv', {
      best: '6', high: '8', deaths_civilians: '6', side_a_dset_id: '9003', side_a_new_id: '9003', side_a: 'Sample Legion',
    });
    const slug = `ucdp-ged-900002-${sha256Hex(row).slice(0, 12)}`;

    // Without the flag it is only named.
    expect(await importDataset(f.scratch.handle.db, path, 'ucdp-ged', { dryRun: true })).toMatchObject({ ok: true, differing: ['line 3'], corrected: [] });
    // A dry run says what it would apply, and writes nothing.
    const counts = await countsWithoutAudit();
    const expected = `line 3: stored as source "${slug}"; event "ucdp-ged-900002": title, killed; participation added: ucdp-actor-9003 PERPETRATOR; participation retracted: ucdp-actor-9002 PERPETRATOR`;
    const dry = await importDataset(f.scratch.handle.db, path, 'ucdp-ged', { dryRun: true, applyCorrections: true });
    expect(dry).toMatchObject({ ok: true, created: 0, differing: [], corrected: [expected] });
    expect(await countsWithoutAudit()).toEqual(counts);

    const report = await importDataset(f.scratch.handle.db, path, 'ucdp-ged', { applyCorrections: true });
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, created: 0, differing: [], corrected: [expected] });

    // The stored row is evidence as it was read: unchanged. The new version is a source of its own.
    expect(await f.scratch.handle.sql`select text from sources where slug = 'ucdp-ged-900002'`).toEqual(storedRow);
    expect((await f.scratch.handle.sql<{ text: string; dataset: string }[]>`select text, dataset from sources where slug = ${slug}`)[0]).toEqual({ text: row, dataset: 'UCDP_GED' });

    const now = await event();
    expect(now.killed).toMatchObject({ min: 3, best: 6, max: 8 });
    expect(now.killed!.parts).toEqual(expect.arrayContaining([expect.objectContaining({ category: 'CIVILIANS', best: 6 })]));
    expect(now.participants.map((p) => `${p.actor.slug} ${p.role}`).sort()).toEqual(['ucdp-actor-1 VICTIM', 'ucdp-actor-9003 PERPETRATOR']);
    expect(now.participants.find((p) => p.role === 'PERPETRATOR')!.actor.name).toBe('Sample Legion');
    // The update is a claim quoting the new version; the revision names the figures it changed.
    const [revision] = now.revisions.nodes;
    expect(revision!.changes.map((c) => c.field)).toEqual(['title', 'killed']);
    expect(revision!.update.note).toBe(`corrected as UCDP GED 900002's later version (source ${slug}) gives it`);
    expect(revision!.update.citations.length).toBeGreaterThan(0);
    for (const c of revision!.update.citations) {
      expect(c.source.slug).toBe(slug);
      expect(row).toContain(c.quote);
    }
    expect(revision!.update.citations.map((c) => c.quote).join('\n')).toContain('best: 6');
    // The retracted participation says why, quoting the new version's line.
    const retracted = await f.scratch.handle.sql<{ reason: string; quote: string; slug: string }[]>`
      select c.retraction_reason as reason, ci.quote, s.slug from claims c join participations p on p.claim_id = c.id
        join actors a on a.id = p.actor_id join citations ci on ci.id = c.retraction_citation_id join sources s on s.id = ci.source_id
       where a.slug = 'ucdp-actor-9002' and c.retracted_at is not null`;
    expect(retracted).toEqual([{ reason: `UCDP GED 900002's later version (source ${slug}) no longer codes ucdp-actor-9002 as PERPETRATOR`, quote: expect.stringContaining('side_a: Sample Legion'), slug }]);
    // The record lists its later versions, newest first (the relid version before this one); each names the record.
    const versions = await f.api.query<{ source: { title: string; versionOf: null; laterVersions: { slug: string; title: string; versionOf: { slug: string } }[] } }>(
      `{ source(slug: "ucdp-ged-900002") { title versionOf { slug } laterVersions { slug title versionOf { slug } } } }`,
    );
    expect(versions.errors).toBeUndefined();
    expect(versions.data!.source.versionOf).toBeNull();
    expect(versions.data!.source.laterVersions).toHaveLength(2);
    expect(versions.data!.source.laterVersions[0]).toEqual({ slug, title: `UCDP GED event 900002 — later version from ged-next.csv (${slug.slice(-12)})`, versionOf: { slug: 'ucdp-ged-900002' } });
    // Each version's title tells it apart: the first keeps its own, each later one names its file.
    expect(versions.data!.source.title).toBe('UCDP GED event 900002');
    expect(versions.data!.source.laterVersions[1]!.title).toMatch(/^UCDP GED event 900002 — later version from ged-relid\.csv \([0-9a-f]{12}\)$/);
    // Batched: as many statements for two rows' versions as for all of them.
    const statementsFor = async (first: number) => {
      f.api.resetStatements();
      const r = await f.api.query(`{ sources(dataset: UCDP_GED, first: ${first}) { nodes { slug laterVersions { slug versionOf { slug } } } } }`);
      expect(r.errors).toBeUndefined();
      return f.api.statements.length;
    };
    expect(await statementsFor(50)).toBe(await statementsFor(2));
    // The link is the database's to keep: set at insert, never moved, always to a first version.
    await expect(f.scratch.handle.sql`update sources set version_of_id = null where slug = ${slug}`).rejects.toThrow(/the record it is a version of cannot change/);
    await expect(f.scratch.handle.sql`
      insert into sources (slug, publisher, dataset, text, text_sha256, version_of_id)
      select 'ucdp-ged-900002-000000000000', 'x', 'UCDP_GED', 'x', encode(sha256('x'), 'hex'), id from sources where slug = ${slug}`).rejects.toThrow(/names its record's first version/);
    // Reads as of before the import answer as they did.
    const then = await event({ asOf: before });
    expect(then.killed).toMatchObject({ best: 4, max: 6 });
    expect(then.participants.map((p) => `${p.actor.slug} ${p.role}`).sort()).toEqual(['ucdp-actor-1 VICTIM', 'ucdp-actor-9002 PERPETRATOR']);

    // The same version again: found, nothing applied or named, nothing written; the first version
    // again is stored as it was, and names nothing either.
    const applied = await countsWithoutAudit();
    expect(await importDataset(f.scratch.handle.db, path, 'ucdp-ged', { applyCorrections: true })).toMatchObject({ ok: true, created: 0, differing: [], corrected: [] });
    expect(await importDataset(f.scratch.handle.db, path, 'ucdp-ged')).toMatchObject({ ok: true, created: 0, differing: [] });
    expect(await importDataset(f.scratch.handle.db, sample, 'ucdp-ged')).toMatchObject({ ok: true, created: 0, differing: [] });
    expect(await countsWithoutAudit()).toEqual(applied);
    // Every claim is cited, every quote is its source's text at its offsets (the database's checks
    // ran at commit); and no citation of the new version is left that nothing cites.
    expect(await f.scratch.handle.sql`
      select ci.quote from citations ci join sources s on s.id = ci.source_id
       where s.slug = ${slug} and not exists (select 1 from claim_citations cc where cc.citation_id = ci.id)
         and not exists (select 1 from claims c where c.retraction_citation_id = ci.id)`).toEqual([]);
  });

  it('titles a later version by its file, cut when long, and by its hash when files share a name', () => {
    const hash = 'ab'.repeat(32);
    expect(laterVersionTitle('ACLED event AFG900002', hash, 'acled-2025-03.csv')).toBe('ACLED event AFG900002 — later version from acled-2025-03.csv (abababababab)');
    expect(laterVersionTitle('ACLED event AFG900002', 'cd'.repeat(32), 'acled-2025-03.csv')).not.toBe(laterVersionTitle('ACLED event AFG900002', hash, 'acled-2025-03.csv'));
    const long = laterVersionTitle('GTD incident 201901019001', hash, `${'x'.repeat(300)}.csv`);
    expect(long).toBe(`GTD incident 201901019001 — later version from ${'x'.repeat(199)}… (abababababab)`);
  });

  it('--remap is refused for a knowledge file and by the command without --format; --apply-corrections is a knowledge file\'s too', async () => {
    const knowledge = fileURLToPath(new URL('../seed/examples/example-wire-report.json', import.meta.url));
    const { importFile } = await import('../src/import/import.ts');
    expect((await importFile(f.scratch.handle.db, knowledge, { remap: true })).problems).toEqual([
      '--remap applies to dataset imports (--format): a knowledge file says what it says, with no mapping to apply again',
    ]);
    const env = { ...process.env, DATABASE_URL: f.scratch.url };
    const refused = await run('node_modules/.bin/tsx', ['src/cli/import.ts', knowledge, '--remap'], { cwd: root, env }).catch((e: { code: number; stderr: string }) => e);
    expect('code' in refused ? refused.code : 0).toBe(2);
    expect(refused.stderr).toContain('--remap applies to dataset imports: give --format');
    // A knowledge file applies its own corrections (tests/import.test.ts); with none, it is a plain import.
    expect(await importFile(f.scratch.handle.db, knowledge, { applyCorrections: true, dryRun: true })).toMatchObject({ ok: true, problems: [], corrected: [] });
  });

  it('npm run import prints what it applied', async () => {
    const { path } = laterVersion('ged-cli.csv', { best: '7', high: '9', deaths_civilians: '7' });
    // An analyst's claim about the same event, resting on another source: no correction retracts it.
    const added = await f.api.query(
      `mutation($i: AddParticipationInput!) { addParticipation(input: $i) { __typename ... on UserError { message } } }`,
      { i: { event: 'ucdp-ged-900002', actor: 'isis-k', role: 'IMPLICATED', confidence: 20, citations: [{ source: 'globely-news-isis-k-long-reach', quote: 'curious dynamic emerged' }] } },
      { token: f.tokens.analyst },
    );
    expect(added.data).toEqual({ addParticipation: { __typename: 'MutationAddParticipationSuccess' } });
    const env = { ...process.env, DATABASE_URL: f.scratch.url };
    const named = await run('node_modules/.bin/tsx', ['src/cli/import.ts', '--format', 'ucdp-ged', path, '--dry-run'], { cwd: root, env });
    expect(named.stdout).toContain('1 unchanged record differs from what is stored under the same id, left as stored: line 3');
    expect(named.stdout).toContain('--apply-corrections stores each as a later version');
    const applied = await run('node_modules/.bin/tsx', ['src/cli/import.ts', '--format', 'ucdp-ged', path, '--apply-corrections'], { cwd: root, env });
    expect(applied.stdout).toContain('1 row applied as corrections of the stored record:');
    // Built from the first version's row, it also puts the Sample Brigade back.
    expect(applied.stdout).toMatch(
      /line 3: stored as source "ucdp-ged-900002-[0-9a-f]{12}"; event "ucdp-ged-900002": title, killed; participation added: ucdp-actor-9002 PERPETRATOR; participation retracted: ucdp-actor-9003 PERPETRATOR\n/,
    );
    expect(applied.stderr).toMatch(/summaries up to date/);
    const after = await event();
    expect(after.killed).toMatchObject({ best: 7, max: 9 });
    expect(after.participants.map((p) => `${p.actor.slug} ${p.role}`).sort()).toEqual(['isis-k IMPLICATED', 'ucdp-actor-1 VICTIM', 'ucdp-actor-9002 PERPETRATOR']);
  });

  it('brings in a place only for a row it writes: a row left as stored adds none, a new or applied one does', async () => {
    const lines = readFileSync(sample, 'utf8').trimEnd().split('\n');
    const header = lines[0]!.split(',');
    const cellsOf = (line: string, changes: Record<string, string>) => {
      const cells = line.split(',');
      for (const [column, value] of Object.entries(changes)) cells[header.indexOf(column)] = value;
      return cells.join(',');
    };
    // Line 3 moved to a new place (a row left as stored without the flag); line 4 a new row at that place.
    const moved = { where_coordinates: 'Moved Sample Place', side_a: 'Sample Brigade' };
    const path = join(dir, 'ged-moved.csv');
    writeFileSync(path, [lines[0], lines[1], cellsOf(lines[2]!, moved), cellsOf(lines[2]!, { ...moved, id: '900003', relid: 'SAMPLE-3' })].join('\n') + '\n');
    const placeOf = async (id: string) =>
      (await f.scratch.handle.sql<{ slug: string | null }[]>`
        select pl.slug from events e join external_ids x on x.event_id = e.id left join places pl on pl.id = e.place_id
         where x.scheme = 'UCDP_GED_ID' and x.value = ${id}`)[0]?.slug;
    const before = await placeOf('900002');
    // One row a part: the new row's part stages the place again, though the moved row's part named it first.
    const report = await importDataset(f.scratch.handle.db, path, 'ucdp-ged', { partRows: 1 });
    expect(report).toMatchObject({ ok: true, differing: ['line 3'], corrected: [] });
    expect(await placeOf('900003')).toBe('afghanistan-moved-sample-place');
    expect(await placeOf('900002')).toBe(before);

    // A later version (of the row as the command's test left it) that moves it to a place nobody named yet: without the flag nothing is
    // written, the place neither; with it, the place comes in and the event moves there.
    const { path: elsewhere } = laterVersion('ged-elsewhere.csv', { where_coordinates: 'Another Sample Place', best: '7', high: '9', deaths_civilians: '7' });
    const counts = await countsWithoutAudit();
    expect(await importDataset(f.scratch.handle.db, elsewhere, 'ucdp-ged')).toMatchObject({ ok: true, created: 0, differing: ['line 3'] });
    expect(await countsWithoutAudit()).toEqual(counts);
    const applied = await importDataset(f.scratch.handle.db, elsewhere, 'ucdp-ged', { applyCorrections: true });
    expect(applied.corrected).toEqual([expect.stringMatching(/; event "ucdp-ged-900002": title, place$/)]);
    expect(await placeOf('900002')).toBe('afghanistan-another-sample-place');
  });
});

describe.each([
  ['acled', 'acled-sample.csv', 'fatalities', 'ACLED_EVENT_ID', 'event_id_cnty'],
  ['gtd', 'gtd-sample.csv', 'nkill', 'GTD_EVENTID', 'eventid'],
])('%s: a later version applied as corrections', (format, file, column, scheme, idColumn) => {
  it('raises the killed figure of the row it corrects, and only that', async () => {
    const path = fileURLToPath(new URL(`../seed/examples/datasets/${file}`, import.meta.url));
    expect((await importDataset(f.scratch.handle.db, path, format)).ok).toBe(true);
    const [header, ...rows] = parseCsv(readFileSync(path, 'utf8')).map((r) => r.fields);
    const row = rows[0]!;
    const killed = Number(row[header!.indexOf(column)]);
    expect(killed).toBeGreaterThan(0);
    row[header!.indexOf(column)] = String(killed + 2);
    const next = join(dir, `next-${file}`);
    writeFileSync(next, stringify([header!, ...rows]));
    const id = row[header!.indexOf(idColumn)]!;
    const text = header!.map((c, i) => `${c}: ${row[i]}`).join('\n');

    // One row a part: the correction is applied as its part is written, before the next part.
    const report = await importDataset(f.scratch.handle.db, next, format, { applyCorrections: true, partRows: 1 });
    expect(report.problems).toEqual([]);
    const [event] = await f.scratch.handle.sql<{ slug: string; killed_min: number; killed_max: number }[]>`
      select e.slug, e.killed_min, e.killed_max from events e join external_ids x on x.event_id = e.id where x.scheme = ${scheme} and x.value = ${id}`;
    expect(report.corrected).toEqual([`line 2: stored as source "${format}-${id.toLowerCase()}-${sha256Hex(text).slice(0, 12)}"; event "${event!.slug}": killed`]);
    expect(event).toMatchObject({ killed_min: killed + 2, killed_max: killed + 2 });
    const counts = await countsWithoutAudit();
    expect(await importDataset(f.scratch.handle.db, next, format, { applyCorrections: true })).toMatchObject({ ok: true, created: 0, differing: [], corrected: [] });
    expect(await countsWithoutAudit()).toEqual(counts);
  });
});

describe('a later release the knowledge base cannot take', () => {
  it('refuses the file for a row whose week leaves the date range, naming the line, and writes nothing, not even the rows corrected before it', async () => {
    const path = fileURLToPath(new URL('../seed/examples/datasets/acled-sample.csv', import.meta.url));
    expect((await importDataset(f.scratch.handle.db, path, 'acled')).ok).toBe(true);
    const [header, ...rows] = parseCsv(readFileSync(path, 'utf8')).map((r) => r.fields);
    const at = (column: string) => header!.indexOf(column);
    // Line 2: a correction the services apply (more fatalities). Line 3: the battle dated, with
    // week precision (time_precision 2), to the range's second day: the day itself is one the
    // knowledge base takes, but the week around it begins before 1700-01-01.
    rows[0]![at('fatalities')] = '9';
    expect(rows[1]![at('time_precision')]).toBe('2');
    rows[1]![at('event_date')] = '1700-01-02';
    const next = join(dir, 'acled-refused.csv');
    writeFileSync(next, stringify([header!, ...rows]));
    const before = await tableCounts(f.scratch.handle.sql);
    const sources = await f.scratch.handle.sql`select slug, title from sources where dataset = 'ACLED' order by slug`;
    const problem = 'line 3: event_date: the week around 1700-01-02 (time_precision 2) must lie between 1700-01-01 and 2200-12-31';
    for (const options of [{ applyCorrections: true, dryRun: true, partRows: 1 }, { applyCorrections: true, partRows: 1 }, {}]) {
      const report = await importDataset(f.scratch.handle.db, next, 'acled', options);
      expect(report).toMatchObject({ ok: false, created: 0, corrected: [], problems: [problem] });
    }
    // As a new row too (it once reached PostgreSQL's date check and failed the import with an internal error).
    rows[1]![at('event_id_cnty')] = 'AFG900099';
    writeFileSync(next, stringify([header!, rows[1]!]));
    expect(await importDataset(f.scratch.handle.db, next, 'acled')).toMatchObject({ ok: false, problems: [problem.replace('line 3', 'line 2')] });
    // The database is as it was: no later version stored (line 2's included), no update claim, no audit entry.
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
    expect(await f.scratch.handle.sql`select slug, title from sources where dataset = 'ACLED' order by slug`).toEqual(sources);
  });

  it('names the line when a domain rule refuses a correction the mapping let through', async () => {
    const path = fileURLToPath(new URL('../seed/examples/datasets/acled-sample.csv', import.meta.url));
    expect((await importDataset(f.scratch.handle.db, path, 'acled')).ok).toBe(true);
    const [header, first] = parseCsv(readFileSync(path, 'utf8')).map((r) => r.fields);
    // No row of a real release reaches this (the mapping checks what the services check), so the
    // record is made by the mapping and then given a date the services refuse.
    const row = new DatasetRow(2, header!, first!.map((value, i) => (header![i] === 'fatalities' ? '11' : value)));
    const record = DATASET_FORMATS.acled!.map(row)!;
    expect(row.problems).toEqual([]);
    const refused = { ...record, event: { ...record.event!, date: { ...record.event!.date, earliest: '1699-12-30' } } };
    const before = await tableCounts(f.scratch.handle.sql);
    await expect(
      f.scratch.handle.db.transaction((tx) => applyDatasetCorrections(tx, { name: 'import:test', role: 'analyst', tokenId: null }, [refused], 'test.csv')),
    ).rejects.toThrow(/^line 2: ACLED AFG900001's later version cannot be applied: input\.date\.earliest: must lie between 1700-01-01 and 2200-12-31$/);
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  });
});

describe('--remap: stored rows mapped again by this version of the importer', () => {
  it('recodes what an earlier mapping stored otherwise, citing the stored row, and then finds nothing to do', async () => {
    const sample = fileURLToPath(new URL('../seed/examples/datasets/acled-sample.csv', import.meta.url));
    expect((await importDataset(f.scratch.handle.db, sample, 'acled')).ok).toBe(true);
    // The sample's battle alone (its other rows may have later versions from the tests above).
    const lines = readFileSync(sample, 'utf8').trimEnd().split('\n');
    const path = join(dir, 'acled-battle.csv');
    writeFileSync(path, `${lines[0]}\n${lines.find((l) => l.startsWith('AFG900002,'))}\n`);
    // The battle as an earlier version of the importer stored it: an attack, actor2 its target.
    const as = async (query: string, i: Record<string, unknown>) => {
      const r = await f.api.query<Record<string, { __typename: string; message?: string }>>(query, { i }, { token: f.tokens.admin });
      expect(r.errors).toBeUndefined();
      expect(Object.values(r.data!)[0]!.__typename, JSON.stringify(r.data)).toMatch(/Success$/);
    };
    const cite = (quote: string) => [{ source: 'acled-afg900002', quote }];
    await as(`mutation($i: UpdateEventInput!) { updateEvent(input: $i) { __typename ... on UserError { message } } }`, { slug: 'acled-afg900002', kind: 'ATTACK', confidence: 90, citations: cite('sub_event_type: Armed clash') });
    const [perpetrator] = await f.scratch.handle.sql<{ id: number }[]>`
      select p.claim_id as id from participations p join actors a on a.id = p.actor_id join events e on e.id = p.event_id
       where e.slug = 'acled-afg900002' and a.slug = 'acled-sample-armed-group' and p.role = 'PERPETRATOR'`;
    await as(`mutation($i: RetractClaimInput!) { retractClaim(input: $i) { __typename ... on UserError { message } } }`, {
      claim: Buffer.from(`Participation:${perpetrator!.id}`).toString('base64'), reason: 'coded as the target then', citation: cite('actor2: Sample Armed Group')[0],
    });
    await as(`mutation($i: AddParticipationInput!) { addParticipation(input: $i) { __typename ... on UserError { message } } }`, {
      event: 'acled-afg900002', actor: 'acled-sample-armed-group', role: 'TARGET', confidence: 90, citations: cite('actor2: Sample Armed Group'),
    });
    const counts = await tableCounts(f.scratch.handle.sql);
    const expected = [
      'line 2: mapped again (source "acled-afg900002"); event "acled-afg900002": kind; participation added: acled-sample-armed-group PERPETRATOR; participation retracted: acled-sample-armed-group TARGET',
    ];
    // A dry run says what it would do and writes nothing; without --remap nothing is named (the text is unchanged).
    expect(await importDataset(f.scratch.handle.db, path, 'acled', { remap: true, dryRun: true })).toMatchObject({ ok: true, created: 0, corrected: expected });
    expect(await importDataset(f.scratch.handle.db, path, 'acled', { applyCorrections: true })).toMatchObject({ ok: true, corrected: [], differing: [] });
    const { audit_log: _a, ...unchanged } = await tableCounts(f.scratch.handle.sql);
    const { audit_log: _b, ...before } = counts;
    expect(unchanged).toEqual(before);
    expect(await importDataset(f.scratch.handle.db, path, 'acled', { remap: true })).toMatchObject({ ok: true, created: 0, corrected: expected });
    const roles = await f.scratch.handle.sql<{ role: string; kind: string; reason: string | null }[]>`
      select p.role::text as role, e.kind::text as kind, c.retraction_reason as reason from participations p join actors a on a.id = p.actor_id join events e on e.id = p.event_id join claims c on c.id = p.claim_id
       where e.slug = 'acled-afg900002' and a.slug = 'acled-sample-armed-group' order by p.claim_id`;
    expect(roles).toEqual([
      { role: 'PERPETRATOR', kind: 'ARMED_CLASH', reason: 'coded as the target then' },
      { role: 'TARGET', kind: 'ARMED_CLASH', reason: 'this version of the importer no longer maps ACLED AFG900002 (source acled-afg900002) to acled-sample-armed-group as TARGET' },
      { role: 'PERPETRATOR', kind: 'ARMED_CLASH', reason: null },
    ]);
    // No later version was stored: the claims cite the row as stored.
    expect(await f.scratch.handle.sql`select slug from sources where slug like 'acled-afg900002-%'`).toEqual([]);
    expect(await importDataset(f.scratch.handle.db, path, 'acled', { remap: true })).toMatchObject({ ok: true, corrected: [] });
  });
});
