/**
 * The penalty box: a client whose requests keep being refused (depth bombs, malformed bodies,
 * over the cap...) is, for a while, answered 429 before any parsing — and only after a pause, so
 * a client that waits for each answer (as scripts do) slows down instead of keeping the event
 * loop busy with requests that will be refused anyway. Per instance, and forgotten over time:
 * it protects this instance's CPU; nothing in it is needed by another instance.
 *
 * Refusals count within a sliding window, and requests served in between do not wipe the count:
 * a prober mixing valid requests among its junk is boxed all the same. A refusal is any 4xx, and
 * also the refused documents GraphQL-over-HTTP answers 200 under `Accept: application/json`
 * (parse and validation errors, variables that do not coerce, a missing query, bad arguments):
 * `useRefusalCount` marks those, so what a client asks to accept changes nothing.
 */
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { PenaltyConfig } from '../config.ts';
import { REFUSAL_CODES } from './limits.ts';

interface ClientRecord {
  /** Times of recent refusals. */
  refusals: number[];
  until: number;
}

/** Beyond this many tracked clients the oldest are forgotten, so memory stays bounded. */
const MAX_CLIENTS = 50_000;

export class PenaltyBox {
  private readonly clients = new Map<string, ClientRecord>();

  constructor(readonly config: PenaltyConfig) {}

  /** Milliseconds of penalty left for the client; 0 when none. */
  remaining(client: string, now = Date.now()): number {
    const record = this.clients.get(client);
    return record && record.until > now ? record.until - now : 0;
  }

  /** Counts a refusal; true when it puts the client in the box. */
  refused(client: string, now = Date.now()): boolean {
    if (this.config.threshold === 0) return false;
    let record = this.clients.get(client);
    if (!record) {
      if (this.clients.size >= MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value ?? '');
      record = { refusals: [], until: 0 };
      this.clients.set(client, record);
    }
    const since = now - this.config.windowMs;
    record.refusals = record.refusals.filter((t) => t > since);
    record.refusals.push(now);
    if (record.refusals.length >= this.config.threshold && record.until <= now) {
      record.until = now + this.config.penaltyMs;
      record.refusals = [];
      return true;
    }
    return false;
  }

}

/** Set by useRefusalCount when the request's document was refused though its status is 200. */
export interface RefusalMark {
  refused: boolean;
}

/** Codes of errors that refuse what the client sent (as opposed to the server's own trouble). */
const REFUSED_DOCUMENT_CODES = new Set([
  ...REFUSAL_CODES,
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'DUPLICATE_AUTHORIZATION',
]);

export function refusesDocument(result: ExecutionResult): boolean {
  if (!result.errors?.length) return false;
  return result.errors.some((error) => {
    const code = error.extensions?.code;
    // Variables that do not coerce come without a code, and before any data.
    return typeof code === 'string' ? REFUSED_DOCUMENT_CODES.has(code) : !('data' in result);
  });
}

/** Marks the server context's `refusal` when the result refuses the request, whatever its HTTP status. */
export function useRefusalCount(): Plugin<Record<string, unknown>, { refusal?: RefusalMark }> {
  return {
    onResultProcess({ result, serverContext }) {
      const mark = serverContext.refusal;
      if (!mark || Symbol.asyncIterator in Object(result)) return;
      const results = (Array.isArray(result) ? result : [result]) as ExecutionResult[];
      if (results.some(refusesDocument)) mark.refused = true;
    },
  };
}
