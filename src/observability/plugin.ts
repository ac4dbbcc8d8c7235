/**
 * Per request: an id (kept from the client's x-request-id when plain, else new) returned in the
 * response header and stamped on every log line; one JSON log line and the metrics when it ends.
 * That line is at debug for a plain success (a dashboard or health poller would fill the log), at
 * info when the request failed, was refused or was slow, and at warn for a 5xx.
 */
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { maskedFailures } from '../http/errors.ts';
import { REQUEST_ID_HEADER, requestIdFor } from './logger.ts';
import type { Metrics } from './metrics.ts';

interface RequestInfo {
  requestId: string;
  start: number;
  operation: string | undefined;
  codes: Set<string>;
}

export interface ObservabilityOptions {
  logger: Logger;
  metrics?: Metrics;
  /** Requests taking at least this long (ms) are logged at info; default 1000. */
  slowRequestMs?: number;
}

export function useObservability({ logger, metrics, slowRequestMs = 1000 }: ObservabilityOptions): Plugin {
  const requests = new WeakMap<Request, RequestInfo>();
  return {
    instrumentation: {
      request({ request }, wrapped) {
        const info: RequestInfo = { requestId: requestIdFor(request), start: performance.now(), operation: undefined, codes: new Set() };
        requests.set(request, info);
        // The context reads the id from the request (src/yoga.ts), as behind src/server.ts.
        if (request.headers.get(REQUEST_ID_HEADER) !== info.requestId) request.headers.set(REQUEST_ID_HEADER, info.requestId);
        return wrapped();
      },
    },
    onParams({ params, request }) {
      const info = requests.get(request);
      if (info && typeof params.operationName === 'string') info.operation = params.operationName;
    },
    onExecute({ args }) {
      const request = (args.contextValue as { request?: Request }).request;
      const info = request && requests.get(request);
      if (info) info.operation = getOperationAST(args.document, args.operationName)?.name?.value ?? info.operation;
    },
    onResultProcess({ request, result }) {
      const info = requests.get(request);
      if (!info || Array.isArray(result) || !('errors' in result)) return;
      for (const error of result.errors ?? []) {
        const failure = maskedFailures.get(error);
        if (failure) logger[failure.level]({ ...failure.fields, reqId: info.requestId }, failure.msg);
        const code = error.extensions?.code;
        info.codes.add(typeof code === 'string' ? code : 'UNKNOWN');
      }
    },
    onResponse({ request, response }) {
      const info = requests.get(request);
      if (!info) return;
      response.headers.set(REQUEST_ID_HEADER, info.requestId);
      const seconds = (performance.now() - info.start) / 1000;
      const url = new URL(request.url);
      const codes = [...info.codes];
      if (metrics) {
        const operation = metrics.operationLabel(info.operation);
        metrics.requests.inc({ operation, status: String(response.status) });
        metrics.duration.observe({ operation }, seconds);
        for (const code of codes) metrics.errors.inc({ code });
      }
      const ms = Math.round(seconds * 1000);
      const slow = ms >= slowRequestMs;
      const level = response.status >= 500 ? 'warn' : response.status >= 400 || codes.length > 0 || slow ? 'info' : 'debug';
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        {
          reqId: info.requestId,
          method: request.method,
          path: url.pathname,
          operation: info.operation,
          status: response.status,
          ms,
          ...(slow ? { slow: true } : {}),
          ...(codes.length > 0 ? { errorCodes: codes } : {}),
        },
        'request',
      );
    },
  };
}
