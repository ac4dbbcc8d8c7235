/** Idempotency keys expire (IDEMPOTENCY_KEY_LIFETIME_S): an expired key no longer replays, and is purged. */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { expiredKeysPurge, forgetImplicitKeys } from '../src/writes/transaction.ts';
import { writeFixture, type WriteFixture } from './helpers.ts';

const LIFETIME_S = 2;
let f: WriteFixture;
beforeAll(async () => {
  f = await writeFixture({ idempotencyKeyLifetimeS: LIFETIME_S });
});
afterAll(() => f.close());

const ADD_SOURCE = `mutation($input: AddSourceInput!) {
  addSource(input: $input) {
    __typename
    ... on MutationAddSourceSuccess { data { id slug } }
    ... on UserError { message path }
  }
}`;
const source = (slug: string) => ({ slug, publisher: 'Test Wire', text: `A report numbered ${slug}.` });

async function keys(): Promise<string[]> {
  // The clients' own keys (keyless writes store implicit ones: tests/implicit-idempotency.test.ts).
  const rows = await f.scratch.handle.sql<{ key: string }[]>`select key from idempotency_keys where key not like 'implicit:%' order by key`;
  return rows.map((r) => r.key);
}

async function auditEntries(): Promise<number> {
  const [row] = await f.scratch.handle.sql<{ n: number }[]>`select count(*)::int as n from audit_log`;
  return row?.n ?? -1;
}

