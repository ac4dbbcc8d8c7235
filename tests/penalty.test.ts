/**
 * The penalty box through the real server: refusals add up even when valid requests come in
 * between, and every kind of refused request counts — whatever the client said it accepts, so a
 * refused document answered 200 under `Accept: application/json` counts like one answered 400.
 * Each case comes from its own address (X-Forwarded-For behind a trusted proxy).
 */
import { connect } from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/server.ts';
import { loadSeed } from '../src/domain/knowledge/seed.ts';
import { scratchDatabase } from './helpers.ts';
import { TEST_METRICS_TOKEN, codeOf, graphql, serve } from './server-helpers.ts';

let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
let server: RunningServer;
const THRESHOLD = 3;
const VALID = '{ actors(first: 1) { totalCount } }';
const DEEP = `{ places { nodes { ${'parent { '.repeat(20)}name${' }'.repeat(20)} } } }`;

beforeAll(async () => {
  scratch = await scratchDatabase();
  await loadSeed(scratch.handle.db);
  server = await serve(scratch.url, {
    trustProxy: true,
    limits: { maxBodyBytes: 2000 },
    penalty: { threshold: THRESHOLD, windowMs: 20_000, penaltyMs: 20_000, tarpitMs: 0 },
  });
});
afterAll(async () => {
  await server.shutdown();
  await scratch.drop();
});

let nextAddress = 1;
const newAddress = () => `198.51.100.${nextAddress++}`;

interface Sent {
  status: number;
  code: string | undefined;
}

/** A raw request: any method, body and headers, as a hostile client would send it. */
async function send(address: string, init: { method?: string; body?: string; headers?: Record<string, string>; query?: string } = {}): Promise<Sent> {
  const response = await fetch(`${server.url}/graphql${init.query ?? ''}`, {
    method: init.method ?? 'POST',
    headers: { 'x-forwarded-for': address, ...init.headers },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const text = await response.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code;
  } catch {
    code = undefined;
  }
  return { status: response.status, code };
}

const json = (accept: string) => ({ 'content-type': 'application/json', accept });
const post = (body: unknown, accept = 'application/json') => ({ body: JSON.stringify(body), headers: json(accept) });

/** Every refused request a client might send; `json` ones are answered 200 under Accept: application/json. */
const REFUSALS: Record<string, { method?: string; body?: string; headers?: Record<string, string>; query?: string }> = {
  'a parse error (200 under application/json)': post({ query: '{ actors(' }),
  'a validation error (200 under application/json)': post({ query: '{ noSuchField }' }),
  'variables that do not coerce': post({ query: 'query($n: Int!) { actors(first: $n) { totalCount } }', variables: { n: 'many' } }),
  'no query at all': post({}),
  'a page over the limit (BAD_USER_INPUT)': post({ query: '{ actors(first: 1000) { totalCount } }' }),
  'a depth bomb': post({ query: DEEP }),
  'a depth bomb under application/graphql-response+json': post({ query: DEEP }, 'application/graphql-response+json'),
  'a body that is not JSON': { body: '{"query": ', headers: json('application/json') },
  'a body over the limit': post({ query: VALID, variables: { pad: 'x'.repeat(5000) } }),
  'a form post (415)': { body: 'query=%7B__typename%7D', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
  'a wrong method (PUT)': { method: 'PUT', ...post({ query: VALID }) },
  'a mutation over GET': { method: 'GET', query: '?query=mutation%7B__typename%7D', headers: { accept: 'application/json' } },
  'an unknown token (401)': { ...post({ query: VALID }), headers: { ...json('application/json'), authorization: 'Bearer made-up' } },
  'a malformed Authorization header (401)': { ...post({ query: VALID }), headers: { ...json('application/json'), authorization: 'Basic abc' } },
};

describe('the penalty box', () => {
  for (const [name, init] of Object.entries(REFUSALS)) {
    it(`counts ${name}`, async () => {
      const address = newAddress();
      for (let i = 0; i < THRESHOLD; i += 1) {
        const answer = await send(address, init);
        // Variables that do not coerce are answered 200 without a code: nothing marks them but their shape.
        expect([200, 400, 401, 405, 415]).toContain(answer.status);
      }
      const next = await send(address, post({ query: VALID }));
      expect(next).toEqual({ status: 429, code: 'TOO_MANY_REFUSED_REQUESTS' });
    });
  }

  it('is not sidestepped by valid requests sent in between', async () => {
    const address = newAddress();
    for (let i = 0; i < THRESHOLD - 1; i += 1) {
      expect((await send(address, post({ query: DEEP }))).status).toBe(400);
      expect((await send(address, post({ query: VALID }))).status).toBe(200);
    }
    expect((await send(address, post({ query: DEEP }))).status).toBe(400);
    expect(await send(address, post({ query: VALID }))).toEqual({ status: 429, code: 'TOO_MANY_REFUSED_REQUESTS' });
  });

  it('leaves a client alone whose requests are served, and one refused less often than the threshold', async () => {
    const address = newAddress();
    for (let i = 0; i < 10; i += 1) expect((await send(address, post({ query: VALID }))).status).toBe(200);
    for (let i = 0; i < THRESHOLD - 1; i += 1) expect((await send(address, post({ query: DEEP }))).status).toBe(400);
    expect((await send(address, post({ query: VALID }))).status).toBe(200);
  });
});

describe('over a WebSocket', () => {
  it('refused documents count, and a boxed client is refused on its open socket as over HTTP', async () => {
    const address = newAddress();
    const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', { headers: { 'x-forwarded-for': address } });
    const messages: { id?: string; type: string; payload?: unknown }[] = [];
    let wake: (() => void) | undefined;
    ws.on('message', (data) => {
      messages.push(JSON.parse(String(data)) as (typeof messages)[number]);
      wake?.();
    });
    const next = async (type: string, id?: string) => {
      for (;;) {
        const found = messages.findIndex((m) => m.type === type && (id === undefined || m.id === id));
        if (found >= 0) return messages.splice(found, 1)[0]!;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    };
    await new Promise((resolve) => ws.once('open', resolve));
    try {
      ws.send(JSON.stringify({ type: 'connection_init' }));
      await next('connection_ack');
      for (let i = 0; i < THRESHOLD; i += 1) {
        ws.send(JSON.stringify({ id: `deep-${i}`, type: 'subscribe', payload: { query: DEEP } }));
        await next('error', `deep-${i}`);
      }
      ws.send(JSON.stringify({ id: 'valid', type: 'subscribe', payload: { query: VALID } }));
      expect(JSON.stringify((await next('error', 'valid')).payload)).toContain('TOO_MANY_REFUSED_REQUESTS');
      expect(await send(address, post({ query: VALID }))).toEqual({ status: 429, code: 'TOO_MANY_REFUSED_REQUESTS' });
    } finally {
      ws.close();
    }
  });
});

/** Two Authorization header lines on one request, written byte for byte on a socket. */
function sendTwoAuthorizations(first: string, second: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ query: VALID });
    const socket = connect(server.port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('error', reject);
    socket.on('end', () => {
      const [head = '', payload = ''] = text.split('\r\n\r\n');
      // The answer may come chunked: the JSON is what lies between its outer braces.
      resolve({ status: Number(head.split(' ')[1]), body: payload.slice(payload.indexOf('{'), payload.lastIndexOf('}') + 1) });
    });
    socket.end(
      [
        'POST /graphql HTTP/1.1',
        'Host: 127.0.0.1',
        'Content-Type: application/json',
        `X-Forwarded-For: ${newAddress()}`,
        `Authorization: ${first}`,
        `authorization: ${second}`,
        `Content-Length: ${Buffer.byteLength(body)}`,
        'Connection: close',
        '',
        body,
      ].join('\r\n'),
    );
  });
}

