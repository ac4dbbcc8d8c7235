/** Full-text search over the seeded article. */
import { afterAll, describe, expect, it } from 'vitest';
import { openApi } from './helpers.ts';

const api = openApi();
afterAll(() => api.close());

interface Hit {
  kind: string;
  rank: number;
  snippet: string;
  actor: { slug: string } | null;
  event: { slug: string } | null;
  source: { slug: string } | null;
  citation: { quote: string } | null;
}

const HIT = `kind rank snippet actor { slug } event { slug } source { slug } citation { quote }`;

async function search(args: string): Promise<Hit[]> {
  const r = await api.query<{ search: Hit[] }>(`{ search(${args}) { ${HIT} } }`);
  expect(r.errors).toBeUndefined();
  return r.data!.search;
}

describe('search', () => {
  it('finds actors by alias, with the match highlighted', async () => {
    const hits = await search(`query: "ISIS-K", types: [ACTOR]`);
    expect(hits[0]).toMatchObject({ kind: 'ACTOR', actor: { slug: 'isis-k' }, event: null, source: null, citation: null });
    expect(hits[0]?.snippet).toContain('<mark>ISIS</mark>');
  });

  it('ranks across kinds, typed hits, best first, with stemming', async () => {
    const hits = await search(`query: "Kerman", first: 50`);
    const kinds = new Set(hits.map((h) => h.kind));
    expect(kinds).toContain('EVENT');
    expect(kinds).toContain('CITATION');
    expect(kinds).toContain('SOURCE');
    expect(hits.find((h) => h.kind === 'EVENT')?.event?.slug).toBe('kerman-memorial-bombings');
    for (const hit of hits.filter((h) => h.kind === 'CITATION')) {
      expect(hit.citation?.quote).toMatch(/Kerman/);
      expect(hit.snippet).toMatch(/<mark>Kerman<\/mark>/);
    }
    const ranks = hits.map((h) => h.rank);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    // "blast" finds the article's "suicide blasts" (stemming); both words must match.
    const stemmed = await search(`query: "blast Kerman", types: [CITATION]`);
    expect(stemmed.length).toBeGreaterThan(0);
    expect(stemmed.every((h) => /blasts in Kerman/.test(h.citation?.quote ?? ''))).toBe(true);
    expect(stemmed[0]?.snippet).toContain('<mark>blasts</mark>');
  });

  it('honours types and first, and finds nothing for words the article lacks', async () => {
    const hits = await search(`query: "Taliban", types: [CITATION], first: 3`);
    expect(hits).toHaveLength(3);
    expect(hits.every((h) => h.kind === 'CITATION' && /Taliban/i.test(h.citation?.quote ?? ''))).toBe(true);
    expect(await search(`query: "xylophone"`)).toEqual([]);
  });

  it('escapes the text around the highlights', async () => {
    const hits = await search(`query: "Moscow", types: [SOURCE]`);
    expect(hits[0]?.source?.slug).toBe('globely-news-isis-k-long-reach');
    expect(hits[0]?.snippet.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
  });

  it('refuses a blank query, a bad first and an empty type list', async () => {
    for (const [args, argument] of [
      ['query: "  "', 'query'],
      ['query: "isis", first: 51', 'first'],
      ['query: "isis", types: []', 'types'],
    ] as const) {
      const r = await api.query(`{ search(${args}) { kind } }`);
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    }
  });

  it('costs one statement, plus one per kind of record shown', async () => {
    api.resetStatements();
    const hits = await search(`query: "Kerman OR ISIS-K", first: 50`);
    expect(new Set(hits.map((h) => h.kind)).size).toBe(4);
    expect(api.statements).toHaveLength(1 + 4);
  });
});
