/**
 * Principals of recently seen tokens, per instance. Without it every request, hostile ones
 * included, waited for a lookup on the small auth pool, and under a crowd of clients that queue
 * set the latency of everyone else (docs/scaling.md). Changes to api_tokens (a revocation from
 * the CLI, another instance or plain SQL) are announced by a trigger (migration
 * 0011_api_tokens_changed) and forget the token at once; the time limit only bounds staleness
 * where notifications cannot arrive (e.g. behind a transaction-mode PgBouncer). Unknown tokens
 * are not remembered: they are refused, and the penalty box deals with senders of many.
 */
import { LRUCache } from 'lru-cache';
import type postgres from 'postgres';
import type { Database } from '../db/client.ts';
import { hashToken, principalForTokenHash, type Principal } from './tokens.ts';

export const TOKEN_CHANGES_CHANNEL = 'api_tokens_changed';

export class TokenCache {
  private readonly principals: LRUCache<string, Principal>;

  constructor(ttlMs: number, maxTokens = 10_000) {
    this.principals = new LRUCache({ max: maxTokens, ttl: ttlMs });
  }

  async principalFor(db: Database, token: string): Promise<Principal | null> {
    const hash = hashToken(token);
    const known = this.principals.get(hash);
    if (known) return known;
    const principal = await principalForTokenHash(db, hash);
    if (principal) this.principals.set(hash, principal);
    return principal;
  }

  private readonly forgetListeners = new Set<(hash: string | undefined) => void>();

  /** Forgets one token (by its sha256), or all of them, and tells whoever asked (open streams). */
  forget(hash?: string): void {
    if (hash) this.principals.delete(hash);
    else this.principals.clear();
    for (const listener of this.forgetListeners) listener(hash);
  }

  /** Calls `listener` whenever a token (undefined: every token) is forgotten; returns the way to stop. */
  onForget(listener: (hash: string | undefined) => void): () => void {
    this.forgetListeners.add(listener);
    return () => this.forgetListeners.delete(listener);
  }

  /**
   * Listens for token changes; on every (re)connection of the listener everything is forgotten,
   * since changes made while it was away were not heard. Returns the way to stop listening.
   */
  async follow(sql: postgres.Sql): Promise<() => Promise<void>> {
    const { unlisten } = await sql.listen(
      TOKEN_CHANGES_CHANNEL,
      (hash) => this.forget(hash || undefined),
      () => this.forget(),
    );
    return unlisten;
  }
}
