/**
 * Keyset (cursor) pagination for every connection. A cursor holds the sort key and id of the row
 * it points at, so the next page starts right after that row however many rows were inserted or
 * removed before it (an offset would repeat or skip rows), and a deep page is an index range scan
 * rather than a scan of every row before it. Cursors are opaque (base64 of JSON) but checked when
 * decoded: one that did not come from this list and order, or whose values are not of the key's
 * type, is refused with BAD_USER_INPUT naming the argument — nothing unchecked reaches SQL.
 *
 * Page sizes have a default and a hard maximum; an oversized `first` or `last` is refused with an
 * error naming the limit, so a client never mistakes a clamped page for the whole answer.
 */
import { sql, type SQL } from 'drizzle-orm';
import { badInput } from './errors.ts';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

/** How a key's value travels in a cursor, and the PostgreSQL type it is cast back to. */
export type KeyType = 'int' | 'text' | 'date' | 'timestamptz' | { enum: string; values: readonly string[] };

export interface SortKey {
  /** The key as SQL over the listed rows: a column or an expression. */
  expression: SQL;
  type: KeyType;
  descending?: boolean;
  /** Only the first key may be null; nulls sort last in the list's order. */
  nullable?: boolean;
}

/** A list's order. The last key must be unique (an id), so every row has exactly one place. */
export interface Ordering {
  /** Names the list and its order inside each cursor, so that a cursor of another is refused. */
  name: string;
  keys: readonly SortKey[];
}

type KeyValue = string | number | null;

export interface PageRequest {
  ordering: Ordering;
  /** Items on the page. */
  size: number;
  /** Rows to fetch: one more than the page, to learn whether there is another. */
  limit: number;
  /** `last`: the page is taken from the end, so rows are fetched in reverse order. */
  backward: boolean;
  after: KeyValue[] | null;
  before: KeyValue[] | null;
}

export function defineOrdering(name: string, keys: readonly SortKey[]): Ordering {
  if (keys.slice(1).some((key) => key.nullable)) throw new Error(`ordering ${name}: only the first key may be nullable`);
  return { name, keys };
}

/** Reads and checks `first`/`last`/`after`/`before` for a list in the given order. */
export function pageRequest(args: PageArgs, ordering: Ordering): PageRequest {
  for (const name of ['first', 'last'] as const) {
    const value = args[name];
    if (value != null && (!Number.isInteger(value) || value < 0 || value > MAX_PAGE_SIZE)) {
      throw badInput(`"${name}" must be between 0 and ${MAX_PAGE_SIZE}, got ${value}`, name);
    }
  }
  if (args.first != null && args.last != null) throw badInput('pass "first" or "last", not both', 'last');
  const backward = args.last != null;
  const size = args.first ?? args.last ?? DEFAULT_PAGE_SIZE;
  return {
    ordering,
    size,
    limit: size + 1,
    backward,
    after: args.after != null ? decodeCursor(args.after, ordering, 'after') : null,
    before: args.before != null ? decodeCursor(args.before, ordering, 'before') : null,
  };
}

/** Just the first row: enough to learn a list's total from a window count. */
export function firstRow(ordering: Ordering): PageRequest {
  return { ordering, size: 1, limit: 1, backward: false, after: null, before: null };
}

// ---- cursors -----------------------------------------------------------------------------------

export function encodeCursor(ordering: Ordering, values: readonly KeyValue[]): string {
  return Buffer.from(JSON.stringify([ordering.name, ...values]), 'utf8').toString('base64');
}

const INT4 = 2_147_483_647;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-]\d{2}(:\d{2})?)$/;
const MAX_TEXT = 2000;

