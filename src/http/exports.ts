/**
 * GET /export/events.csv, /export/events.geojson and /export/stix: the events filter as query
 * parameters, streamed out of a PostgreSQL cursor with backpressure (a web ReadableStream pulls
 * the next batch only when the client has taken the last), so memory stays flat however many
 * events match. The same gates as GraphQL: the server's penalty box and intake (src/server.ts)
 * come first, then the token (READS_REQUIRE_TOKEN), the per-client cap and a database slot from
 * the admission's heavy lane (an export holds a connection for its whole length), released when
 * the stream ends or the client goes away.
 */
import type { Logger } from 'pino';
import type { TokenCache } from '../auth/token-cache.ts';
import type { Database } from '../db/client.ts';
import type { DatabaseMonitor } from '../db/monitor.ts';
import type { Metrics } from '../observability/metrics.ts';
import { ExportParameterError, parseExportQuery, type ExportQuery } from '../graphql/export/parameters.ts';
import { openExportSession, type ExportSession } from '../graphql/export/session.ts';
import { stixChunks } from '../graphql/export/stix.ts';
import { csvChunks, geojsonChunks } from '../graphql/export/tables.ts';
import { CONSISTENCY_HEADER, type Admission } from './admission.ts';
import { authenticate } from './requests.ts';

export interface ExportOptions {
  db: Database;
  readDb?: Database;
  authDb: Database;
  tokenCache?: TokenCache;
  anonymousReads: boolean;
  admission: Admission;
  monitor: DatabaseMonitor;
  logger: Logger;
  metrics?: Metrics;
  /** The export transaction's statement_timeout, ms (EXPORT_TIMEOUT_MS). */
  timeoutMs: number;
}

interface Format {
  contentType: string;
  fileName: string;
  chunks: (session: ExportSession, query: ExportQuery, url: URL) => AsyncGenerator<string>;
}

const FORMATS: Record<string, Format> = {
  '/export/events.csv': { contentType: 'text/csv; charset=utf-8; header=present', fileName: 'events.csv', chunks: csvChunks },
  '/export/events.geojson': { contentType: 'application/geo+json', fileName: 'events.geojson', chunks: geojsonChunks },
  '/export/stix': { contentType: 'application/stix+json;version=2.1', fileName: 'bundle.stix.json', chunks: stixChunks },
};

export const isExportPath = (path: string): boolean => path.startsWith('/export/') || path === '/export';

function refusal(status: number, code: string, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code, ...extra } }] }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

/**
 * A stream of `chunks` that asks for the next one only when the client has read the last
 * (backpressure); `done` runs once, when the stream ends, fails or is cancelled.
 *
 * A failure mid-stream cuts the connection (`abortConnection`) rather than erroring the stream:
 * @whatwg-node/server cancels the body's reader when the request errors and leaves that promise
 * unhandled, and an errored stream's cancel rejects, which ended the whole process.
 */
function streamOf(
  chunks: AsyncGenerator<string>,
  done: () => Promise<void>,
  logger: Logger,
  requestId: string,
  abortConnection: (() => void) | undefined,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let finished = false;
  const finish = async () => {
    if (finished) return;
    finished = true;
    await done();
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await chunks.next();
          if (next.done) {
            await finish();
            controller.close();
          } else controller.enqueue(encoder.encode(next.value));
        } catch (error) {
          // Headers are gone already: the only way to tell the client is to cut the body short.
          logger.error({ err: error, reqId: requestId }, 'export failed while streaming');
          await finish();
          // Headers are sent: ending the body normally would pass a truncated file off as whole.
          if (abortConnection) abortConnection();
          else controller.error(error);
        }
      },
      async cancel() {
        await chunks.return(undefined).catch(() => {});
        await finish();
      },
    },
    // One chunk ahead at most: the cursor fetches as fast as the client reads, no faster.
    { highWaterMark: 1 },
  );
}

/** `abortConnection` cuts the client's connection (the Node socket), for a failure after the headers. */
export async function exportResponse(
  options: ExportOptions,
  request: Request,
  client: string,
  requestId: string,
  abortConnection?: () => void,
): Promise<Response> {
  const url = new URL(request.url);
  const format = FORMATS[url.pathname];
  if (!format) {
    return refusal(404, 'NOT_FOUND', `no export at ${url.pathname}; there are ${Object.keys(FORMATS).join(', ')}`);
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return refusal(405, 'METHOD_NOT_ALLOWED', 'exports are read with GET', {}, { allow: 'GET, HEAD' });
  }
  let query: ExportQuery;
  try {
    query = parseExportQuery(url.searchParams);
  } catch (error) {
    if (error instanceof ExportParameterError) return refusal(400, 'BAD_USER_INPUT', error.message, { parameter: error.parameter });
    throw error;
  }
  let principal;
  try {
    principal = await authenticate(options.authDb, request.headers.get('authorization'), options.tokenCache);
  } catch (error) {
    const message = error instanceof Error ? error.message : 'unauthorized';
    return refusal(401, 'UNAUTHENTICATED', message, {}, { 'www-authenticate': 'Bearer' });
  }
  if (!principal && !options.anonymousReads) {
    return refusal(401, 'UNAUTHENTICATED', 'this server needs an API token (Authorization: Bearer ...)', {}, { 'www-authenticate': 'Bearer' });
  }
  if (!options.monitor.up && (await options.monitor.check()).status !== 'up') {
    return refusal(503, 'DATABASE_UNAVAILABLE', 'The database is unavailable; try again in a few seconds.', {}, { 'retry-after': '2' });
  }
  const { admission } = options;
  if (!admission.enterClient(client)) {
    return refusal(429, 'TOO_MANY_REQUESTS', `Too many concurrent requests from this client: at most ${admission.options.perClient} may run at once.`, {}, {
      'retry-after': '1',
    });
  }
  const slot = await admission.acquire('export', client);
  if (!slot) {
    admission.leaveClient(client);
    return refusal(503, 'DATABASE_BUSY', `The server is busy: no database connection became free within ${admission.options.acquireTimeoutMs} ms.`, {}, {
      'retry-after': '1',
    });
  }
  const release = () => {
    slot();
    admission.leaveClient(client);
  };
  const db = options.readDb && request.headers.get(CONSISTENCY_HEADER) !== 'primary' ? options.readDb : options.db;
  let session: ExportSession;
  try {
    const rows = options.metrics?.exportRows.labels(url.pathname);
    session = await openExportSession(db.$client, options.timeoutMs, rows ? (n) => rows.inc(n) : undefined);
  } catch (error) {
    release();
    options.logger.error({ err: error, reqId: requestId }, 'export could not start');
    return refusal(503, 'DATABASE_UNAVAILABLE', 'The database is unavailable; try again in a few seconds.', {}, { 'retry-after': '2' });
  }
  const headers = {
    'content-type': format.contentType,
    'content-disposition': `attachment; filename="${format.fileName}"`,
    'cache-control': 'no-store',
  };
  if (request.method === 'HEAD') {
    await session.close();
    release();
    return new Response(null, { status: 200, headers });
  }
  const done = async () => {
    await session.close();
    release();
  };
  const body = streamOf(format.chunks(session, query, url), done, options.logger, requestId, abortConnection);
  // The client hanging up cancels the stream too; this catches a request aborted before reading.
  request.signal.addEventListener('abort', () => void body.cancel().catch(() => {}), { once: true });
  return new Response(body, { status: 200, headers });
}

