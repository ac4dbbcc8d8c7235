/**
 * Every API write goes through `runWrite`: one transaction holding the change, its audit-log row
 * and (when the client sent one) its idempotency key. A failure anywhere rolls back all three.
 * A retried request with the same key and the same input gets the first answer again without
 * writing; the same key with different input is a ConflictError. Keys live for a configurable
 * time (IDEMPOTENCY_KEY_LIFETIME_S): an expired key is forgotten, and a new write under it
 * proceeds. Expired keys are purged by the writes themselves, a bounded batch at a time, so no
 * instance needs a timer or any state of its own.
 *
 * A write sent without a key gets an implicit one, derived from the operation and its canonical
 * input (per principal, as every key), that replays for a short window (IMPLICIT_IDEMPOTENCY_WINDOW_S):
 * a client that retries after a lost answer or WRITE_OUTCOME_UNKNOWN (src/writes/outcome.ts)
 * gets the stored result instead of a duplicate. A replay must never answer for a write that no
 * longer stands, so an implicit key is forgotten as soon as another write of the same operation on
 * the same record (`input.slug`) with other input commits (update A, update B, update A again
 * writes A again), and every retraction or merge forgets them all. A client that means to repeat
 * a write within the window sends an idempotencyKey of its own, a new one each time.
 */
import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Principal } from '../auth/tokens.ts';
import { preparingDatabase, type Database, type Tx } from '../db/client.ts';
import { auditLog, idempotencyKeys } from '../db/schema.ts';
import { ConflictError, ForbiddenError, UserError, ValidationError } from '../domain/errors.ts';
import { allInOrder } from '../domain/service.ts';
import type { Json } from '../domain/service.ts';
import { commitOutcome, WriteAbandoned, writeOutcomeUnknown, WriteTicket, type RequestWrites } from './outcome.ts';

export type { Json, Tx };

/** How long an idempotency key replays its write, by default: a day covers any sane retry. */
export const DEFAULT_IDEMPOTENCY_KEY_LIFETIME_S = 24 * 60 * 60;

/**
 * How long a write sent without a key replays for an identical request, by default: long enough
 * for a client to retry through an outage of a few minutes, short enough that repeating a write
 * on purpose rarely meets it.
 */
export const DEFAULT_IMPLICIT_IDEMPOTENCY_WINDOW_S = 10 * 60;

/** Implicit keys start with this; client keys cannot (see runWrite), so the two never mix. */
const IMPLICIT_PREFIX = 'implicit:';

/**
 * The prefix as an SQL literal, not a parameter: the purge's conditions must match the predicates
 * of the partial indexes idempotency_keys_implicit_age_idx and _client_age_idx, which PostgreSQL
 * proves only against constants (a generic plan of a parameter would read the whole table).
 */
const IMPLICIT_LITERAL = sql.raw(`'${IMPLICIT_PREFIX}'`);

/**
 * Keys starting with `prefix` (every prefix here ends in ':'), as a range of
 * idempotency_keys_key_bytes_idx: in byte order the keys with a prefix are those from the prefix
 * up to, not including, the prefix with its last character raised by one.
 */
function keysWithPrefix(prefix: string) {
  const last = prefix.charCodeAt(prefix.length - 1);
  if (!(last > 0 && last < 0x7f)) throw new Error(`a key prefix must end in an ASCII character: ${prefix}`);
  const after = `${prefix.slice(0, -1)}${String.fromCharCode(last + 1)}`;
  // The bounds behind `(select …)`: a plan made for their values expected a handful of keys
  // where the generic plan could not tell, so the custom plan always looked cheaper and the
  // prepared statement was planned again at every write. Unknown to both, the generic plan is kept.
  return sql`(key collate "C") >= (select ${prefix}::text) and (key collate "C") < (select ${after}::text)`;
}

/** Writes that change what earlier writes mean: after one, no implicit key replays. */
const FORGETS_IMPLICIT_KEYS = new Set(['retractClaim', 'mergeActors']);

