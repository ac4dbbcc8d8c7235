/**
 * Inputs a hardening sweep found still reaching PostgreSQL or a library unchecked: each is now
 * refused as the client's error (BAD_USER_INPUT or a typed error naming the input path), and the
 * data is left as it was.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASUALTY_LIMIT } from '../src/domain/limits.ts';
import { importDataset } from '../src/import/datasets/import.ts';
import { createHash } from 'node:crypto';
import { importFile } from '../src/import/import.ts';
import { tableCounts, writeFixture, type WriteFixture } from './helpers.ts';
import { serve } from './server-helpers.ts';

let f: WriteFixture;
const SOURCE = 'sweep-dispatch';
const QUOTE = 'Gunmen attacked a checkpoint near Jalalabad on 2 May 2024, killing at least 7 soldiers.';

beforeAll(async () => {
  f = await writeFixture();
  const added = await f.api.query(`mutation($i: AddSourceInput!) { addSource(input: $i) { __typename } }`, {
    i: { slug: SOURCE, publisher: 'Sweep Dispatch', text: `${QUOTE} ISIS-K claimed the attack.` },
  }, { token: f.tokens.analyst });
  expect(added.data).toEqual({ addSource: { __typename: 'MutationAddSourceSuccess' } });
}, 120_000);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await f.close();
});

const dir = mkdtempSync(join(tmpdir(), 'hardening-sweep-'));

const CREATE_EVENT = `mutation($input: CreateEventInput!) {
  createEvent(input: $input) { __typename ... on UserError { message path } }
}`;

const event = (slug: string, over: Record<string, unknown>) => ({
  slug,
  title: 'Attack on a checkpoint near Jalalabad',
  kind: 'ATTACK',
  date: { text: '2 May 2024', earliest: '2024-05-02', latest: '2024-05-02', precision: 'DAY' },
  place: 'afghanistan',
  confidence: 90,
  citations: [{ source: SOURCE, quote: QUOTE }],
  ...over,
});

describe('casualty figures are bounded', () => {
  it('parts whose sum overflows an integer are a ValidationError naming the parts, not an internal error', async () => {
    const before = await tableCounts(f.scratch.handle.sql);
    const response = await f.api.query(CREATE_EVENT, {
      input: event('overflowing-parts', {
        killed: { text: 'x', parts: [{ category: 'CIVILIANS', low: 2_000_000_000, text: 'a' }, { category: 'UNKNOWN', low: 2_000_000_000, text: 'b' }] },
      }),
    }, { token: f.tokens.analyst });
    expect(response.errors).toBeUndefined();
    expect(response.data?.createEvent).toMatchObject({ __typename: 'ValidationError', path: ['input', 'killed', 'parts', '0', 'low'] });
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  });

  it('parts each within the limit but summing past it are refused at input.killed.parts', async () => {
    const before = await tableCounts(f.scratch.handle.sql);
    const response = await f.api.query(CREATE_EVENT, {
      input: event('summing-parts', {
        wounded: { text: 'x', parts: [{ category: 'CIVILIANS', low: CASUALTY_LIMIT, text: 'a' }, { category: 'UNKNOWN', low: 1, text: 'b' }] },
      }),
    }, { token: f.tokens.analyst });
    expect(response.data?.createEvent).toMatchObject({
      __typename: 'ValidationError',
      path: ['input', 'wounded', 'parts'],
      message: expect.stringMatching(/add up to 10000001, more than a figure may be/),
    });
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  });

  it('a figure past the limit is refused, so the dashboards summing it keep answering', async () => {
    const before = await tableCounts(f.scratch.handle.sql);
    for (const [i, killed] of [{ low: 2_147_483_647, text: 'x' }, { low: 1, high: CASUALTY_LIMIT + 1, text: 'x' }].entries()) {
      const response = await f.api.query(CREATE_EVENT, { input: event(`huge-toll-${i}`, { killed }) }, { token: f.tokens.analyst });
      expect(response.data?.createEvent).toMatchObject({ __typename: 'ValidationError', message: expect.stringMatching(/at most 10,000,000/) });
    }
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
    // Before the limit two such events made every sum overflow PostgreSQL's integer: an internal error.
    const stats = await f.api.query(`{ eventStats { events killed { min } } timeline(interval: YEAR) { buckets { events } } }`);
    expect(stats.errors).toBeUndefined();
  });
});

/** Writes `content` as `name` in the test's directory and returns its path. */
function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const EXAMPLES = 'seed/examples';
const wireJson = readFileSync(join(EXAMPLES, 'example-wire-report.json'), 'utf8');
const wireText = readFileSync(join(EXAMPLES, 'example-wire-report.txt'), 'utf8');
const eventsCsv = readFileSync(join(EXAMPLES, 'example-events.csv'), 'utf8');
const gedCsv = readFileSync(join(EXAMPLES, 'datasets/ucdp-ged-sample.csv'), 'utf8');
const acledCsv = readFileSync(join(EXAMPLES, 'datasets/acled-sample.csv'), 'utf8');

