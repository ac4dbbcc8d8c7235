/**
 * Structured JSON logs (pino). Lines about a request carry its id (`reqId`), the one its client
 * received in the x-request-id header; masked errors are logged with it by the observability plugin.
 */
import { randomUUID } from 'node:crypto';
import pino, { type DestinationStream, type Logger } from 'pino';

export const REQUEST_ID_HEADER = 'x-request-id';

export function createLogger(level = 'info', destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'militant-movements-graph' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** A client's own id is kept (to follow a request across services) when it is a plain token. */
export function requestIdFor(request: Request): string {
  const given = request.headers.get(REQUEST_ID_HEADER);
  return given && /^[A-Za-z0-9._:-]{1,64}$/.test(given) ? given : randomUUID();
}