/** Expired keys deleted per keyed write: bounded work, yet more than one write adds. */
const PURGE_BATCH = 100;

/**
 * A server's key lifetime as an SQL literal. As a parameter, the generic plan could not estimate
 * how many keys are expired (the planner folds `now() - interval` for its estimate only when the
 * interval is known), so it looked costlier than a plan made for the values, and PostgreSQL
 * planned the purge again at every write (~0.5 ms, seven times what running it takes). A literal
 * makes both plans the same, and the prepared statement keeps its generic plan. The seconds come
 * from the server's configuration, never from a request.
 */
function intervalLiteral(seconds: number) {
  if (!Number.isSafeInteger(seconds) || seconds < 0) throw new Error(`an interval in whole seconds, not ${seconds}`);
  return sql.raw(`interval '${seconds} seconds'`);
}

/**
 * A batch of expired keys deleted, as the CTEs `implicit_expired, client_expired, purged` of the
 * statement that opens a write (rows another write is purging are skipped, not waited for). Each
 * kind is read from its own partial index, expired keys only.
 */
export function expiredKeysPurge(lifetimeS: number, windowS: number) {
  const lifetime = intervalLiteral(lifetimeS);
  const window = intervalLiteral(windowS);
  return sql`implicit_expired as (
  select principal, key from ${idempotencyKeys}
   where starts_with(key, ${IMPLICIT_LITERAL}) and created_at <= now() - ${window}
   order by created_at limit ${PURGE_BATCH} for update skip locked
), client_expired as (
  select principal, key from ${idempotencyKeys}
   where not starts_with(key, ${IMPLICIT_LITERAL}) and created_at <= now() - ${lifetime}
   order by created_at limit ${PURGE_BATCH} for update skip locked
), purged as (
  delete from ${idempotencyKeys} k
   using (select * from implicit_expired union all select * from client_expired) x
   where k.principal = x.principal and k.key = x.key)`;
}

/** The implicit keys a write makes stale (`keep`: its own), deleted by their prefix. */
export function forgetImplicitKeys(prefix: string, keep: string | null) {
  return keep == null
    ? sql`delete from ${idempotencyKeys} where ${keysWithPrefix(prefix)}`
    : sql`delete from ${idempotencyKeys} where ${keysWithPrefix(prefix)} and key <> ${keep}`;
}

export interface WriteRequest {
  db: Database;
  principal: Principal | null;
  requestId: string | null;
  operation: string;
  idempotencyKey?: string | null;
  /** Where the key was sent, for errors about it; default ["idempotencyKey"]. */
  idempotencyKeyPath?: string[];
  /** The operation's input, hashed to tell a retry from a different request under the same key. */
  input: unknown;
  /** Seconds an idempotency key replays its write; default DEFAULT_IDEMPOTENCY_KEY_LIFETIME_S. */
  idempotencyKeyLifetimeS?: number;
  /** Seconds a keyless write replays for an identical request; 0: never. Default DEFAULT_IMPLICIT_IDEMPOTENCY_WINDOW_S. */
  implicitIdempotencyWindowS?: number;
  /** The request's writes, so a request answered early can stop them committing (src/server.ts). */
  writes?: RequestWrites;
  /** Another pool, to learn what became of a COMMIT whose connection broke; default `db`. */
  outcomeDb?: Database;
}

export interface WriteOutcome<R> {
  result: R;
  /** True when an earlier request with the same idempotency key already did this write. */
  replayed: boolean;
}

/** JSON with object keys sorted, so equal inputs hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

interface PgErrorLike {
  code?: string;
  constraint_name?: string;
  message?: string;
}

function pgError(error: unknown): PgErrorLike | null {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (typeof (e as PgErrorLike).code === 'string' && (e as PgErrorLike).code?.length === 5) return e as PgErrorLike;
  }
  return null;
}

/**
 * Integrity rules enforced by the database (uniqueness, the citation triggers) that a concurrent
 * write may still trip after our own checks passed: reported as typed errors, not masked.
 */
