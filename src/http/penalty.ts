/**
 * The penalty box: a client whose requests keep being refused (depth bombs, malformed bodies,
 * over the cap...) is, for a while, answered 429 before any parsing — and only after a pause, so
 * a client that waits for each answer (as scripts do) slows down instead of keeping the event
 * loop busy with requests that will be refused anyway. Per instance, and forgotten over time:
 * it protects this instance's CPU; nothing in it is needed by another instance.
 */
import type { PenaltyConfig } from '../config.ts';

interface ClientRecord {
  /** Times of recent refusals. */
  refusals: number[];
  until: number;
}

/** Beyond this many tracked clients the oldest are forgotten, so memory stays bounded. */
const MAX_CLIENTS = 50_000;

export class PenaltyBox {
  private readonly clients = new Map<string, ClientRecord>();

  constructor(readonly config: PenaltyConfig) {}

  /** Milliseconds of penalty left for the client; 0 when none. */
  remaining(client: string, now = Date.now()): number {
    const record = this.clients.get(client);
    return record && record.until > now ? record.until - now : 0;
  }

  /** Counts a refusal; true when it puts the client in the box. */
  refused(client: string, now = Date.now()): boolean {
    if (this.config.threshold === 0) return false;
    let record = this.clients.get(client);
    if (!record) {
      if (this.clients.size >= MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value ?? '');
      record = { refusals: [], until: 0 };
      this.clients.set(client, record);
    }
    const since = now - this.config.windowMs;
    record.refusals = record.refusals.filter((t) => t > since);
    record.refusals.push(now);
    if (record.refusals.length >= this.config.threshold && record.until <= now) {
      record.until = now + this.config.penaltyMs;
      record.refusals = [];
      return true;
    }
    return false;
  }

  /** A client whose requests succeed again loses its count (not a running penalty). */
  served(client: string): void {
    const record = this.clients.get(client);
    if (record && record.until <= Date.now()) this.clients.delete(client);
  }
}
