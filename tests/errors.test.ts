import { Writable } from 'node:stream';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drainSummaries } from '../src/db/summaries.ts';
import { importFile } from '../src/import/import.ts';
import { afterAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { createLogger } from '../src/observability/logger.ts';
import { openApi, writeFixture } from './helpers.ts';

const api = openApi();
afterAll(() => api.close());

describe('bad input gets a clear error naming what is wrong', () => {
  it('refuses a malformed global ID', async () => {
    const response = await api.query(`{ node(id: "not-an-id") { id } }`);
    expect(response.errors?.[0]?.message).toMatch(/"not-an-id" is not a valid global ID/);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('refuses an unknown enum value before running anything', async () => {
    api.resetStatements();
    const response = await api.query(`{ events(filter: { kind: [MASSACRE] }) { totalCount } }`);
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.message).toMatch(/MASSACRE/);
    expect(api.statements).toHaveLength(0);
  });

  it('refuses a page larger than the maximum, naming the limit', async () => {
    const response = await api.query(`{ actors(first: 500) { totalCount } }`);
    expect(response.errors?.[0]).toMatchObject({
      message: '"first" must be between 0 and 100, got 500',
      extensions: { code: 'BAD_USER_INPUT', argument: 'first' },
    });
    const nested = await api.query(`{ actor(slug: "isis-k") { participations(first: 101) { totalCount } } }`);
    expect(nested.errors?.[0]?.message).toBe('"first" must be between 0 and 100, got 101');
  });

  it('refuses a page size passed as a variable just the same', async () => {
    const response = await api.query(`query($n: Int) { events(first: $n) { totalCount } }`, { n: 1000 });
    expect(response.errors?.[0]?.message).toBe('"first" must be between 0 and 100, got 1000');
  });

  it('refuses a negative page size and a forged cursor', async () => {
    expect((await api.query(`{ events(first: -1) { totalCount } }`)).errors?.[0]?.message).toMatch(/"first" must be between 0 and 100/);
    const forged = await api.query(`{ events(after: "bm9wZQ==") { totalCount } }`);
    expect(forged.status).toBe(400);
    expect(forged.errors?.[0]).toMatchObject({
      message: '"after" is not a cursor of this list: not one this server gave out',
      extensions: { code: 'BAD_USER_INPUT', argument: 'after' },
    });
  });

  it('refuses a date range that ends before it starts', async () => {
    const response = await api.query(`{ events(filter: { from: "2024-01-01", to: "2023-01-01" }) { totalCount } }`);
    expect(response.errors?.[0]?.message).toBe('"from" (2024-01-01) is after "to" (2023-01-01)');
  });

  it('refuses a date that is not a calendar date', async () => {
    const response = await api.query(`{ events(filter: { from: "2024-02-30" }) { totalCount } }`);
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.message).toMatch(/LocalDate|date/i);
  });

  it('refuses a global ID whose number no record can have', async () => {
    const id = Buffer.from('Actor:9999999999').toString('base64');
    const response = await api.query(`query($id: ID!) { node(id: $id) { id } }`, { id });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('masks unexpected errors: no SQL, driver or host text reaches the client; the cause goes to the log', async () => {
    const url = new URL(inject('databaseUrl'));
    url.pathname = '/no_such_database';
    // The server's log, kept here: the cause belongs there (not in the test run's output).
    const logged: { level: number; msg: string; reqId?: string; cause?: { message?: string } }[] = [];
    const log = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) logged.push(JSON.parse(line) as (typeof logged)[number]);
        done();
      },
    });
    const broken = openApi(url.toString(), { logger: createLogger('error', log) });
    try {
      const response = await broken.query(`{ actors { totalCount } }`);
      expect(response.errors?.[0]?.message).toBe('Unexpected error.');
      const text = JSON.stringify(response);
      expect(text).not.toMatch(/select|no_such_database|postgres|127\.0\.0\.1|stack/i);
      expect(logged).toContainEqual(
        expect.objectContaining({ msg: 'unexpected error', cause: expect.objectContaining({ message: 'database "no_such_database" does not exist' }) }),
      );
    } finally {
      await broken.close();
    }
  });
});

describe('a total beyond what an Int holds', () => {
  // Each figure is at most CASUALTY_LIMIT (10,000,000), but 215 events at it sum past 2^31 − 1:
  // the sums cannot be answered as the schema's Int, and the client is told so by a code of its own.
  it('is answered NUMBER_OUT_OF_RANGE, not an unexpected error, from the summaries and from events', async () => {
    const f = await writeFixture();
    onTestFinished(() => f.close());
    const dir = mkdtempSync(join(tmpdir(), 'out-of-range-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const quote = 'The massacre on Friday at a concert hall in Moscow';
    const rows = Array.from({ length: 215 }, (_, i) =>
      `globely-news-isis-k-long-reach,huge-${i},A made-up toll ${i},ATTACK,1 ${i < 100 ? "May" : "June"} 2024,2024-0${i < 100 ? 5 : 6}-01,2024-0${i < 100 ? 5 : 6}-01,DAY,10000000,10000000,ten million,50,"${quote}"`);
    const path = join(dir, 'huge.csv');
    writeFileSync(path, ['source,slug,title,kind,date_text,date_earliest,date_latest,date_precision,killed_min,killed_max,killed_text,confidence,quote', ...rows].join('\n'));
    expect((await importFile(f.scratch.handle.db, path)).ok).toBe(true);
    await drainSummaries(f.scratch.handle.db);
    for (const args of ['', '(asOf: "2100-01-01T00:00:00Z")']) {
      const r = await f.api.query(`{ eventStats${args} { events killed { min max } } }`);
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'NUMBER_OUT_OF_RANGE' });
      expect(r.errors?.[0]?.message).toMatch(/beyond what its field holds/);
    }
    // Narrowed to a hundred of them, the total fits and is answered.
    const some = await f.api.query<{ eventStats: { events: number; killed: { min: number } } }>(`{ eventStats(filter: { from: "2024-05-01", to: "2024-05-31" }) { events killed { min } } }`);
    expect(some.errors).toBeUndefined();
    expect(some.data?.eventStats).toEqual({ events: 100, killed: { min: 1_000_000_000 } });
  }, 120_000);
});
