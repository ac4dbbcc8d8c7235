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