// Before these checks a NUL reached PostgreSQL's COPY, which failed under postgres.js without
// its error ever reaching the import: the import hung. A short timeout makes that a failure.
const HANG = 20_000;

describe('imports refuse odd files by line, and write nothing', () => {
  beforeAll(() => {
    writeFileSync(join(dir, 'example-wire-report.txt'), wireText);
  });

  it('a knowledge file whose text holds a NUL or a lone surrogate (JSON escapes) names the field', async () => {
    const before = await tableCounts(f.scratch.handle.sql);
    for (const [escape, problem] of [['\\u0000', /NUL character/], ['\\ud800', /lone UTF-16 surrogate/]] as const) {
      const path = file(`odd-title-${escape.slice(2)}.json`, wireJson.replace('"Suicide bombing of a Kabul market"', `"Suicide${escape}bombing"`));
      const report = await importFile(f.scratch.handle.db, path);
      expect(report).toMatchObject({ ok: false, created: 0 });
      expect(report.problems).toEqual([expect.stringMatching(new RegExp(`^events\\[0\\]\\.title: .*${problem.source}`))]);
    }
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  }, HANG);

  it('a source text file holding a NUL is refused, naming the file', async () => {
    writeFileSync(join(dir, 'nul-report.txt'), wireText.replace('market', 'mar\u0000ket'));
    const report = await importFile(f.scratch.handle.db, file('nul-report.json', wireJson.replace('"example-wire-report.txt"', '"nul-report.txt"')));
    expect(report).toMatchObject({ ok: false, problems: ['source.textFile: nul-report.txt contains a NUL character (U+0000), which cannot be stored'] });
  }, HANG);

  it('a CSV of events with a NUL, or bytes that are not UTF-8, is refused naming the line', async () => {
    // The source the rows quote is stored first, so the rows themselves are read.
    expect(await importFile(f.scratch.handle.db, file('example-wire-report.json', wireJson))).toMatchObject({ ok: true });
    const before = await tableCounts(f.scratch.handle.sql);
    const nul = await importFile(f.scratch.handle.db, file('nul-events.csv', eventsCsv.replace('police post', 'police\u0000post')));
    expect(nul).toMatchObject({ ok: false, problems: ['line 2: contains a NUL character (U+0000), which cannot be stored'] });
    const [header, row] = eventsCsv.split('\n') as [string, string];
    const latin1 = Buffer.concat([Buffer.from(`${header}\n${row.replace('police post', 'police ')}`.slice(0, -1)), Buffer.from([0xe9, 0x0a])]);
    const notUtf8 = await importFile(f.scratch.handle.db, file('latin1-events.csv', latin1));
    expect(notUtf8).toMatchObject({ ok: false, problems: [expect.stringMatching(/^line 2: not valid UTF-8/)] });
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  }, HANG);

  it('a CSV of events that is only a header says so, rather than blaming a line 2 it does not have', async () => {
    const header = eventsCsv.split('\n')[0]!;
    for (const content of [header, `${header}\r\n`]) {
      const report = await importFile(f.scratch.handle.db, file('header-only.csv', content));
      expect(report).toMatchObject({ ok: false, problems: ['the file has a header line but no rows (expected one event per line after it)'] });
    }
  });

  it('a truncated STIX bundle is a refusal, not an exception', async () => {
    const report = await importFile(f.scratch.handle.db, file('truncated.json', '{"type": "bundle", "id": "bundle--x", "objects": [ {'));
    expect(report).toMatchObject({ ok: false, created: 0, problems: [expect.stringMatching(/^not valid JSON/)] });
  });

  it('a dataset row with a NUL, or a figure past the limit, is named by its line', async () => {
    const before = await tableCounts(f.scratch.handle.sql);
    const nul = await importDataset(f.scratch.handle.db, file('nul-ged.csv', gedCsv.replace('Sample Town', 'Sample\u0000Town')), 'ucdp-ged');
    expect(nul).toMatchObject({ ok: false, problems: ['line 2: contains a NUL character (U+0000), which cannot be stored'] });
    // ACLED's fatalities went to an integer column unchecked: past 2^31 the COPY failed and the import hung.
    expect(acledCsv).toContain(',3,,1690000000');
    const huge = await importDataset(f.scratch.handle.db, file('huge-acled.csv', acledCsv.replace(',3,,1690000000', ',99999999999,,1690000000')), 'acled');
    expect(huge).toMatchObject({ ok: false, problems: ['line 2: fatalities: must be at most 10,000,000'] });
    const ged = await importDataset(f.scratch.handle.db, file('huge-ged.csv', gedCsv.replace(',2,5,0,0,7,9,7,700,', ',2,5,0,0,7,99999999999,7,700,')), 'ucdp-ged');
    expect(ged.ok).toBe(false);
    expect(ged.problems).toContain('line 2: high: must be at most 10,000,000');
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  }, HANG);
});

