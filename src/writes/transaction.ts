/**
 * Every API write goes through `runWrite`: one transaction holding the change, its audit-log row
 * and (when the client sent one) its idempotency key. A failure anywhere rolls back all three.
 * A retried request with the same key and the same input gets the first answer again without
 * writing; the same key with different input is a ConflictError. Keys live for a configurable
 * time (IDEMPOTENCY_KEY_LIFETIME_S): an expired key is forgotten, and a new write under it
 * proceeds. Expired keys are purged by the writes themselves, a bounded batch at a time, so no
 * instance needs a timer or any state of its own.
 */
import { createHash } from 'node:crypto';
import { and, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Principal } from '../auth/tokens.ts';
import type { Database } from '../db/client.ts';
import { auditLog, idempotencyKeys } from '../db/schema.ts';
import { ConflictError, ForbiddenError, UserError, ValidationError } from '../graphql/errors.ts';

export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** How long an idempotency key replays its write, by default: a day covers any sane retry. */
export const DEFAULT_IDEMPOTENCY_KEY_LIFETIME_S = 24 * 60 * 60;

/** Expired keys deleted per keyed write: bounded work, yet more than one write adds. */
const PURGE_BATCH = 100;

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
  if (pg?.code === '23505') return new ConflictError(`already exists (${pg.constraint_name ?? 'unique constraint'}); nothing was written`);
  if (pg?.code === '23514') return new ValidationError(`${pg.message ?? 'a rule of the knowledge base was broken'}; nothing was written`);
  return error;
}

export async function runWrite<R extends Json>(
  request: WriteRequest,
  write: (tx: Tx, principal: Principal) => Promise<R>,
): Promise<WriteOutcome<R>> {
  const { principal, idempotencyKey: key } = request;
  // Scope auth refuses first; this is the backstop for writes reached another way.
  if (!principal) throw new ForbiddenError(`${request.operation} needs an API token`);
  if (key != null && (key.length === 0 || key.length > 200)) {
    throw new ValidationError('idempotencyKey must be 1–200 characters', request.idempotencyKeyPath ?? ['idempotencyKey']);
  }
  const requestSha256 = createHash('sha256').update(canonicalJson(request.input)).digest('hex');
  const lifetime = sql`make_interval(secs => ${request.idempotencyKeyLifetimeS ?? DEFAULT_IDEMPOTENCY_KEY_LIFETIME_S})`;
  try {
    return await request.db.transaction(async (tx) => {
      // Who writes, for the database's own records (place revisions: migration 0016_entity_revision_triggers); and, in the
      // same statement, a batch of expired idempotency keys purged (rows another write is purging
      // are skipped, not waited for).
      await tx.execute(sql`with purged as (
          delete from ${idempotencyKeys} where (principal, key) in (
            select principal, key from ${idempotencyKeys} where created_at <= now() - ${lifetime}
             order by created_at limit ${PURGE_BATCH} for update skip locked))
        select set_config('knowledge.principal', ${principal.name}, true)`);
      if (key != null) {
        // Two concurrent retries of one request: the second waits here, then sees the first's row.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${JSON.stringify([principal.name, key])}, 0))`);
        const [found] = await tx
          .select({ ...getTableColumns(idempotencyKeys), expired: sql<boolean>`${idempotencyKeys.createdAt} <= now() - ${lifetime}` })
          .from(idempotencyKeys)
          .where(and(eq(idempotencyKeys.principal, principal.name), eq(idempotencyKeys.key, key)));
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
          return { result: seen.result as R, replayed: true };
        }
      }
      const result = await write(tx, principal);
      await tx.insert(auditLog).values({
        principal: principal.name,
        operation: request.operation,
        requestId: request.requestId,
        idempotencyKey: key ?? null,
        details: result,
      });
      if (key != null) {
        await tx.insert(idempotencyKeys).values({
          principal: principal.name,
          key,
          operation: request.operation,
          requestSha256,
          result,
        });
      }
      return { result, replayed: false };
    });
  } catch (error) {
    throw asUserError(error);
  }
}
