/**
 * Pieces every batch loader shares: key arrays sent as one array parameter (`= any($1::int[])`),
 * so a statement's text is the same for 5 keys or 500 and PostgreSQL prepares it once; and
 * results put back in key order, as DataLoader requires.
 */
import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import { PgDialect, type PgTable } from 'drizzle-orm/pg-core';
import type { Database } from '../../db/client.ts';
import { cursorKey, orderBy, pageCondition, type PageRequest } from '../pagination.ts';

export function anyInt(ids: readonly number[]): SQL {
  return sql`any(${sql.param([...ids])}::int[])`;
}

/**
 * A key array for a statement sent prepared (preparedRows), behind `(select …)` so that no plan
 * sees how many keys it holds. Given as a plain parameter, each execution's own plan knew the
 * count (one key, for the record a mutation returns) while the generic plan assumed ten, so the
 * plan made for the values always looked cheaper and PostgreSQL planned the statement again at
 * every execution (0.4–0.6 ms for a lookup that runs in 0.1 ms). With the count unknown to both,
 * the prepared statement keeps its generic plan after its first five executions.
 */
export function keyArray(ids: readonly number[]): SQL {
  // The cast makes `any(…)` of it an array expression, not a subquery whose rows are arrays.
  return sql`(select ${sql.param([...ids])}::int[])::int[]`;
}

/** `= any(…)` of keys, for statements sent prepared (keyArray). */
export function anyKey(ids: readonly number[]): SQL {
  return sql`any(${keyArray(ids)})`;
}

export function inKeyOrder<T>(keys: readonly number[], rows: T[], keyOf: (row: T) => number): (T | null)[] {
  const byKey = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => byKey.get(key) ?? null);
}

export type Paged<T> = T & { parentId: number; total: number; cursorKey: string } & Record<string, unknown>;

/**
 * Wraps a query of every parent's rows (`"parentId"`, `total` — a window count per parent, taken
 * before the page's cursor cuts anything — and the columns the request's ordering names) so that
 * one statement returns the same page of every parent's list: the rows past the cursor, numbered
 * per parent in the page's order.
 */
export function onePagePerParent(rows: SQL, request: PageRequest): SQL {
  return sql`select * from (
      select r.*, ${cursorKey(request.ordering)} as "cursorKey",
             row_number() over (partition by r."parentId" order by ${orderBy(request)}) as rn
        from (${rows}) r
       where ${pageCondition(request)}) paged
    where rn <= ${request.limit}
    order by "parentId", rn`;
}

/** Rows of one page per parent, with the parent's total (from a window count). */
export interface PagedRows<T> {
  rows: T[];
  total: number | null;
}

export function groupPaged<T extends { parentId: number; total: number }>(
  parentIds: readonly number[],
  rows: T[],
): PagedRows<T>[] {
  const groups = new Map<number, T[]>();
  for (const row of rows) {
    const group = groups.get(row.parentId);
    if (group) group.push(row);
    else groups.set(row.parentId, [row]);
  }
  return parentIds.map((id) => {
    const group = groups.get(id) ?? [];
    // An empty page says nothing of the total when it lies past the end of a non-empty list.
    return { rows: group, total: group[0]?.total ?? null };
  });
}

/**
 * A `group` function for Pothos' loadableGroup. It is typed with the target type's output shape,
 * which for a loadable node also admits a bare id; our loaders always return rows.
 */
export function groupBy<T extends object>(key: (row: T) => number): (value: T | number) => number {
  return (value) => (typeof value === 'number' ? value : key(value));
}

/** A row as a raw statement returns it: timestamps as RFC 3339 text rather than Dates. */
export type RawRow<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };

/**
 * The select list of every column of `table` (aliased `alias`), named as drizzle names them, for
 * raw statements on hot paths: built once per table, so a loader returning thousands of rows
 * skips the query builder and drizzle's per-row, per-column mapping (a third of the nested list
 * query's Node CPU). Timestamps come back as RFC 3339 text, which the DateTime scalar reads.
 */
export function rawColumns(table: PgTable, alias: string, omit: readonly string[] = []): SQL {
  const list = Object.entries(getTableColumns(table))
    .filter(([key]) => !omit.includes(key))
    .map(([key, column]) => {
      const ref = `${alias}."${column.name}"`;
      return `${column.columnType === 'PgTimestamp' ? `to_json(${ref}) #>> '{}'` : ref} as "${key}"`;
    });
  return sql.raw(list.join(', '));
}

/** The establishing claim's metadata next to an entity, the claims row aliased `c`. */
export const rawEntityClaimMeta = sql.raw(`c.confidence, c.credibility, to_json(c.recorded_at) #>> '{}' as "recordedAt", c.recorded_by as "recordedBy"`);

const dialect = new PgDialect();

/**
 * Runs a statement whose text does not depend on its arguments (keys go as one array parameter,
 * through keyArray or anyKey) as a named prepared statement, so PostgreSQL parses and plans it once
 * per connection instead of on every request: drizzle sends everything unprepared, and planning
 * the nested list query's seven statements cost about as much as running them. Only for such
 * stable texts: each distinct text stays prepared on every connection.
 */
export async function preparedRows<T>(db: Database, query: SQL): Promise<T[]> {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return (await db.$client.unsafe(text, params as never[], { prepare: true })) as unknown as T[];
}