function validDay(year: string, month: string, day: string): boolean {
  const y = Number(year);
  const m = Number(month);
  const d = Number(day);
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Whether `value` is a value of the key a cursor may carry (and PostgreSQL will cast cleanly). */
function fits(key: SortKey, value: unknown): value is KeyValue {
  if (value === null) return key.nullable === true;
  const type = key.type;
  if (type === 'int') return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= INT4;
  if (typeof value !== 'string') return false;
  if (type === 'text') return value.length <= MAX_TEXT && !value.includes('\u0000');
  if (type === 'date') {
    const m = DATE.exec(value);
    return value === 'infinity' || value === '-infinity' || (m !== null && validDay(m[1] ?? '', m[2] ?? '', m[3] ?? ''));
  }
  if (type === 'timestamptz') {
    const m = TIMESTAMP.exec(value);
    return m !== null && validDay(m[1] ?? '', m[2] ?? '', m[3] ?? '') && Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6]) < 60;
  }
  return type.values.includes(value);
}

function decodeCursor(cursor: string, ordering: Ordering, argument: 'after' | 'before'): KeyValue[] {
  const refuse = (why: string) => badInput(`"${argument}" is not a cursor of this list: ${why}`, argument);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(cursor) || cursor.length > 4 * MAX_TEXT) throw refuse('not one this server gave out');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8'));
  } catch {
    throw refuse('not one this server gave out');
  }
  if (!Array.isArray(decoded) || typeof decoded[0] !== 'string') throw refuse('not one this server gave out');
  const [name, ...values] = decoded as [string, ...unknown[]];
  if (name !== ordering.name) throw refuse('it belongs to another list or order');
  if (values.length !== ordering.keys.length || !ordering.keys.every((key, i) => fits(key, values[i]))) {
    throw refuse('its position is malformed');
  }
  return values as KeyValue[];
}

// ---- SQL ---------------------------------------------------------------------------------------

function castType(type: KeyType): SQL {
  return sql.raw(typeof type === 'string' ? type : type.enum);
}

function literal(key: SortKey, value: KeyValue): SQL {
  return sql`${value}::${castType(key.type)}`;
}

/** The key's direction in the order rows are fetched in. */
const descendingIn = (key: SortKey, reverse: boolean) => (key.descending === true) !== reverse;

/**
 * Rows strictly past `values` in the order (reversed if `reverse`), all keys non-null. Keys all
 * in one direction become one row comparison, which a btree index takes as a range bound.
 */
function pastNonNull(keys: readonly SortKey[], values: readonly KeyValue[], reverse: boolean): SQL {
  const first = keys[0];
  if (!first) return sql`false`;
  const descending = descendingIn(first, reverse);
  if (keys.every((key) => descendingIn(key, reverse) === descending)) {
    const op = sql.raw(descending ? '<' : '>');
    return sql`(${sql.join(keys.map((k) => k.expression), sql`, `)}) ${op} (${sql.join(keys.map((k, i) => literal(k, values[i] ?? null)), sql`, `)})`;
  }
  const op = sql.raw(descending ? '<' : '>');
  const value = literal(first, values[0] ?? null);
  if (keys.length === 1) return sql`${first.expression} ${op} ${value}`;
  return sql`(${first.expression} ${op} ${value} or (${first.expression} = ${value} and ${pastNonNull(keys.slice(1), values.slice(1), reverse)}))`;
}

/**
 * Rows strictly past `values`, as disjoint conditions in the order their rows come: with a
 * nullable first key, the non-null and the null rows are two ranges of an index (nulls last, or
 * first when reversed), which one OR would hide from the planner.
 */
function pastBranches(ordering: Ordering, values: readonly KeyValue[], reverse: boolean): SQL[] {
  const [first, ...rest] = ordering.keys;
  if (!first) return [sql`true`];
  if (!first.nullable) return [pastNonNull(ordering.keys, values, reverse)];
  const restPast = () => (rest.length > 0 ? pastNonNull(rest, values.slice(1), reverse) : sql`false`);
  const nulls = sql`${first.expression} is null`;
  if (values[0] === null) {
    // At a null row: the null rows after it, then (reversed: nulls come first) every non-null row.
    const sameNull = sql`(${nulls} and ${restPast()})`;
    return reverse ? [sameNull, sql`${first.expression} is not null`] : [sameNull];
  }
  // At a non-null row: the non-null rows past it (a comparison is never true of null), then nulls.
  const past = pastNonNull(ordering.keys, values, reverse);
  return reverse ? [past] : [past, nulls];
}

