/**
 * Fuzzy dates: a date as the source words it and the range of days it can mean (events, periods
 * of relationships, publication dates). One schema for the API's inputs and the knowledge files.
 */
import { z } from 'zod';
import { ValidationError } from './errors.ts';
import { isoDateSchema, TEXT_LIMITS } from './limits.ts';
import { datePrecisionValues } from './vocabulary.ts';

export const fuzzyDateSchema = z
  .object({
    /** The words of the source, e.g. "last July"; null when the source gives no date. */
    text: z.string().min(1).max(TEXT_LIMITS.text).nullable(),
    earliest: isoDateSchema.nullable(),
    latest: isoDateSchema.nullable(),
    precision: z.enum(datePrecisionValues),
  })
  .strict()
  .refine((d) => d.earliest === null || d.latest === null || d.earliest <= d.latest, {
    message: 'earliest must not be after latest',
  });

export type FuzzyDate = z.infer<typeof fuzzyDateSchema>;

/** A fuzzy date as an input gives it: fields left out are unknown. */
export interface FuzzyDateInput {
  text?: string | null | undefined;
  earliest?: string | null | undefined;
  latest?: string | null | undefined;
  precision: string;
}

/** A fuzzy date with every field present (null when not given), checked like a knowledge file's. */
export function fuzzyDate(value: FuzzyDateInput, path: string[]): FuzzyDate {
  const parsed = fuzzyDateSchema.safeParse({
    text: value.text ?? null,
    earliest: value.earliest ?? null,
    latest: value.latest ?? null,
    precision: value.precision,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`${[...path, ...(issue?.path.map(String) ?? [])].join('.')}: ${issue?.message ?? 'invalid date'}`, path);
  }
  return parsed.data;
}

/** The date columns of an event (valid time), from a checked fuzzy date. */
export function eventDateColumns(date: FuzzyDate) {
  return { dateText: date.text, dateEarliest: date.earliest, dateLatest: date.latest, datePrecision: date.precision };
}

/** The period columns of a relationship, from a checked fuzzy date or none. */
export function periodColumns(period: FuzzyDate | null | undefined) {
  return {
    periodText: period?.text ?? null,
    periodStart: period?.earliest ?? null,
    periodEnd: period?.latest ?? null,
    periodPrecision: period?.precision ?? null,
  };
}

/** A source's publication date: a fuzzy date whose precision may be unknown too. */
export type PublicationDate = Omit<FuzzyDate, 'precision'> & { precision: FuzzyDate['precision'] | null };

/** The publication-date columns of a source, from a checked fuzzy date or none. */
export function publishedColumns(published: PublicationDate | null | undefined) {
  return {
    publishedText: published?.text ?? null,
    publishedEarliest: published?.earliest ?? null,
    publishedLatest: published?.latest ?? null,
    publishedPrecision: published?.precision ?? null,
  };
}
