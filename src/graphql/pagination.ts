/**
 * Offset-cursor pagination with a default and a hard maximum page size. Relay's helper clamps an
 * oversized `first` silently; we refuse it with an error that names the limit instead, so a client
 * never mistakes a clamped page for the whole answer.
 */
import { PothosValidationError } from '@pothos/core';
import { offsetForArgs, offsetToCursor } from '@pothos/plugin-relay';
import { badInput } from './errors.ts';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

export interface PageWindow {
  offset: number;
  /** Rows to fetch: one more than the page, to learn whether a next page exists. */
  limit: number;
  size: number;
  hasPreviousPage: boolean;
}

/** The largest offset a cursor may carry: PostgreSQL's OFFSET is a bigint, and no list is this long. */
const MAX_CURSOR_OFFSET = 2_147_483_647;

/**
 * Decodes one cursor, strictly: the cursors this API hands out and nothing else, so that a
 * forged, truncated or overflowing one is refused naming the argument instead of reaching
 * PostgreSQL (a negative or 20-digit OFFSET is a database error). Every cursor argument is
 * decoded here first, whatever the cursor format.
 */
export function decodeCursor(name: 'after' | 'before', cursor: string): number {
  const refuse = () =>
    badInput(`"${name}" is not a cursor this API handed out; take cursors from pageInfo or edges`, name);
  if (cursor.length > 64) throw refuse();
  const match = /^OffsetConnection:(0|[1-9][0-9]{0,9})$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  const offset = Number(match?.[1]);
  if (!match || offsetToCursor(offset) !== cursor || offset > MAX_CURSOR_OFFSET) throw refuse();
  return offset;
}

export function pageWindow(args: PageArgs): PageWindow {
  for (const name of ['first', 'last'] as const) {
    const value = args[name];
    if (value != null && (value < 0 || value > MAX_PAGE_SIZE)) {
      throw badInput(`"${name}" must be between 0 and ${MAX_PAGE_SIZE}, got ${value}`, name);
    }
  }
  for (const name of ['after', 'before'] as const) {
    const cursor = args[name];
    if (cursor != null) decodeCursor(name, cursor);
  }
  try {
    const window = offsetForArgs({ args, defaultSize: DEFAULT_PAGE_SIZE, maxSize: MAX_PAGE_SIZE });
    return {
      offset: window.offset,
      limit: window.limit,
      size: window.expectedSize,
      hasPreviousPage: window.hasPreviousPage,
    };
  } catch (error) {
    if (error instanceof PothosValidationError) throw badInput(`invalid pagination arguments: ${error.message}`);
    throw error;
  }
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: number | (() => Promise<number>);
}

/** Builds a connection from up to `window.limit` rows fetched at `window.offset`. */
export function toPage<T>(window: PageWindow, rows: T[], totalCount: Page<T>['totalCount']): Page<T> {
  const nodes = rows.slice(0, window.size);
  const edges = nodes.map((node, i) => ({ cursor: offsetToCursor(window.offset + i), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > window.size,
      hasPreviousPage: window.hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}

/** A window holding just the first row: enough to learn a list's total from a window count. */
export const FIRST_ROW: PageWindow = { offset: 0, limit: 1, size: 1, hasPreviousPage: false };

/**
 * One connection per parent from batch-loaded pages. An empty first page means an empty list; an
 * empty later page (past the end) says nothing of the total, so `recount(parentIndex)` fetches it —
 * lazily, only if a client asks.
 */
export function toPages<T>(
  window: PageWindow,
  pages: { rows: T[]; total: number | null }[],
  recount: (parentIndex: number) => Promise<number>,
): Page<T>[] {
  return pages.map((page, i) => toPage(window, page.rows, page.total ?? (window.offset === 0 ? 0 : () => recount(i))));
}
