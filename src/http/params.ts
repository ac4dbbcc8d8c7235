/**
 * Reading a request's GraphQL parameters strictly. Yoga's own parsers throw a plain SyntaxError on
 * malformed JSON in a GET's `variables` or `extensions` (a masked "Unexpected error." for a
 * client's mistake), and decode bodies and query strings leniently: bytes that are not UTF-8
 * become U+FFFD, so text would be stored altered rather than refused. Here both are a 400
 * BAD_REQUEST naming what is wrong.
 */
import { GraphQLError } from 'graphql';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import { withoutStack } from '../graphql/errors.ts';

function badRequest(message: string): GraphQLError {
  return withoutStack(new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } }));
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseJsonParam(name: string, value: string | undefined): unknown {
  if (value === undefined || value === '') return undefined;
  try {
    return JSON.parse(value);
  } catch {
    throw badRequest(`The "${name}" parameter is not valid JSON.`);
  }
}

/** GET parameters, each percent-decoded as UTF-8 (a `%FF` is refused, not replaced). */
export function parseGet(request: Request): GraphQLParams {
  const url = request.url;
  const at = url.indexOf('?');
  const params = new Map<string, string>();
  for (const pair of at < 0 ? [] : url.slice(at + 1).split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s.replaceAll('+', ' '));
      } catch {
        throw badRequest('The query string is not valid percent-encoded UTF-8.');
      }
    };
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    // The first value of a repeated parameter counts, as URLSearchParams.get would.
    if (!params.has(key)) params.set(key, decode(eq < 0 ? '' : pair.slice(eq + 1)));
  }
  return {
    operationName: params.get('operationName') || undefined,
    query: params.get('query') || undefined,
    variables: parseJsonParam('variables', params.get('variables')) as GraphQLParams['variables'],
    extensions: parseJsonParam('extensions', params.get('extensions')) as GraphQLParams['extensions'],
  };
}

/** A JSON body, decoded as UTF-8 that must be valid. */
export async function parseJsonBody(request: Request): Promise<GraphQLParams> {
  let text: string;
  try {
    text = utf8.decode(await request.arrayBuffer());
  } catch {
    throw badRequest('The POST body is not valid UTF-8.');
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw badRequest('POST body sent invalid JSON.');
  }
  if (body === null || typeof body !== 'object') {
    throw badRequest(`POST body is expected to be object but received ${body === null ? 'null' : typeof body}`);
  }
  return body as GraphQLParams;
}

function isJsonPost(request: Request): boolean {
  if (request.method !== 'POST') return false;
  const type = (request.headers.get('content-type') ?? '').split(',')[0]?.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json' || type === 'application/graphql+json';
}

export function useStrictParams(): Plugin {
  return {
    onRequestParse({ request, setRequestParser }) {
      if (request.method === 'GET') setRequestParser(parseGet);
      else if (isJsonPost(request)) setRequestParser(parseJsonBody);
    },
  };
}
