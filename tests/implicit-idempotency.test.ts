/**
 * Writes sent without an idempotency key are safe to retry: the same request again within the
 * implicit window (IMPLICIT_IDEMPOTENCY_WINDOW_S) is answered with the stored result instead of
 * writing a duplicate claim; a new key of the client's own writes it again on purpose; and a
 * replay never answers for a write that no longer stands (update A, B, then A again; a claim
 * retracted and added again).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixture, type WriteFixture } from './helpers.ts';

const WINDOW_S = 2;
let f: WriteFixture;
const SOURCE = 'implicit-wire';
const TEXT = 'ISIS-K is at war with the Taliban, officials said. The report was later found to be false.';

beforeAll(async () => {
  f = await writeFixture({ implicitIdempotencyWindowS: WINDOW_S });
  const added = await f.api.query(`mutation($i: AddSourceInput!) { addSource(input: $i) { __typename } }`, { i: { slug: SOURCE, publisher: 'Implicit Wire', text: TEXT } }, { token: f.tokens.analyst });
  expect(added.data).toEqual({ addSource: { __typename: 'MutationAddSourceSuccess' } });
});
afterAll(() => f.close());

const REL = `mutation($i: AddRelationshipInput!, $key: String) {
  addRelationship(input: $i, idempotencyKey: $key) {
    __typename ... on MutationAddRelationshipSuccess { data { id } } ... on UserError { message path }
  }
}`;
const relationship = { from: 'isis-k', type: 'AT_WAR_WITH', to: 'afghan-taliban', confidence: 90, citations: [{ source: SOURCE, quote: 'ISIS-K is at war with the Taliban' }] };

async function claimsCiting(quote: string): Promise<number> {
  const [row] = await f.scratch.handle.sql<{ n: number }[]>`
    select count(*)::int as n from relationships r join claim_citations cc on cc.claim_id = r.claim_id
      join citations c on c.id = cc.citation_id where c.quote = ${quote}`;
  return row?.n ?? -1;
}

async function auditEntries(operation: string): Promise<number> {
  const [row] = await f.scratch.handle.sql<{ n: number }[]>`select count(*)::int as n from audit_log where operation = ${operation}`;
  return row?.n ?? -1;
}

const idOf = (response: { data?: Record<string, unknown> }) => (response.data?.addRelationship as { data?: { id: string } }).data?.id;

describe('writes without an idempotency key', () => {
  it('answer a plain retry with the first result instead of writing a duplicate claim', async () => {
    const first = await f.api.query(REL, { i: relationship }, { token: f.tokens.analyst });
    expect(first.data?.addRelationship).toMatchObject({ __typename: 'MutationAddRelationshipSuccess' });
    // The same input with its keys in another order is the same request.
    const reordered = { citations: relationship.citations, confidence: 90, to: 'afghan-taliban', type: 'AT_WAR_WITH', from: 'isis-k' };
    const retry = await f.api.query(REL, { i: reordered }, { token: f.tokens.analyst });
    expect(retry.data).toEqual(first.data);
    expect(await claimsCiting('ISIS-K is at war with the Taliban')).toBe(1);
    expect(await auditEntries('addRelationship')).toBe(1);
    // Another principal sending the same input is another writer: its claim is its own.
    const other = await f.api.query(REL, { i: relationship }, { token: f.tokens.admin });
    expect(idOf(other)).toBeDefined();
    expect(idOf(other)).not.toBe(idOf(first));
    expect(await claimsCiting('ISIS-K is at war with the Taliban')).toBe(2);
  });

  it('write again when the client sends a new key of its own, and again once the window has passed', async () => {
    const input = { ...relationship, confidence: 60 };
    const first = await f.api.query(REL, { i: input }, { token: f.tokens.analyst });
    const deliberate = await f.api.query(REL, { i: input, key: 'second-report' }, { token: f.tokens.analyst });
    expect(idOf(deliberate)).toBeDefined();
    expect(idOf(deliberate)).not.toBe(idOf(first));
    await sleep(WINDOW_S * 1000 + 300);
    const later = await f.api.query(REL, { i: input }, { token: f.tokens.analyst });
    expect(idOf(later)).toBeDefined();
    expect([idOf(first), idOf(deliberate)]).not.toContain(idOf(later));
    // The later write purged the implicit keys older than the window, and kept the client's own
    // key, which lives for its own (longer) lifetime.
    const stored = (await f.scratch.handle.sql<{ key: string }[]>`select key from idempotency_keys`).map((r) => r.key);
    expect(stored.filter((k) => k.startsWith('implicit:'))).toHaveLength(1);
    expect(stored).toContain('second-report');
  });

  it('never replay an update a later one has undone (A, B, then A again writes A)', async () => {
    const UPDATE = `mutation($i: UpdatePlaceInput!) { updatePlace(input: $i) { __typename ... on UserError { message } } }`;
    const name = async () => (await f.scratch.handle.sql<{ name: string }[]>`select name from places where slug = 'kabul'`)[0]?.name;
    const to = (n: string) => f.api.query(UPDATE, { i: { slug: 'kabul', name: n } }, { token: f.tokens.analyst });
    expect((await to('Kabul A')).data?.updatePlace).toMatchObject({ __typename: 'MutationUpdatePlaceSuccess' });
    expect((await to('Kabul B')).data?.updatePlace).toMatchObject({ __typename: 'MutationUpdatePlaceSuccess' });
    expect(await name()).toBe('Kabul B');
    expect((await to('Kabul A')).data?.updatePlace).toMatchObject({ __typename: 'MutationUpdatePlaceSuccess' });
    expect(await name()).toBe('Kabul A');
    // Even when another analyst made the change in between.
    await f.api.query(UPDATE, { i: { slug: 'kabul', name: 'Kabul C' } }, { token: f.tokens.admin });
    expect((await to('Kabul A')).data?.updatePlace).toMatchObject({ __typename: 'MutationUpdatePlaceSuccess' });
    expect(await name()).toBe('Kabul A');
  });

  it('never replay a claim retracted since: adding it again adds it', async () => {
    const input = { ...relationship, confidence: 30 };
    const first = await f.api.query(REL, { i: input }, { token: f.tokens.analyst });
    const retracted = await f.api.query(
      `mutation($i: RetractClaimInput!) { retractClaim(input: $i) { __typename ... on UserError { message } } }`,
      { i: { claim: idOf(first), reason: 'the report was false', citation: { source: SOURCE, quote: 'The report was later found to be false.' } } },
      { token: f.tokens.admin },
    );
    expect(retracted.data?.retractClaim).toMatchObject({ __typename: 'MutationRetractClaimSuccess' });
    const again = await f.api.query(REL, { i: input }, { token: f.tokens.analyst });
    expect(idOf(again)).toBeDefined();
    expect(idOf(again)).not.toBe(idOf(first));
  });

  it('refuse a client key that poses as an implicit one', async () => {
    const forged = await f.api.query(REL, { i: relationship, key: 'implicit:addRelationship:x' }, { token: f.tokens.analyst });
    expect(forged.data?.addRelationship).toMatchObject({ __typename: 'ValidationError', path: ['idempotencyKey'] });
  });
});
