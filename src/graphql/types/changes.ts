/**
 * The changes feed: every create, update, retraction and merge, in transaction order, for keeping a
 * mirror current (as ACLED's updates-and-deletions feed does). `changes(after:)` pages through
 * it; `changeAdded(after:)` replays from a cursor and then streams changes as they commit. A
 * cursor stays valid for ever: a mirror stores the last one it applied and resumes from there.
 */
import {
  changesAfter,
  changesById,
  countChangesAfter,
  FEED_START,
  isAfter,
  type ChangeRecord,
  type FeedPosition,
  type LegacyFeedPosition,
} from '../../db/changes.ts';
import { Repeater } from 'graphql-yoga';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { badInput } from '../errors.ts';
import { inKeyOrder } from '../loaders/batch.ts';
import { encodeGlobalId, parseNumericId } from '../global-id.ts';

export const MAX_CHANGES_PAGE = 500;
const DEFAULT_CHANGES_PAGE = 100;

/** A position as a cursor: the writing transaction's id and the change's id. */
export function changeCursor(position: FeedPosition): string {
  return Buffer.from(`changex:${position.xid}:${position.id}`, 'utf8').toString('base64url');
}

const legacyCursor = (position: LegacyFeedPosition) => Buffer.from(`change:${position.commit}:${position.id}`, 'utf8').toString('base64url');

/**
 * The position a cursor names, including cursors of the feed's earlier commit-position order
 * (src/db/changes.ts resumes those); a cursor that is not one of ours is refused, naming the argument.
 */
export function decodeChangeCursor(cursor: string | null | undefined, argument = 'after'): FeedPosition | LegacyFeedPosition {
  if (cursor == null) return FEED_START;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const current = /^changex:(\d{1,18}):(\d{1,18})$/.exec(text);
  if (current) {
    const position = { xid: Number(current[1]), id: Number(current[2]) };
    if (changeCursor(position) === cursor) return position;
  }
  const legacy = /^change:(\d{1,18}):(\d{1,18})$/.exec(text);
  if (legacy) {
    const position = { commit: Number(legacy[1]), id: Number(legacy[2]) };
    if (legacyCursor(position) === cursor) return position;
  }
  throw badInput(`"${cursor}" is not a changes cursor (use a cursor the changes feed returned)`, argument);
}

const ChangeKind = builder.enumType('ChangeKind', {
  description: 'What happened to a record.',
  values: {
    CREATED: { description: 'The record was written for the first time.' },
    UPDATED: { description: 'Its values changed (an update claim, a merge adding aliases, a gazetteer fix).' },
    RETRACTED: { description: 'The claim behind it was retracted: default reads no longer show it.' },
    MERGED: { description: 'The actor was folded into another (`mergedInto`); its slug and claims lead there now.' },
    GRADED: { description: 'An analyst graded it anew: a source’s reliability (`gradeSource`) or the credibility of the claim behind it (`gradeClaim`); `gradings` on the record say from what and why.' },
  } as const,
});

export const Change = builder.loadableNode('Change', {
  description: 'One change to the knowledge base, as listed by the changes feed.',
  id: { resolve: (c: ChangeRecord) => c.id, parse: parseNumericId },
  authScopes: { viewer: true },
  load: async (ids: number[], ctx: Context) => inKeyOrder(ids, await changesById(ctx.db, ids), (c) => c.id),
  fields: (t) => ({
    cursor: t.string({ description: 'Where this change is in the feed: pass it as `after` to resume behind it.', resolve: (c) => changeCursor(c) }),
    kind: t.field({ type: ChangeKind, description: 'What happened to the record.', resolve: (c) => c.kind }),
    entityType: t.exposeString('entityType', {
      description: 'The GraphQL type of what changed: Event, Actor, Doctrine, Place, Source, Citation, Adherence, Relationship, Participation or UpdateClaim.',
    }),
    entity: t.id({ description: 'Its global id (for `node(id:)`, or `retractClaim`).', resolve: (c) => encodeGlobalId(c.entityType, c.entityId) }),
    claimId: t.exposeInt('claimId', {
      nullable: true,
      description: 'The claim behind the change: the establishing claim (CREATED), the update claim (UPDATED), the retracted claim (RETRACTED), the graded claim (GRADED); null for places, sources, citations and merges.',
    }),
    mergedInto: t.id({
      nullable: true,
      description: 'For MERGED: the global id of the actor it was folded into.',
      resolve: (c) => (c.intoId === null ? null : encodeGlobalId('Actor', c.intoId)),
    }),
    at: t.field({ type: 'DateTime', description: 'Knowledge time: when the writing transaction started (as claims’ recordedAt).', resolve: (c) => new Date(c.at) }),
    committedAt: t.field({ type: 'DateTime', description: 'When its transaction went to commit.', resolve: (c) => new Date(c.committedAt) }),
    principal: t.exposeString('principal', { description: 'Who: token:<name>, import:<file>, or database:<user> for changes made in SQL.' }),
  }),
});

