/**
 * The abuse run, small: 20 hostile clients (every hostile kind, SQL-looking strings in every
 * argument, heavy-but-allowed queries) beside dashboards, against the real server. Nothing may
 * crash, no hostile request may be accepted, no response may leak internals. (Latency is
 * measured by `npm run abuse` at full scale, not asserted here.)
 */
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { hostileProbes, runAbuse, type ClientTokens } from '../src/abuse/run.ts';
import { streamAbuse } from '../src/abuse/streams.ts';
import { mintClientTokens, mintRevocableToken } from '../src/abuse/tokens.ts';
import { connectDatabase } from '../src/db/client.ts';
import type { RunningServer } from '../src/server.ts';
import { serve } from './server-helpers.ts';

let server: RunningServer;
let tokens: ClientTokens;
let database: ReturnType<typeof connectDatabase>;
beforeAll(async () => {
  server = await serve(inject('databaseUrl'));
  database = connectDatabase(inject('databaseUrl'), { max: 2 });
  tokens = await mintClientTokens(database.db, 3, 20);
});
afterAll(async () => {
  await server.shutdown();
  await database.close();
});

describe('abuse run', () => {
  it('covers every kind of hostile request the issue lists', () => {
    const kinds = new Set(hostileProbes().map((p) => p.kind));
    for (const kind of ['deep nesting', 'alias bomb', 'huge first literal', 'huge first variable', 'giant document', 'malformed JSON', 'text/plain post', 'PUT', 'invalid global id', 'sql in search', 'sql in node id', 'sql in cursor']) {
      expect(kinds).toContain(kind);
    }
  });

  it('survives 20 hostile clients: no crash, nothing hostile accepted, no leak', async () => {
    const revocable = await mintRevocableToken(database.db);
    // The streams attack as a client of its own: a hostile client's token is boxed by its refusals.
    const streamToken = (await mintClientTokens(database.db, 0, 1)).abusers[0];
    const report = await runAbuse({ url: server.url, abusers: 20, dashboards: 3, phaseMs: 1500, dashboardPauseMs: 200, tokens, streams: { token: streamToken, revocable } });
    expect(report.crashKinds).toEqual([]);
    expect(report.crashes).toBe(0);
    expect(report.acceptedKinds).toEqual([]);
    expect(report.accepted).toBe(0);
    expect(report.leakKinds).toEqual([]);
    expect(report.leaks).toBe(0);
    // Every client sent at least once (boxed clients are slowed by the tarpit, more so on a busy machine).
    expect(report.hostileSent).toBeGreaterThanOrEqual(20);
    expect(report.healthAfter).toBe(200);
    expect(report.baseline.requests).toBeGreaterThan(0);
    expect(report.underAttack.requests).toBeGreaterThan(0);
    // Dashboards were answered, not refused (a 401 or 429 would count as a failure here).
    expect(report.baseline.failures ?? {}).toEqual({});
    expect(report.baseline.failed).toBe(0);
  }, 60_000);

  it('subscriptions: many streams per client, invalid and revoked tokens, WebSocket floods and junk are all refused', async () => {
    const revocable = await mintRevocableToken(database.db);
    // A client of its own: the hostile clients' tokens are boxed by their refusals in the run above.
    const token = (await mintClientTokens(database.db, 0, 1)).abusers[0];
    const result = await streamAbuse({ url: server.url, token, revocable });
    expect(result).toEqual({ sent: 7, crashes: 0, accepted: 0, acceptedKinds: [], crashKinds: [], leakKinds: [] });
  }, 60_000);
});
