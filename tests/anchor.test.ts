/** anchorQuote's context (prefix/suffix) is taken from a window; it must equal the whole-text definition. */
import { describe, expect, it } from 'vitest';
import { anchorQuote, anchorSpans, CONTEXT_LENGTH } from '../src/citations/anchor.ts';

describe('anchorQuote context', () => {
  it('matches the code-point slices of the whole text, surrogate pairs included', () => {
    const alphabet = ['a', '😀', 'é', '𝄞', ' ', 'b'];
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 2000; trial++) {
      const chars = Array.from({ length: 20 + Math.floor(random() * 200) }, () => alphabet[Math.floor(random() * alphabet.length)] ?? 'a');
      const text = chars.join('');
      const start = Math.floor(random() * (chars.length - 5));
      const quote = chars.slice(start, start + 1 + Math.floor(random() * 5)).join('');
      const result = anchorQuote(text, quote, 1);
      if (!result.ok) throw new Error(`"${quote}" not found in its own text`);
      const points = Array.from(text);
      const { startOffset, endOffset, prefix, suffix } = result.anchor;
      expect(points.slice(startOffset, endOffset).join('')).toBe(quote);
      expect(prefix).toBe(points.slice(Math.max(0, startOffset - CONTEXT_LENGTH), startOffset).join(''));
      expect(suffix).toBe(points.slice(endOffset, endOffset + CONTEXT_LENGTH).join(''));
    }
  });
});

describe('anchorSpans', () => {
  it('cuts each span and its context at code-point offsets, with and without surrogate pairs', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const alphabet of [['a', 'é', ' ', 'b', ':'], ['a', '😀', 'é', '𝄞', ' ', 'b']]) {
      for (let trial = 0; trial < 500; trial++) {
        const points = Array.from({ length: 1 + Math.floor(random() * 150) }, () => alphabet[Math.floor(random() * alphabet.length)] ?? 'a');
        const spans = Array.from({ length: 4 }, () => {
          const start = Math.floor(random() * points.length);
          return [start, start + Math.floor(random() * (points.length - start + 1))] as const;
        });
        const anchors = anchorSpans(points.join(''), spans);
        anchors.forEach((a, i) => {
          const [start, end] = spans[i]!;
          expect(a).toEqual({
            quote: points.slice(start, end).join(''),
            startOffset: start,
            endOffset: end,
            prefix: points.slice(Math.max(0, start - CONTEXT_LENGTH), start).join(''),
            suffix: points.slice(end, end + CONTEXT_LENGTH).join(''),
          });
        });
      }
    }
  });
});
