import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { drizzle, PostgresJsSession, PostgresJsTransaction, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';

/**
 * With the postgres.js client, for the few hot statements sent prepared (src/graphql/loaders/batch.ts).
 * Without drizzle's relational schema: nothing reads through `db.query`, and with it every
 * transaction and savepoint built a query builder for each of the schema's tables.
 */
export type Database = PostgresJsDatabase & { $client: postgres.Sql };

/** A transaction of `Database`: what every write runs in. */
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

/**
 * A bulk loader's transaction (postgres.js) as a `Tx`, so that a load can also call the domain's
 * per-record services in the same transaction (applyDatasetCorrections): made as drizzle's own
 * `transaction()` makes its `tx` from the connection `begin` hands it.
 */
export function transactionAsTx(sql: postgres.TransactionSql): Tx {
  const dialect = new PgDialect();
  // drizzle's typings ask for an `Sql` here, though its transaction() passes begin's TransactionSql
  // (which postgres.js's types do not make an `Sql`): the casts say what drizzle does.
  const session = new PostgresJsSession(sql as unknown as postgres.Sql, dialect, undefined);
  return new PostgresJsTransaction<Record<string, never>, ExtractTablesWithRelations<Record<string, never>>>(
    dialect, session as unknown as ConstructorParameters<typeof PostgresJsTransaction<Record<string, never>, ExtractTablesWithRelations<Record<string, never>>>>[1], undefined);
}

export interface DatabaseOptions {
  /** Pool size. */
  max?: number;
  /** Called with every statement sent to PostgreSQL (tests count them; logs may trace them). */
  onStatement?: (text: string) => void;
  /** Server-side limits, ms, set on every connection (PostgreSQL's own defaults: none). */
  statementTimeoutMs?: number;
  lockTimeoutMs?: number;
  idleInTransactionTimeoutMs?: number;
  /** How long one connection attempt may take, seconds (postgres.js defaults to 30). */
  connectTimeoutSeconds?: number;
}

export interface DatabaseHandle {
  db: Database;
  sql: postgres.Sql;
  close: () => Promise<void>;
}

/**
 * postgres.js waits between reconnection attempts for up to 20 s by default, so after an outage
 * the first queries could hang that long; half a second at most brings the pool back promptly.
 */
export function reconnectDelaySeconds(attempt: number): number {
  return Math.min(0.05 * 2 ** attempt, 0.5);
}

/**
 * Where a PostgreSQL URL points, for postgres.js. libpq also reads the host and port from `host`
 * and `port` parameters, the host being a Unix-socket directory when it is a path
 * (`postgres://user:pass@/db?host=/cloudsql/project:region:instance`,
 * `postgresql:///db?host=/var/run/postgresql&port=5433`). postgres.js reads them only from the
 * URL's authority, refuses an empty one with credentials, and would send the parameters to the
 * server as settings (refused: "unrecognized configuration parameter"). They are taken out of the
 * URL and given as postgres.js's `host` and `port` options, where a path means a socket.
 */
export function postgresTarget(url: string): { url: string; host?: string; port?: number } {
  const parts = /^(postgres(?:ql)?:\/\/)([^/?#]*)([^?#]*)(?:\?([^#]*))?(#.*)?$/i.exec(url);
  if (!parts?.[4]) return { url };
  const [, scheme, authority = '', path = '', query = '', fragment = ''] = parts;
  const target: { host?: string; port?: number } = {};
  const kept = query.split('&').filter((param) => {
    const [key, value = ''] = param.split('=');
    if (key === 'host' && value !== '') target.host = decodeURIComponent(value);
    else if (key === 'port' && /^\d{1,5}$/.test(value)) target.port = Number(value);
    else return true;
    return false;
  });
  if (target.host === undefined && target.port === undefined) return { url };
  // An empty host gets a placeholder: postgres.js takes the option over it.
  const at = authority.lastIndexOf('@');
  const hostAndPort = authority.slice(at + 1);
  const withHost = hostAndPort === '' || hostAndPort.startsWith(':') ? `${authority.slice(0, at + 1)}localhost${hostAndPort}` : authority;
  return { url: `${scheme}${withHost}${path}${kept.length > 0 ? `?${kept.join('&')}` : ''}${fragment}`, ...target };
}

/** A postgres.js client for `url`, `host` and `port` parameters included (postgresTarget). */
export function postgresClient(url: string, options: postgres.Options<Record<string, postgres.PostgresType>> = {}): postgres.Sql {
  const { url: plain, ...target } = postgresTarget(url);
  return postgres(plain, { ...options, ...target });
}

/**
 * A postgres.js client (or transaction) whose `unsafe` statements, drizzle's included, go as named
 * prepared statements. drizzle sends its statements unnamed; postgres.js then asks PostgreSQL for
 * their parameter types first (Parse, Describe, wait, then Bind, Execute), and a statement that
 * waits so cannot be pipelined with the next. Prepared once per connection, a statement is
 * parsed once and later sent as Bind and Execute alone, in the same round trip as its neighbours.
 * Transactions and savepoints opened through it hand their callbacks a preparing client too.
 */
function preparingClient<T extends postgres.Sql | postgres.TransactionSql>(client: T): T {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'unsafe') {
        return (query: string, parameters?: postgres.ParameterOrJSON<never>[], options?: postgres.UnsafeQueryOptions) =>
          target.unsafe(query, parameters, { ...options, prepare: true });
      }
      if (property === 'begin' || property === 'savepoint') {
        const open = Reflect.get(target, property, receiver) as (...args: unknown[]) => unknown;
        return (...args: unknown[]) => {
          const callback = args.pop() as (tx: postgres.TransactionSql) => unknown;
          return open(...args, (tx: postgres.TransactionSql) => callback(preparingClient(tx)));
        };
      }
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

const preparingDatabases = new WeakMap<Database, Database>();

/**
 * `db` on the same pool, every statement a named prepared statement (preparingClient): for the
 * small statements every API write repeats (runWrite; also the token lookup and the drainer's
 * call), keyed lookups and inserts that are safe to plan generically. Not for the bulk loaders'
 * statements: each runs once, and a generic plan of a set-based statement could be far worse
 * than its custom one.
 */
export function preparingDatabase(db: Database): Database {
  let prepared = preparingDatabases.get(db);
  if (!prepared) {
    prepared = drizzle(preparingClient(db.$client)) as Database;
    preparingDatabases.set(db, prepared);
  }
  return prepared;
}

export function connectDatabase(url: string, options: DatabaseOptions = {}): DatabaseHandle {
  const { onStatement } = options;
  // No JIT compilation, for every statement of every caller (API, drainer, imports, exports): this
  // project's statements find their rows through indexes, but many are estimated generically (keys
  // behind subqueries, CTEs, the revision unions of asOf reads, staging tables without statistics),
  // and an estimate past jit_optimize_above_cost compiled for 0.1–1.0 s statements that run in
  // milliseconds (a search asOf a time: 1,010 ms with JIT, 12 ms without; a bulk load's staging
  // statements 100–340 ms each; an export's events query 7 s). On the heaviest reads of events it
  // saved at most ~5 % (docs/performance.md, thirtieth session).
  const connection: Record<string, string> = { jit: 'off' };
  if (options.statementTimeoutMs !== undefined) connection.statement_timeout = String(options.statementTimeoutMs);
  if (options.lockTimeoutMs !== undefined) connection.lock_timeout = String(options.lockTimeoutMs);
  if (options.idleInTransactionTimeoutMs !== undefined) {
    connection.idle_in_transaction_session_timeout = String(options.idleInTransactionTimeoutMs);
  }
  const sql = postgresClient(url, {
    max: options.max ?? 10,
    connection,
    connect_timeout: options.connectTimeoutSeconds ?? 30,
    backoff: reconnectDelaySeconds,
    // Silence NOTICEs (e.g. "relation already exists, skipping" from the migrator).
    onnotice: () => {},
    ...(onStatement ? { debug: (_connection: number, text: string) => onStatement(text) } : {}),
  });
  const db = drizzle(sql);
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}
