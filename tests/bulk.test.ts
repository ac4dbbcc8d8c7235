/**
 * The bulk loader's parts: QuoteFinder answers as anchorQuote does; the CSV reader gives the same
 * records however the text is cut into chunks; the per-statement citation check refuses a wrong
 * quote or context in long and non-ASCII texts, where it maps code points to bytes chunk by chunk.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchorQuote } from '../src/citations/anchor.ts';
import { copyText } from '../src/db/copy.ts';
import { QuoteFinder } from '../src/domain/bulk/quote-finder.ts';
import { keepFinder, keptFinder } from '../src/domain/sources/long-texts.ts';
import { loadSeed } from '../src/domain/knowledge/seed.ts';
import { sha256Hex } from '../src/domain/sources/sources.ts';
import { CsvReader, parseCsv } from '../src/import/csv.ts';
import { scratchDatabase } from './helpers.ts';

describe('QuoteFinder', () => {
  it('finds every quote as anchorQuote does, in texts with surrogate pairs and repeats', () => {
    let seed = 7;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) / 0x7fffffff;
    const pieces = ['a', 'b', ' ', 'c', '😀', 'é', 'x', 'ab', 'Kabul '];
    for (let t = 0; t < 60; t++) {
      let text = '';
      const length = 20 + Math.floor(random() * 4000);
      while (text.length < length) text += pieces[Math.floor(random() * pieces.length)];
      const finder = new QuoteFinder(text, { indexFromLength: 0 });
      for (let q = 0; q < 40; q++) {
        const at = Math.floor(random() * (text.length - 2));
        const quote = random() < 0.1 ? 'never in the text' : text.slice(at, at + 1 + Math.floor(random() * 40));
        const occurrence = random() < 0.3 ? 1 + Math.floor(random() * 3) : undefined;
        expect(finder.find(quote, occurrence)).toEqual(anchorQuote(text, quote, occurrence));
      }
    }
  });
});

describe('long texts kept for single cited writes', () => {
  it('keeps finders by text hash up to a bound, dropping the least recently used', () => {
    // 9 Mi units each: two do not fit the 16 Mi bound together.
    const first = `${'a'.repeat(9 * 1024 * 1024)} first`;
    const second = `${'b'.repeat(9 * 1024 * 1024)} second`;
    const kept = keepFinder('hash-of-first', first);
    expect(kept.find('a first')).toEqual(anchorQuote(first, 'a first'));
    expect(keptFinder('hash-of-first')).toBe(kept);
    keepFinder('hash-of-second', second);
    expect(keptFinder('hash-of-first')).toBeUndefined();
    expect(keptFinder('hash-of-second')?.text).toBe(second);
    // A text longer than the bound is indexed for the write at hand and not kept.
    const huge = 'c'.repeat(17 * 1024 * 1024);
    expect(keepFinder('hash-of-huge', huge).find('cc c')).toEqual({ ok: false, reason: 'NOT_FOUND' });
    expect(keptFinder('hash-of-huge')).toBeUndefined();
    expect(keptFinder('hash-of-second')?.text).toBe(second);
  });
});

describe('CsvReader', () => {
  it('gives the same records whatever the chunks', () => {
    const text = 'a,b\r\n"x""y",2\r\n\r\n"multi\nline",3\n"q""",4';
    const whole = parseCsv(text);
    expect(whole.map((r) => r.line)).toEqual([1, 2, 4, 6]);
    for (let size = 1; size < 8; size++) {
      const reader = new CsvReader();
      const records = [];
      for (let i = 0; i < text.length; i += size) records.push(...reader.push(text.slice(i, i + size)));
      records.push(...reader.end());
      expect(records).toEqual(whole);
    }
  });
});

describe('the citation check, per statement', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let sourceId = 0;
  // Over 3 KB of multi-byte text, so quotes sit in later 1,024-byte chunks and across their edges.
  const text = Array.from({ length: 120 }, (_, i) => `Šíp ${i} 😀 zasáhl cíl ${i}.`).join(' ');
  const at = (quote: string) => {
    const result = anchorQuote(text, quote);
    if (!result.ok) throw new Error(quote);
    return result.anchor;
  };
  beforeAll(async () => {
    scratch = await scratchDatabase();
    await loadSeed(scratch.handle.db);
    const [row] = await scratch.handle.sql<{ id: number }[]>`
      insert into sources (slug, publisher, text, text_sha256) values ('long-czech', 'Test', ${text}, ${sha256Hex(text)}) returning id`;
    sourceId = row!.id;
  });
  afterAll(() => scratch.drop());

  const insert = (anchors: { quote: string; startOffset: number; endOffset: number; prefix: string; suffix: string }[]) =>
    scratch.handle.sql`insert into citations ${scratch.handle.sql(anchors.map((a) => ({ source_id: sourceId, quote: a.quote, start_offset: a.startOffset, end_offset: a.endOffset, prefix: a.prefix, suffix: a.suffix })))}`;

  it('accepts many right citations of a long text in one statement', async () => {
    const anchors = Array.from({ length: 120 }, (_, i) => at(`Šíp ${i} 😀 zasáhl cíl ${i}.`));
    await expect(insert(anchors)).resolves.toBeDefined();
  });

  it('refuses a quote that is not the text at its offsets, and a wrong context, writing none of the statement', async () => {
    const right = at('😀 zasáhl cíl 101.');
    const shifted = { ...at('😀 zasáhl cíl 102.'), quote: '😀 zasáhl cíl 10X.' };
    await expect(insert([right, shifted])).rejects.toThrow(/is not the text of source/);
    await expect(insert([{ ...at('😀 zasáhl cíl 103.'), prefix: 'not what precedes it' }])).rejects.toThrow(/is not the text around it/);
    await expect(insert([{ ...at('😀 zasáhl cíl 104.'), suffix: ' Šíp 105 😀 zasáhl cíl 106' }])).rejects.toThrow(/is not the text around it/);
    // The same spans, right, pass: what was refused was the quote or its context, not the span.
    await expect(insert([right, at('😀 zasáhl cíl 102.'), at('😀 zasáhl cíl 103.')])).resolves.toBeDefined();
    const [count] = await scratch.handle.sql`select count(*)::int as n from citations where source_id = ${sourceId}`;
    expect(count).toEqual({ n: 123 });
  });

  it('refuses, in a short text, a context that runs off either end of it', async () => {
    const short = 'Šíp 😀 zasáhl cíl. Arrow hit.';
    const [row] = await scratch.handle.sql<{ id: number }[]>`
      insert into sources (slug, publisher, text, text_sha256) values ('short-czech', 'Test', ${short}, ${sha256Hex(short)}) returning id`;
    const cite = (quote: string, startOffset: number, prefix: string, suffix: string) =>
      scratch.handle.sql`insert into citations (source_id, quote, start_offset, end_offset, prefix, suffix)
        values (${row!.id}, ${quote}, ${startOffset}, ${startOffset + [...quote].length}, ${prefix}, ${suffix})`;
    // The first code points, with a prefix the text does not have before its start.
    await expect(cite('Šíp 😀', 0, 'x', ' zasáhl')).rejects.toThrow(/is not the text around it/);
    // The last ones, with a suffix longer than what follows them (its start is right).
    await expect(cite('hit.', 24, 'Arrow ', ' more')).rejects.toThrow(/is not the text around it/);
    await expect(cite('hit.', 24, 'Arrow ', '')).resolves.toBeDefined();
    await expect(cite('Šíp 😀', 0, '', ' zasáhl')).resolves.toBeDefined();
    // A quote one code point off, after the emoji (two UTF-16 units, one code point).
    await expect(cite('zasáhl', 5, 'Šíp 😀', ' cíl')).rejects.toThrow(/is not the text of source/);
    await expect(cite('zasáhl', 6, 'Šíp 😀 ', ' cíl')).resolves.toBeDefined();
  });

  it('checks a text over 16 KB by chunks, where one-byte and multi-byte chunks alternate', async () => {
    // Mostly one-byte sentences with a multi-byte one every fiftieth: many 1,024-byte chunks are all
    // one-byte characters (offsets map by addition), others are not (decoded again), and quotes
    // straddle the chunk edges.
    const mixed = Array.from({ length: 420 }, (_, i) => (i % 50 === 0 ? `Šíp ${i} 😀 zasáhl cíl ${i}.` : `Arrow ${i} hit the target ${i} by the river.`)).join(' ');
    expect(new TextEncoder().encode(mixed).length).toBeGreaterThan(16_384);
    const [row] = await scratch.handle.sql<{ id: number }[]>`
      insert into sources (slug, publisher, text, text_sha256) values ('long-mixed', 'Test', ${mixed}, ${sha256Hex(mixed)}) returning id`;
    const anchored = (quote: string) => {
      const result = anchorQuote(mixed, quote);
      if (!result.ok) throw new Error(quote);
      return { ...result.anchor, source_id: row!.id };
    };
    const cite = (anchors: ReturnType<typeof anchored>[]) =>
      scratch.handle.sql`insert into citations ${scratch.handle.sql(anchors.map((a) => ({ source_id: a.source_id, quote: a.quote, start_offset: a.startOffset, end_offset: a.endOffset, prefix: a.prefix, suffix: a.suffix })))}`;
    const sentences = Array.from({ length: 420 }, (_, i) => (i % 50 === 0 ? `Šíp ${i} 😀 zasáhl cíl ${i}.` : `Arrow ${i} hit the target ${i} by the river.`));
    // All but 400–404 (a citation's span is unique: those are for the wrong ones below).
    const held = (i: number) => i >= 400 && i <= 404;
    await expect(cite(sentences.filter((_, i) => !held(i)).map(anchored))).resolves.toBeDefined();
    // Wrong, one at a time, late in the text: a quote one code point off, in a one-byte stretch and
    // in a multi-byte one; a wrong prefix; a wrong suffix.
    const late = anchored('Arrow 401 hit the target 401 by the river.');
    await expect(cite([{ ...late, startOffset: late.startOffset + 1, endOffset: late.endOffset + 1 }])).rejects.toThrow(/is not the text of source/);
    const czech = anchored('Šíp 400 😀 zasáhl cíl 400.');
    await expect(cite([{ ...czech, startOffset: czech.startOffset - 1, endOffset: czech.endOffset - 1 }])).rejects.toThrow(/is not the text of source/);
    await expect(cite([{ ...late, prefix: 'x' }])).rejects.toThrow(/is not the text around it/);
    await expect(cite([{ ...czech, suffix: ' Arrow 402' }])).rejects.toThrow(/is not the text around it/);
    await expect(cite(sentences.filter((_, i) => held(i)).map(anchored))).resolves.toBeDefined();
    const [count] = await scratch.handle.sql`select count(*)::int as n from citations where source_id = ${row!.id}`;
    expect(count).toEqual({ n: 420 });
  });

  it("keeps a long text's chunk map with the text, follows a changed text, and checks without a map or with another text's", async () => {
    const sentences = Array.from({ length: 420 }, (_, i) => (i % 50 === 0 ? `Šíp ${i} 😀 zasáhl cíl ${i}.` : `Arrow ${i} hit the target ${i} by the river.`));
    const first = sentences.join(' ');
    // A multi-byte preface: every later code point sits at a different byte than in the first text.
    const second = `Předmluva 😀 úvod. ${first}`;
    const sql = scratch.handle.sql;
    const [row] = await sql<{ id: number }[]>`
      insert into sources (slug, publisher, text, text_sha256) values ('long-draft', 'Test', ${first}, ${sha256Hex(first)}) returning id`;
    const id = row!.id;
    const mapHash = async () => (await sql<{ text_sha256: string }[]>`select text_sha256 from source_text_maps where source_id = ${id}`)[0]?.text_sha256;
    expect(await mapHash()).toBe(sha256Hex(first));
    // Nothing cites it yet, so its text may change; the map follows.
    await sql`update sources set text = ${second}, text_sha256 = ${sha256Hex(second)} where id = ${id}`;
    expect(await mapHash()).toBe(sha256Hex(second));
    const anchoredIn = (text: string, quote: string) => {
      const result = anchorQuote(text, quote);
      if (!result.ok) throw new Error(quote);
      return result.anchor;
    };
    const cite = (a: ReturnType<typeof anchoredIn>) =>
      sql`insert into citations (source_id, quote, start_offset, end_offset, prefix, suffix) values (${id}, ${a.quote}, ${a.startOffset}, ${a.endOffset}, ${a.prefix}, ${a.suffix})`;
    const quote = (i: number) => sentences[i]!;
    const rightAndWrong = async (i: number) => {
      // The same quote at the first text's offsets is not the second text there.
      await expect(sql.begin((tx) => tx`insert into citations (source_id, quote, start_offset, end_offset, prefix, suffix)
        select ${id}, ${quote(i)}, ${anchoredIn(first, quote(i)).startOffset}, ${anchoredIn(first, quote(i)).endOffset}, '', ''`)).rejects.toThrow(/is not the text of source/);
      await expect(cite(anchoredIn(second, quote(i)))).resolves.toBeDefined();
    };
    await rightAndWrong(301);
    // Without a map the statement maps the text itself.
    await sql`delete from source_text_maps where source_id = ${id}`;
    await rightAndWrong(350);
    // A map of another text (the first, under its own hash) is not used for this one.
    await sql`insert into source_text_maps (source_id, text_sha256, points, starts, ends, single_byte)
      select ${id}, ${sha256Hex(first)}, m.points, m.starts, m.ends, m.single_byte from source_text_map(convert_to(${first}::text, 'UTF8')) m`;
    await rightAndWrong(402);
  });

  it('copyText sends a long text intact, a surrogate pair astride its 64 KB pieces, tabs, newlines and backslashes included', async () => {
    const long = `${'a'.repeat(65_535)}😀\t\\N\r\n${'ž'.repeat(70_000)}😀${'b'.repeat(65_533)}😀`;
    const value = await scratch.handle.sql.begin(async (tx) => {
      await tx.unsafe('create temp table copied (text text) on commit drop');
      await copyText(tx, 'copied', 'text', long);
      return (await tx<{ text: string }[]>`select text from copied`)[0]?.text;
    });
    expect(value).toBe(long);
  });
});
