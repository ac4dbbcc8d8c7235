/**
 * Locating a verbatim quote in a source text. Offsets are Unicode code points (what PostgreSQL's
 * `substr` counts in a UTF-8 database), not the UTF-16 units of JavaScript string indices, so the
 * database can verify every citation independently.
 */

/** How many code points of context a citation keeps on each side (W3C TextQuoteSelector). */
export const CONTEXT_LENGTH = 32;

export interface Anchor {
  quote: string;
  startOffset: number;
  endOffset: number;
  prefix: string;
  suffix: string;
}

export type AnchorFailure =
  | { reason: 'NOT_FOUND' }
  | { reason: 'AMBIGUOUS'; occurrences: number }
  | { reason: 'NO_SUCH_OCCURRENCE'; occurrences: number };

export type AnchorResult = { ok: true; anchor: Anchor } | ({ ok: false } & AnchorFailure);

/** Number of code points in the first `utf16Index` UTF-16 units of `text`. */
function codePointOffset(text: string, utf16Index: number): number {
  let points = 0;
  for (let i = 0; i < utf16Index; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is a single code point.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < utf16Index) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    points++;
  }
  return points;
}

function allIndexes(text: string, quote: string): number[] {
  const found: number[] = [];
  for (let at = text.indexOf(quote); at !== -1; at = text.indexOf(quote, at + 1)) found.push(at);
  return found;
}

/**
 * Finds `quote` in `text`. Without `occurrence` the quote must occur exactly once; with it,
 * the 1-based occurrence is taken.
 */
export function anchorQuote(text: string, quote: string, occurrence?: number): AnchorResult {
  if (quote.length === 0) return { ok: false, reason: 'NOT_FOUND' };
  const found = allIndexes(text, quote);
  if (found.length === 0) return { ok: false, reason: 'NOT_FOUND' };
  if (occurrence === undefined && found.length > 1) {
    return { ok: false, reason: 'AMBIGUOUS', occurrences: found.length };
  }
  const index = found[(occurrence ?? 1) - 1];
  if (index === undefined) {
    return { ok: false, reason: 'NO_SUCH_OCCURRENCE', occurrences: found.length };
  }
  return { ok: true, anchor: anchorAt(text, index, quote, codePointOffset(text, index)) };
}

/**
 * The citation of `quote` found at UTF-16 index `index` of `text`, whose code-point offset is
 * `startOffset`: the quote's span and its context on each side.
 */
export function anchorAt(text: string, index: number, quote: string, startOffset: number): Anchor {
  const endOffset = startOffset + Array.from(quote).length;
  // Context from a window of twice as many UTF-16 units as code points wanted (a code point is at
  // most two units), not from the whole text split into code points: that made a large import
  // quadratic. A surrogate pair cut at the window's far edge never reaches the kept part.
  const end = index + quote.length;
  return {
    quote,
    startOffset,
    endOffset,
    prefix: Array.from(text.slice(Math.max(0, index - 2 * CONTEXT_LENGTH), index)).slice(-CONTEXT_LENGTH).join(''),
    suffix: Array.from(text.slice(end, end + 2 * CONTEXT_LENGTH)).slice(0, CONTEXT_LENGTH).join(''),
  };
}

/**
 * The citations of spans of `text` given in code points, [start, end): each quote with its context,
 * as anchorAt cuts them and PostgreSQL's `substr` would. The text is split into code points only
 * when it holds a surrogate pair; otherwise its UTF-16 indexes are its code points.
 */
export function anchorSpans(text: string, spans: readonly (readonly [start: number, end: number])[]): Anchor[] {
  const points = /[\uD800-\uDFFF]/.test(text) ? Array.from(text) : null;
  const cut = (start: number, end: number) => (points ? points.slice(start, end).join('') : text.slice(start, end));
  return spans.map(([startOffset, endOffset]) => ({
    quote: cut(startOffset, endOffset),
    startOffset,
    endOffset,
    prefix: cut(Math.max(0, startOffset - CONTEXT_LENGTH), startOffset),
    suffix: cut(endOffset, endOffset + CONTEXT_LENGTH),
  }));
}

/** A sentence naming what went wrong, for errors shown to whoever supplied the quote. */
export function describeAnchorFailure(failure: AnchorFailure, quote: string, source: string): string {
  const shown = quote.length > 80 ? `${quote.slice(0, 77)}...` : quote;
  switch (failure.reason) {
    case 'NOT_FOUND':
      return `quote "${shown}" does not occur in source "${source}"`;
    case 'AMBIGUOUS':
      return `quote "${shown}" occurs ${failure.occurrences} times in source "${source}"; say which occurrence`;
    case 'NO_SUCH_OCCURRENCE':
      return `quote "${shown}" occurs only ${failure.occurrences} time(s) in source "${source}"`;
  }
}
