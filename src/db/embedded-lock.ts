/**
 * What an embedded PostgreSQL data directory says about the server on it: PostgreSQL's own lock
 * file (postmaster.pid: pid, port, status) and ours (embedded-owner.json: which process started
 * it). `npm start` uses them to recover after a crash (stop a server its dead owner left running,
 * drop a stale lock), and `npm run token` / `npm run import` to find the running server.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The fixed credentials of the embedded server (it listens on localhost only). */
export const EMBEDDED_USER = 'postgres';
export const EMBEDDED_PASSWORD = 'postgres';

export function embeddedUrl(port: number): string {
  return `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`;
}

export interface PostmasterLock {
  pid: number;
  port: number;
  /** "starting", "ready", "stopping" or "standby" (PostgreSQL writes it as it goes). */
  status: string;
}

const LOCK_FILE = 'postmaster.pid';
const OWNER_FILE = 'embedded-owner.json';

/** postmaster.pid's lines: pid, data directory, start time, port, socket directory, listen address, shared memory key, status. */
export function readPostmasterLock(dataDir: string): PostmasterLock | undefined {
  let text: string;
  try {
    text = readFileSync(join(dataDir, LOCK_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return { pid, port: Number.isInteger(port) ? port : 0, status: (lines[7] ?? '').trim() };
}

export function removePostmasterLock(dataDir: string): void {
  rmSync(join(dataDir, LOCK_FILE), { force: true });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's (a server run as the postgres user by someone else).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a process, from /proc or ps; undefined when neither can tell. */
function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    // Not Linux, or gone.
  }
  try {
    return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** The parent of a process (Linux only); undefined elsewhere. */
function parentOf(pid: number): number | undefined {
  try {
    // Field 4 of /proc/PID/stat, after the command name in parentheses (which may hold spaces).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(parent) ? parent : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the lock file's pid is a live PostgreSQL server. A pid that is alive but belongs to
 * something else (reused after a crash, e.g. in a container that restarted) makes the lock stale.
 */
export function postmasterRunning(lock: PostmasterLock): boolean {
  if (!isAlive(lock.pid)) return false;
  const command = commandOf(lock.pid);
  return command === undefined || /postgres/.test(command);
}

interface OwnerRecord {
  /** The process that started the server and stops it when it stops. */
  pid: number;
  /** The postmaster it started. */
  postmaster: number;
}

export function writeOwner(dataDir: string, record: OwnerRecord): void {
  writeFileSync(join(dataDir, OWNER_FILE), `${JSON.stringify(record)}\n`);
}

function readOwner(dataDir: string): OwnerRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(join(dataDir, OWNER_FILE), 'utf8')) as Partial<OwnerRecord>;
    return typeof record.pid === 'number' && typeof record.postmaster === 'number' ? { pid: record.pid, postmaster: record.postmaster } : undefined;
  } catch {
    return undefined;
  }
}

export type DataDirState =
  | { kind: 'free' }
  /** A postmaster.pid whose process is gone or is not PostgreSQL: PostgreSQL may refuse to start on it. */
  | { kind: 'stale-lock'; lock: PostmasterLock }
  /** A running server whose owner is gone (killed with -9, out of memory): nothing will stop it. */
  | { kind: 'orphaned'; lock: PostmasterLock }
  /** A running server whose owner is alive: another `npm start` (or the test run) uses it. */
  | { kind: 'in-use'; lock: PostmasterLock; owner: number };

export function inspectDataDir(dataDir: string): DataDirState {
  if (!existsSync(join(dataDir, LOCK_FILE))) return { kind: 'free' };
  const lock = readPostmasterLock(dataDir);
  if (!lock || !postmasterRunning(lock)) return lock ? { kind: 'stale-lock', lock } : { kind: 'free' };
  const owner = readOwner(dataDir);
  if (owner && owner.postmaster === lock.pid && owner.pid !== process.pid && isAlive(owner.pid)) {
    // Where the kernel can tell, the owner must also still be the postmaster's parent (its pid
    // may have been reused by an unrelated process since it died).
    const parent = parentOf(lock.pid);
    if (parent === undefined || parent === owner.pid) return { kind: 'in-use', lock, owner: owner.pid };
  }
  return { kind: 'orphaned', lock };
}

/**
 * The URL of a running embedded server on this data directory, for commands run beside
 * `npm start`; undefined when none is running (or it is not yet accepting connections).
 */
export function runningEmbeddedUrl(dataDir: string): string | undefined {
  const lock = readPostmasterLock(dataDir);
  if (!lock || lock.port === 0 || lock.status !== 'ready' || !postmasterRunning(lock)) return undefined;
  return embeddedUrl(lock.port);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Stops a postmaster: SIGINT (fast shutdown: sessions ended, a checkpoint written), and SIGQUIT
 * (immediate shutdown; crash recovery at the next start) if it is still up after `graceMs`.
 * Resolves true once it is gone.
 */
export async function stopPostmaster(pid: number, graceMs = 30_000): Promise<boolean> {
  const gone = async (ms: number) => {
    for (const until = Date.now() + ms; Date.now() < until; await sleep(100)) if (!isAlive(pid)) return true;
    return !isAlive(pid);
  };
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return !isAlive(pid);
  }
  if (await gone(graceMs)) return true;
  try {
    process.kill(pid, 'SIGQUIT');
  } catch {
    // Gone meanwhile.
  }
  return gone(5000);
}
