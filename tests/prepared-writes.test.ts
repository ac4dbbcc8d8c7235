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
import { loadSeed } from '../src/domain/knowledge/seed.ts';
import { eventsById } from '../src/graphql/loaders/entities.ts';
import { participationsById } from '../src/graphql/loaders/claims.ts';
import { LIVE_VIEW } from '../src/graphql/view.ts';
import { scratchDatabase } from './helpers.ts';

let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
// One connection, so the statements the test lists are the ones its writes prepared.
let single: DatabaseHandle;
const principal: Principal = { name: 'token:prepared-test', role: 'analyst', tokenId: null };

beforeAll(async () => {
  scratch = await scratchDatabase();
  await loadSeed(scratch.handle.db);
  // What makes a plan for the values differ from the generic one: a server's day of idempotency
  // keys (real rows), and tables too big to read whole, where a lookup by key is an index probe per
  // key (the seed's few rows would be read whole whichever the plan: reading is made dear instead).
  await scratch.handle.sql`
    insert into idempotency_keys (principal, key, operation, request_sha256, result)
    select 'token:someone-else', 'k-' || i, 'addSource', md5(i::text), '{}'::jsonb from generate_series(1, 50000) i`;
  await scratch.handle.sql`analyze`;
  single = connectDatabase(scratch.url, { max: 1 });
  await single.sql`set seq_page_cost = 1000`;
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

  it('keeps one generic plan for a write’s own statements and for the lookups of its answer', async () => {
    // A prepared statement is planned for its values for five executions; after that PostgreSQL
    // keeps its generic plan unless a plan made for the values looks cheaper. The purge (its
    // lifetimes), the forgetting of implicit keys (its key range) and the lookups by key (how many
    // keys) once looked cheaper planned for their values, so they were planned at every execution.
    const [event] = await scratch.handle.sql<{ id: number }[]>`select id from events order by id limit 1`;
    const [participation] = await scratch.handle.sql<{ id: number }[]>`select claim_id as id from participations order by claim_id limit 1`;
    for (let i = 0; i < 12; i++) {
      await probeWrite(`plan-${i}`);
      expect((await eventsById(single.db, LIVE_VIEW, [event!.id]))[0]?.id).toBe(event!.id);
      expect((await participationsById(single.db, LIVE_VIEW, [participation!.id]))[0]?.claimId).toBe(participation!.id);
    }
    const plans = await single.sql<{ statement: string; generic: number; custom: number }[]>`
      select statement, generic_plans::int as generic, custom_plans::int as custom from pg_prepared_statements where not from_sql`;
    const planOf = (what: string, test: (text: string) => boolean) => {
      const found = plans.filter((p) => test(p.statement));
      expect(found, what).toHaveLength(1);
      return { what, generic: found[0]!.generic, custom: found[0]!.custom };
    };
    for (const plan of [
      planOf('the purge of expired keys', (t) => t.includes('implicit_expired')),
      planOf('the audit row that forgets implicit keys', (t) => t.includes('insert into "audit_log"') && t.includes('collate "C"')),
      planOf('events by id', (t) => t.includes('from "events" e') || t.includes('from "events" "e"')),
      planOf('participations by id', (t) => t.includes('from "participations" p') && t.includes('p.claim_id = any')),
    ]) {
      expect(plan, plan.what).toMatchObject({ custom: 5 });
      expect(plan.generic, plan.what).toBeGreaterThanOrEqual(7);
    }
  });
});
