/**
 * Quotes in long source texts, for single cited writes. `anchorQuote` reads the whole text for
 * each quote, and the write had to fetch that text from PostgreSQL first: a write citing a 6 MB
 * report moved 6 MB and scanned it (~85 ms, 35 ms of it Node CPU, against ~8 ms for a short
 * source). A long text's QuoteFinder (the same rule from an index) is kept per process instead,
 * keyed by the text's SHA-256, which PostgreSQL holds equal to the text (source_hash_matches_text):
 * a key names one text for good, so nothing ever needs invalidating, whichever process or
 * transaction changed a source. A write then fetches the hash alone and finds its quote in the
 * index; only the first write of a text (in this process) fetches and indexes it.
 */
import { QuoteFinder } from '../bulk/quote-finder.ts';

/** Texts up to this many bytes come with the source row and are searched directly; the database draws the same line (source_text_is_long). */
export const LONG_TEXT_BYTES = 16_384;

/**
 * Bound of the UTF-16 units the kept texts hold together: each kept text costs its string (one or
 * two bytes a unit) and its index (~1.5 bytes a unit), so 40–56 MB at most. A longer text is
 * indexed for the write at hand and not kept.
 */
const KEPT_UNITS = 16 * 1024 * 1024;

/** Long texts' finders by SHA-256, least recently used first (a Map keeps insertion order). */
const finders = new Map<string, QuoteFinder>();
let keptUnits = 0;

/** The finder of the text whose SHA-256 is `sha256`, if this process keeps it. */
export function keptFinder(sha256: string): QuoteFinder | undefined {
  const finder = finders.get(sha256);
  if (finder) {
    finders.delete(sha256);
    finders.set(sha256, finder);
  }
  return finder;
}

/** Indexes `text` (whose SHA-256 is `sha256`) and keeps it, dropping the least recently used texts beyond the bound. */
export function keepFinder(sha256: string, text: string): QuoteFinder {
  const finder = new QuoteFinder(text);
  if (text.length > KEPT_UNITS) return finder;
  const previous = finders.get(sha256);
  if (previous) keptUnits -= previous.text.length;
  finders.delete(sha256);
  finders.set(sha256, finder);
  keptUnits += text.length;
  for (const [key, kept] of finders) {
    if (keptUnits <= KEPT_UNITS) break;
    finders.delete(key);
    keptUnits -= kept.text.length;
  }
  return finder;
}
