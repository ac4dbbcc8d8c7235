/**
 * The subscription part of the abuse run: many streams from one client, streams with invalid and
 * revoked tokens, WebSocket floods and junk messages. Each has an expectation; one that holds
 * counts as refused, one that does not as accepted, an answer with status 500 or none at all as
 * a crash. Afterwards the client's stream slots must be free again (else a leak).
 */
import WebSocket from 'ws';

export interface StreamAbuseOptions {
  url: string;
  /** A real token: its many streams must meet the per-client cap. */
  token?: string;
  /** A token the run revokes while its stream is open, and the way to revoke it. */
  revocable?: { token: string; revoke: () => Promise<void> };
  /** Streams one client opens at once (default 12). */
  streamsPerClient?: number;
  /** WebSockets one address opens at once (default 20). */
  socketsPerAddress?: number;
}

export interface StreamAbuseResult {
  sent: number;
  crashes: number;
  accepted: number;
  acceptedKinds: string[];
  crashKinds: string[];
  leakKinds: string[];
}

const SUBSCRIPTION = JSON.stringify({ query: 'subscription { eventAdded { slug } }' });
const PROTOCOL = 'graphql-transport-ws';
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface OpenStream {
  status: number | 'crash';
  /** Resolves when the server ends the stream, with what it sent. */
  ended: Promise<string>;
  isOpen: () => boolean;
  close: () => void;
}

async function openSse(url: string, token?: string): Promise<OpenStream> {
  const abort = new AbortController();
  let open = false;
  try {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: SUBSCRIPTION,
      signal: abort.signal,
    });
    open = response.status === 200;
    const ended = (async () => {
      let text = '';
      try {
        const reader = response.body?.getReader();
        const decoder = new TextDecoder();
        for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader?.read()) text += decoder.decode(chunk.value, { stream: true });
      } catch {
        // closed by us
      }
      open = false;
      return text;
    })();
    return { status: response.status, ended, isOpen: () => open, close: () => abort.abort() };
  } catch {
    return { status: 'crash', ended: Promise.resolve(''), isOpen: () => false, close: () => {} };
  }
}

/** A raw graphql-transport-ws socket: resolves with how the handshake went. */
function openSocket(url: string, init: unknown): Promise<{ outcome: 'ack' | 'closed' | 'refused' | 'crash'; code?: number; status?: number; socket: WebSocket }> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, PROTOCOL);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ outcome: 'closed', socket }), 5000);
    socket.on('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      resolve({ outcome: res.statusCode && res.statusCode < 500 ? 'refused' : 'crash', status: res.statusCode, socket });
      res.resume();
    });
    socket.on('open', () => {
      if (init !== undefined) socket.send(JSON.stringify(init));
    });
    socket.on('message', (data: Buffer) => {
      if ((JSON.parse(data.toString()) as { type?: string }).type === 'connection_ack') {
        clearTimeout(timer);
        resolve({ outcome: 'ack', socket });
      }
    });
    socket.on('close', (code) => {
      clearTimeout(timer);
      resolve({ outcome: 'closed', code, socket });
    });
    socket.on('error', () => {
      clearTimeout(timer);
      resolve({ outcome: 'crash', socket });
    });
  });
}

const closedWith = (socket: WebSocket) => new Promise<number>((resolve) => (socket.readyState === WebSocket.CLOSED ? resolve(-1) : socket.once('close', (code) => resolve(code))));

