/**
 * A dataset row's casualty figure: its total (low / best / high) and the parts by category its
 * columns give, checked by the same rule as every other write (casualtiesSchema), each problem
 * named by the row's line and the column it comes from.
 */
import type { CasualtyCategory } from '../../db/casualties.ts';
import { casualtiesSchema, type Casualties } from '../../domain/events/casualties.ts';
import type { DatasetRow } from './rows.ts';

/** One category's share as a column gives it; its text is the column's line in the row ("deaths_civilians: 4"). */
export interface ColumnPart {
  category: CasualtyCategory;
  column: string;
  low: number;
  best: number | null;
  high: number | null;
}

/**
 * The figure, or null when the row gives none. `columns` name where the total's low, best and
 * high come from, so a problem with them names the column. A part comes only from a column with a
 * value; without a total the total is the parts' lows, open above (the row says no more).
 */
export function rowCasualties(
  row: DatasetRow,
  total: { low: number | null; best: number | null; high: number | null; text: string } | null,
  parts: ColumnPart[],
  columns: { low: string; best: string; high: string },
): Casualties | null {
  if (!total && parts.length === 0) return null;
  const given = total ?? { low: parts.reduce((sum, p) => sum + p.low, 0), best: null, high: null, text: parts.map((p) => `${p.column}: ${row.get(p.column)}`).join('; ') };
  const parsed = casualtiesSchema.safeParse({
    low: given.low ?? given.best ?? 0,
    best: given.best,
    high: given.high,
    text: given.text,
    parts: parts.map((p) => ({ category: p.category, low: p.low, best: p.best, high: p.high, text: `${p.column}: ${row.get(p.column)}` })),
  });
  if (parsed.success) return parsed.data;
  // One column may feed low, best and high (ACLED's fatalities): name its problem once.
  const named = new Set<string>();
  for (const issue of parsed.error.issues) {
    const [key, index] = issue.path;
    const column =
      key === 'parts' && typeof index === 'number' ? parts[index]!.column
      : key === 'parts' ? parts.map((p) => p.column).join(', ')
      : key === 'best' ? columns.best
      : key === 'high' || key === 'max' ? columns.high
      : columns.low;
    if (named.has(`${column}: ${issue.message}`)) continue;
    named.add(`${column}: ${issue.message}`);
    row.problem(column, issue.message);
  }
  return null;
}
