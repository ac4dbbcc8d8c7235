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
  })
  .superRefine((d, ctx) => {
    const problem = precisionProblem(d);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['precision'] });
  });

/** How many leading characters of an ISO date a precision keeps: the day, the month, the year. */
const PRECISION_PREFIX: Partial<Record<(typeof datePrecisionValues)[number], number>> = { DAY: 10, MONTH: 7, YEAR: 4 };

/**
 * Why a date's known range does not fit its precision, or null: a DAY date is one day, a MONTH
 * date lies within one month, a YEAR date within one year; a span across them is a RANGE. A
 * timeline puts a date in a bucket by its precision, so "March 2021" spanning into April would be
 * counted with a false precision.
 */
function precisionProblem(d: { earliest: string | null; latest: string | null; precision: (typeof datePrecisionValues)[number] }): string | null {
  const kept = PRECISION_PREFIX[d.precision];
  if (kept === undefined || d.earliest === null || d.latest === null || d.earliest.slice(0, kept) === d.latest.slice(0, kept)) return null;
  const unit = { DAY: 'one day', MONTH: 'one month', YEAR: 'one year' }[d.precision as 'DAY' | 'MONTH' | 'YEAR'];
  return `a ${d.precision} date lies within ${unit}, but ${d.earliest} to ${d.latest} does not: give RANGE for a longer span`;
}

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

/**
 * When a relationship or adherence held (valid time): a fuzzy start and a fuzzy end, each null when
 * the source does not give it (unknown, treated as open by reads).
 */
export interface ValidTime {
  start: FuzzyDate | null;
  end: FuzzyDate | null;
}

/** What an input gives for a claim's valid time (either bound may be left out). */
export interface ValidTimeInput {
  start?: FuzzyDateInput | null | undefined;
  end?: FuzzyDateInput | null | undefined;
}

/**
 * Checks both bounds (each like any fuzzy date) and that the end cannot come before the start:
 * the latest day the end may fall on must not be before the earliest day the start may fall on.
 * Problems are named at `path`.start / `path`.end (e.g. input.end).
 */
export function validTime(raw: ValidTimeInput, path: string[]): ValidTime {
  const start = raw.start ? fuzzyDate(raw.start, [...path, 'start']) : null;
  const end = raw.end ? fuzzyDate(raw.end, [...path, 'end']) : null;
  if (start?.earliest && end?.latest && end.latest < start.earliest) {
    throw new ValidationError(
      `${[...path, 'end'].join('.')}: the end (at the latest ${end.latest}) is before the start (at the earliest ${start.earliest})`,
      [...path, 'end'],
    );
  }
  return { start, end };
}

/** The valid-time columns of a relationship or adherence, from checked bounds. */
export function validTimeColumns({ start, end }: ValidTime) {
  return {
    startText: start?.text ?? null,
    startEarliest: start?.earliest ?? null,
    startLatest: start?.latest ?? null,
    startPrecision: start?.precision ?? null,
    endText: end?.text ?? null,
    endEarliest: end?.earliest ?? null,
    endLatest: end?.latest ?? null,
    endPrecision: end?.precision ?? null,
  };
}

/** The valid-time fields of a knowledge-file record: start and end, each optional. */
export const validTimeFields = {
  start: fuzzyDateSchema.nullable().optional(),
  end: fuzzyDateSchema.nullable().optional(),
};

export const END_BEFORE_START = 'the end cannot come before the start (its latest day is before the start’s earliest day)';

/** The same end-before-start rule as validTime, for zod objects built from validTimeFields (problem at `end`). */
export function endNotBeforeStart(value: { start?: FuzzyDate | null | undefined; end?: FuzzyDate | null | undefined }, ctx: z.RefinementCtx): void {
  const { start, end } = value;
  if (start?.earliest && end?.latest && end.latest < start.earliest) {
    ctx.addIssue({ code: 'custom', path: ['end'], message: `${END_BEFORE_START}: ${end.latest} < ${start.earliest}` });
  }
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