export async function streamAbuse(options: StreamAbuseOptions): Promise<StreamAbuseResult> {
  const { url } = options;
  const result = { sent: 0, crashes: 0, accepted: 0, acceptedKinds: new Set<string>(), crashKinds: new Set<string>(), leakKinds: new Set<string>() };
  const judge = (kind: string, outcome: 'refused' | 'accepted' | 'crash') => {
    result.sent += 1;
    if (outcome === 'accepted') {
      result.accepted += 1;
      result.acceptedKinds.add(kind);
    } else if (outcome === 'crash') {
      result.crashes += 1;
      result.crashKinds.add(kind);
    }
  };

  // Many streams from one client: the per-client cap must refuse some of them.
  const many = options.streamsPerClient ?? 12;
  const streams = await Promise.all(Array.from({ length: many }, () => openSse(url, options.token)));
  await settle(300);
  if (streams.some((s) => s.status === 'crash' || s.status === 500)) judge('many streams per client', 'crash');
  else judge('many streams per client', streams.filter((s) => s.isOpen()).length >= many ? 'accepted' : 'refused');
  for (const s of streams) s.close();
  await settle(500);
  // Their slots are free again: the same client opens a stream. Under attack the server may be
  // busy (503) or slow to see the closes, so only a cap refusal that lasts is a leaked slot.
  let capRefusals = 0;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const after = await openSse(url, options.token);
    await settle(200);
    const open = after.isOpen();
    after.close();
    if (open) break;
    if (after.status === 429 && (await after.ended).includes('"TOO_MANY_REQUESTS"')) capRefusals += 1;
    await settle(500);
  }
  if (capRefusals === 5) result.leakKinds.add('stream slots not freed after streams closed');

  // A stream with a token the server does not know.
  const invalid = await openSse(url, 'not-a-real-token');
  judge('stream with invalid token', invalid.status === 'crash' || invalid.status === 500 ? 'crash' : invalid.status === 200 ? 'accepted' : 'refused');
  invalid.close();

  // A stream whose token is revoked while it is open must end (with UNAUTHENTICATED).
  if (options.revocable) {
    const revoked = await openSse(url, options.revocable.token);
    await settle(200);
    await options.revocable.revoke();
    const ended = await Promise.race([revoked.ended, settle(5000).then(() => null)]);
    judge('stream with revoked token', revoked.status === 'crash' ? 'crash' : ended !== null && /UNAUTHENTICATED/.test(ended) ? 'refused' : 'accepted');
    revoked.close();
  }

  // WebSockets: an invalid token, junk, an operation before connection_init, a flood from one address.
  const bad = await openSocket(url, { type: 'connection_init', payload: { Authorization: 'Bearer not-a-real-token' } });
  judge('websocket with invalid token', bad.outcome === 'crash' ? 'crash' : bad.outcome === 'ack' ? 'accepted' : 'refused');
  bad.socket.terminate();

  const junk = await openSocket(url, { type: 'connection_init', payload: {} });
  if (junk.outcome === 'ack') {
    const closing = closedWith(junk.socket);
    junk.socket.send('{"type":"subscribe","id":1,"payload":"junk"}');
    const code = await Promise.race([closing, settle(3000).then(() => null)]);
    judge('websocket junk message', code === null ? 'accepted' : 'refused');
  } else judge('websocket junk message', junk.outcome === 'crash' ? 'crash' : 'refused');
  junk.socket.terminate();

  const early = await openSocket(url, { id: '1', type: 'subscribe', payload: { query: 'subscription { eventAdded { slug } }' } });
  judge('websocket operation before connection_init', early.outcome === 'crash' ? 'crash' : early.outcome === 'ack' ? 'accepted' : 'refused');
  early.socket.terminate();

  const flood = options.socketsPerAddress ?? 20;
  const sockets = await Promise.all(Array.from({ length: flood }, () => openSocket(url, { type: 'connection_init', payload: {} })));
  if (sockets.some((s) => s.outcome === 'crash')) judge('websocket flood', 'crash');
  else judge('websocket flood', sockets.every((s) => s.outcome === 'ack') ? 'accepted' : 'refused');
  for (const s of sockets) s.socket.terminate();
  await settle(300);

  return {
    sent: result.sent,
    crashes: result.crashes,
    accepted: result.accepted,
    acceptedKinds: [...result.acceptedKinds],
    crashKinds: [...result.crashKinds],
    leakKinds: [...result.leakKinds],
  };
}
