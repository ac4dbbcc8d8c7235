/**
 * Every API write goes through `runWrite`: one transaction holding the change, its audit-log row
 * and (when the client sent one) its idempotency key. A failure anywhere rolls back all three.
 * A retried request with the same key and the same input gets the first answer again without
 * writing; the same key with different input is a ConflictError.
 */
import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Principal } from '../auth/tokens.ts';
import type { Database } from '../db/client.ts';
import { auditLog, idempotencyKeys } from '../db/schema.ts';
import { ConflictError, ForbiddenError, UserError, ValidationError } from '../graphql/errors.ts';

export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface WriteRequest {
  db: Database;
  principal: Principal | null;
  requestId: string | null;
  operation: string;
  idempotencyKey?: string | null;
  /** The operation's input, hashed to tell a retry from a different request under the same key. */
  input: unknown;
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
    throw new ValidationError('idempotencyKey must be 1–200 characters', ['idempotencyKey']);
  }
  const requestSha256 = createHash('sha256').update(canonicalJson(request.input)).digest('hex');
  try {
    return await request.db.transaction(async (tx) => {
      if (key != null) {
        // Two concurrent retries of one request: the second waits here, then sees the first's row.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${JSON.stringify([principal.name, key])}, 0))`);
        const [seen] = await tx
          .select()
          .from(idempotencyKeys)
          .where(and(eq(idempotencyKeys.principal, principal.name), eq(idempotencyKeys.key, key)));
        if (seen) {
          if (seen.operation !== request.operation || seen.requestSha256 !== requestSha256) {
            throw new ConflictError(
              `idempotency key "${key}" was already used for a different request (${seen.operation}); nothing was written`,
              ['idempotencyKey'],
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