describe('directive arguments', () => {
  it('@stream with a negative initialCount is BAD_USER_INPUT naming it, literal or variable', async () => {
    const literal = await f.api.query(`{ events(first: 5) { nodes @stream(initialCount: -1) { slug } } }`);
    const variable = await f.api.query(`query($n: Int!) { events(first: 5) { nodes @stream(initialCount: $n) { slug } } }`, { n: -3 });
    for (const [response, n] of [[literal, -1], [variable, -3]] as const) {
      expect(response.status).toBe(400);
      expect(response.errors).toEqual([
        expect.objectContaining({ message: `Argument "initialCount" of @stream must be 0 or more, got ${n}.`, extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'initialCount' }) }),
      ]);
    }
    // 0 is allowed (everything streamed), answered as multipart/mixed.
    const zero = await f.api.app.fetch('http://test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'multipart/mixed' },
      body: JSON.stringify({ query: `{ events(first: 2) { nodes @stream(initialCount: 0) { slug } } }` }),
    });
    expect(zero.status).toBe(200);
    const text = await zero.text();
    expect(text).toContain('"slug"');
    expect(text).not.toContain('"errors"');
  });
});

describe('dataset dates', () => {
  it('a GTD year past what a date can hold is a problem of its line, not a RangeError', async () => {
    const gtd = readFileSync(join(EXAMPLES, 'datasets/gtd-sample.csv'), 'utf8');
    expect(gtd).toContain('201901019001,2019,1,1,');
    // iday 0 (day unknown) takes the month path, which computed the month's last day first.
    const path = file('huge-year-gtd.csv', gtd.replace('201901019001,2019,1,1,', '201901019001,99999999999,1,0,'));
    const report = await importDataset(f.scratch.handle.db, path, 'gtd');
    expect(report).toMatchObject({ ok: false, created: 0, problems: ['line 2: iday: iyear 99999999999, imonth 1, iday 0 is not a date'] });
  });
});

describe('messages that name what is wrong', () => {
  it('startUpdateEvents without events or a filter says to give one, not a zod type message', async () => {
    const before = await tableCounts(f.scratch.handle.sql);
    const response = await f.api.query(
      `mutation($i: UpdateEventsInput!) { startUpdateEvents(input: $i) { __typename ... on UserError { message path } } }`,
      { i: { kind: 'ATTACK', confidence: 50, citations: [{ source: SOURCE, quote: QUOTE }] } },
      { token: f.tokens.analyst },
    );
    expect(response.data?.startUpdateEvents).toEqual({
      __typename: 'ValidationError',
      message: 'input.events: give the events to change (their slugs), or a filter that matches them',
      path: ['input', 'events'],
    });
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  });
});

describe('STIX bundles', () => {
  it('a name or a source text that cannot be stored is a problem of its object, not a PostgreSQL error', async () => {
    const server = await serve(f.scratch.url);
    let bundle: { objects: Record<string, unknown>[] };
    try {
      bundle = (await (await fetch(`${server.url}/export/stix?actor=isis-k`)).json()) as typeof bundle;
    } finally {
      await server.shutdown('test done');
    }
    const recordOf = (o: Record<string, unknown>) => Object.values((o.extensions ?? {}) as Record<string, { record?: string }>).find((e) => e.record)?.record;
    const before = await tableCounts(f.scratch.handle.sql);

    const named = structuredClone(bundle);
    const actorIndex = named.objects.findIndex((o) => recordOf(o) === 'actor');
    const actor = named.objects[actorIndex]!;
    actor.name = 'ISIS\u0000K';
    const nameReport = await importFile(f.scratch.handle.db, file('nul-name.stix.json', JSON.stringify(named)));
    expect(nameReport).toMatchObject({ ok: false, created: 0 });
    expect(nameReport.problems).toEqual([`objects[${actorIndex}] (${String(actor.id)}): name: contains a NUL character (U+0000), which cannot be stored`]);

    const texted = structuredClone(bundle);
    const artifactIndex = texted.objects.findIndex((o) => o.type === 'artifact');
    const artifact = texted.objects[artifactIndex]!;
    const text = 'A text\u0000with a NUL.';
    artifact.payload_bin = Buffer.from(text).toString('base64');
    artifact.hashes = { 'SHA-256': createHash('sha256').update(text).digest('hex') };
    const textReport = await importFile(f.scratch.handle.db, file('nul-text.stix.json', JSON.stringify(texted)));
    expect(textReport).toMatchObject({ ok: false, created: 0 });
    expect(textReport.problems).toContainEqual(expect.stringMatching(new RegExp(`^objects\\[${artifactIndex}\\]: source "[a-z0-9-]+": the text contains a NUL character`)));
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  }, HANG);
});
