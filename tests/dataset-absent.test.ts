/**
 * `--report-absent`: a dataset import names the stored records of the same dataset that the file no
 * longer holds (a later release dropped them), within the file's coverage (the countries its rows
 * name, the span of their dates); a report only, nothing written or retracted.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../src/domain/global-ids.ts';
import { parseCsv } from '../src/import/csv.ts';
import { ABSENT_SHOWN, importDataset } from '../src/import/datasets/import.ts';
import { importFile } from '../src/import/import.ts';
import { tableCounts, writeFixture, type WriteFixture } from './helpers.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const sample = fileURLToPath(new URL('../seed/examples/datasets/ucdp-ged-sample.csv', import.meta.url));
let f: WriteFixture;
let dir: string;

beforeAll(async () => {
  f = await writeFixture();
  dir = mkdtempSync(join(tmpdir(), 'dataset-absent-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await f.close();
});

const [header, stateBased] = parseCsv(readFileSync(sample, 'utf8')).map((r) => r.fields) as [string[], string[]];

/** A UCDP GED row: the sample's state-based row (Afghanistan) with another id, day and cells as `changes` say. */
function row(id: number, day: string, changes: Record<string, string> = {}): string[] {
  const cells = [...stateBased];
  for (const [column, value] of Object.entries({ id: String(id), relid: `SAMPLE-${id}`, date_start: day, date_end: day, ...changes })) {
    expect(header).toContain(column);
    cells[header.indexOf(column)] = value;
  }
  return cells;
}

function file(name: string, rows: string[][]): string {
  const path = join(dir, name);
  writeFileSync(path, stringify([header, ...rows]));
  return path;
}

const name = (id: number) => `UCDP GED ${id} (event "ucdp-ged-${id}")`;

/** The release first imported: Afghanistan in May and June 2023, with a row before, one after and one in Pakistan. */
const first = [
  row(910101, '2023-05-01'),
  row(910102, '2023-05-10'),
  row(910103, '2023-05-20'),
  row(910104, '2023-06-11'),
  row(910105, '2023-05-10', { country: 'Pakistan' }),
  row(910106, '2023-08-01'),
  row(910107, '2023-04-01'),
];

