/**
 * The postgres driver when PostgreSQL ends a backend under a transaction or a reserved
 * connection (a restart, an administrator's pg_terminate_backend, or the write-outcome check
 * ending a frozen write's backend): the process must survive, the transaction's later queries
 * must fail instead of running outside it on a reconnected connection, and the pool must still
 * serve and end. Before the patch in patches/postgres+3.4.9.patch, the ROLLBACK that `begin`
 * sends after the loss was written to a null socket from a timer: an uncaught TypeError that
 * ended the server (porsager/postgres #1208).
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';

import { databaseUrlFor } from './database-url.ts';

/** How postgres.js reports a statement whose connection was lost under it. */
const CONNECTION_LOST = ['CONNECTION_CLOSED', 'ECONNRESET'];

const name = `driver_faults_${randomUUID().replaceAll('-', '')}`;
let admin: postgres.Sql;
let url: string;
const uncaught: unknown[] = [];
const recordUncaught = (error: unknown): void => void uncaught.push(error);

beforeAll(async () => {
  admin = postgres(inject('serverUrl'), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  url = databaseUrlFor(inject('serverUrl'), name);
  const setup = postgres(url, { max: 1, onnotice: () => {} });
  await setup`create table landed (note text not null)`;
  await setup.end();
  process.on('uncaughtException', recordUncaught);
});

afterAll(async () => {
  process.off('uncaughtException', recordUncaught);
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.end();
});

async function terminate(pid: number): Promise<void> {
  const [row] = await admin<{ ended: boolean }[]>`select pg_terminate_backend(${pid}) as ended`;
  expect(row?.ended).toBe(true);
}

/** Resolves once `pid` holds a backend id, polling what the transaction wrote to it. */
async function backendOf(read: () => number | undefined): Promise<number> {
  for (let i = 0; i < 200; i += 1) {
    const pid = read();
    if (pid !== undefined) return pid;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the transaction never reported its backend');
}

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('a backend ended under the driver', () => {
  it('fails the transaction, keeps the process up, and the pool serves and ends promptly', async () => {
    const sql = postgres(url, { max: 2, onnotice: () => {} });
    let pid: number | undefined;
    // Its outcome is taken at once: the loss can fail it before terminate() returns, and a
    // rejection nobody has subscribed to yet is an unhandled rejection to Node (and to vitest).
    const outcome = sql.begin(async (tx) => {
      const [row] = await tx<{ pid: number }[]>`select pg_backend_pid() as pid`;
      pid = row?.pid;
      await tx`select pg_sleep(5)`;
    }).then(() => undefined, (e: unknown) => e);
    await terminate(await backendOf(() => pid));
    const error = await outcome;
    expect(CONNECTION_LOST).toContain((error as { code?: string } | undefined)?.code);
    // The ROLLBACK scheduled after the loss used to throw from a timer a moment later.
    await settle(200);
    expect(uncaught).toEqual([]);
    const [one] = await sql<{ one: number }[]>`select 1 as one`;
    expect(one?.one).toBe(1);
    const started = Date.now();
    await sql.end({ timeout: 10 });
    // The failed statement used to stay current on the closed connection, so end() waited out its timeout.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses the transaction\'s later statements instead of running them outside it', async () => {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const note = `after-the-loss-${randomUUID()}`;
    let pid: number | undefined;
    let later: unknown;
    const transaction = sql.begin(async (tx) => {
      const [row] = await tx<{ pid: number }[]>`select pg_backend_pid() as pid`;
      pid = row?.pid;
      try {
        await tx`select pg_sleep(5)`;
      } catch {
        // Code that catches the loss and carries on: with a query queued on the pool, the
        // connection reconnects at once, and this insert used to run there, committed on its own.
        later = await tx`insert into landed (note) values (${note})`.then(() => 'ran', (e: unknown) => e);
      }
    }).catch(() => undefined); // failed by the loss, maybe before terminate() returns
    const queued = (async () => {
      await backendOf(() => pid);
      return sql`select 2 as two`;
    })();
    await terminate(await backendOf(() => pid));
    await transaction;
    await queued;
    await settle(200);
    expect(later).toMatchObject({ code: 'CONNECTION_CLOSED' });
    const direct = postgres(url, { max: 1, onnotice: () => {} });
    const [landed] = await direct<{ n: number }[]>`select count(*)::int as n from landed where note = ${note}`;
    await direct.end();
    expect(landed?.n).toBe(0);
    expect(uncaught).toEqual([]);
    await sql.end({ timeout: 10 });
  });

  it('fails a cursor read between batches, and a query waiting behind it, instead of ending or hanging', async () => {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const reserved = await sql.reserve();
    await reserved`begin`;
    const [row] = await reserved<{ pid: number }[]>`select pg_backend_pid() as pid`;
    const batches = reserved.unsafe('select g from generate_series(1, 100000) g').cursor(100)[Symbol.asyncIterator]();
    expect((await batches.next()).value).toHaveLength(100);
    // Sent while the cursor holds the connection: it waits in the reserved connection's queue.
    const waiting = reserved`select 1`.then(() => 'ran', (e: unknown) => e);
    await terminate(row!.pid);
    // The cursor used to report done here, passing a truncated result off as whole.
    const next = await batches.next().then(() => 'done', (e: unknown) => e);
    expect(next).toBeInstanceOf(Error);
    expect(await waiting).toBeInstanceOf(Error);
    reserved.release();
    expect(uncaught).toEqual([]);
    await sql.end({ timeout: 10 });
  });

  it('fails statements sent between a reset socket\'s error and its close instead of hanging', async () => {
    // A proxy that can reset the driver's socket: it then sees ECONNRESET at once and the close
    // event a moment later, the window in which a statement used to be queued and never failed.
    const server = new URL(url);
    const clients: net.Socket[] = [];
    const proxy = net.createServer((client) => {
      const upstream = net.connect(Number(server.port || 5432), server.hostname);
      client.pipe(upstream).pipe(client);
      client.on('error', () => undefined).on('close', () => upstream.destroy());
      upstream.on('error', () => undefined);
      clients.push(client);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxied = new URL(url);
    proxied.host = `127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    const sql = postgres(proxied.toString(), { max: 1, onnotice: () => {} });
    const atOnce = (statement: Promise<unknown>) =>
      Promise.race([statement.then(() => 'ran', (e: unknown) => e), settle(10_000).then(() => 'still waiting after 10 s')]);
    try {
      const reserved = await sql.reserve();
      await reserved`select 1`;
      const sleeping = reserved`select pg_sleep(5)`.then(() => undefined, (e: unknown) => e);
      await settle(50);
      clients.pop()?.resetAndDestroy();
      expect(await sleeping).toMatchObject({ code: 'ECONNRESET' });
      expect(await atOnce(reserved`select 1`)).toMatchObject({ code: 'CONNECTION_CLOSED' });
      reserved.release();

      let later: unknown;
      const transaction = sql.begin(async (tx) => {
        await tx`select 1`;
        setTimeout(() => clients.pop()?.resetAndDestroy(), 50);
        try {
          await tx`select pg_sleep(5)`;
        } catch {
          later = await atOnce(tx`select 1`);
        }
      });
      expect(await transaction.then(() => 'committed', (e: unknown) => e)).toMatchObject({ code: expect.stringMatching(/ECONNRESET|CONNECTION_CLOSED/) });
      expect(later).toMatchObject({ code: 'CONNECTION_CLOSED' });
      await settle(200);
      expect(uncaught).toEqual([]);
      const [one] = await sql<{ one: number }[]>`select 1 as one`;
      expect(one?.one).toBe(1);
    } finally {
      await sql.end({ timeout: 10 });
      proxy.close();
    }
  });

  it('fails a reserved connection\'s later statements and keeps the pool usable after release', async () => {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const reserved = await sql.reserve();
    const [row] = await reserved<{ pid: number }[]>`select pg_backend_pid() as pid`;
    const sleeping = reserved`select pg_sleep(5)`.then(() => undefined, (e: unknown) => e);
    await terminate(row!.pid);
    // The statement in flight sees the loss as a closed connection or, when the socket is reset
    // before it reads the close, as ECONNRESET: either way it fails instead of hanging.
    expect(CONNECTION_LOST).toContain((await sleeping as { code?: string } | undefined)?.code);
    const later = await reserved`select 1`.then(() => 'ran', (e: unknown) => e);
    expect(later).toMatchObject({ code: 'CONNECTION_CLOSED' });
    reserved.release();
    await settle(200);
    expect(uncaught).toEqual([]);
    const [one] = await sql<{ one: number }[]>`select 1 as one`;
    expect(one?.one).toBe(1);
    await sql.end({ timeout: 10 });
  });
});

describe('a COPY the server refuses', () => {
  // Before the errored() hunk of the patch, a COPY FROM STDIN refused after all its data and its
  // CopyDone had gone left the writable waiting for an answer that never came: an import whose
  // staged rows PostgreSQL refused (a NUL, a number out of range) hung instead of failing.
  it('fails the writer with the server\'s error, once all its data was sent or while it is sent, and the connection serves on', async () => {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const copy = (rows: Iterable<string>) =>
      sql.begin(async (tx) => {
        await tx`create temp table copied (n integer) on commit drop`;
        await pipeline(Readable.from(rows), await tx`copy copied (n) from stdin`.writable());
      });
    const within = <T>(promise: Promise<T>) =>
      Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer in 10 s: the writer hangs')), 10_000))]);
    await expect(within(copy(['1\n', 'x\n']))).rejects.toThrow(/invalid input syntax for type integer: "x"/);
    await expect(within(copy((function* () {
      yield 'x\n';
      for (let i = 0; i < 20_000; i++) yield `${i}\n`;
    })()))).rejects.toThrow(/invalid input syntax for type integer: "x"/);
    expect(await sql`select 1 as one`).toEqual([{ one: 1 }]);
    await sql.end();
  });
});
