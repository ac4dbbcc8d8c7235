/**
 * Finding many quotes in one long text. `anchorQuote` (src/citations/anchor.ts) is the rule — a
 * quote must occur exactly once, or at the occurrence given — and reads the whole text for every
 * quote, which for an import of 100,000 sentences quoting one 8 MB report is 100,000 passes over
 * 8 MB. QuoteFinder gives the same answers from an index built in one pass: every STEP-th position
 * of the text listed under a hash of the K units starting there. Any occurrence of a quote at
 * least K + STEP - 1 units long covers one listed position with its whole K-unit window, at one of
 * the STEP first offsets of the quote modulo STEP; so the occurrences are found by looking up, for
 * each offset modulo STEP, the quote's rarest K-unit piece at such an offset, and comparing the
 * quote at each place that piece occurs.
 *
 * The index is what grows with the text besides the text itself (issue 9: memory flat as the file
 * grows): two 4-byte entries per listed position, built without temporary arrays. Listing every
 * position took ~48 MB for an 8 MB text and ~96 MB while it was built; every 4th, ~12 MB.
 */
import { anchorAt, anchorQuote, type AnchorResult } from '../../citations/anchor.ts';

/** Units hashed per position: long enough that a piece of a sentence is rare in most texts. */
const K = 8;
/** Every STEP-th position is listed: a quarter of the index, for STEP - 1 more lookups per quote. */
const STEP = 4;
/** Below this length a text is searched directly: building an index would cost more than it saves. */
const INDEX_FROM_LENGTH = 16_384;

export class QuoteFinder {
  /** Buckets are the top bits of a multiplicative hash of the window's hash (its low bits mix poorly). */
  private readonly shift: number;
  /** starts[b]..starts[b+1] is bucket b's slice of `positions`, in increasing text order. */
  private readonly starts: Int32Array;
  /** Listed positions (multiples of STEP), grouped by bucket. */
  private readonly positions: Int32Array;
  /** Surrogate pairs before each 1,024-unit block, when the text has any: UTF-16 index → code point. */
  private readonly pairsBefore: Int32Array | null;

  constructor(
    readonly text: string,
    { indexFromLength = INDEX_FROM_LENGTH }: { indexFromLength?: number } = {},
  ) {
    const n = text.length;
    const indexed = n >= indexFromLength && n >= K;
    const listed = indexed ? Math.floor((n - K) / STEP) + 1 : 0;
    let bits = 10;
    while (indexed && 1 << bits < listed / 2 && bits < 24) bits++;
    const size = 1 << bits;
    this.shift = 32 - bits;
    this.starts = new Int32Array(indexed ? size + 1 : 0);
    this.positions = new Int32Array(listed);
    if (indexed) {
      // Two rolling passes rather than one that keeps each position's bucket: the first counts
      // the buckets' sizes (at starts[b + 1], summed into where each bucket begins), the second
      // writes each position at its bucket's cursor, starts[b], which so ends where bucket b + 1
      // begins; shifting starts up by one restores them.
      this.eachListed((bucket) => this.starts[bucket + 1]!++);
      for (let b = 0; b < size; b++) this.starts[b + 1]! += this.starts[b]!;
      this.eachListed((bucket, p) => (this.positions[this.starts[bucket]!++] = p));
      this.starts.copyWithin(1, 0, size);
      this.starts[0] = 0;
    }
    this.pairsBefore = /[\uD800-\uDBFF][\uDC00-\uDFFF]/.test(text) ? pairTable(text) : null;
  }

  /** Calls `visit` with the bucket and position of every listed position, in text order. */
  private eachListed(visit: (bucket: number, position: number) => void): void {
    const { text } = this;
    let hash = 0;
    for (let i = 0; i < text.length; i++) {
      hash = this.roll(hash, text.charCodeAt(i), i >= K ? text.charCodeAt(i - K) : -1);
      const p = i - K + 1;
      if (p >= 0 && p % STEP === 0) visit(this.bucketOf(hash), p);
    }
  }

  /** Same answer as anchorQuote(this.text, quote, occurrence). */
  find(quote: string, occurrence?: number): AnchorResult {
    if (this.positions.length === 0 || quote.length < K + STEP - 1) return anchorQuote(this.text, quote, occurrence);
    const found = this.occurrences(quote);
    if (found.length === 0) return { ok: false, reason: 'NOT_FOUND' };
    if (occurrence === undefined && found.length > 1) return { ok: false, reason: 'AMBIGUOUS', occurrences: found.length };
    const index = found[(occurrence ?? 1) - 1];
    if (index === undefined) return { ok: false, reason: 'NO_SUCH_OCCURRENCE', occurrences: found.length };
    return { ok: true, anchor: anchorAt(this.text, index, quote, this.codePointOffset(index)) };
  }

  /** UTF-16 indexes where `quote` starts, overlapping ones included, in increasing order. */
  private occurrences(quote: string): number[] {
    // For each offset modulo STEP, the piece of the quote at such an offset whose bucket is
    // smallest: an occurrence starting at `at` is listed under the piece at the offsets j with
    // (at + j) % STEP === 0, so each occurrence is found by exactly one of these lookups.
    const best = new Array<number>(STEP).fill(0);
    const bestSize = new Array<number>(STEP).fill(Infinity);
    let hash = 0;
    for (let i = 0; i < quote.length; i++) {
      hash = this.roll(hash, quote.charCodeAt(i), i >= K ? quote.charCodeAt(i - K) : -1);
      const j = i - K + 1;
      if (j < 0) continue;
      const bucket = this.bucketOf(hash);
      const size = this.starts[bucket + 1]! - this.starts[bucket]!;
      if (size < bestSize[j % STEP]!) {
        bestSize[j % STEP] = size;
        best[j % STEP] = j;
      }
    }
    const found: number[] = [];
    for (const j of best) {
      let pieceHash = 0;
      for (let i = j; i < j + K; i++) pieceHash = this.roll(pieceHash, quote.charCodeAt(i), -1);
      const bucket = this.bucketOf(pieceHash);
      for (let b = this.starts[bucket]!; b < this.starts[bucket + 1]!; b++) {
        const at = this.positions[b]! - j;
        if (at >= 0 && this.text.startsWith(quote, at)) found.push(at);
      }
    }
    return found.sort((a, b) => a - b);
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