describe('a dataset import with --report-absent', () => {
  it('names the stored records of the file\'s countries and dates that it lacks, and writes nothing more for it', async () => {
    expect(await importDataset(f.scratch.handle.db, file('first.csv', first), 'ucdp-ged')).toMatchObject({ ok: true, createdEventIds: expect.any(Array) });
    // 910103 has a later version stored (--apply-corrections): still one record.
    const corrected = file('corrected.csv', [row(910103, '2023-05-20', { best: '8', high: '9' })]);
    expect((await importDataset(f.scratch.handle.db, corrected, 'ucdp-ged', { applyCorrections: true })).corrected).toHaveLength(1);
    expect(await f.scratch.handle.sql`select slug from sources where version_of_id = (select id from sources where slug = 'ucdp-ged-910103')`).toHaveLength(1);

    // The next release, an Afghanistan extract of 1 May to 11 June: 910101 as before, 910104 corrected
    // (a differing row is in the file too), a new row 910108; 910102 and 910103 dropped.
    const next = file('next.csv', [row(910101, '2023-05-01'), row(910104, '2023-06-11', { relid: 'SAMPLE-910104-REVISED' }), row(910108, '2023-05-15')]);
    const plain = await importDataset(f.scratch.handle.db, next, 'ucdp-ged', { dryRun: true });
    expect(plain).toMatchObject({ ok: true, differing: ['line 3'] });
    // Without the flag, nothing is reported.
    expect(plain.absent).toBeUndefined();

    const before = await tableCounts(f.scratch.handle.sql);
    const expected = { countries: ['Afghanistan'], earliest: '2023-05-01', latest: '2023-06-11', count: 2, records: [name(910102), name(910103)] };
    const dry = await importDataset(f.scratch.handle.db, next, 'ucdp-ged', { dryRun: true, reportAbsent: true });
    // Outside the file's countries (910105, Pakistan) or dates (910106, 910107): not named.
    expect(dry).toMatchObject({ ok: true, created: plain.created, differing: ['line 3'], absent: expected });
    // One row a part: the ids of every part are kept, not only the last part's.
    expect((await importDataset(f.scratch.handle.db, next, 'ucdp-ged', { dryRun: true, reportAbsent: true, partRows: 1 })).absent).toEqual(expected);
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);

    // Written, it writes what the file holds (the new row) and nothing for the records it lacks.
    const applied = await importDataset(f.scratch.handle.db, next, 'ucdp-ged', { reportAbsent: true });
    expect(applied).toMatchObject({ ok: true, created: plain.created, absent: expected });
    const after = await tableCounts(f.scratch.handle.sql);
    expect(after.sources).toBe(before.sources! + 1);
    expect(after.events).toBe(before.events! + 1);
    expect(after['claims retracted']).toBe(before['claims retracted']);
    const live = await f.scratch.handle.sql<{ slug: string; retracted: boolean }[]>`
      select e.slug, c.retracted_at is not null as retracted from events e join claims c on c.id = e.claim_id
       where e.slug in ('ucdp-ged-910102', 'ucdp-ged-910103') order by e.slug`;
    expect(live).toEqual([{ slug: 'ucdp-ged-910102', retracted: false }, { slug: 'ucdp-ged-910103', retracted: false }]);
    // The file now imported, the records it lacks are still named, the rows it holds not.
    expect((await importDataset(f.scratch.handle.db, next, 'ucdp-ged', { dryRun: true, reportAbsent: true })).absent).toEqual(expected);
  });

  it('leaves out a record whose event report an analyst retracted, and names none for a file that lacks nothing', async () => {
    const next = file('next-again.csv', [row(910101, '2023-05-01'), row(910104, '2023-06-11', { relid: 'SAMPLE-910104-REVISED' }), row(910108, '2023-05-15')]);
    const [event] = await f.scratch.handle.sql<{ id: number }[]>`select id from events where slug = 'ucdp-ged-910102'`;
    const retracted = await f.api.query<{ retractClaim: { __typename: string } }>(
      `mutation($i: RetractClaimInput!) { retractClaim(input: $i) { __typename } }`,
      { i: { claim: encodeGlobalId('Event', event!.id), reason: 'dropped by the next release', citation: { source: 'ucdp-ged-910102', quote: 'id: 910102' } } },
      { token: f.tokens.admin },
    );
    expect(retracted.data?.retractClaim.__typename).toMatch(/Success$/);
    expect((await importDataset(f.scratch.handle.db, next, 'ucdp-ged', { dryRun: true, reportAbsent: true })).absent).toMatchObject({ count: 1, records: [name(910103)] });
    // Every row stored (the first release with the next one's new row): nothing of its coverage is absent.
    expect((await importDataset(f.scratch.handle.db, file('all.csv', [...first, row(910108, '2023-05-15')]), 'ucdp-ged', { dryRun: true, reportAbsent: true })).absent).toMatchObject({
      countries: ['Afghanistan', 'Pakistan'], earliest: '2023-04-01', latest: '2023-08-01', count: 0, records: [],
    });
  });

  it('names at most ABSENT_SHOWN records, earliest first, and counts them all; the command prints them with "… and N more"', async () => {
    const days = Array.from({ length: ABSENT_SHOWN + 5 }, (_, i) => `2024-01-${String(i + 1).padStart(2, '0')}`);
    expect((await importDataset(f.scratch.handle.db, file('january.csv', days.map((day, i) => row(920101 + i, day))), 'ucdp-ged')).ok).toBe(true);
    // A release holding only the month's first and last rows.
    const ends = file('january-ends.csv', [row(920101, days[0]!), row(920101 + days.length - 1, days.at(-1)!)]);
    const report = await importDataset(f.scratch.handle.db, ends, 'ucdp-ged', { dryRun: true, reportAbsent: true });
    expect(report.absent).toMatchObject({ count: days.length - 2, records: days.slice(1, ABSENT_SHOWN + 1).map((_, i) => name(920102 + i)) });

    const env = { ...process.env, DATABASE_URL: f.scratch.url };
    const printed = await run('node_modules/.bin/tsx', ['src/cli/import.ts', '--format', 'ucdp-ged', ends, '--dry-run', '--report-absent'], { cwd: root, env });
    expect(printed.stdout).toContain(`  ${days.length - 2} stored records of the file's coverage (Afghanistan, 2024-01-01 to 2024-01-25) are absent from it: ${name(920102)}, ${name(920103)}, `);
    expect(printed.stdout).toContain(`${name(920101 + ABSENT_SHOWN)}, … and ${days.length - 2 - ABSENT_SHOWN} more\n`);
    expect(printed.stdout).toContain('nothing was retracted');
    const without = await run('node_modules/.bin/tsx', ['src/cli/import.ts', '--format', 'ucdp-ged', ends, '--dry-run'], { cwd: root, env });
    expect(without.stdout).not.toContain('absent');
  });

  it('is refused for a knowledge file, and by the command without --format', async () => {
    const knowledge = fileURLToPath(new URL('../seed/examples/example-wire-report.json', import.meta.url));
    expect((await importFile(f.scratch.handle.db, knowledge, { reportAbsent: true })).problems).toEqual([
      '--report-absent applies to dataset imports (--format): a knowledge file holds what one source says, not a release of records',
    ]);
    const env = { ...process.env, DATABASE_URL: f.scratch.url };
    const refused = await run('node_modules/.bin/tsx', ['src/cli/import.ts', knowledge, '--report-absent'], { cwd: root, env }).catch((e: { code: number; stderr: string }) => e);
    expect('code' in refused ? refused.code : 0).toBe(2);
    expect(refused.stderr).toContain('--report-absent applies to dataset imports: give --format');
  });
});
