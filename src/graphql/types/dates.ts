import { builder } from '../builder.ts';
import { DatePrecisionEnum } from './vocabulary.ts';

export interface FuzzyDateShape {
  text: string | null;
  earliest: string | null;
  latest: string | null;
  precision: 'DAY' | 'MONTH' | 'YEAR' | 'RANGE';
}

/** A date as the source words it and what it resolves to, without false precision. */
export const FuzzyDate = builder.objectRef<FuzzyDateShape>('FuzzyDate').implement({
  description:
    'A date as the source words it, resolved to the range it can mean. "last July" in an article of March 2024 is text "last July", 2023-07-01..2023-07-31, precision MONTH.',
  fields: (t) => ({
    text: t.exposeString('text', { nullable: true, description: 'The source’s own words; null when it gives none.' }),
    earliest: t.expose('earliest', { type: 'LocalDate', nullable: true, description: 'First possible day; null if open.' }),
    latest: t.expose('latest', { type: 'LocalDate', nullable: true, description: 'Last possible day; null if open.' }),
    precision: t.expose('precision', { type: DatePrecisionEnum, description: 'How finely the date is known; the day lies in [earliest, latest].' }),
  }),
});

/** A relationship's or adherence's start and end columns, as loaded. */
export interface ValidTimeRow {
  startText: string | null;
  startEarliest: string | null;
  startLatest: string | null;
  startPrecision: FuzzyDateShape['precision'] | null;
  endText: string | null;
  endEarliest: string | null;
  endLatest: string | null;
  endPrecision: FuzzyDateShape['precision'] | null;
}

export function startOf(r: ValidTimeRow): FuzzyDateShape | null {
  return r.startPrecision ? { text: r.startText, earliest: r.startEarliest, latest: r.startLatest, precision: r.startPrecision } : null;
}

export function endOf(r: ValidTimeRow): FuzzyDateShape | null {
  return r.endPrecision ? { text: r.endText, earliest: r.endEarliest, latest: r.endLatest, precision: r.endPrecision } : null;
}

export const START_DESCRIPTION =
  'When it began to hold (valid time), as the source words it and the range of days that can mean; null when the source does not say (unknown: `validOn` and `validDuring` treat it as open unless asked for SURELY_HELD). Vague words stay vague: "longstanding" has no earliest day.';
export const END_DESCRIPTION =
  'When it stopped holding, as the source words it; null when the source does not say (unknown, as for `start`). An end with an earliest day and no latest one ("still", as of the source’s date) means it held at least until then.';
