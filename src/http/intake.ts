/**
 * How many GraphQL requests the server works on at once, and in which order the rest start.
 * Admission (src/http/admission.ts) orders the use of database connections; but parsing,
 * validation, token checks and building responses share one event loop, and two hundred clients
 * in a loop each keeping a request in it made a dashboard's request wait behind all of theirs.
 * Past `concurrency` requests, the rest wait here, costing nothing, and the client that has
 * used the server least lately goes first; one that waits longer than `waitMs` is answered 503
 * with Retry-After. Per instance: it protects this instance's CPU.
 */
import { RecentUse, Slots } from './admission.ts';

export interface IntakeOptions {
  concurrency: number;
  waitMs: number;
}

export class Intake {
  private readonly slots: Slots;
  private readonly usage = new RecentUse();

  constructor(readonly options: IntakeOptions) {
    this.slots = new Slots(options.concurrency);
  }

  get waiting(): number {
    return this.slots.queue.length;
  }

  /** A place to work on the client's request, as the function that gives it back; undefined after waitMs. */
  async enter(client: string): Promise<(() => void) | undefined> {
    const started = Date.now();
    const priority = this.usage.charge(client, 0, started);
    const granted = await this.slots.acquire(this.options.waitMs, priority);
    if (!granted) {
      this.usage.charge(client, Date.now() - started, Date.now());
      return undefined;
    }
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.slots.release();
      this.usage.charge(client, Date.now() - started, Date.now());
    };
  }
}
