/**
 * How many GraphQL requests the server works on at once, and in which order the rest start.
 * Admission (src/http/admission.ts) orders the use of database connections; but parsing,
 * validation, token checks and building responses share one event loop, and two hundred clients
 * in a loop each keeping a request in it made a dashboard's request wait behind all of theirs.
 * Past `concurrency` requests, the rest wait here, costing nothing, and the client that has
 * used the server least lately goes first; one that waits longer than `waitMs` is answered 503
 * with Retry-After. Per instance: it protects this instance's CPU.
 *
 * Clients far above their share lately (a script in a loop, a crowd of probers: recent use over
 * NOISY_MS) together hold at most `noisySlots` of the places. Without that, under attack the
 * places filled with their requests, most of them waiting out admission's confined lane (up to
 * the 2 s wait), and a dashboard's request waited for a place to free up behind all of them.
 */
import { NOISY_MS, RecentUse, Slots } from './admission.ts';

export interface IntakeOptions {
  concurrency: number;
  waitMs: number;
  /** Places noisy clients may hold at once; default all of them. */
  noisySlots?: number;
}

export class Intake {
  private readonly slots: Slots;
  private readonly noisy: Slots;
  private readonly usage = new RecentUse();

  constructor(readonly options: IntakeOptions) {
    this.slots = new Slots(options.concurrency);
    this.noisy = new Slots(Math.max(1, Math.min(options.noisySlots ?? options.concurrency, options.concurrency)));
  }

  get waiting(): number {
    return this.slots.queue.length + this.noisy.queue.length;
  }

  /** A place to work on the client's request, as the function that gives it back; undefined after waitMs. */
  async enter(client: string): Promise<(() => void) | undefined> {
    const started = Date.now();
    const priority = this.usage.charge(client, 0, started);
    const confined = priority > NOISY_MS;
    const refuse = () => {
      this.usage.charge(client, Date.now() - started, Date.now());
      return undefined;
    };
    if (confined && !(await this.noisy.acquire(this.options.waitMs, priority))) return refuse();
    if (!(await this.slots.acquire(Math.max(1, this.options.waitMs - (Date.now() - started)), priority))) {
      if (confined) this.noisy.release();
      return refuse();
    }
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.slots.release();
      if (confined) this.noisy.release();
      this.usage.charge(client, Date.now() - started, Date.now());
    };
  }
}
