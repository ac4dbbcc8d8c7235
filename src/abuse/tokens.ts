/**
 * Viewer tokens for the abuse run's clients: the server refuses unknown bearer tokens (401), and
 * keys its per-client caps by token, so each dashboard and each hostile client gets a real one
 * — as separate users would have.
 */
import { randomUUID } from 'node:crypto';
import { createToken, revokeToken } from '../auth/tokens.ts';
import type { Database } from '../db/client.ts';
import type { ClientTokens } from './run.ts';

export async function mintClientTokens(db: Database, dashboards: number, abusers: number): Promise<ClientTokens> {
  const run = randomUUID().slice(0, 8);
  const mint = (kind: string, count: number) =>
    Promise.all(Array.from({ length: count }, async (_, i) => (await createToken(db, `abuse-${run}-${kind}-${i}`, 'viewer')).token));
  return { dashboards: await mint('dashboard', dashboards), abusers: await mint('abuser', abusers) };
}

/** A viewer token for a stream the run revokes while it is open, with the way to revoke it. */
export async function mintRevocableToken(db: Database): Promise<{ token: string; revoke: () => Promise<void> }> {
  const name = `abuse-${randomUUID().slice(0, 8)}-revoked`;
  const { token } = await createToken(db, name, 'viewer');
  return { token, revoke: async () => void (await revokeToken(db, name)) };
}
