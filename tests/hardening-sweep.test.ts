/**
 * Inputs a hardening sweep found still reaching PostgreSQL or a library unchecked: each is now
 * refused as the client's error (BAD_USER_INPUT or a typed error naming the input path), and the
 * data is left as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASUALTY_LIMIT } from '../src/domain/limits.ts';
import { tableCounts, writeFixture, type WriteFixture } from './helpers.ts';

let f: WriteFixture;
const SOURCE = 'sweep-dispatch';
const QUOTE = 'Gunmen attacked a checkpoint near Jalalabad on 2 May 2024, killing at least 7 soldiers.';

beforeAll(async () => {
  f = await writeFixture();
  const added = await f.api.query(`mutation($i: AddSourceInput!) { addSource(input: $i) { __typename } }`, {
    i: { slug: SOURCE, publisher: 'Sweep Dispatch', text: `${QUOTE} ISIS-K claimed the attack.` },
  }, { token: f.tokens.analyst });
  expect(added.data).toEqual({ addSource: { __typename: 'MutationAddSourceSuccess' } });
}, 120_000);
afterAll(() => f.close());

const CREATE_EVENT = `mutation($input: CreateEventInput!) {
  createEvent(input: $input) { __typename ... on UserError { message path } }
}`;

const event = (slug: string, over: Record<string, unknown>) => ({
  slug,
  title: 'Attack on a checkpoint near Jalalabad',
  kind: 'ATTACK',
  date: { text: '2 May 2024', earliest: '2024-05-02', latest: '2024-05-02', precision: 'DAY' },
  place: 'afghanistan',
  confidence: 90,
  citations: [{ source: SOURCE, quote: QUOTE }],
  ...over,
});

describe('casualty figures are bounded', () => {
  it('parts whose sum overflows an integer are a ValidationError naming the parts, not an internal error', async () => {
    const before = await tableCounts(f.scratch.handle.sql);
    const response = await f.api.query(CREATE_EVENT, {
      input: event('overflowing-parts', {
        killed: { text: 'x', parts: [{ category: 'CIVILIANS', low: 2_000_000_000, text: 'a' }, { category: 'UNKNOWN', low: 2_000_000_000, text: 'b' }] },
      }),
    }, { token: f.tokens.analyst });
    expect(response.errors).toBeUndefined();
    expect(response.data?.createEvent).toMatchObject({ __typename: 'ValidationError', path: ['input', 'killed', 'parts', '0', 'low'] });
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  });

  it('parts each within the limit but summing past it are refused at input.killed.parts', async () => {
    const before = await tableCounts(f.scratch.handle.sql);
    const response = await f.api.query(CREATE_EVENT, {
      input: event('summing-parts', {
        wounded: { text: 'x', parts: [{ category: 'CIVILIANS', low: CASUALTY_LIMIT, text: 'a' }, { category: 'UNKNOWN', low: 1, text: 'b' }] },
      }),
    }, { token: f.tokens.analyst });
    expect(response.data?.createEvent).toMatchObject({
      __typename: 'ValidationError',
      path: ['input', 'wounded', 'parts'],
      message: expect.stringMatching(/add up to 10000001, more than a figure may be/),
    });
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  });

  it('a figure past the limit is refused, so the dashboards summing it keep answering', async () => {
    const before = await tableCounts(f.scratch.handle.sql);
    for (const [i, killed] of [{ low: 2_147_483_647, text: 'x' }, { low: 1, high: CASUALTY_LIMIT + 1, text: 'x' }].entries()) {
      const response = await f.api.query(CREATE_EVENT, { input: event(`huge-toll-${i}`, { killed }) }, { token: f.tokens.analyst });
      expect(response.data?.createEvent).toMatchObject({ __typename: 'ValidationError', message: expect.stringMatching(/at most 10,000,000/) });
    }
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
    // Before the limit two such events made every sum overflow PostgreSQL's integer: an internal error.
    const stats = await f.api.query(`{ eventStats { events killed { min } } timeline(interval: YEAR) { buckets { events } } }`);
    expect(stats.errors).toBeUndefined();
  });
});

