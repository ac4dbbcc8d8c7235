/**
 * Pieces every batch loader shares: key arrays sent as one array parameter (`= any($1::int[])`),
 * so a statement's text is the same for 5 keys or 500 and PostgreSQL prepares it once; and
 * results put back in key order, as DataLoader requires.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { PageWindow } from '../pagination.ts';

export function anyInt(ids: readonly number[]): SQL {
  return sql`any(${sql.param([...ids])}::int[])`;
}

export function inKeyOrder<T>(keys: readonly number[], rows: T[], keyOf: (row: T) => number): (T | null)[] {
  const byKey = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => byKey.get(key) ?? null);
}

export type Paged<T> = T & { parentId: number; total: number } & Record<string, unknown>;

/**
 * Wraps a query numbering rows per parent (`rn` over `partition by` the parent, `total` its window
 * count, `"parentId"`) so that one statement returns the same page of every parent's list.
 */
export function onePagePerParent(numbered: SQL, window: PageWindow): SQL {
  return sql`select * from (${numbered}) paged
    where rn > ${window.offset} and rn <= ${window.offset + window.limit}
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
