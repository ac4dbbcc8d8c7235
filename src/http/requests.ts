/**
 * Who sent a request and which request it is: bearer tokens resolved to a principal (401 for a
 * bad one), and a request id sent back in `x-request-id` and logged with every masked error.
 */
import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { principalForToken, type Principal } from '../auth/tokens.ts';
import type { Database } from '../db/client.ts';
import type { Context } from '../graphql/context.ts';

export type LogError = (entry: { requestId: string; error: unknown }) => void;

export const logErrorToStderr: LogError = ({ requestId, error }) =>
  console.error(
    JSON.stringify({
      level: 'error',
      requestId,
      error: String(error),
      // Drizzle wraps the driver's error; its cause says what PostgreSQL refused.
      cause: error instanceof Error && error.cause !== undefined ? String(error.cause) : undefined,
      stack: error instanceof Error ? error.stack : undefined,
    }),
  );

export function unauthorized(message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'www-authenticate': 'Bearer' } } },
  });
}

/** The principal of a request: null without a token; a bad or revoked token is refused (401). */
export async function authenticate(db: Database, header: string | null): Promise<Principal | null> {
  if (header === null) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match?.[1]) throw unauthorized('the Authorization header must be "Bearer <token>"');
  const principal = await principalForToken(db, match[1]);
  if (!principal) throw unauthorized('the API token is unknown or revoked');
  return principal;
}

const requestIds = new WeakMap<Request, string>();

export function requestIdOf(request: Request): string | undefined {
  return requestIds.get(request);
}

/**
 * Every request gets an id, sent back in `x-request-id`; an unexpected error is logged with it
 * before yoga masks it, so a client's report can be matched to the log.
 */
export function useRequestId(logError: LogError): Plugin {
  return {
    onRequest({ request }) {
      requestIds.set(request, randomUUID());
    },
    onExecute() {
      return {
        onExecuteDone({ args, result }) {
          const requestId = (args.contextValue as Partial<Context>).requestId ?? 'unknown';
          const results = Symbol.asyncIterator in result ? [] : [result];
          for (const r of results) {
            for (const error of r.errors ?? []) {
              const original = error.originalError;
              if (original && !(original instanceof GraphQLError)) logError({ requestId, error: original });
            }
          }
        },
      };
    },
    onResponse({ request, response }) {
      const id = requestIds.get(request);
      if (id) response.headers.set('x-request-id', id);
    },
  };
}
