/**
 * Revision history: `Actor.revisions`, `Event.revisions`, `Place.revisions`, and the update claims
 * behind actor and event changes. A revision lists one change — when it was recorded, by whom, each
 * field it changed (before → after) and, for actors and events, the cited claim that made it.
 */
import { builder } from '../builder.ts';
import { parseNumericId } from '../global-id.ts';
import {
  REVISED_FIELDS,
  REVISIONS_ORDER,
  revisionsById,
  revisionsOf,
  updateClaimsById,
  type RevisedEntity,
  type RevisionRow,
  type UpdateClaimRow,
} from '../loaders/revisions.ts';
import type { Context } from '../context.ts';
import { firstRow, pageRequest, toPages, type PageArgs, type Positioned } from '../pagination.ts';
import { Actor } from './actor.ts';
import { Cited } from './citation.ts';
import { Claim } from './claim.ts';
import { Event } from './event.ts';
import { Place } from './place.ts';

export const UpdateClaim = builder.loadableNode('UpdateClaim', {
  description:
    'The cited claim behind an update of an actor or an event (what it changed is in the revision that lists it). Retracting it marks it wrong but does not undo the change: correct the values with another update.',
  interfaces: [Claim, Cited],
  id: { resolve: (claim: UpdateClaimRow) => claim.claimId, parse: parseNumericId },
  load: (ids: number[], ctx) => updateClaimsById(ctx.db, ctx.view, ids),
  fields: (t) => ({
    actor: t.field({ type: Actor, nullable: true, description: 'The actor it updated, if an actor.', resolve: (c) => c.actorId }),
    event: t.field({ type: Event, nullable: true, description: 'The event it updated, if an event.', resolve: (c) => c.eventId }),
  }),
});

interface FieldChangeShape {
  field: string;
  from: unknown;
  to: unknown;
}

const FieldChange = builder.objectRef<FieldChangeShape>('FieldChange').implement({
  description:
    'One field a change touched, with its value before and after, shaped as the field reads on its type (`date` and `killed` as objects, places by slug).',
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The field’s name on the type, e.g. "name", "date", "homeCountry".' }),
    from: t.expose('from', { type: 'JSON', nullable: true, description: 'The value before the change, as JSON; null when it had none.' }),
    to: t.expose('to', { type: 'JSON', nullable: true, description: 'The value after the change, as JSON; null when it was cleared.' }),
  }),
});

type RevisionShape = RevisionRow & { parentId: number; entity: RevisedEntity };

/** The fields whose values differ between the two versions, in the type's field order. */
function changesOf(revision: RevisionShape): FieldChangeShape[] {
  return REVISED_FIELDS[revision.entity].flatMap((field) => {
    const from = revision.before[field] ?? null;
    const to = revision.after[field] ?? null;
    return JSON.stringify(from) === JSON.stringify(to) ? [] : [{ field, from, to }];
  });
}

const Revision = builder.interfaceRef<RevisionShape>('Revision').implement({
  description: 'A change to a record: when it was recorded (knowledge time), by whom, and what it changed.',
  fields: (t) => ({
    recordedAt: t.field({
      type: 'DateTime',
      description: 'When the change entered the knowledge base; reads asOf an earlier time show the values before it.',
      resolve: (r) => new Date(r.recordedAt),
    }),
    recordedBy: t.string({ description: 'Who made it ("token:<name>", ...).', resolve: (r) => r.recordedBy }),
    changes: t.field({ type: [FieldChange], description: 'The fields it changed, before → after.', resolve: changesOf }),
  }),
});

/** The update claim of a revision, as the UpdateClaim type shows it. */
function updateOf(revision: RevisionShape): UpdateClaimRow | null {
  if (!revision.claim) return null;
  return {
    ...revision.claim,
    actorId: revision.entity === 'ACTOR' ? revision.parentId : null,
    eventId: revision.entity === 'EVENT' ? revision.parentId : null,
  };
}

interface MergeShape {
  removedSlug: string;
  reason: string;
}

const ActorMerge = builder.objectRef<MergeShape>('ActorMerge').implement({
  description: 'A duplicate actor folded into this one (mergeActors).',
  fields: (t) => ({
    removedSlug: t.exposeString('removedSlug', { description: 'The slug of the actor folded in (it now leads here).' }),
    reason: t.exposeString('reason', { description: 'Why the two were judged the same actor, as the merging admin wrote it.' }),
  }),
});

