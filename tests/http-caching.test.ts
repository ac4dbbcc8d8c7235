/**
 * HTTP caching of GET queries: an unchanged anonymous GET answers 304 to its ETag without running
 * the query; any write changes the tag (200 with the new answer); requests with a token are
 * private and untagged; answers with errors are never tagged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixture, type WriteFixture } from './helpers.ts';

let f: WriteFixture;

const QUERY = '{ events(first: 3, orderBy: DATE_DESC) { totalCount nodes { slug } } }';
const url = (query: string, variables?: Record<string, unknown>) =>
  `http://test/graphql?query=${encodeURIComponent(query)}${variables ? `&variables=${encodeURIComponent(JSON.stringify(variables))}` : ''}`;

async function get(target: string, headers: Record<string, string> = {}) {
  return f.api.app.fetch(target, { headers: { accept: 'application/graphql-response+json', ...headers } });
}

beforeAll(async () => {
  f = await writeFixture();
});
afterAll(() => f.close());

describe('GET query caching', () => {
  it('answers an unchanged GET query 304 to its ETag, without running it', async () => {
    const first = await get(url(QUERY));
    expect(first.status).toBe(200);
    const tag = first.headers.get('etag');
    expect(tag).toMatch(/^W\/".+"$/);
    expect(first.headers.get('cache-control')).toBe('public, max-age=0, must-revalidate');
    expect(first.headers.get('vary')).toMatch(/Authorization/);
    const before = (await first.json()) as { data: { events: { totalCount: number } } };

    f.api.resetStatements();
    const again = await get(url(QUERY), { 'if-none-match': tag ?? '' });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(tag);
    expect(await again.text()).toBe('');
    // Only the last-write marker was read: the query did not run.
    expect(f.api.statements.filter((s) => /from "?events"?/.test(s))).toEqual([]);

    // Other variables or another document: another tag.
    const other = await get(url('query($n: Int) { events(first: $n) { totalCount } }', { n: 2 }), { 'if-none-match': tag ?? '' });
    expect(other.status).toBe(200);
    expect(other.headers.get('etag')).not.toBe(tag);

    // A write: the same GET is answered afresh, with the new data and a new tag.
    const day = '2031-01-01';
    const written = await f.api.query<{ createEvent: { __typename: string } }>(
      `mutation($input: CreateEventInput!) { createEvent(input: $input) { __typename } }`,
      {
        input: {
          slug: 'cache-buster', title: 'An event after the tag', kind: 'ATTACK', confidence: 50,
          date: { text: day, earliest: day, latest: day, precision: 'DAY' },
          citations: [{ source: 'globely-news-isis-k-long-reach', quote: 'ISIS-K' , occurrence: 1 }],
        },
      },
      { token: f.tokens.analyst },
    );
    expect(written.data?.createEvent.__typename).toBe('MutationCreateEventSuccess');
    const after = await get(url(QUERY), { 'if-none-match': tag ?? '' });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(tag);
    const body = (await after.json()) as { data: { events: { totalCount: number; nodes: { slug: string }[] } } };
    expect(body.data.events.totalCount).toBe(before.data.events.totalCount + 1);
    expect(body.data.events.nodes[0]?.slug).toBe('cache-buster');
  });

  it('keeps requests with a token private and untagged', async () => {
    const response = await get(url(QUERY), { authorization: `Bearer ${f.tokens.viewer}` });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBeNull();
    expect(response.headers.get('cache-control')).toBe('private, no-cache');
    expect(response.headers.get('vary')).toMatch(/Authorization/);
  });

  it('never tags an answer with errors', async () => {
    const response = await get(url('{ events(first: 2, after: "forged") { totalCount } }'));
    expect(response.headers.get('etag')).toBeNull();
    expect(response.headers.get('cache-control')).toBe('no-store');
  });
});
