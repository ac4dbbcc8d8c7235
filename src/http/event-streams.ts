/**
 * graphql-sse's "single connection mode" at /graphql/stream (@graphql-yoga/plugin-graphql-sse):
 * a client reserves one event stream (PUT), opens it (GET), and sends operations (POST) that it
 * carries. A reservation is kept by graphql-sse until its stream is opened and closed, so each
 * client (its token, else its address) gets one, named by an HMAC of the client's key under a
 * secret of this process: reservations stay bounded by the number of clients, and no client can
 * use, or guess, another's. Operations run through the same context, limits and stream rules as
 * /graphql; the plain "distinct connections mode" is served at the same path.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { useGraphQLSSE } from '@graphql-yoga/plugin-graphql-sse';
import type { Response as SseResponse } from 'graphql-sse';
import type { Plugin } from 'graphql-yoga';
import { authenticate } from './requests.ts';
import type { Database } from '../db/client.ts';
import type { TokenCache } from '../auth/token-cache.ts';

export const EVENT_STREAM_PATH = '/graphql/stream';
const STREAM_TOKEN_HEADER = 'x-graphql-event-stream-token';

/** A refusal in graphql-sse's response form: [body, init]. */
function refusal(status: number, code: string, message: string): SseResponse {
  return [JSON.stringify({ errors: [{ message, extensions: { code } }] }), { status, statusText: code, headers: { 'content-type': 'application/json; charset=utf-8' } }];
}

export function useEventStreams(options: { authDb: Database; tokenCache?: TokenCache }): Plugin[] {
  const secret = randomBytes(32);
  const clientKeys = new WeakMap<Request, string>();
  const remember: Plugin = {
    onRequest({ request, serverContext }) {
      const key = (serverContext as { clientKey?: unknown } | undefined)?.clientKey;
      clientKeys.set(request, typeof key === 'string' ? key : `auth:${request.headers.get('authorization') ?? ''}`);
    },
  };
  const sse = useGraphQLSSE({
    endpoint: EVENT_STREAM_PATH,
    authenticate: async (req) => {
      try {
        await authenticate(options.authDb, req.headers.get('authorization') ?? null, options.tokenCache);
      } catch (error) {
        return refusal(401, 'UNAUTHENTICATED', error instanceof Error ? error.message : 'unauthenticated');
      }
      const client = clientKeys.get(req.raw) ?? 'unknown';
      const own = createHmac('sha256', secret).update(client).digest('base64url');
      if (req.method === 'PUT') return own;
      const given = req.headers.get(STREAM_TOKEN_HEADER) ?? new URL(req.url, 'http://localhost/').searchParams.get('token');
      if (given === null) return null; // distinct connections mode
      if (given !== own) return refusal(404, 'STREAM_NOT_FOUND', 'No event stream with this token was reserved by this client.');
      return own;
    },
  });
  return [remember, sse as Plugin];
}