function asUserError(error: unknown): unknown {
  if (error instanceof UserError) return error;
  const pg = pgError(error);
  // Constraint and relation names are the schema's, not the API's: never in a message.
  if (pg?.code === '23505') return new ConflictError('a record with the same identity already exists; nothing was written');
  if (pg?.code === '23514') {
    // The triggers' own messages are written for clients; a plain CHECK's names its constraint.
    const builtIn = pg.message === undefined || /violates check constraint/.test(pg.message);
    return new ValidationError(`${builtIn ? 'a value is outside what the knowledge base accepts' : pg.message}; nothing was written`);
  }
  return error;
}

/** The implicit key of a keyless write: its operation, the record it names, and its input's hash. */
function implicitKeyPrefix(operation: string, input: unknown): string {
  const slug = input !== null && typeof input === 'object' ? (input as { slug?: unknown }).slug : undefined;
  const subject = typeof slug === 'string' ? createHash('sha256').update(slug).digest('hex').slice(0, 16) : '-';
  return `${IMPLICIT_PREFIX}${operation}:${subject}:`;
}

/**
 * Did PostgreSQL itself answer the failed statement (so a failed COMMIT was rolled back), rather
 * than the connection breaking or the backend being ended while it committed?
 */
function answeredByServer(error: unknown): boolean {
  const code = pgError(error)?.code;
  return code !== undefined && !code.startsWith('08') && !code.startsWith('57P');
}

