/**
 * Casualty estimates: killed or wounded as low / best / high in the source's words, split by
 * category (civilians, perpetrators, security forces or military, unknown) where the source splits
 * them. The total derives from the parts when the source gives none, and is never less than them.
 * One schema for the API, knowledge files and the bulk loader; the same rule holds in PostgreSQL
 * (events_casualty_parts_check, src/db/sql/integrity.sql).
 */
import { z } from 'zod';
import { CASUALTY_CATEGORIES, type CasualtyCategory } from '../../db/casualties.ts';
import type { CasualtyPartRow, events } from '../../db/schema.ts';
import { CASUALTY_LIMIT, freeTextSchema } from '../limits.ts';

const count = z
  .number()
  .int('must be a whole number')
  .min(0, 'must not be negative')
  .max(CASUALTY_LIMIT, `must be at most ${CASUALTY_LIMIT.toLocaleString('en')}`);

/** One category's share of a figure: "170 Afghan civilians" is CIVILIANS, low 170, in those words. */
export const casualtyPartSchema = z
  .object({
    category: z.enum(CASUALTY_CATEGORIES),
    low: count,
    best: count.nullish(),
    high: count.nullish(),
    text: freeTextSchema.nullish(),
  })
  .strict();

/**
 * A figure as the source gives it. `low`/`high` may be written `min`/`max` (the older names);
 * an exact figure ("killed 13") is low = high, and is its own best estimate. With `parts` and no
 * total, the total is their sum ("170 Afghan civilians and 13 U.S. servicemembers" is 183).
 */
export const casualtiesSchema = z
  .object({
    min: count.optional(),
    low: count.optional(),
    best: count.nullish(),
    max: count.nullish(),
    high: count.nullish(),
    text: freeTextSchema,
    parts: z.array(casualtyPartSchema).max(CASUALTY_CATEGORIES.length).nullish(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const issue = (message: string, path: (string | number)[]) => ctx.addIssue({ code: 'custom', message, path });
    if (r.min !== undefined && r.low !== undefined) issue('give low or min, not both (they are the same)', ['low']);
    if (r.max !== undefined && r.high !== undefined) issue('give high or max, not both (they are the same)', ['high']);
    const parts = r.parts ?? [];
    const lowKey = r.low !== undefined ? 'low' : 'min';
    const highKey = r.high !== undefined ? 'high' : 'max';
    const low = r.low ?? r.min;
    const high = r.high ?? r.max;
    if (low === undefined && parts.length === 0) issue('give the low estimate (low or min), or the parts it is made of', ['low']);
    if (low !== undefined && high != null && high < low) issue(`${highKey} must not be below ${lowKey}`, [highKey]);
    if (low !== undefined && r.best != null && r.best < low) issue(`best must not be below ${lowKey}`, ['best']);
    if (high != null && r.best != null && r.best > high) issue(`best must not be above ${highKey}`, ['best']);
    const seen = new Set<CasualtyCategory>();
    for (const [i, p] of parts.entries()) {
      if (seen.has(p.category)) issue(`category ${p.category} is given twice`, ['parts', i, 'category']);
      seen.add(p.category);
      if (p.high != null && p.high < p.low) issue('high must not be below low', ['parts', i, 'high']);
      if (p.best != null && p.best < p.low) issue('best must not be below low', ['parts', i, 'best']);
      if (p.best != null && p.high != null && p.best > p.high) issue('best must not be above high', ['parts', i, 'best']);
      if (high != null && (p.high ?? null) === null && low !== undefined) {
        issue(`the part has no upper bound but the total's ${highKey} is ${high}`, ['parts', i, 'high']);
      } else if (high != null && p.high != null && p.high > high) {
        issue(`the part's high (${p.high}) exceeds the total's ${highKey} (${high})`, ['parts', i, 'high']);
      }
      if (r.best != null && p.best != null && p.best > r.best) issue(`the part's best (${p.best}) exceeds the total's best (${r.best})`, ['parts', i, 'best']);
    }
    const lows = parts.reduce((sum, p) => sum + p.low, 0);
    if (low !== undefined && parts.length > 0 && lows > low) {
      issue(`the parts' low estimates add up to ${lows}, more than the total's ${lowKey} (${low})`, ['parts']);
    }
    // Without a total the parts' sums become it (transform below): each must fit as a figure does.
    if (low === undefined) {
      const sums = { low: lows, high: parts.reduce((sum, p) => sum + (p.high ?? 0), 0), best: parts.reduce((sum, p) => sum + (p.best ?? 0), 0) };
      for (const [key, sum] of Object.entries(sums)) {
        if (sum > CASUALTY_LIMIT) issue(`the parts' ${key} estimates add up to ${sum}, more than a figure may be (${CASUALTY_LIMIT.toLocaleString('en')})`, ['parts']);
      }
    }
  })
  .transform((r): Casualties => {
    const parts: CasualtyPartRow[] = (r.parts ?? []).map((p) => ({
      category: p.category,
      low: p.low,
      best: p.best ?? (p.high === p.low ? p.low : null),
      high: p.high ?? null,
      text: p.text ?? null,
    }));
    const given = r.low ?? r.min;
    if (given !== undefined) {
      const high = r.high !== undefined ? r.high : (r.max ?? null);
      return { min: given, best: r.best ?? (high === given ? given : null), max: high ?? null, text: r.text, parts };
    }
    // No total given: the parts' sums (an open part leaves the total open; a best only when every part has one).
    const min = parts.reduce((sum, p) => sum + p.low, 0);
    const max = parts.every((p) => p.high !== null) ? parts.reduce((sum, p) => sum + (p.high ?? 0), 0) : null;
    const best = parts.every((p) => p.best !== null) ? parts.reduce((sum, p) => sum + (p.best ?? 0), 0) : null;
    return { min, best, max, text: r.text, parts };
  });

/** A figure as stored: the total (min = low, max = high) and its parts, in category order as given. */
export interface Casualties {
  min: number;
  best: number | null;
  max: number | null;
  text: string | null;
  parts: CasualtyPartRow[];
}

/** The casualty columns of an event; a count left out (undefined) is left as it is, null clears it. */
export function casualtyColumns(
  prefix: 'killed' | 'wounded',
  value: { min: number; best?: number | null; max?: number | null | undefined; text: string | null; parts?: CasualtyPartRow[] } | null | undefined,
): Partial<typeof events.$inferSelect> {
  if (value === undefined) return {};
  const parts = value?.parts ?? [];
  return {
    [`${prefix}Min`]: value?.min ?? null,
    [`${prefix}Best`]: value ? (value.best ?? (value.max === value.min ? value.min : null)) : null,
    [`${prefix}Max`]: value?.max ?? null,
    [`${prefix}Text`]: value?.text ?? null,
    [`${prefix}Parts`]: parts.length > 0 ? parts : null,
  };
}
