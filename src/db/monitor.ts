/**
 * Knows whether PostgreSQL answers, without waiting on the application pool: a query queued in
 * postgres.js while the server is down waits through reconnection attempts indefinitely, so the
 * probe uses a connection of its own, a short deadline, and a fresh client after any failure.
 * It also checks that every checked-in migration is applied (for /ready).
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type postgres from 'postgres';
import { postgresClient } from './client.ts';
import { MIGRATIONS_FOLDER } from './migrate.ts';

export type DatabaseState =
  | { status: 'up'; checkedAt: number }
  | { status: 'down'; checkedAt: number; reason: string }
  | { status: 'migrations-pending'; checkedAt: number; reason: string };

export interface MonitorOptions {
  /** Deadline of one probe, ms. */
  probeTimeoutMs?: number;
  /** Background probe period while up / while down, ms. */
  intervalUpMs?: number;
  intervalDownMs?: number;
  /** A probe result younger than this is reused, ms, so bursts of requests share one probe. */
  freshForMs?: number;
  /**
   * A statement through the application's own pool. When the database comes back, its pool may
   * still hold a connection attempt begun during the outage, which fails the first query given
   * to it; the monitor says "up" only once this has answered (tried a few times).
   */
  warmPool?: () => Promise<unknown>;
}

function expectedMigrations(): number {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
  return journal.entries.length;
}

class ProbeTimeout extends Error {}

export class DatabaseMonitor extends EventEmitter<{ down: [string]; up: [] }> {
  private client: postgres.Sql | undefined;
  private inFlight: Promise<DatabaseState> | undefined;
  private inFlightSince = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  state: DatabaseState = { status: 'down', checkedAt: 0, reason: 'not checked yet' };
  /** The last probe failed, even if one slow answer does not make the database "down" yet. */
  suspect = false;
  private slowProbes = 0;
  private readonly probeTimeoutMs: number;
  private readonly intervalUpMs: number;
  private readonly intervalDownMs: number;
  private readonly freshForMs: number;
  private readonly migrations = expectedMigrations();

  constructor(
    private readonly url: string,
    private readonly options: MonitorOptions = {},
  ) {
    super();
    this.probeTimeoutMs = options.probeTimeoutMs ?? 1000;
    this.intervalUpMs = options.intervalUpMs ?? 1000;
    this.intervalDownMs = options.intervalDownMs ?? 250;
    this.freshForMs = options.freshForMs ?? 200;
  }

  get up(): boolean {
    return this.state.status === 'up';
  }

  /**
   * Probes now unless a probe is running or (while up) just finished; resolves with the state.
   * A "down" is never reused, so the first request after the database returns sees it back.
   */
  check(askedAt = Date.now()): Promise<DatabaseState> {
    if (this.inFlight) {
      // A probe that began before this caller asked may have been refused just before the
      // database came back: its "down" is not an answer for this caller, who probes again.
      const began = this.inFlightSince;
      return this.inFlight.then((state) => (state.status !== 'up' && began < askedAt ? this.check(askedAt) : state));
    }
    if (this.up && Date.now() - this.state.checkedAt < this.freshForMs) return Promise.resolve(this.state);
    this.inFlightSince = Date.now();
    this.inFlight = this.probe().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** A request saw a connection-level error: look again now rather than at the next tick. */
  reportFailure(): void {
    this.state = { ...this.state, checkedAt: 0 };
    void this.check();
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      void this.check().finally(() => {
        if (this.stopped) return;
        this.timer = setTimeout(tick, this.up ? this.intervalUpMs : this.intervalDownMs);
        this.timer.unref();
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight?.catch(() => undefined);
    await this.client?.end({ timeout: 0 });
    this.client = undefined;
  }

  private async probe(): Promise<DatabaseState> {
    this.client ??= postgresClient(this.url, {
      max: 1,
      connect_timeout: Math.max(1, Math.ceil(this.probeTimeoutMs / 1000)),
      idle_timeout: 30,
      // A probe started during an outage retries the connection; it must notice the return fast.
      backoff: () => 0.1,
      // The probe needs no array types; and postgres.js drops the promise of that lookup, so a
      // probe client ended while a fresh connection runs it (a slow probe under load) rejected
      // it unhandled and killed the process (seen in `npm run abuse`; porsager/postgres#1192).
      fetch_types: false,
      onnotice: () => {},
    });
    const client = this.client;
    let timer: NodeJS.Timeout | undefined;
    let next: DatabaseState;
    try {
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ProbeTimeout(`no answer within ${this.probeTimeoutMs} ms`)), this.probeTimeoutMs);
      });
      const rows = await Promise.race([
        client<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`,
        deadline,
      ]);
      const applied = rows[0]?.n ?? 0;
      if (!this.up && this.options.warmPool) await Promise.race([this.warm(this.options.warmPool), deadline]);
      this.slowProbes = 0;
      this.suspect = false;
      next =
        applied >= this.migrations
          ? { status: 'up', checkedAt: Date.now() }
          : { status: 'migrations-pending', checkedAt: Date.now(), reason: `${applied} of ${this.migrations} migrations applied` };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === '42P01' || code === '3F000') {
        // The server answers but the migrations table (or its schema) does not exist yet.
        return this.settle({ status: 'migrations-pending', checkedAt: Date.now(), reason: 'no migrations applied' }, timer);
      }
      // A failed client may be stuck reconnecting; the next probe starts from a clean one.
      this.client = undefined;
      void client.end({ timeout: 0 }).catch(() => undefined);
      const reason = error instanceof Error ? error.message : String(error);
      // A refused or broken connection is an outage at once; a slow answer may only be load,
      // and declaring "down" cuts every request in flight: it takes two slow probes in a row.
      this.slowProbes = error instanceof ProbeTimeout ? this.slowProbes + 1 : 0;
      this.suspect = true;
      if (error instanceof ProbeTimeout && this.slowProbes < 2 && this.up) {
        return this.settle({ status: 'up', checkedAt: Date.now() }, timer);
      }
      next = { status: 'down', checkedAt: Date.now(), reason };
    }
    return this.settle(next, timer);
  }

  /** The pool's statement, retried while it fails (a stale connection attempt fails once). */
  private async warm(statement: () => Promise<unknown>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await statement();
        return;
      } catch (error) {
        if (attempt >= 4) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  private settle(next: DatabaseState, timer: NodeJS.Timeout | undefined): DatabaseState {
    clearTimeout(timer);
    const wasUp = this.up;
    this.state = next;
    if (wasUp && !this.up) this.emit('down', 'reason' in next ? next.reason : 'down');
    if (!wasUp && this.up) this.emit('up');
    return next;
  }
}
