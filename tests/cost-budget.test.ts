/**
 * Each client's query budget: operations pay their cost (as the cost limit counts it) from a
 * bucket that refills at a steady rate; a client that has spent it gets 429 RATE_LIMITED with
 * Retry-After, while other clients and its own cheap queries go on. Through the real server, each
 * client from its own address (X-Forwarded-For behind a trusted proxy).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CostBudget } from '../src/http/cost-budget.ts';
import type { RunningServer } from '../src/server.ts';
import { loadSeed } from '../src/domain/knowledge/seed.ts';
import { scratchDatabase } from './helpers.ts';
import { codeOf, graphql, serve } from './server-helpers.ts';

describe('CostBudget', () => {
  it('starts full, refuses what it does not hold with the wait, and refills at its rate', () => {
    const budget = new CostBudget({ perSecond: 100, burst: 1000 });
    expect(budget.spend('a', 600, 0)).toBe(0);
    expect(budget.spend('a', 600, 0)).toBe(2); // 400 held, 200 missing at 100 a second
    expect(budget.spend('b', 600, 0)).toBe(0); // another client has its own bucket
    expect(budget.spend('a', 600, 2000)).toBe(0);
    // Never more than full: a long pause does not bank more than `burst`.
    expect(budget.spend('a', 1000, 1_000_000)).toBe(0);
    expect(budget.spend('a', 1, 1_000_000)).toBeGreaterThan(0);
  });

  it('is off at 0 a second', () => {
    const budget = new CostBudget({ perSecond: 0, burst: 1 });
    expect(budget.spend('a', 1_000_000)).toBe(0);
  });
});

let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
let server: RunningServer;
// 601 points: 100 events, each with its title and (counted as three) citations' quotes.
const COSTLY = '{ events(first: 100) { nodes { title citations { quote } } } }';
const CHEAP = '{ actors(first: 1) { totalCount } }';

beforeAll(async () => {
  scratch = await scratchDatabase();
  await loadSeed(scratch.handle.db);
  server = await serve(scratch.url, { trustProxy: true, limits: { maxCost: 1000 }, deadlines: { costPerSecond: 100, costBurst: 1000 } });
});
afterAll(async () => {
  await server.shutdown();
  await scratch.drop();
});

describe('query budgets through the server', () => {
  it('refuses a client past its budget with 429 and Retry-After, and no one else', async () => {
    const from = (address: string) => ({ headers: { 'x-forwarded-for': address } });
    const first = await graphql(server, COSTLY, from('198.51.100.7'));
    expect(first.status).toBe(200);
    expect(first.body.errors).toBeUndefined();
    const second = await graphql(server, COSTLY, from('198.51.100.7'));
    expect(second.status).toBe(429);
    expect(codeOf(second)).toBe('RATE_LIMITED');
    expect(second.body.errors?.[0]?.message).toMatch(/query budget: 100 cost points a second, up to 1000 at once; this operation costs \d+/);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(2);
    expect(second.body.data ?? null).toBeNull();
    // Its cheap queries still fit in what is left; another client is not affected.
    expect((await graphql(server, CHEAP, from('198.51.100.7'))).status).toBe(200);
    expect((await graphql(server, COSTLY, from('198.51.100.8'))).status).toBe(200);
  });
});
