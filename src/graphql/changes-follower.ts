/**
 * Announces settled changes to this instance's subscribers, whoever wrote them: the API on any
 * instance, `npm run import`, or SQL. It polls the feed (src/db/changes.ts) from where it last was:
 * a NOTIFY from every writing transaction would serialise their commits on PostgreSQL's
 * notification lock, the one thing every writer of the cluster would share. It publishes each
 * change (`changeAdded`) and each new event (`eventAdded`); a poll that finds nothing costs one
 * index probe. While no subscription of this instance listens, it reads no changes: it moves to the
 * feed's end instead (one probe), since nobody here would hear them. After a 100,000-event import
 * an instance with no subscribers read and dropped 300,000 changes, 600 pages and ~5 s of
 * PostgreSQL, beside the import's own summary drain.
 */
import type { Logger } from 'pino';
import { changesAfter, endedBefore, feedStartNow, isAfter, latestFeedPosition, type FeedPosition, type FeedStart } from '../db/changes.ts';
import type { Database } from '../db/client.ts';
import type { PubSub } from './pubsub.ts';

const READ_BATCH = 500;

/** How often the feed is read, ms: the delay a live subscriber sees at most, beyond the feed's own. */
export const CHANGES_POLL_MS = 100;

export class ChangeFollower {
  private position: FeedPosition | undefined;
  /** What had ended when following began: not announced, though it may settle later. */
  private start: FeedStart | undefined;
  private reading: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly db: Database,
    private readonly pubsub: PubSub,
    private readonly logger?: Logger,
    private readonly pollMs = CHANGES_POLL_MS,
  ) {}

  /** Starts from the feed's current end; returns the way to stop. */
  async follow(): Promise<() => Promise<void>> {
    this.start = await feedStartNow(this.db);
    this.position = this.start.from;
    const timer = setInterval(() => void this.wake(), this.pollMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await this.reading;
    };
  }

  /** Reads and announces what settled since the last read; one read at a time. */
  wake(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      try {
        do {
          this.again = false;
          await this.drain();
        } while (this.again);
      } catch (error) {
        // The next poll reads again from the same position.
        this.logger?.warn({ err: error }, 'reading the changes feed failed');
      } finally {
        this.reading = undefined;
      }
    })();
    return this.reading;
  }

  private async drain(): Promise<void> {
    if (!this.position) return;
    if (this.pubsub.listening() === 0) {
      const end = await latestFeedPosition(this.db);
      // Asked again after the end was read: a subscription that began before then is told of every
      // change after the old position, so it misses none that settled meanwhile. One that begins
      // later hears every change after `end`, which is all that settles after it began.
      if (this.pubsub.listening() === 0) {
        if (isAfter(end, this.position)) this.position = end;
        return;
      }
    }
    for (;;) {
      const batch = await changesAfter(this.db, this.position, READ_BATCH);
      for (const change of batch) {
        this.position = change;
        if (this.start && endedBefore(this.start, change)) continue;
        this.pubsub.publish('changeAdded', change);
        if (change.kind === 'CREATED' && change.entityType === 'Event') this.pubsub.publish('eventAdded', { eventId: change.entityId });
      }
      if (batch.length < READ_BATCH) return;
    }
  }
}
