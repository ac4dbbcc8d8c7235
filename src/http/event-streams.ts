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
import { GraphQLError, type DocumentNode } from 'graphql';
import type { Response as SseResponse } from 'graphql-sse';
import type { GraphQLParams, Plugin, YogaServerInstance } from 'graphql-yoga';
import { checkArguments } from './inputs.ts';
import { parseGet, parseJsonBody } from './params.ts';
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
  return [remember, checked(sse as Plugin)];
}

/** The code a refusal of graphql-sse's own (no code of its own) gets, by HTTP status. */
const CODE_BY_STATUS: Record<number, string> = { 400: 'BAD_REQUEST', 404: 'NOT_FOUND', 405: 'METHOD_NOT_ALLOWED', 409: 'CONFLICT' };

function errorsResponse(status: number, errors: readonly GraphQLError[]): Response {
  const body = errors.map((e) => ({ message: e.message, ...(e.locations ? { locations: e.locations } : {}), extensions: { ...e.extensions, http: undefined } }));
  return new Response(JSON.stringify({ errors: body }), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });
}

function requestError(message: string, code = 'BAD_REQUEST'): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

const isObjectOrAbsent = (value: unknown) => value == null || (typeof value === 'object' && !Array.isArray(value));

/**
 * The operation a GET or POST at EVENT_STREAM_PATH carries, read as /graphql reads it (strict
 * UTF-8, JSON objects), parsed by the app's parser (with its token limit) and its arguments
 * checked; a refusal to answer, or null when graphql-sse may go on. graphql-sse reads requests
 * its own way: it decoded bad UTF-8 as U+FFFD, and a syntax error or a NUL in the query string
 * thrown from its onSubscribe was a 500.
 */
async function operationRefusal(yoga: YogaServerInstance<Record<string, unknown>, Record<string, unknown>>, request: Request, url: URL): Promise<Response | null> {
  // Opening a reserved stream (GET with its token, in the header or the query string) carries no operation.
  const opensStream = request.headers.has(STREAM_TOKEN_HEADER) || url.searchParams.has('token');
  if (request.method === 'GET' && !url.searchParams.has('query') && opensStream) return null;
  let params: GraphQLParams;
  try {
    params = request.method === 'GET' ? parseGet(request) : await parseJsonBody(request.clone());
  } catch (error) {
    return errorsResponse(400, [error instanceof GraphQLError ? error : requestError('The request could not be read.')]);
  }
  if (typeof params.query !== 'string' || params.query === '') return errorsResponse(400, [requestError('Missing query: send the operation as "query".')]);
  if (!isObjectOrAbsent(params.variables)) return errorsResponse(400, [requestError('"variables" must be a JSON object.')]);
  if (!isObjectOrAbsent(params.extensions)) return errorsResponse(400, [requestError('"extensions" must be a JSON object.')]);
  if (params.operationName != null && typeof params.operationName !== 'string') return errorsResponse(400, [requestError('"operationName" must be a string.')]);
  const enveloped = yoga.getEnveloped({ request, params });
  let document: DocumentNode;
  try {
    document = enveloped.parse(params.query);
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return errorsResponse(400, [error.extensions?.code ? error : requestError(error.message, 'GRAPHQL_PARSE_FAILED')]);
  }
  const checked = checkArguments(enveloped.schema, document, params.operationName, params.variables);
  return 'errors' in checked ? errorsResponse(400, checked.errors) : null;
}

/** graphql-sse behind the same reading of requests as /graphql, its own refusals given a code. */
function checked(sse: Plugin): Plugin {
  let yoga: YogaServerInstance<Record<string, unknown>, Record<string, unknown>> | undefined;
  return {
    ...sse,
    onYogaInit(payload) {
      yoga = payload.yoga as unknown as typeof yoga;
      return sse.onYogaInit?.(payload);
    },
    async onRequest(payload) {
      const { request, url, endResponse } = payload;
      if (url.pathname !== EVENT_STREAM_PATH) return;
      if (yoga && (request.method === 'GET' || request.method === 'POST')) {
        const refusal = await operationRefusal(yoga, request, url);
        if (refusal) return endResponse(refusal);
      }
      const coded = async (response: Response): Promise<void> => {
        const code = CODE_BY_STATUS[response.status];
        if (!code || !(response.headers.get('content-type') ?? '').includes('json')) return endResponse(response);
        const body = (await response.json()) as { errors?: { message: string; extensions?: Record<string, unknown> }[] };
        const errors = (body.errors ?? []).map((e) => new GraphQLError(e.message, { extensions: { code, ...e.extensions } }));
        return endResponse(errorsResponse(response.status, errors));
      };
      // Yoga looks for the answer once the hooks have returned: the recoded one must be in by then.
      let answered: Promise<void> | undefined;
      await sse.onRequest?.({ ...payload, endResponse: (response) => void (answered = coded(response)) });
      await answered;
    },
  };
}