describe('idempotency keys', () => {
  it('replay within their lifetime, and no longer after it', async () => {
    const first = await f.api.query(ADD_SOURCE, { input: { ...source('expiring-1'), idempotencyKey: 'k-expiring' } }, { token: f.tokens.analyst });
    expect(first.data?.addSource).toMatchObject({ __typename: 'MutationAddSourceSuccess' });
    const written = await auditEntries();
    // Within the lifetime: the same request is answered, not repeated; another one is refused.
    expect((await f.api.query(ADD_SOURCE, { input: { ...source('expiring-1'), idempotencyKey: 'k-expiring' } }, { token: f.tokens.analyst })).data).toEqual(first.data);
    const reused = await f.api.query(ADD_SOURCE, { input: { ...source('expiring-2'), idempotencyKey: 'k-expiring' } }, { token: f.tokens.analyst });
    expect(reused.data?.addSource).toMatchObject({ __typename: 'ConflictError', path: ['input', 'idempotencyKey'] });
    expect(await auditEntries()).toBe(written);

    await sleep(LIFETIME_S * 1000 + 200);
    // Expired: the key is forgotten, so a new write under it proceeds and is stored afresh.
    const later = await f.api.query(ADD_SOURCE, { input: { ...source('expiring-2'), idempotencyKey: 'k-expiring' } }, { token: f.tokens.analyst });
    expect(later.data?.addSource).toMatchObject({ __typename: 'MutationAddSourceSuccess', data: { slug: 'expiring-2' } });
    expect(await auditEntries()).toBe(written + 1);
    const retry = await f.api.query(ADD_SOURCE, { input: { ...source('expiring-2'), idempotencyKey: 'k-expiring' } }, { token: f.tokens.analyst });
    expect(retry.data).toEqual(later.data);
    expect(await keys()).toEqual(['k-expiring']);
  });

  it('answer concurrent retries of one request once: the others wait for it, then replay its answer', async () => {
    const written = await auditEntries();
    const [before] = await f.scratch.handle.sql<{ n: number }[]>`select count(*)::int as n from sources`;
    // Sent together: each write looks its key up in the statement after the key's lock (runWrite),
    // so the later ones find the first one's row instead of failing on it or writing again.
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => f.api.query(ADD_SOURCE, { input: { ...source('concurrent-1'), idempotencyKey: 'k-concurrent' } }, { token: f.tokens.analyst })),
    );
    for (const answer of answers) {
      expect(answer.data?.addSource).toMatchObject({ __typename: 'MutationAddSourceSuccess', data: { slug: 'concurrent-1' } });
      expect(answer.data).toEqual(answers[0]!.data);
    }
    const [after] = await f.scratch.handle.sql<{ n: number }[]>`select count(*)::int as n from sources`;
    expect(after!.n).toBe(before!.n + 1);
    expect(await auditEntries()).toBe(written + 1);
    await f.scratch.handle.sql`delete from idempotency_keys where key = 'k-concurrent'`;
  });

  it('are purged once expired by later writes, with or without a key of their own', async () => {
    await f.api.query(ADD_SOURCE, { input: { ...source('purged-1'), idempotencyKey: 'k-purged' } }, { token: f.tokens.analyst });
    expect(await keys()).toEqual(['k-expiring', 'k-purged']);
    await sleep(LIFETIME_S * 1000 + 200);
    const unkeyed = await f.api.query(ADD_SOURCE, { input: source('purged-2') }, { token: f.tokens.analyst });
    expect(unkeyed.data?.addSource).toMatchObject({ __typename: 'MutationAddSourceSuccess' });
    expect(await keys()).toEqual([]);
    // A fresh key stays until it expires in its turn.
    await f.api.query(ADD_SOURCE, { input: { ...source('purged-3'), idempotencyKey: 'k-fresh' } }, { token: f.tokens.admin });
    await f.api.query(ADD_SOURCE, { input: source('purged-4') }, { token: f.tokens.analyst });
    expect(await keys()).toEqual(['k-fresh']);
  });

  it('are found for purging and forgetting through their own indexes, not by reading every key', async () => {
    // Every write purges and most forget: reading all keys of the last lifetime (thousands at a
    // few writes per second) made each write slower the busier the server. The purge's literal
    // prefix must match the partial indexes' predicates, and a prefix must be a range of the
    // byte-ordered index; the plans say whether they are.
    // The generic plan (what a prepared statement runs after its first executions), where the
    // parameters' values are unknown: a prefix sent as a parameter could not use a partial index.
    const plan = async (query: ReturnType<typeof sql>) =>
      f.scratch.handle.db.transaction(async (tx) => {
        const { sql: text, params } = new PgDialect().sqlToQuery(query);
        await tx.execute(sql.raw(`prepare probe as ${text}`));
        await tx.execute(sql`set local plan_cache_mode = force_generic_plan`);
        await tx.execute(sql`set local enable_seqscan = off`);
        const args = params.map((p) => (typeof p === 'number' ? String(p) : `'${String(p).replaceAll("'", "''")}'`)).join(', ');
        const rows = await tx.execute<{ 'QUERY PLAN': string }>(sql.raw(`explain (costs off) execute probe(${args})`));
        await tx.execute(sql`deallocate probe`);
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      });
    const purge = await plan(sql`with ${expiredKeysPurge(86_400, 600)} select 1`);
    expect(purge).toContain('idempotency_keys_implicit_age_idx');
    expect(purge).toContain('idempotency_keys_client_age_idx');
    const forget = await plan(forgetImplicitKeys('implicit:updatePlace:0123456789abcdef:', 'implicit:updatePlace:0123456789abcdef:00'));
    expect(forget).toContain('idempotency_keys_key_bytes_idx');
    expect(forget).not.toContain('Seq Scan');
  });

  it('still honours the deprecated idempotencyKey argument, and refuses two different keys', async () => {
    const OLD = `mutation($input: AddSourceInput!, $key: String) { addSource(input: $input, idempotencyKey: $key) { __typename ... on UserError { message path } } }`;
    const first = await f.api.query(OLD, { input: source('old-style'), key: 'k-old' }, { token: f.tokens.analyst });
    expect(first.data?.addSource).toMatchObject({ __typename: 'MutationAddSourceSuccess' });
    const written = await auditEntries();
    expect((await f.api.query(OLD, { input: source('old-style'), key: 'k-old' }, { token: f.tokens.analyst })).data).toEqual(first.data);
    expect(await auditEntries()).toBe(written);
    const both = await f.api.query(OLD, { input: { ...source('two-keys'), idempotencyKey: 'k-a' }, key: 'k-b' }, { token: f.tokens.analyst });
    expect(both.data?.addSource).toMatchObject({ __typename: 'ValidationError', path: ['input', 'idempotencyKey'] });
    expect(await auditEntries()).toBe(written);
  });
});
