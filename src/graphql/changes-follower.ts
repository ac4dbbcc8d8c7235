/**
 * Announces committed changes to this instance's subscribers, whoever wrote them: the API on any
 * instance, `npm run import`, or SQL. The database notifies on the `knowledge_changes` channel
 * when a writing transaction commits (the deferred trigger in migration *_change_log_triggers, so
 * a rolled-back write is never announced); the follower then reads the feed from where it last
 * was, in commit order, and publishes each change (`changeAdded`) and each new event
 * (`eventAdded`). Notifications carry no data: a missed one (a reconnect) is caught up by the next
 * read, and a burst of them costs one read.
 */
import type postgres from 'postgres';
import type { Logger } from 'pino';
import { CHANGES_CHANNEL, changesAfter, latestFeedPosition, type FeedPosition } from '../db/changes.ts';
import type { Database } from '../db/client.ts';
import type { PubSub } from './pubsub.ts';

const READ_BATCH = 500;

export class ChangeFollower {
  private position: FeedPosition | undefined;
  private reading: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly db: Database,
    private readonly pubsub: PubSub,
    private readonly logger?: Logger,
  ) {}

  /** Starts from the feed's current end; returns the way to stop. */
  async follow(sql: postgres.Sql): Promise<() => Promise<void>> {
    this.position = await latestFeedPosition(this.db);
    // On every (re)connection of the listener: read, since commits while it was away were not heard.
    const { unlisten } = await sql.listen(CHANGES_CHANNEL, () => this.wake(), () => this.wake());
    return unlisten;
  }

  /** Reads and announces what committed since the last read; one read at a time. */
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
        // The next notification (or reconnection) reads again from the same position.
        this.logger?.warn({ err: error }, 'reading the changes feed failed');
      } finally {
        this.reading = undefined;
      }
    })();
    return this.reading;
  }

  private async drain(): Promise<void> {
    if (!this.position) return;
    for (;;) {
      const batch = await changesAfter(this.db, this.position, READ_BATCH);
      for (const change of batch) {
        this.position = change;
        this.pubsub.publish('changeAdded', change);
        if (change.kind === 'CREATED' && change.entityType === 'Event') this.pubsub.publish('eventAdded', { eventId: change.entityId });
      }
      if (batch.length < READ_BATCH) return;
    }
  }
}
