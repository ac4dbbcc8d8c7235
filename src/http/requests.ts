/** Who sent a request: a bearer token resolved to a principal (401 for a bad or revoked one). */
import { GraphQLError } from 'graphql';
import { principalForToken, type Principal } from '../auth/tokens.ts';
import type { TokenCache } from '../auth/token-cache.ts';
import type { Database } from '../db/client.ts';

export function unauthorized(message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'www-authenticate': 'Bearer' } } },
  });
}

/** The principal of a request: null without a token; a bad or revoked token is refused (401). */
export async function authenticate(db: Database, header: string | null, cache?: TokenCache): Promise<Principal | null> {
  if (header === null) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match?.[1]) throw unauthorized('the Authorization header must be "Bearer <token>"');
  const principal = cache ? await cache.principalFor(db, match[1]) : await principalForToken(db, match[1]);
  if (!principal) throw unauthorized('the API token is unknown or revoked');
  return principal;
}
