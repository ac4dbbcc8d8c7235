/**
 * The shape of a domain write: `(tx, principal, input)`. The caller owns the transaction (the
 * API's runWrite adds the audit-log row and idempotency key to it; the knowledge-file loader holds
 * one for a whole file); the service checks and writes, and returns what it did as plain JSON (the
 * API stores that in the audit log and replays it for a retried request).
 */
import type { Principal } from '../auth/tokens.ts';
import type { Tx } from '../db/client.ts';

export type { Principal, Tx };

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export type WriteService<Input, Result extends Json> = (tx: Tx, principal: Principal, input: Input) => Promise<Result>;

/**
 * Awaits a write's independent steps (lookups, citations) together. Sent without waiting for
 * each other, their statements are pipelined on the transaction's connection: one round trip
 * instead of one each, which is most of a small write's time on a busy server. Every step is
 * settled before this returns or throws, so none can send a statement after the transaction has
 * ended; the error reported is the first in the order given, as if they had run one by one.
 */
export async function allInOrder<T extends readonly unknown[]>(steps: readonly [...{ [K in keyof T]: Promise<T[K]> }]): Promise<T> {
  const settled = await Promise.allSettled(steps);
  for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
