/** addSource and addCitation: quotes located by the server, typed errors, idempotency. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableCounts, writeFixture, type WriteFixture } from './helpers.ts';

let f: WriteFixture;
beforeAll(async () => {
  f = await writeFixture();
});
afterAll(() => f.close());

const ADD_SOURCE = `mutation($input: AddSourceInput!, $key: String) {
  addSource(input: $input, idempotencyKey: $key) {
    __typename
    ... on MutationAddSourceSuccess { data { id slug publisher textSha256 publishedOn { precision earliest } } }
    ... on UserError { message path }
  }
}`;
const ADD_CITATION = `mutation($input: AddCitationInput!, $key: String) {
  addCitation(input: $input, idempotencyKey: $key) {
    __typename
    ... on MutationAddCitationSuccess { data { id quote startOffset endOffset prefix suffix source { slug } } }
    ... on UserError { message path }
    ... on AmbiguousQuoteError { occurrences source }
    ... on QuoteNotFoundError { source }
  }
}`;

const text = 'Über 😀 the group struck twice. The group denied it. Officials said the group struck again.';
const source = { slug: 'test-wire-report', publisher: 'Test Wire', text, published: { text: 'May 2024', earliest: '2024-05-01', latest: '2024-05-31', precision: 'MONTH' } };

describe('addSource / addCitation', () => {
  it('stores a source for an analyst and finds a quote at code-point offsets', async () => {
    const added = await f.api.query(ADD_SOURCE, { input: source }, { token: f.tokens.analyst });
    expect(added.data).toMatchObject({
      addSource: { __typename: 'MutationAddSourceSuccess', data: { slug: 'test-wire-report', publishedOn: { precision: 'MONTH', earliest: '2024-05-01' } } },
    });
    const cited = await f.api.query(ADD_CITATION, { input: { source: 'test-wire-report', quote: 'denied it' } }, { token: f.tokens.analyst });
    // "Über 😀 the group struck twice. The group " is 41 code points, 42 UTF-16 units (the emoji is one).
    expect(cited.data).toMatchObject({
      addCitation: { __typename: 'MutationAddCitationSuccess', data: { quote: 'denied it', startOffset: 41, endOffset: 50, source: { slug: 'test-wire-report' } } },
    });
    const again = await f.api.query(ADD_CITATION, { input: { source: 'test-wire-report', quote: 'denied it' } }, { token: f.tokens.analyst });
    expect((again.data?.addCitation as { data: { id: string } }).data.id).toBe((cited.data?.addCitation as { data: { id: string } }).data.id);
  });

  it('refuses a quote that is not in the text, changing nothing', async () => {
    const before = await tableCounts(f.scratch.handle.sql);
    const response = await f.api.query(ADD_CITATION, { input: { source: 'test-wire-report', quote: 'denied everything' } }, { token: f.tokens.analyst });
    expect(response.data?.addCitation).toEqual({
      __typename: 'QuoteNotFoundError',
      message: 'quote "denied everything" does not occur in source "test-wire-report"',
      path: ['input', 'quote'],
      source: 'test-wire-report',
    });
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  });

  it('refuses an ambiguous quote unless its occurrence is given', async () => {
    const before = await tableCounts(f.scratch.handle.sql);
    const ambiguous = await f.api.query(ADD_CITATION, { input: { source: 'test-wire-report', quote: 'the group struck' } }, { token: f.tokens.analyst });
    expect(ambiguous.data?.addCitation).toMatchObject({ __typename: 'AmbiguousQuoteError', occurrences: 2, path: ['input', 'quote'] });
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
    const second = await f.api.query(ADD_CITATION, { input: { source: 'test-wire-report', quote: 'the group struck', occurrence: 2 } }, { token: f.tokens.analyst });
    expect(second.data?.addCitation).toMatchObject({ data: { startOffset: 67 } });
    const third = await f.api.query(ADD_CITATION, { input: { source: 'test-wire-report', quote: 'the group struck', occurrence: 3 } }, { token: f.tokens.analyst });
    expect(third.data?.addCitation).toMatchObject({ __typename: 'ValidationError', path: ['input', 'occurrence'] });
  });

  it('finds quotes in a long source from an index kept by its hash, and follows a changed text', async () => {
    // Longer than LONG_TEXT_BYTES, so the text stays in PostgreSQL once this process has indexed it.
    const lines = Array.from({ length: 900 }, (_, i) => `Line ${i}: the Über group 😀 acted near the river.`);
    const long = { slug: 'long-wire-report', publisher: 'Test Wire', text: lines.join(' ') };
    expect((await f.api.query(ADD_SOURCE, { input: long }, { token: f.tokens.analyst })).data).toMatchObject({ addSource: { __typename: 'MutationAddSourceSuccess' } });
    const offsetOf = (i: number) => Array.from(lines.slice(0, i).join(' ')).length + (i > 0 ? 1 : 0);

    f.api.resetStatements();
    const first = await f.api.query(ADD_CITATION, { input: { source: long.slug, quote: lines[700] } }, { token: f.tokens.analyst });
    expect(first.data?.addCitation).toMatchObject({ data: { startOffset: offsetOf(700), endOffset: offsetOf(700) + Array.from(lines[700]!).length, prefix: Array.from(lines[699]!).slice(-31).join('') + ' ' } });
    const readsText = (statements: string[]) => statements.some((s) => /select "text" from "sources"/.test(s));
    expect(readsText(f.api.statements)).toBe(true);
    f.api.resetStatements();
    const second = await f.api.query(ADD_CITATION, { input: { source: long.slug, quote: lines[800] } }, { token: f.tokens.analyst });
    expect(second.data?.addCitation).toMatchObject({ data: { startOffset: offsetOf(800) } });
    expect(readsText(f.api.statements)).toBe(false);
    const ambiguous = await f.api.query(ADD_CITATION, { input: { source: long.slug, quote: 'acted near the river' } }, { token: f.tokens.analyst });
    expect(ambiguous.data?.addCitation).toMatchObject({ __typename: 'AmbiguousQuoteError', occurrences: 900 });
    const missing = await f.api.query(ADD_CITATION, { input: { source: long.slug, quote: 'Line 900: the Über group' } }, { token: f.tokens.analyst });
    expect(missing.data?.addCitation).toMatchObject({ __typename: 'QuoteNotFoundError' });

    // A source nobody cites yet may still change its text; the kept index is of the old text's hash.
    const uncited = { ...long, slug: 'long-draft-report' };
    await f.api.query(ADD_SOURCE, { input: uncited }, { token: f.tokens.analyst });
    const changed = ['Preface: a new first line.', ...lines.slice(0, 899), 'Line 900: the Über group 😀 acted near the river.'].join(' ');
    await f.scratch.handle.sql`update sources set text = ${changed}, text_sha256 = encode(sha256(convert_to(${changed}, 'UTF8')), 'hex') where slug = ${uncited.slug}`;
    const moved = await f.api.query(ADD_CITATION, { input: { source: uncited.slug, quote: lines[800] } }, { token: f.tokens.analyst });
    expect(moved.data?.addCitation).toMatchObject({ data: { startOffset: offsetOf(800) + Array.from('Preface: a new first line. ').length } });
    const added = await f.api.query(ADD_CITATION, { input: { source: uncited.slug, quote: 'Line 900: the Über group' } }, { token: f.tokens.analyst });
    expect(added.data?.addCitation).toMatchObject({ __typename: 'MutationAddCitationSuccess' });
  });

  it('refuses bad input with the field at fault', async () => {
    const before = await tableCounts(f.scratch.handle.sql);
    const badSlug = await f.api.query(ADD_SOURCE, { input: { ...source, slug: 'Not A Slug' } }, { token: f.tokens.analyst });
    expect(badSlug.data?.addSource).toMatchObject({ __typename: 'ValidationError', path: ['input', 'slug'] });
    const badDate = await f.api.query(ADD_SOURCE, { input: { ...source, slug: 'x', published: { earliest: '2024-06-01', latest: '2024-05-01', precision: 'RANGE' } } }, { token: f.tokens.analyst });
    expect(badDate.data?.addSource).toMatchObject({ __typename: 'ValidationError', message: expect.stringMatching(/earliest must not be after latest/) });
    // Another source under a taken slug (the same request again would be a replay: tests/implicit-idempotency.test.ts).
    const taken = await f.api.query(ADD_SOURCE, { input: { ...source, publisher: 'Another Wire' } }, { token: f.tokens.analyst });
    expect(taken.data?.addSource).toMatchObject({ __typename: 'ConflictError', path: ['input', 'slug'] });
    const missing = await f.api.query(ADD_CITATION, { input: { source: 'no-such-source', quote: 'x' } }, { token: f.tokens.analyst });
    expect(missing.data?.addCitation).toMatchObject({ __typename: 'NotFoundError', path: ['input', 'source'] });
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  });

  it('refuses anonymous clients and viewers with a ForbiddenError', async () => {
    const before = await tableCounts(f.scratch.handle.sql);
    const anonymous = await f.api.query(ADD_SOURCE, { input: { ...source, slug: 'anon' } });
    expect(anonymous.data?.addSource).toMatchObject({ __typename: 'ForbiddenError', message: 'Mutation.addSource needs an API token (Authorization: Bearer ...)' });
    const viewer = await f.api.query(ADD_SOURCE, { input: { ...source, slug: 'viewer' } }, { token: f.tokens.viewer });
    expect(viewer.data?.addSource).toMatchObject({ __typename: 'ForbiddenError', message: 'Mutation.addSource is not allowed for role "viewer"' });
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  });

  it('replays a retried write and refuses a reused idempotency key', async () => {
    const input = { ...source, slug: 'retried-source' };
    const first = await f.api.query(ADD_SOURCE, { input, key: 'k-1' }, { token: f.tokens.analyst });
    const afterFirst = await tableCounts(f.scratch.handle.sql);
    const retry = await f.api.query(ADD_SOURCE, { input, key: 'k-1' }, { token: f.tokens.analyst });
    expect(retry.data).toEqual(first.data);
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(afterFirst);
    const reused = await f.api.query(ADD_SOURCE, { input: { ...input, slug: 'other-source' }, key: 'k-1' }, { token: f.tokens.analyst });
    expect(reused.data?.addSource).toMatchObject({ __typename: 'ConflictError', path: ['idempotencyKey'] });
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(afterFirst);
  });
});
