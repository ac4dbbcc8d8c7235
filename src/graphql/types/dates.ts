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
