/**
 * A background loop in the server process over one database step (drain summary keys, run a job):
 * back to back while the step finds work, every `idleMs` when it finds none, and at most once a
 * second after an error (the database may be down: do not spin). A step that did some work but
 * keeps up with it may ask for a pause of its own before the next (`{ waitMs }`). `stop()` ends it
 * after the step in progress, waking it from a pause.
 *
 * A look that found nothing but took long is not repeated at once: the pause is at least
 * IDLE_PAUSE_PER_LOOK times the look. A bulk load's uncommitted rows are in the queue's indexes, and
 * every look reads past them until it commits (~25 ms with 200,000 queued keys): at every 100 ms
 * that was a quarter of a core for the whole load, beside the load itself.
 */
export interface PollingLoopOptions {
  /** How long to wait before looking again when there was nothing to do, ms. */
  idleMs: number;
  onError: (error: unknown) => void;
}

/**
 * What a step says it found: work, and more may be waiting (true: go on at once); nothing (false:
 * pause); or work it kept up with, and how long the next step should wait.
 */
export type StepResult = boolean | { waitMs: number };

/** The pause after a look that found nothing, as a multiple of the look's own time (at least idleMs). */
export const IDLE_PAUSE_PER_LOOK = 10;

export class PollingLoop {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  /** `step` does one unit of work and says whether it found any. */
  constructor(
    private readonly step: () => Promise<StepResult>,
    private readonly options: PollingLoopOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  private async pause(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let found: StepResult = false;
      const started = performance.now();
      try {
        found = await this.step();
      } catch (error) {
        if (!this.running) return;
        this.options.onError(error);
        await this.pause(Math.max(1000, this.options.idleMs));
        continue;
      }
      if (!this.running) return;
      if (found === false) await this.pause(Math.max(this.options.idleMs, IDLE_PAUSE_PER_LOOK * (performance.now() - started)));
      else if (found !== true && found.waitMs > 0) await this.pause(found.waitMs);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }
}
