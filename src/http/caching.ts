/**
 * HTTP caching of GET queries. A query's answer changes only when the knowledge base does, and
 * every write (API or importer) adds an audit_log row in its own transaction; so an ETag made of
 * the newest audit rows' ids and the request (document or document id, variables, operation,
 * Accept, read consistency) names one answer. A GET that sends it back in If-None-Match gets 304
 * without the query being run. The newest 64 ids rather than the largest alone: a write that took
 * its id before another but committed after it still changes the tag.
 *
 * Only anonymous reads are shared (`public`, revalidated every time); a request with a token gets
 * `private, no-cache` and `Vary: Authorization` and no tag, so no cache hands one client's answer
 * (or the audit log) to another. Answers with errors are never tagged.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Plugin } from 'graphql-yoga';
import type { Database } from '../db/client.ts';

export interface CachingOptions {
  /** Where the last-write marker is read: the database reads are answered from. */
  db: Database;
  /** Whether anonymous requests may read at all (otherwise nothing is shared). */
  anonymousReads: boolean;
}

/** The newest writes, as one short string; changes with every committed write. */
async function lastWrites(db: Database): Promise<string> {
  const rows = await db.execute<{ ids: string | null }>(
    sql`select string_agg(id::text, ',') as ids from (select id from audit_log order by id desc limit 64) newest`,
  );
  return rows[0]?.ids ?? '';
}

function isGraphQLGet(request: Request): boolean {
  if (request.method !== 'GET') return false;
  const params = new URL(request.url).searchParams;
  return params.has('query') || params.has('documentId') || params.has('extensions');
}

export function useGetCaching({ db, anonymousReads }: CachingOptions): Plugin {
  const tags = new WeakMap<Request, string>();
  const failed = new WeakSet<Request>();
  return {
    async onRequest({ request, endResponse }) {
      if (!isGraphQLGet(request)) return;
      if (request.headers.has('authorization') || !anonymousReads) return;
      let marker: string;
      try {
        marker = await lastWrites(db);
      } catch {
        return; // the request itself will meet (and report) the database trouble
      }
      const url = new URL(request.url);
      const tag = `W/"${createHash('sha256')
        .update(JSON.stringify([marker, url.search, request.headers.get('accept') ?? '', request.headers.get('x-read-consistency') ?? '']))
        .digest('base64url')}"`;
      const sent = request.headers.get('if-none-match');
      if (sent && sent.split(',').some((t) => t.trim() === tag || t.trim() === '*')) {
        endResponse(new Response(null, { status: 304, headers: publicHeaders(tag) }));
        return;
      }
      tags.set(request, tag);
    },
    onExecutionResult({ result, context }) {
      const request = (context as { request?: Request }).request;
      const errors = result !== undefined && 'errors' in result && result.errors !== undefined && result.errors.length > 0;
      if (request && (errors || result === undefined || !('data' in result))) failed.add(request);
    },
    onResponse({ request, response }) {
      if (!isGraphQLGet(request) || response.status === 304) return;
      const tag = tags.get(request);
      if (tag && response.status === 200 && !failed.has(request)) {
        for (const [name, value] of Object.entries(publicHeaders(tag))) response.headers.set(name, value);
      } else {
        response.headers.set('cache-control', request.headers.has('authorization') ? 'private, no-cache' : 'no-store');
        response.headers.set('vary', 'Accept, Authorization');
      }
    },
  };
}

function publicHeaders(tag: string): Record<string, string> {
  // Revalidated on every use: a shared cache may keep the answer but must ask whether it still holds.
  return { etag: tag, 'cache-control': 'public, max-age=0, must-revalidate', vary: 'Accept, Authorization' };
}
