/**
 * GraphQL over WebSocket (the `graphql-transport-ws` protocol of graphql-ws, what Apollo Client,
 * urql and Relay examples use for subscriptions) at /graphql, on the HTTP server's own port.
 * Operations run through the app's envelop (yoga's getEnveloped, as yoga's docs show), so the
 * context, limits (depth, aliases, cost), masking, admission and stream rules are those of HTTP.
 * The token comes from connectionParams `Authorization` (browsers cannot set headers on a
 * WebSocket) or the upgrade request's header; a bad one refuses the connection and counts
 * against the address in the penalty box. Each address may hold `maxPerAddress` sockets.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, type ExecutionArgs, type ExecutionResult, type GraphQLFormattedError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { TokenCache } from '../auth/token-cache.ts';
import type { Database } from '../db/client.ts';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Context } from '../graphql/context.ts';
import { refusesDocument, type PenaltyBox } from './penalty.ts';
import { authenticate, authorizationLines } from './requests.ts';

export interface WebSocketOptions {
  server: Server;
  /** The GraphQL app (src/yoga.ts): its envelop runs every operation. */
  app: YogaServerInstance<Record<string, unknown>, Context>;
  authDb: Database;
  tokenCache?: TokenCache;
  anonymousReads: boolean;
  penalties: PenaltyBox;
  /** Largest message accepted, bytes (MAX_BODY_BYTES, as for HTTP bodies). */
  maxPayload: number;
  /** Open sockets per client address. */
  maxPerAddress: number;
  /** The client's address key, as the HTTP side computes it (X-Forwarded-For behind a trusted proxy). */
  addressOf: (request: IncomingMessage) => string;
  /** The per-client key (token or address) for a request, as the HTTP side computes it. */
  clientKeyOf: (request: Request, address: string) => string;
  isDraining: () => boolean;
}

type SocketExtra = {
  address?: string;
  authorization?: string | null;
};

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}

/** Accepts WebSocket upgrades on `server`; returns the way to close every socket. */
export function attachWebSocket(options: WebSocketOptions): () => Promise<void> {
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload });
  const open = new Map<string, number>();

  options.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // An absolute-form target (`GET http://a:99999/graphql`) may be no URL at all: thrown here, in
    // an event listener, it would end the process.
    const url = URL.parse(request.url ?? '/', 'http://localhost');
    if (!url) return refuseUpgrade(socket, 400, 'Bad Request');
    const path = url.pathname;
    if (path !== '/graphql') return refuseUpgrade(socket, 404, 'Not Found');
    if (options.isDraining()) return refuseUpgrade(socket, 503, 'Service Unavailable');
    const address = options.addressOf(request);
    if (options.penalties.remaining(address) > 0) return refuseUpgrade(socket, 429, 'Too Many Requests');
    // Node keeps only the first of several Authorization headers: refuse rather than guess, as HTTP does.
    if (authorizationLines(request.rawHeaders) > 1) {
      options.penalties.refused(address);
      return refuseUpgrade(socket, 400, 'Bad Request');
    }
    const count = open.get(address) ?? 0;
    // Not a penalty: clients of one address behind NAT may well reach the cap honestly.
    if (count >= options.maxPerAddress) return refuseUpgrade(socket, 429, 'Too Many Requests');
    open.set(address, count + 1);
    wss.handleUpgrade(request, socket, head, (ws) => {
      ws.once('close', () => {
        const left = (open.get(address) ?? 1) - 1;
        if (left <= 0) open.delete(address);
        else open.set(address, left);
      });
      wss.emit('connection', ws, request);
    });
  });

  /** Runs the operation; a result refusing it (bad arguments, say) counts for the penalty box. */
  async function counted(args: ExecutionArgs, how: 'execute' | 'subscribe'): Promise<unknown> {
    const root = args.rootValue as Record<'execute' | 'subscribe', (a: ExecutionArgs) => unknown> & { refused: () => void };
    const result = await root[how](args);
    if (result && !(Symbol.asyncIterator in Object(result)) && refusesDocument(result as ExecutionResult)) root.refused();
    return result;
  }

  // Errors as a WebSocket client sees them: without yoga's `extensions.http` (the status and
  // headers an HTTP response would carry), which means nothing on a socket.
  const formatted = (error: GraphQLError): GraphQLFormattedError => {
    const { extensions, ...rest } = error.toJSON();
    if (!extensions) return rest;
    const { http: _http, ...kept } = extensions;
    return Object.keys(kept).length > 0 ? { ...rest, extensions: kept } : rest;
  };

  const disposable = useServer<Record<string, unknown>, SocketExtra>(
    {
      onConnect: async (ctx) => {
        const extra = ctx.extra as SocketExtra & { request: IncomingMessage };
        const address = options.addressOf(extra.request);
        const param = ctx.connectionParams?.Authorization ?? ctx.connectionParams?.authorization;
        const header = extra.request.headers.authorization;
        // A token that is not a string is a client error, not a missing token: refused, not anonymous.
        if (param !== undefined && param !== null && typeof param !== 'string') {
          options.penalties.refused(address);
          return false;
        }
        const authorization = typeof param === 'string' ? param : typeof header === 'string' ? header : null;
        try {
          const principal = await authenticate(options.authDb, authorization, options.tokenCache);
          if (!principal && !options.anonymousReads) return false;
        } catch {
          options.penalties.refused(address);
          return false;
        }
        extra.address = address;
        extra.authorization = authorization;
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const extra = ctx.extra as SocketExtra;
        const headers = new Headers({ 'content-type': 'application/json' });
        if (extra.authorization) headers.set('authorization', extra.authorization);
        const request = new Request('http://localhost/graphql', { method: 'POST', headers });
        const address = extra.address ?? 'ip:unknown';
        const clientKey = options.clientKeyOf(request, address);
        // An open socket must not be a way round the penalty box: a boxed client's operations are refused here too.
        const boxed = Math.max(options.penalties.remaining(clientKey), options.penalties.remaining(address));
        if (boxed > 0) {
          return [new GraphQLError('Too many of this client\'s requests were refused; wait before sending more.', { extensions: { code: 'TOO_MANY_REFUSED_REQUESTS' } })];
        }
        // Refused documents count as they do over HTTP.
        const refused = (errors: readonly GraphQLError[]): readonly GraphQLError[] => {
          options.penalties.refused(clientKey);
          if (clientKey !== address) options.penalties.refused(address);
          return errors;
        };
        const enveloped = options.app.getEnveloped({ request, clientKey, params: payload });
        let document;
        try {
          document = enveloped.parse(payload.query);
          // graphql-armor's limits throw their refusal rather than return it.
          const errors = enveloped.validate(enveloped.schema, document);
          if (errors.length > 0) return refused(errors);
        } catch (error) {
          return refused([error instanceof GraphQLError ? error : new GraphQLError('The query is not valid GraphQL.', { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })]);
        }
        let contextValue;
        try {
          contextValue = await enveloped.contextFactory();
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError('The request could not be authenticated.')];
        }
        const args: ExecutionArgs = {
          schema: enveloped.schema,
          document,
          contextValue,
          variableValues: payload.variables ?? undefined,
          operationName: payload.operationName ?? undefined,
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe, refused: () => void refused([]) },
        };
        return args;
      },
      onError: (_ctx, _id, _payload, errors) => errors.map(formatted),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map(formatted) } : undefined,
      execute: (args) => counted(args, 'execute') as never,
      subscribe: (args) => counted(args, 'subscribe') as never,
    },
    wss,
  );
  return async () => {
    for (const ws of wss.clients) ws.close(1001, 'server shutting down');
    await disposable.dispose();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  };
}
