/**
 * Exports stream: on a set of events far larger than any buffer between the server and a client
 * (tens of MB of CSV), a client that reads the first chunk and stops gets its first bytes long
 * before the end, and the export waits for it — its cursor is not drained into memory: the rows
 * it has read from PostgreSQL (export_rows_total) stop growing while the client pauses, its
 * database slot is still held, and both finish once the client has read everything.
 */
import { createHash } from 'node:crypto';
import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/server.ts';
import { scratchDatabase } from './helpers.ts';
import { serve } from './server-helpers.ts';

const EVENTS = 30_000;
let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
let server: RunningServer;

beforeAll(async () => {
  scratch = await scratchDatabase();
  const sql = scratch.handle.sql;
  // One long quote cited by every event report: each CSV row carries ~1.5 kB.
  const text = `${'A long report sentence about an attack somewhere, repeated to make a long quote. '.repeat(16)}End.`;
  const quote = text.slice(0, 1200);
  await sql.begin(async (tx) => {
    const [source] = await tx`insert into sources (slug, publisher, text, text_sha256)
      values ('bulk-report', 'Bulk', ${text}, ${createHash('sha256').update(text).digest('hex')}) returning id`;
    const [citation] = await tx`insert into citations (source_id, quote, start_offset, end_offset, prefix, suffix)
      values (${source?.id}, ${quote}, 0, ${quote.length}, '', ${text.slice(quote.length, quote.length + 32)}) returning id`;
    await tx`insert into claims (key, kind, confidence, recorded_by)
      select 'event:bulk-' || g, 'EVENT_REPORT', 70, 'test:streaming' from generate_series(1, ${EVENTS}) g`;
    await tx`insert into claim_citations (claim_id, citation_id) select id, ${citation?.id} from claims where key like 'event:bulk-%'`;
    await tx`insert into events (slug, title, kind, date_text, date_earliest, date_latest, date_precision, claim_id)
      select substr(c.key, 7), 'Bulk event ' || c.id, 'ATTACK', 'in 2020', '2020-01-01', '2020-12-31', 'YEAR', c.id from claims c where c.key like 'event:bulk-%'`;
  });
  server = await serve(scratch.url);
}, 180_000);
afterAll(async () => {
  await server.shutdown();
  await scratch.drop();
});

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

describe('streamed exports', () => {
  it('send their first bytes before the end and wait for a paused client (no buffering)', async () => {
    const started = Date.now();
    let received = 0;
    let firstByteMs = 0;
    let ended = false;
    const response = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      get(`${server.url}/export/events.csv`, resolve).on('error', reject);
    });
    expect(response.statusCode).toBe(200);
    await new Promise<void>((resolve) => {
      response.once('data', (chunk: Buffer) => {
        firstByteMs = Date.now() - started;
        received += chunk.length;
        response.pause();
        resolve();
      });
    });
    // The client reads nothing for a while: the export must stop reading from PostgreSQL (rows read
    // do not grow once the socket buffers are full) and still hold its slot, having read a
    // fraction of the events.
    const rowsRead = async () => (await server.metrics.exportRows.get()).values.find((v) => v.labels.export === '/export/events.csv')?.value ?? 0;
    // The pipeline fills for a while after the pause (slower on a loaded machine): wait until the
    // count stops moving, then check that it stays put with most of the export still unread.
    let paused = await rowsRead();
    for (let waited = 0; waited < 20_000; waited += 500) {
      await new Promise((r) => setTimeout(r, 500));
      const now = await rowsRead();
      if (now === paused) break;
      paused = now;
    }
    try {
      await new Promise((r) => setTimeout(r, 1500));
      expect(await rowsRead()).toBe(paused);
      expect(paused).toBeLessThan(EVENTS / 2);
      expect(server.admission.active).toBe(1);
    } catch (error) {
      // Give the slot back, so that the next test does not fail on this one's paused export.
      response.destroy();
      throw error;
    }

    response.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    const done = new Promise<void>((resolve) => response.on('end', () => {
      ended = true;
      resolve();
    }));
    response.resume();
    await done;
    const totalMs = Date.now() - started;
    expect(ended).toBe(true);
    // Tens of MB: far more than socket buffers could have swallowed while the client paused.
    expect(received).toBeGreaterThan(EVENTS * 1200);
    expect(firstByteMs).toBeLessThan(totalMs / 2);
    expect(await until(() => server.admission.active === 0, 5000)).toBe(true);
    expect(await rowsRead()).toBe(EVENTS);
  }, 120_000);

  it('a failure mid-export cuts the connection (no complete-looking file) and the server keeps serving', async () => {
    const response = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      get(`${server.url}/export/events.csv`, resolve).on('error', reject);
    });
    expect(response.statusCode).toBe(200);
    await new Promise<void>((resolve) => response.once('data', () => {
      response.pause();
      resolve();
    }));
    // End the export's connection (named for its transaction) under the stream.
    await new Promise((r) => setTimeout(r, 500));
    const ended = await scratch.handle.sql`select pg_terminate_backend(pid) as ok from pg_stat_activity
      where datname = current_database() and application_name = 'export'`;
    expect(ended).toHaveLength(1);
    const cut = new Promise<boolean>((resolve) => {
      response.on('error', () => resolve(true));
      response.on('end', () => resolve(response.complete));
      response.on('close', () => resolve(!response.complete));
    });
    response.on('data', () => {});
    response.resume();
    expect(await cut).toBe(true);
    expect(response.complete).toBe(false);
    expect(await until(() => server.admission.active === 0, 10_000)).toBe(true);
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
  }, 60_000);

  it('a client that hangs up mid-export frees its database slot', async () => {
    const request = get(`${server.url}/export/stix`);
    const response = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      request.on('response', resolve).on('error', reject);
    });
    await new Promise<void>((resolve) => response.once('data', () => resolve()));
    expect(server.admission.active).toBe(1);
    request.destroy();
    expect(await until(() => server.admission.active === 0, 10_000)).toBe(true);
  }, 60_000);
});
