/**
 * What the knowledge base accepts as text and dates, in one place: the API's input checks, the
 * write schemas, the database's CHECK constraints and the README all read these numbers.
 *
 * Text is stored verbatim or refused: a NUL (PostgreSQL's text cannot hold one) or a lone UTF-16
 * surrogate (not Unicode; it would be stored as U+FFFD, silently altered) is refused, never cleaned.
 */
import { z } from 'zod';
import { DATE_RANGE } from '../db/schema.ts';

/** Longest strings, in code points. */
export const TEXT_LIMITS = {
  /** Slugs: actors, events, places, doctrines, sources. */
  slug: 100,
  /** Names, titles, aliases, publishers, authors, regions, short labels. */
  name: 500,
  /** Free text: descriptions, notes, reasons, quotes, a date or toll as the source words it. */
  text: 10_000,
  /** A source's URL. */
  url: 2_000,
  /** A source's full text (the request body limit usually bites first). */
  sourceText: 5_000_000,
  /**
   * A source's full text read from a file by an import (knowledge files, STIX bundles), where no
   * request body limits it: the write benchmark's report of 100,000 cited sentences is ~8 million.
   */
  sourceTextFile: 20_000_000,
  /** A page cursor (`after`/`before`): it carries the row's sort key, which may be a long title. */
  cursor: 8_000,
  /** Any other string argument (ids, cursors, keys, search words...) unless it says otherwise. */
  other: 1_000,
} as const;

/** Longest lists in one write. */
// bulkEvents: events one updateEvents job changes (a request of 2,000 slugs fits the default 100 KB body limit).
export const LIST_LIMITS = { citations: 50, aliases: 100, participants: 50, bulkEvents: 2_000 } as const;

/**
 * The largest casualty figure one event may give (killed or wounded, a total or a part, given or
 * summed from its parts). The deadliest wars' tolls stay below it; past it a figure is a typo. It
 * also keeps figures within PostgreSQL's integer columns and GraphQL's Int, which a larger one
 * broke on write (a total summed from parts) and on every dashboard read summing it.
 */
export const CASUALTY_LIMIT = 10_000_000;

/**
 * Dates (event dates, periods, publication dates, and every date or time a read is given) lie in
 * these years: the modern history of militant movements, from the 18th-century revival movements
 * on, with room for projections. Beyond them a date is a typo, and would stretch every timeline.
 * Defined beside the tables, whose CHECK constraints hold it too.
 */
export { DATE_RANGE };

/** Why a string cannot be stored verbatim (or is too long), or null when it can. */
export function textProblem(value: string, maxLength: number): string | null {
  if (value.includes('\u0000')) return 'contains a NUL character (U+0000), which cannot be stored';
  // In a `u` regex a surrogate class matches only a lone surrogate (pairs are one code point).
  if (/[\uD800-\uDFFF]/u.test(value)) return 'is not valid Unicode (it contains a lone UTF-16 surrogate)';
  if (value.length > maxLength) {
    const codePoints = [...value].length;
    if (codePoints > maxLength) return `is ${codePoints} characters long, more than the limit of ${maxLength}`;
  }
  return null;
}

/** Why an ISO date (YYYY-MM-DD, or the date part of a time) is out of range, or null. */
export function dateProblem(isoDate: string): string | null {
  const day = isoDate.slice(0, 10);
  if (day < DATE_RANGE.earliest || day > DATE_RANGE.latest || !/^\d{4}-/.test(isoDate)) {
    return `must lie between ${DATE_RANGE.earliest} and ${DATE_RANGE.latest}`;
  }
  return null;
}

/** URLs a source may have: the web's, never a script or data URL a client could be made to open. */
export function urlProblem(value: string): string | null {
  // The URL parser drops tabs, line breaks and outer spaces: the stored text would not be the URL checked.
  if (/[\u0000-\u0020\u007f]/.test(value)) return 'must not contain spaces, tabs, line breaks or control characters';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `must be an http(s) URL, not ${url.protocol}`;
  return null;
}

// The same rules as zod schemas, for the write inputs and knowledge files (src/domain/knowledge/format.ts).

/** What a slug looks like: lowercase letters and digits in words joined by single hyphens. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const slugSchema = z
  .string()
  .max(TEXT_LIMITS.slug, `must be at most ${TEXT_LIMITS.slug} characters`)
  .regex(SLUG_PATTERN, 'must be a lowercase slug (letters, digits, single hyphens)');

/**
 * Text stored as given: not blank, and without leading or trailing whitespace (String#trim's, which
 * includes line breaks, U+2028 and a BOM) — refused rather than trimmed, since trimming would store
 * something other than what was sent. `min` is the shortest accepted length.
 */
export function verbatimTextSchema(max: number, min = 1, tooShort = 'must not be empty') {
  return z
    .string()
    .max(max, `must be at most ${max} characters`)
    .superRefine((value, ctx) => {
      // The API checks its arguments before this; a knowledge file's text is checked here only,
      // and a NUL sent on to PostgreSQL's COPY hung the import.
      // The length is max()'s to check: only what cannot be stored is asked of textProblem here.
      const problem = textProblem(value, Number.POSITIVE_INFINITY);
      if (problem) return void ctx.addIssue({ code: 'custom', message: problem });
      const trimmed = value.trim();
      if (trimmed.length < min) ctx.addIssue({ code: 'custom', message: tooShort });
      else if (trimmed !== value) ctx.addIssue({ code: 'custom', message: 'must not begin or end with spaces or line breaks (text is stored as given, never trimmed)' });
    });
}

/** A name or title: not blank, at most TEXT_LIMITS.name. */
export const nameSchema = verbatimTextSchema(TEXT_LIMITS.name);

/** Free text: not blank, at most TEXT_LIMITS.text. */
export const freeTextSchema = verbatimTextSchema(TEXT_LIMITS.text);

export const urlSchema = z
  .string()
  .max(TEXT_LIMITS.url, `must be at most ${TEXT_LIMITS.url} characters`)
  .superRefine((value, ctx) => {
    const problem = urlProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** An ISO calendar date within DATE_RANGE. */
export const isoDateSchema = z.iso.date().superRefine((value, ctx) => {
  const problem = dateProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * A stored record named by slug in an input (the event of a participation, the actor of an
 * adherence...): checked for length here, for existence by the lookups, so a name that is no
 * slug at all is answered "not found", as any other name of nothing.
 */
export const slugReferenceSchema = z.string().min(1, 'must not be empty').max(TEXT_LIMITS.slug, `must be at most ${TEXT_LIMITS.slug} characters`);