const anyOf = (conditions: SQL[]): SQL =>
  conditions.length === 1 ? (conditions[0] ?? sql`true`) : sql`(${sql.join(conditions, sql` or `)})`;

/**
 * What a page's rows must satisfy, as branches to fetch one after another (each an index range
 * in fetch order): rows past the cursor the page starts from, and before the one it ends at.
 */
export function pageBranches(request: PageRequest): SQL[] {
  const start = request.backward ? request.before : request.after;
  const end = request.backward ? request.after : request.before;
  const branches = start ? pastBranches(request.ordering, start, request.backward) : [sql`true`];
  if (!end) return branches;
  const bound = anyOf(pastBranches(request.ordering, end, !request.backward));
  return branches.map((branch) => sql`(${branch} and ${bound})`);
}

/** The page's condition as one expression (for pages taken per parent with window functions). */
export function pageCondition(request: PageRequest): SQL {
  return anyOf(pageBranches(request));
}

/** ORDER BY for fetching the page (reversed for `last`). */
export function orderBy(request: PageRequest): SQL {
  return sql.join(
    request.ordering.keys.map((key) => {
      const direction = descendingIn(key, request.backward) ? 'desc' : 'asc';
      // Nulls only where they can occur: an explicit NULLS on a NOT NULL key would stop the
      // planner from matching a plain index's order.
      const nulls = key.nullable ? (request.backward ? ' nulls first' : ' nulls last') : '';
      return sql`${key.expression} ${sql.raw(direction + nulls)}`;
    }),
    sql`, `,
  );
}

/** Selects a row's position (its keys, as JSON text) for its cursor, as "cursorKey". */
export function cursorKey(ordering: Ordering): SQL {
  return sql`json_build_array(${sql.join(
    ordering.keys.map((k) => k.expression),
    sql`, `,
  )})::text`;
}

/**
 * Fetches a page through `fetch(condition, limit)` one branch at a time (usually one statement;
 * two when a page spans the non-null and null rows of a nullable key).
 */
export async function fetchPage<T>(request: PageRequest, fetch: (condition: SQL, limit: number) => Promise<T[]>): Promise<T[]> {
  const rows: T[] = [];
  for (const branch of pageBranches(request)) {
    rows.push(...(await fetch(branch, request.limit - rows.length)));
    if (rows.length >= request.limit) break;
  }
  return rows;
}

// ---- connections -------------------------------------------------------------------------------

export type Positioned = { cursorKey: string };

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: number | (() => Promise<number>);
}

/** Builds a connection from up to `request.limit` rows fetched in `orderBy(request)` order. */
export function toPage<T extends Positioned>(request: PageRequest, rows: T[], totalCount: Page<T>['totalCount']): Page<T> {
  const more = rows.length > request.size;
  const nodes = rows.slice(0, request.size);
  if (request.backward) nodes.reverse();
  const edges = nodes.map((node) => ({
    cursor: encodeCursor(request.ordering, JSON.parse(node.cursorKey) as KeyValue[]),
    node,
  }));
  return {
    edges,
    pageInfo: {
      // Relay: the side the page was counted from is known exactly; the other side has rows when
      // the client came from a cursor there.
      hasNextPage: request.backward ? request.before !== null : more,
      hasPreviousPage: request.backward ? more : request.after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}

/**
 * One connection per parent from batch-loaded pages. An empty first page means an empty list; an
 * empty page after a cursor says nothing of the total, so `recount(parentIndex)` fetches it —
 * lazily, only if a client asks.
 */
export function toPages<T extends Positioned>(
  request: PageRequest,
  pages: { rows: T[]; total: number | null }[],
  recount: (parentIndex: number) => Promise<number>,
): Page<T>[] {
  const unbounded = request.after === null && request.before === null;
  return pages.map((page, i) => toPage(request, page.rows, page.total ?? (unbounded ? 0 : () => recount(i))));
}
