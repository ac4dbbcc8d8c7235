/**
 * API writes send their statements as named prepared statements (preparingDatabase): parsed once
 * per connection, then sent as Bind and Execute alone and pipelined, instead of each waiting for
 * PostgreSQL to describe its parameters. Reads outside a write keep drizzle's unnamed statements.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../src/auth/tokens.ts';
import { connectDatabase, type DatabaseHandle } from '../src/db/client.ts';
import { auditLog, sources } from '../src/db/schema.ts';
import { runWrite } from '../src/writes/transaction.ts';
import { scratchDatabase } from './helpers.ts';

let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
// One connection, so the statements the test lists are the ones its writes prepared.
let single: DatabaseHandle;
const principal: Principal = { name: 'token:prepared-test', role: 'analyst', tokenId: null };

beforeAll(async () => {
  scratch = await scratchDatabase();
  single = connectDatabase(scratch.url, { max: 1 });
});
afterAll(async () => {
  await single.close();
  await scratch.drop();
});

/** The protocol-level prepared statements of the single connection. */
async function preparedTexts(): Promise<string[]> {
  const rows = await single.sql<{ statement: string }[]>`select statement from pg_prepared_statements where not from_sql`;
  return rows.map((r) => r.statement);
}

const probeWrite = (slug: string) =>
  runWrite({ db: single.db, principal, requestId: null, operation: 'probeWrite', input: { slug } }, async (tx) => {
    const found = await tx.select({ id: sources.id }).from(sources).where(eq(sources.slug, slug));
    return { found: found.length };
  });

describe('prepared statements in writes', () => {
  it('prepares a write’s statements once per connection and reuses them', async () => {
    expect(await probeWrite('first')).toEqual({ result: { found: 0 }, replayed: false });
    const afterFirst = await preparedTexts();
    // The service's lookup, and runWrite's own statements (the audit row with the idempotency key).
    expect(afterFirst.some((s) => s.includes('from "sources"') && s.includes('"sources"."slug" = $1'))).toBe(true);
    expect(afterFirst.some((s) => s.includes(`insert into "audit_log"`))).toBe(true);

    // A second write of the same shape reuses them: no new statement is prepared.
    expect(await probeWrite('second')).toEqual({ result: { found: 0 }, replayed: false });
    const afterSecond = await preparedTexts();
    expect(afterSecond.filter((s) => !s.includes('pg_prepared_statements')).sort()).toEqual(afterFirst.filter((s) => !s.includes('pg_prepared_statements')).sort());
    const audited = await single.db.select({ operation: auditLog.operation }).from(auditLog).where(eq(auditLog.operation, 'probeWrite'));
    expect(audited).toHaveLength(2);
  });

  it('leaves statements outside a write unnamed', async () => {
    await single.db.select({ title: sources.title }).from(sources).where(eq(sources.publisher, 'nobody'));
    expect((await preparedTexts()).some((s) => s.includes('"sources"."publisher" = $1'))).toBe(false);
  });
});