builder.queryField('changes', (t) =>
  t.connection(
    {
      type: Change,
      description: `Every create, update, retraction and merge, oldest first in the order of their transactions, each listed once every transaction that started writing before it has ended: a change never appears behind one already listed, so a mirror that applies them in order and stores the last cursor stays current by asking again with \`after\`. Forward only (\`first\`, at most ${MAX_CHANGES_PAGE}, default ${DEFAULT_CHANGES_PAGE}; \`after\`). totalCount counts the changes after \`after\`.`,
      authScopes: { viewer: true },
      resolve: async (_root, args, ctx) => {
        if (args.last != null || args.before != null) throw badInput('the changes feed pages forward only: use first and after', args.last != null ? 'last' : 'before');
        const size = args.first ?? DEFAULT_CHANGES_PAGE;
        if (size < 0 || size > MAX_CHANGES_PAGE) throw badInput(`"first" must be between 0 and ${MAX_CHANGES_PAGE}, got ${size}`, 'first');
        const after = decodeChangeCursor(args.after);
        const rows = await changesAfter(ctx.db, after, size + 1);
        const edges = rows.slice(0, size).map((node) => ({ cursor: changeCursor(node), node }));
        return {
          edges,
          pageInfo: {
            hasNextPage: rows.length > size,
            hasPreviousPage: 'xid' in after ? isAfter(after, FEED_START) : true,
            startCursor: edges[0]?.cursor ?? null,
            // With nothing new, the cursor given: a mirror can always store endCursor and ask again.
            endCursor: edges.at(-1)?.cursor ?? args.after ?? null,
          },
          totalCount: () => countChangesAfter(ctx.db, after),
        };
      },
    },
    { name: 'ChangeConnection' },
    { name: 'ChangeEdge' },
  ),
);

/** Changes replayed from the database a batch at a time before the stream goes live. */
const REPLAY_BATCH = 100;

/**
 * Replays the feed after `after`, then follows it live without a gap or a repeat: the live
 * subscription is opened first (what commits meanwhile is queued), and anything the replay
 * already delivered is skipped by position. A Repeater, so a client leaving ends it at once.
 */
function changeStream(ctx: Context, after: FeedPosition | LegacyFeedPosition | null): Repeater<ChangeRecord> {
  return new Repeater<ChangeRecord>(async (push, stop) => {
    const live = ctx.pubsub.subscribe('changeAdded')[Symbol.asyncIterator]();
    let stopped = false;
    const stopping = stop.then(() => {
      stopped = true;
      return { done: true, value: undefined } as const;
    });
    try {
      // The pub/sub listens from the first pull on: start it before reading the database.
      let pending = live.next();
      let last: FeedPosition | LegacyFeedPosition = after ?? FEED_START;
      while (after && !stopped) {
        const release = ctx.admitStreamWork ? await ctx.admitStreamWork() : undefined;
        let batch: ChangeRecord[];
        try {
          batch = await changesAfter(ctx.db, last, REPLAY_BATCH);
        } finally {
          release?.();
        }
        for (const change of batch) {
          last = change;
          await push(change);
        }
        if (batch.length < REPLAY_BATCH) break;
      }
      while (!stopped) {
        const next = await Promise.race([pending, stopping]);
        if (next.done) break;
        pending = live.next();
        if (!isAfter(next.value, last)) continue;
        last = next.value;
        await push(next.value);
      }
    } catch (error) {
      stop(error);
    } finally {
      stop();
      void Promise.resolve(live.return?.()).catch(() => {});
    }
  });
}

builder.subscriptionField('changeAdded', (t) =>
  t.field({
    type: Change,
    description:
      'The changes feed, live: every change after `after` (none when left out: from now on), then each change shortly after its transaction commits, in the order `changes` lists them. Resume after a disconnect with the last cursor received; to start a mirror from nothing, page through `changes` first.',
    authScopes: { viewer: true },
    args: { after: t.arg.string({ description: 'A cursor from `changes` or an earlier `changeAdded`.' }) },
    subscribe: (_root, args, ctx) => changeStream(ctx, args.after == null ? null : decodeChangeCursor(args.after)),
    resolve: (change: ChangeRecord) => change,
  }),
);
