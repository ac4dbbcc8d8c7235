/**
 * Finding many quotes in one long text. `anchorQuote` (src/citations/anchor.ts) is the rule — a
 * quote must occur exactly once, or at the occurrence given — and reads the whole text for every
 * quote, which for an import of 100,000 sentences quoting one 8 MB report is 100,000 passes over
 * 8 MB. QuoteFinder gives the same answers from an index built in one pass: every position of the
 * text listed under a hash of the K units starting there. A quote's occurrences are found by
 * looking up its rarest K-unit piece and comparing the quote at each place that piece occurs.
 */
import { anchorAt, anchorQuote, type AnchorResult } from '../../citations/anchor.ts';

/** Units hashed per position: long enough that a piece of a sentence is rare in most texts. */
const K = 8;
/** Below this length a text is searched directly: building an index would cost more than it saves. */
const INDEX_FROM_LENGTH = 16_384;

export class QuoteFinder {
  /** Buckets are the top bits of a multiplicative hash of the window's hash (its low bits mix poorly). */
  private readonly shift: number;
  /** starts[b]..starts[b+1] is bucket b's slice of `positions`, in increasing text order. */
  private readonly starts: Int32Array;
  private readonly positions: Int32Array;
  /** Surrogate pairs before each 1,024-unit block, when the text has any: UTF-16 index → code point. */
  private readonly pairsBefore: Int32Array | null;

  constructor(
    readonly text: string,
    { indexFromLength = INDEX_FROM_LENGTH }: { indexFromLength?: number } = {},
  ) {
    const n = text.length;
    const indexed = n >= indexFromLength && n >= K;
    let bits = 10;
    while (indexed && 1 << bits < n / 2 && bits < 24) bits++;
    const size = 1 << bits;
    this.shift = 32 - bits;
    this.starts = new Int32Array(indexed ? size + 1 : 0);
    this.positions = new Int32Array(indexed ? n - K + 1 : 0);
    if (indexed) {
      // One rolling pass gives each position's bucket; a counting sort then groups positions by bucket.
      const buckets = new Int32Array(n - K + 1);
      let hash = 0;
      for (let i = 0; i < n; i++) {
        hash = this.roll(hash, text.charCodeAt(i), i >= K ? text.charCodeAt(i - K) : -1);
        if (i >= K - 1) {
          const bucket = this.bucketOf(hash);
          buckets[i - K + 1] = bucket;
          this.starts[bucket + 1]!++;
        }
      }
      for (let b = 0; b < size; b++) this.starts[b + 1]! += this.starts[b]!;
      const next = this.starts.slice(0, size);
      for (let p = 0; p < buckets.length; p++) this.positions[next[buckets[p]!]!++] = p;
    }
    this.pairsBefore = /[\uD800-\uDBFF][\uDC00-\uDFFF]/.test(text) ? pairTable(text) : null;
  }

  /** Same answer as anchorQuote(this.text, quote, occurrence). */
  find(quote: string, occurrence?: number): AnchorResult {
    if (this.positions.length === 0 || quote.length < K) return anchorQuote(this.text, quote, occurrence);
    const found = this.occurrences(quote);
    if (found.length === 0) return { ok: false, reason: 'NOT_FOUND' };
    if (occurrence === undefined && found.length > 1) return { ok: false, reason: 'AMBIGUOUS', occurrences: found.length };
    const index = found[(occurrence ?? 1) - 1];
    if (index === undefined) return { ok: false, reason: 'NO_SUCH_OCCURRENCE', occurrences: found.length };
    return { ok: true, anchor: anchorAt(this.text, index, quote, this.codePointOffset(index)) };
  }

  /** UTF-16 indexes where `quote` starts, overlapping ones included, in increasing order. */
  private occurrences(quote: string): number[] {
    // The piece of the quote whose hash bucket is smallest.
    let best = 0;
    let bestSize = Infinity;
    let hash = 0;
    for (let i = 0; i < quote.length; i++) {
      hash = this.roll(hash, quote.charCodeAt(i), i >= K ? quote.charCodeAt(i - K) : -1);
      if (i < K - 1) continue;
      const bucket = this.bucketOf(hash);
      const size = this.starts[bucket + 1]! - this.starts[bucket]!;
      if (size < bestSize) {
        bestSize = size;
        best = i - K + 1;
      }
      if (size === 0) return [];
      // One place at most: no piece can do better.
      if (size === 1) break;
    }
    let pieceHash = 0;
    for (let i = best; i < best + K; i++) pieceHash = this.roll(pieceHash, quote.charCodeAt(i), -1);
    const bucket = this.bucketOf(pieceHash);
    const found: number[] = [];
    for (let j = this.starts[bucket]!; j < this.starts[bucket + 1]!; j++) {
      const at = this.positions[j]! - best;
      if (at >= 0 && this.text.startsWith(quote, at)) found.push(at);
    }
    return found;
  }

  private bucketOf(hash: number): number {
    return Math.imul(hash, 0x9e3779b1) >>> this.shift;
  }

  /**
   * A polynomial hash of the last K units, updated by one unit (`leaving` is the unit that falls
   * out of the window, or -1 while it fills). Base 31 mod 2^32; 31^K is precomputed below.
   */
  private roll(hash: number, entering: number, leaving: number): number {
    const h = (Math.imul(hash, 31) + entering) | 0;
    return leaving >= 0 ? (h - Math.imul(leaving, BASE_POWER_K)) | 0 : h;
  }

  /**
   * Code points in the text before UTF-16 index `index`, as anchorQuote counts them: the units
   * less the surrogate pairs wholly before the index. (A low surrogate is never a high one, so the
   * pairs are simply every high unit followed by a low one.)
   */
  private codePointOffset(index: number): number {
    if (!this.pairsBefore) return index;
    const block = index >> 10;
    let pairs = this.pairsBefore[block]!;
    for (let i = Math.max(0, (block << 10) - 1); i < index - 1; i++) {
      if (isHigh(this.text.charCodeAt(i)) && isLow(this.text.charCodeAt(i + 1))) pairs++;
    }
    return index - pairs;
  }
}

const BASE_POWER_K = (() => {
  let p = 1;
  for (let i = 0; i < K; i++) p = Math.imul(p, 31);
  return p;
})();

const isHigh = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLow = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

/** For each 1,024-unit block, the surrogate pairs that start before the unit preceding it. */
function pairTable(text: string): Int32Array {
  const table = new Int32Array((text.length >> 10) + 2);
  let pairs = 0;
  let i = 0;
  for (let block = 0; block < table.length; block++) {
    // Pairs starting before blockStart - 1; the one starting at blockStart - 1 is counted by the
    // scan in codePointOffset, which begins there.
    const scanFrom = Math.max(0, (block << 10) - 1);
    for (; i < scanFrom; i++) if (isHigh(text.charCodeAt(i)) && isLow(text.charCodeAt(i + 1))) pairs++;
    table[block] = pairs;
  }
  return table;
}
