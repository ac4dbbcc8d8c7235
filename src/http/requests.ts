/** Who sent a request: a bearer token resolved to a principal (401 for a bad or revoked one). */
import { GraphQLError } from 'graphql';
import { principalForToken, type Principal } from '../auth/tokens.ts';
import type { TokenCache } from '../auth/token-cache.ts';
import type { Database } from '../db/client.ts';
import { withoutStack } from '../graphql/errors.ts';

export function unauthorized(message: string): GraphQLError {
  return withoutStack(
    new GraphQLError(message, {
      extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'www-authenticate': 'Bearer' } } },
    }),
  );
}

export const DUPLICATE_AUTHORIZATION = 'DUPLICATE_AUTHORIZATION';

const DUPLICATE_MESSAGE =
  'the request has more than one Authorization header (or several credentials joined by a comma); send exactly one "Bearer <token>"';

/**
 * Two Authorization headers: which one is meant cannot be known, and Node keeps the first one
 * silently, so a proxy that adds its own after the client's would be overruled. Refused outright.
 */
export function duplicateAuthorization(): GraphQLError {
  return withoutStack(new GraphQLError(DUPLICATE_MESSAGE, { extensions: { code: DUPLICATE_AUTHORIZATION, http: { status: 400 } } }));
}

/** The same refusal as an HTTP answer, for the Node server, which sees the raw header lines. */
export function duplicateAuthorizationResponse(headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ errors: [{ message: DUPLICATE_MESSAGE, extensions: { code: DUPLICATE_AUTHORIZATION } }] }), {
    status: 400,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

/** How many Authorization header lines a request arrived with (Node's `rawHeaders`: name, value, name, value...). */
export function authorizationLines(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]?.toLowerCase() === 'authorization') count += 1;
  return count;
}

/** The principal of a request: null without a token; a bad or revoked token is refused (401). */
export async function authenticate(db: Database, header: string | null, cache?: TokenCache): Promise<Principal | null> {
  if (header === null) return null;
  // Fetch's Headers joins repeated headers with ", "; a bearer token never holds a comma.
  if (header.includes(',')) throw duplicateAuthorization();
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match?.[1]) throw unauthorized('the Authorization header must be "Bearer <token>"');
  const principal = cache ? await cache.principalFor(db, match[1]) : await principalForToken(db, match[1]);
  if (!principal) throw unauthorized('the API token is unknown or revoked');
  return principal;
}
