/**
 * Who may read /metrics on the public port: a client sending METRICS_TOKEN (what Prometheus is
 * given) or an admin API token. The numbers name operations and show load and errors, which is
 * reconnaissance for an attacker, so they are never public: with METRICS_PORT set they are served
 * only there (src/server.ts), otherwise only to these tokens.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { Principal } from '../auth/tokens.ts';

export interface MetricsAccessOptions {
  /** METRICS_TOKEN, when set. */
  token: string | undefined;
  /** Resolves an Authorization header to its principal (null without one); throws a 401 GraphQLError for a bad token. */
  principalFor: (header: string | null) => Promise<Principal | null>;
}

function refusal(status: number, code: string, message: string): Response {
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...(status === 401 ? { 'www-authenticate': 'Bearer' } : {}) },
  });
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** A refusal, or undefined when the request may read the metrics. */
export function metricsAccess({ token, principalFor }: MetricsAccessOptions): (request: Request) => Promise<Response | undefined> {
  const expected = token === undefined ? undefined : digest(`Bearer ${token}`);
  const needed = `/metrics needs "Authorization: Bearer <token>" with ${token ? 'METRICS_TOKEN or ' : ''}an admin API token (or set METRICS_PORT to serve it on an internal port)`;
  return async (request) => {
    const header = request.headers.get('authorization');
    if (header === null) return refusal(401, 'UNAUTHENTICATED', needed);
    // Compared as fixed-length digests, in constant time.
    if (expected && timingSafeEqual(digest(header.trim()), expected)) return undefined;
    let principal: Principal | null;
    try {
      principal = await principalFor(header);
    } catch (error) {
      if (error instanceof GraphQLError && error.extensions.code === 'UNAUTHENTICATED') return refusal(401, 'UNAUTHENTICATED', needed);
      return refusal(503, 'DATABASE_UNAVAILABLE', 'The token cannot be checked now; try again in a few seconds.');
    }
    if (principal?.role !== 'admin') return refusal(403, 'FORBIDDEN', needed);
    return undefined;
  };
}
