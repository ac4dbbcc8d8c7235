/**
 * SIGTERM to the real process (`node --import tsx src/index.ts`): readiness flips at once, the
 * request in flight finishes with its answer, then the process closes everything and exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/db/embedded.ts';
import { loadSeed } from '../src/domain/knowledge/seed.ts';
import { scratchDatabase } from './helpers.ts';
import { graphql, metricsHeaders, TEST_METRICS_TOKEN, whileEventsLocked } from './server-helpers.ts';

let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
let child: ChildProcess | undefined;
let output = '';

beforeAll(async () => {
  scratch = await scratchDatabase();
  await loadSeed(scratch.handle.db);
});
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await scratch.drop();
});

async function until(check: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('shutdown on SIGTERM', () => {
  it('flips readiness, lets the in-flight request finish, exits 0', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: scratch.url,
        HOST: '127.0.0.1',
        PORT: String(port),
        SEED_ON_START: 'false',
        DB_LOCK_TIMEOUT_MS: '30000',
        REQUEST_TIMEOUT_MS: '30000',
        DRAIN_TIMEOUT_MS: '20000',
        LOG_LEVEL: 'info',
        METRICS_TOKEN: TEST_METRICS_TOKEN,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child?.on('exit', (code) => resolve(code)));
    await until(async () => (await fetch(`${base}/ready`)).status === 200, 'the server to be ready');

    // Hold `events` so the request below stays in flight for as long as the test wants.
    const locker = postgres(scratch.url, { max: 1, onnotice: () => {} });
    const inFlight = await whileEventsLocked(locker, async () => {
      const request = graphql({ url: base }, '{ events(first: 2) { totalCount nodes { title } } }');
      await until(async () => /db_pool_requests_active 1/.test(await (await fetch(`${base}/metrics`, { headers: metricsHeaders })).text()), 'the request to hold a slot');

      child?.kill('SIGTERM');
      const signalled = performance.now();
      await until(async () => (await fetch(`${base}/ready`)).status === 503, 'readiness to flip', 5000);
      // At once: within the polling and process-scheduling slack of a loaded machine.
      expect(performance.now() - signalled).toBeLessThan(2000);
      expect(await (await fetch(`${base}/ready`)).json()).toEqual({ status: 'draining' });
      expect(child?.exitCode).toBeNull();
      // Wrapped, so that it is awaited after the lock is released, not before.
      return { request };
    });
    await locker.end();
    const answer = await inFlight.request;
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(await exited).toBe(0);
    expect(output).toMatch(/"msg":"stopped"/);
    // A clean stop is quiet: the changes feed's poll used to fail on the closed pool and log a warning with its SQL.
    const stopping = output.slice(output.indexOf('"msg":"draining"'));
    expect(stopping.split('\n').filter((line) => /"level":(40|50|60)/.test(line))).toEqual([]);
  }, 120_000);
});