/** Loads revisions of one kind by id, for `node`, tagged with their kind. */
function revisionsByIdOf(entity: RevisedEntity) {
  return async (ids: number[], ctx: Context): Promise<(RevisionShape | null)[]> =>
    (await revisionsById(ctx.db, ctx.view, entity, ids)).map((row) => (row ? { ...row, entity } : null));
}

const ActorRevision = builder.loadableNode('ActorRevision', {
  description: 'A change to an actor’s profile: an update backed by a cited claim, or the aliases a merge added.',
  interfaces: [Revision],
  id: { resolve: (r: RevisionShape) => r.revisionId, parse: parseNumericId },
  load: revisionsByIdOf('ACTOR'),
  fields: (t) => ({
    update: t.field({
      type: UpdateClaim,
      nullable: true,
      description: 'The cited update claim; null when the change is the aliases a merge added (see `merge`).',
      resolve: updateOf,
    }),
    merge: t.field({
      type: ActorMerge,
      nullable: true,
      description: 'The merge that added aliases; null for an update.',
      resolve: (r) => (r.mergedSlug !== null ? { removedSlug: r.mergedSlug, reason: r.mergeReason ?? '' } : null),
    }),
  }),
});

const EventRevision = builder.loadableNode('EventRevision', {
  description: 'A change to an event, backed by a cited update claim.',
  interfaces: [Revision],
  id: { resolve: (r: RevisionShape) => r.revisionId, parse: parseNumericId },
  load: revisionsByIdOf('EVENT'),
  fields: (t) => ({
    update: t.field({
      type: UpdateClaim,
      description: 'The cited update claim.',
      resolve: (r) => {
        const update = updateOf(r);
        if (!update) throw new Error(`event revision ${r.revisionId} has no update claim`);
        return update;
      },
    }),
  }),
});

const PlaceRevision = builder.loadableNode('PlaceRevision', {
  description: 'A change to a place (gazetteer data: no claim or citation).',
  interfaces: [Revision],
  id: { resolve: (r: RevisionShape) => r.revisionId, parse: parseNumericId },
  load: revisionsByIdOf('PLACE'),
  fields: () => ({}),
});

const REVISIONS_DESCRIPTION =
  'Newest first (ties by id). Follows the operation’s view: asOf leaves out changes recorded later; changes whose update claim is retracted are left out unless includeRetracted.';

/** Loads one page of revisions per entity, tagged with their kind. */
function loadRevisions(entity: RevisedEntity) {
  return async (ids: number[], ctx: Context, args: PageArgs) => {
    const request = pageRequest(args, REVISIONS_ORDER);
    const pages = (await revisionsOf(ctx.db, ctx.view, entity, ids, request)).map((page) => ({
      total: page.total,
      rows: page.rows.map((row): RevisionShape & Positioned => ({ ...row, entity })),
    }));
    return toPages(request, pages, async (i) => (await revisionsOf(ctx.db, ctx.view, entity, [ids[i] ?? 0], firstRow(REVISIONS_ORDER)))[0]?.total ?? 0);
  };
}

const ActorRevisionConnection = builder.connectionObject({ type: ActorRevision, name: 'ActorRevisionConnection' });
const EventRevisionConnection = builder.connectionObject({ type: EventRevision, name: 'EventRevisionConnection' });
const PlaceRevisionConnection = builder.connectionObject({ type: PlaceRevision, name: 'PlaceRevisionConnection' });

builder.objectField(Actor, 'revisions', (t) =>
  t.loadable({
    type: ActorRevisionConnection,
    description: `Changes to this profile since it was created. ${REVISIONS_DESCRIPTION}`,
    byPath: true,
    args: t.arg.connectionArgs(),
    load: loadRevisions('ACTOR'),
    resolve: (actor) => actor.id,
  }),
);

builder.objectField(Event, 'revisions', (t) =>
  t.loadable({
    type: EventRevisionConnection,
    description: `Changes to this event since it was reported. ${REVISIONS_DESCRIPTION}`,
    byPath: true,
    args: t.arg.connectionArgs(),
    load: loadRevisions('EVENT'),
    resolve: (event) => event.id,
  }),
);

builder.objectField(Place, 'revisions', (t) =>
  t.loadable({
    type: PlaceRevisionConnection,
    description: `Changes to this place (renames, corrected codes). ${REVISIONS_DESCRIPTION}`,
    byPath: true,
    args: t.arg.connectionArgs(),
    load: loadRevisions('PLACE'),
    resolve: (place) => place.id,
  }),
);