describe('duplicate Authorization headers', () => {
  it('are refused with 400 DUPLICATE_AUTHORIZATION over a real socket, not settled by the first', async () => {
    const answer = await sendTwoAuthorizations('Bearer first-token', 'Bearer second-token');
    expect(answer.status).toBe(400);
    const parsed = JSON.parse(answer.body) as { errors: { message: string; extensions: { code: string } }[] };
    expect(parsed.errors[0]?.extensions.code).toBe('DUPLICATE_AUTHORIZATION');
    expect(parsed.errors[0]?.message).toMatch(/more than one Authorization header/);
    // Even when both are the same.
    expect((await sendTwoAuthorizations('Bearer same', 'Bearer same')).status).toBe(400);
  });

  it('are refused through fetch, where Headers joins them with ", "', async () => {
    const headers = new Headers({ 'content-type': 'application/json', 'x-forwarded-for': newAddress() });
    headers.append('authorization', 'Bearer first-token');
    headers.append('authorization', 'Bearer second-token');
    const viaSocket = await fetch(`${server.url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query: VALID }) });
    expect(viaSocket.status).toBe(400);
    expect(((await viaSocket.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('DUPLICATE_AUTHORIZATION');
    // And by the app itself (yoga.fetch, no socket).
    const viaApp = await server.app.fetch('http://app/graphql', { method: 'POST', headers, body: JSON.stringify({ query: VALID }) });
    expect(viaApp.status).toBe(400);
    expect(((await viaApp.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('DUPLICATE_AUTHORIZATION');
  });

  it('are refused on /metrics and on a WebSocket upgrade too, where Node would keep the first', async () => {
    /** The status line's code of a raw GET with two Authorization lines. */
    const statusOf = (path: string, extra: string[]) =>
      new Promise<number>((resolve, reject) => {
        const socket = connect(server.port, '127.0.0.1');
        let text = '';
        socket.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes('\r\n')) {
            socket.destroy();
            resolve(Number(text.split(' ')[1]));
          }
        });
        socket.on('error', reject);
        socket.write(
          [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', `X-Forwarded-For: ${newAddress()}`, `Authorization: Bearer ${TEST_METRICS_TOKEN}`, 'Authorization: Bearer other', ...extra, '', ''].join('\r\n'),
        );
      });
    expect(await statusOf('/metrics', ['Connection: close'])).toBe(400);
    const upgrade = ['Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Protocol: graphql-transport-ws'];
    expect(await statusOf('/graphql', upgrade)).toBe(400);
  });

  it('count as refusals', async () => {
    const headers = { 'x-forwarded-for': '203.0.113.9', authorization: 'Bearer a, Bearer b' };
    for (let i = 0; i < THRESHOLD; i += 1) expect(codeOf(await graphql(server, VALID, { headers }))).toBe('DUPLICATE_AUTHORIZATION');
    expect(codeOf(await graphql(server, VALID, { headers }))).toBe('TOO_MANY_REFUSED_REQUESTS');
  });
});
