/**
 * `npm start` after a hard crash (kill -9, as the out-of-memory killer does): the real process
 * (`node --import tsx src/index.ts`) on an embedded PostgreSQL in a temporary EMBEDDED_PG_DIR.
 * The watchdog stops the orphaned database within seconds; a start finds and stops one the
 * watchdog could not (it was killed too); and `npm run token` finds the running database by itself.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/db/embedded.ts';
import { isAlive, readPostmasterLock } from '../src/db/embedded-lock.ts';

let root: string;
let dataDir: string;
let port: number;
const started: ChildProcess[] = [];

/** The environment of a plain `npm start`: no DATABASE_URL (set empty so a developer's .env cannot supply one). */
function env(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: '',
    EMBEDDED_PG_DIR: dataDir,
    EMBEDDED_PG_PORT: '',
    HOST: '127.0.0.1',
    PORT: String(port),
    SEED_ON_START: 'false',
    LOG_LEVEL: 'info',
  };
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 90_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 250))) {
    if (await Promise.resolve().then(check).catch(() => false)) return;
  }
  throw new Error(`timed out waiting for ${what}`);
}

const ready = async () => (await fetch(`http://127.0.0.1:${port}/ready`)).status === 200;

/** Starts the server and waits until it is ready; returns it with its output so far. */
async function start(): Promise<{ child: ChildProcess; output: () => string }> {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await Promise.race([
    until(ready, 'the server to be ready'),
    exited.then(() => {
      throw new Error(`the server exited before it was ready:\n${output}`);
    }),
  ]);
  return { child, output: () => output };
}

function killHard(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  return exited;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'crash-recovery-'));
  // PostgreSQL runs as the postgres user when the tests run as root: it must reach the directory.
  chmodSync(root, 0o755);
  dataDir = join(root, 'postgres');
  port = await freePort();
});

afterAll(async () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  const lock = readPostmasterLock(dataDir);
  if (lock && isAlive(lock.pid)) process.kill(lock.pid, 'SIGQUIT');
  rmSync(root, { recursive: true, force: true });
});

describe('after a hard crash', () => {
  it('the watchdog stops the embedded PostgreSQL, and npm start serves again', async () => {
    const first = await start();
    const postmaster = readPostmasterLock(dataDir)?.pid;
    expect(postmaster).toBeGreaterThan(0);
    await killHard(first.child);
    // Gone within seconds, without anyone calling stop().
    await until(() => !isAlive(postmaster!), 'the orphaned PostgreSQL to stop', 15_000);
    const second = await start();
    expect(await (await fetch(`http://127.0.0.1:${port}/graphql?query=%7B__typename%7D`)).json()).toEqual({ data: { __typename: 'Query' } });
    await killHard(second.child);
  }, 240_000);

  it('npm start stops a PostgreSQL left running when its watchdog died too, and serves again', async () => {
    const first = await start();
    const postmaster = readPostmasterLock(dataDir)?.pid;
    // The watchdog is the shell naming this postmaster and data directory.
    const watchdogs = spawnSync('pgrep', ['-f', `embedded-postgres-watchdog ${postmaster} ${dataDir}`], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean)
      .map(Number);
    expect(watchdogs).toHaveLength(1);
    process.kill(watchdogs[0]!, 'SIGKILL');
    await killHard(first.child);
    await new Promise((r) => setTimeout(r, 1000));
    expect(isAlive(postmaster!)).toBe(true);

    const second = await start();
    expect(isAlive(postmaster!)).toBe(false);
    expect(second.output()).toMatch(/recovered from an earlier crash: stopped a PostgreSQL \(pid \d+\)/);

    // npm run token finds the running embedded database from the data directory, with no DATABASE_URL.
    const created = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/token.ts', 'create', '--role', 'admin', '--name', 'crash-test'], {
      env: env(),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    const token = created.stdout.trim().split('\n').at(-1) ?? '';
    expect(token).toMatch(/^mmg_/);
    // The token is in the database the server uses: it may read /metrics, which needs an admin token.
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(metrics.status).toBe(200);

    // A clean stop leaves nothing running.
    const lock = readPostmasterLock(dataDir);
    const exited = new Promise<number | null>((resolve) => second.child.once('exit', (code) => resolve(code)));
    second.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lock && isAlive(lock.pid)).toBe(false);
    expect(readFileSync(join(dataDir, 'PG_VERSION'), 'utf8').trim()).toMatch(/^\d+$/);
  }, 240_000);

  it('npm run token says what to do when no database can be found', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/token.ts', 'list'], {
      env: { ...env(), EMBEDDED_PG_DIR: join(root, 'nothing-here') },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/no embedded PostgreSQL is running in .*nothing-here.*npm start/);
  }, 90_000);
});
