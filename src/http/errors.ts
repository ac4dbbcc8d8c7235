/**
 * What a client may learn from a failure. Errors the code raises on purpose (GraphQLErrors with
 * a code) pass through; a database that is away or too slow becomes a stable code and a 503;
 * anything else is "Unexpected error." — never SQL (drizzle puts the query in its message),
 * stack, host or driver text. The original is logged server-side with the request id.
 */
import { GraphQLError } from 'graphql';

const CONNECTION_CODES = new Set([
  // postgres.js
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  'CONNECT_TIMEOUT',
  // Node sockets
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EAI_AGAIN',
  // PostgreSQL: shutting down, starting up, too many connections
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);
/** query_canceled (statement_timeout) and lock_not_available (lock_timeout). */
const TIMEOUT_CODES = new Set(['57014', '55P03']);
/**
 * numeric_value_out_of_range: a total beyond a 32-bit Int (the GraphQL type of the sums of killed
 * and wounded). Each figure is bounded (CASUALTY_LIMIT), but hundreds of events at the bound sum
 * past it; the answer cannot be given, and saying so is better than an unexpected error.
 */
const OUT_OF_RANGE_CODES = new Set(['22003']);

export type Failure = 'database-unavailable' | 'query-timeout' | 'out-of-range' | 'unexpected';

/** The chain of causes under an error: GraphQL's originalError, drizzle's cause. */
function* causes(error: unknown): Generator<unknown> {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    yield current;
    const next = current as { originalError?: unknown; cause?: unknown };
    current = next.originalError ?? next.cause;
  }
}

export function classify(error: unknown): Failure {
  for (const cause of causes(error)) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    // PostgreSQL's connection_exception class.
    if (CONNECTION_CODES.has(code) || code.startsWith('08')) return 'database-unavailable';
    if (TIMEOUT_CODES.has(code)) return 'query-timeout';
    if (OUT_OF_RANGE_CODES.has(code)) return 'out-of-range';
  }
  return 'unexpected';
}

export function databaseUnavailable(): GraphQLError {
  return new GraphQLError('The database is unavailable; try again in a few seconds.', {
    extensions: { code: 'DATABASE_UNAVAILABLE', http: { status: 503, headers: { 'retry-after': '2' } } },
  });
}

/** What a masked failure's log line says; written by the observability plugin, with the request id. */
export interface MaskedFailure {
  level: 'warn' | 'error';
  msg: string;
  fields: Record<string, unknown>;
}

/**
 * The masked errors' causes, keyed by the error the client gets. Yoga's maskError does not see the
 * request, and following the request through AsyncLocalStorage would slow every promise of every
 * request (Node 20's async hooks); the plugin that sees the result logs them with its request id.
 */
export const maskedFailures = new WeakMap<Error, MaskedFailure>();

export interface MaskOptions {
  /** Told about connection-level failures, so health checks look again at once. */
  onDatabaseFailure?: () => void;
}

export function createMaskError({ onDatabaseFailure }: MaskOptions = {}) {
  const masked = (error: GraphQLError, failure: MaskedFailure): GraphQLError => {
    maskedFailures.set(error, failure);
    return error;
  };
  return (error: unknown): Error => {
    // Every link a GraphQL error (bad input, refusals, graphql-js's own validation and coercion
    // errors, which inherit their cause's code): meant for the client as it is.
    const chain = [...causes(error)];
    if (error instanceof GraphQLError && chain.every((c) => c instanceof GraphQLError)) return error;
    // pino's serializer stops at the first error; the driver's own words are one or two causes down.
    const root = chain.findLast((c) => !(c instanceof GraphQLError));
    const cause = root instanceof Error ? { message: root.message, code: (root as { code?: unknown }).code } : undefined;
    const failure = classify(error);
    const where = error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {};
    if (failure === 'database-unavailable') {
      onDatabaseFailure?.();
      const unavailable = databaseUnavailable();
      return masked(new GraphQLError(unavailable.message, { ...where, extensions: unavailable.extensions }), {
        level: 'warn',
        msg: 'database unavailable',
        fields: { err: error, cause },
      });
    }
    if (failure === 'query-timeout') {
      return masked(
        new GraphQLError('The query took too long and was stopped; ask for less data.', {
          ...where,
          extensions: { code: 'QUERY_TIMEOUT', http: { status: 503, headers: { 'retry-after': '1' } } },
        }),
        { level: 'warn', msg: 'query stopped by a database timeout', fields: { err: error, cause } },
      );
    }
    if (failure === 'out-of-range') {
      return masked(
        new GraphQLError('A number is beyond what its field holds (a total above 2,147,483,647, say): narrow the filter, or check the figures given.', {
          ...where,
          extensions: { code: 'NUMBER_OUT_OF_RANGE', http: { status: 422 } },
        }),
        { level: 'warn', msg: 'a number out of range', fields: { err: error, cause } },
      );
    }
    return masked(new GraphQLError('Unexpected error.', { ...where, extensions: { code: 'INTERNAL_SERVER_ERROR' } }), {
      level: 'error',
      msg: 'unexpected error',
      fields: { err: error, cause },
    });
  };
}