export async function runWrite<R extends Json>(
  request: WriteRequest,
  write: (tx: Tx, principal: Principal) => Promise<R>,
): Promise<WriteOutcome<R>> {
  const { principal, idempotencyKey: clientKey } = request;
  // Scope auth refuses first; this is the backstop for writes reached another way.
  if (!principal) throw new ForbiddenError(`${request.operation} needs an API token`);
  if (clientKey != null && (clientKey.length === 0 || clientKey.length > 200)) {
    throw new ValidationError('idempotencyKey must be 1–200 characters', request.idempotencyKeyPath ?? ['idempotencyKey']);
  }
  if (clientKey?.startsWith(IMPLICIT_PREFIX)) {
    throw new ValidationError(`idempotencyKey must not start with "${IMPLICIT_PREFIX}" (the server's own keys do)`, ['idempotencyKey']);
  }
  const requestSha256 = createHash('sha256').update(canonicalJson(request.input)).digest('hex');
  const lifetimeS = request.idempotencyKeyLifetimeS ?? DEFAULT_IDEMPOTENCY_KEY_LIFETIME_S;
  const windowS = request.implicitIdempotencyWindowS ?? DEFAULT_IMPLICIT_IDEMPOTENCY_WINDOW_S;
  const subjectPrefix = implicitKeyPrefix(request.operation, request.input);
  const implicit = clientKey == null && windowS > 0;
  const key = clientKey ?? (implicit ? `${subjectPrefix}${requestSha256}` : null);
  const lifetime = intervalLiteral(lifetimeS);
  const window = intervalLiteral(windowS);
  const ticket = request.writes?.open() ?? new WriteTicket();
  if (ticket.abandoned) throw new WriteAbandoned();
  let written: WriteOutcome<R> | undefined;
  try {
    // Prepared statements (preparingDatabase): a write's dozen small statements are parsed once per
    // connection and pipelined, instead of each waiting for its parameter types to be described.
    const outcome = await preparingDatabase(request.db).transaction(async (tx) => {
      // Who writes, for the database's own records (place revisions: revisions.sql); and, in the
      // same statement, a batch of expired idempotency keys purged (rows another write is purging
      // are skipped, not waited for), the key's lock (two concurrent retries of one request: the
      // second waits here), and the transaction's id and backend, to learn its fate should its
      // COMMIT go unanswered (src/writes/outcome.ts).
      const identity = tx
        .execute<{ xid: string; pid: number }>(sql`with ${expiredKeysPurge(lifetimeS, windowS)}
        select set_config('knowledge.principal', ${principal.name}, true), pg_current_xact_id()::text as xid, pg_backend_pid() as pid,
               ${key == null ? sql`null` : sql`pg_advisory_xact_lock(hashtextextended(${JSON.stringify([principal.name, key])}, 0))`} as locked`)
        .then(([row]) => row);
      const keyLifetime = implicit ? window : lifetime;
      // The key's row, looked up by the next statement, sent without waiting for the one above
      // (one round trip for both): the server runs them in the order sent, and this one's snapshot
      // is taken after the lock is granted, so it sees a concurrent retry's row once that commits.
      // Both go through tx.execute, so they are sent in the order written here.
      const keyRow = key == null
        ? Promise.resolve(undefined)
        : tx
            .execute<{ operation: string; requestSha256: string; result: unknown; expired: boolean }>(sql`
              select operation, request_sha256 as "requestSha256", result, created_at <= now() - ${keyLifetime} as expired
                from ${idempotencyKeys} where principal = ${principal.name} and key = ${key}`)
            .then(([row]) => row);
      const [ids, found] = await allInOrder([identity, keyRow]);
      ticket.xid = ids?.xid;
      ticket.backendPid = ids?.pid;
      if (key != null) {
        // An expired key is forgotten: the write proceeds and the key is stored afresh.
        if (found?.expired) {
          await tx.delete(idempotencyKeys).where(and(eq(idempotencyKeys.principal, principal.name), eq(idempotencyKeys.key, key)));
        }
        const seen = found?.expired ? undefined : found;
        if (seen) {
          if (seen.operation !== request.operation || seen.requestSha256 !== requestSha256) {
            throw new ConflictError(
              `idempotency key "${key}" was already used for a different request (${seen.operation}); nothing was written`,
              request.idempotencyKeyPath ?? ['idempotencyKey'],
            );
          }
          return settleBeforeCommit({ result: seen.result as R, replayed: true });
        }
      }
      const result = await write(tx, principal);
      // The audit row, the implicit keys this write makes stale (implicit replays must not answer
      // for writes that no longer stand: see the top of this file) and this write's own key, in
      // one statement: one round trip after the write instead of three.
      const details = JSON.stringify(result);
      const forget = FORGETS_IMPLICIT_KEYS.has(request.operation)
        ? forgetImplicitKeys(IMPLICIT_PREFIX, null)
        : !subjectPrefix.endsWith(':-:')
          ? forgetImplicitKeys(subjectPrefix, key ?? '')
          : sql`select`;
      const remember = key != null
        ? sql`insert into ${idempotencyKeys} (principal, key, operation, request_sha256, result)
              values (${principal.name}, ${key}, ${request.operation}, ${requestSha256}, ${details}::jsonb)`
        : sql`select`;
      await tx.execute(sql`
        with audited as (
               insert into ${auditLog} (principal, operation, request_id, idempotency_key, details)
               values (${principal.name}, ${request.operation}, ${request.requestId}, ${clientKey ?? null}, ${details}::jsonb)),
             forgotten as (${forget})
        ${remember}`);
      return settleBeforeCommit({ result, replayed: false });
    });
    return outcome;
  } catch (error) {
    // COMMIT was sent but its answer never came: ask PostgreSQL another way what became of it.
    if (ticket.stage === 'committing' && written && !answeredByServer(error)) {
      const fate = await commitOutcome(request.outcomeDb ?? request.db, ticket);
      if (fate === 'committed') return written;
      if (fate === 'unknown') throw writeOutcomeUnknown();
    }
    throw asUserError(error);
  } finally {
    ticket.stage = 'settled';
  }

  /**
   * The last step before postgres.js sends COMMIT: a request that has already answered (and told
   * its client nothing was written) stops the write here, so it rolls back instead.
   */
  function settleBeforeCommit(outcome: WriteOutcome<R>): WriteOutcome<R> {
    if (ticket.abandoned) throw new WriteAbandoned();
    ticket.stage = 'committing';
    written = outcome;
    return outcome;
  }
}
