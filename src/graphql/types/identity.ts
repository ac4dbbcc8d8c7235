/**
 * Names and identifiers: an actor's other names with their language and script (each a cited
 * claim), the external ids of actors, places, events and sources (Wikidata, ACLED, UCDP, GTD),
 * lookups by them, and the duplicate warnings a create answers with.
 */
import type { Database } from '../../db/client.ts';
import { actorDuplicates, eventDuplicates, placeDuplicates, sourceDuplicates, type PossibleDuplicate } from '../../domain/duplicates/duplicates.ts';
import { EXTERNAL_ID_SCHEMES, type IdentifiedKind } from '../../domain/external-ids/external-ids.ts';
import { builder } from '../builder.ts';
import { parseNumericId } from '../global-id.ts';
import { groupBy } from '../loaders/batch.ts';
import type { ActorRow, EventRow, PlaceRow, SourceRow } from '../loaders/entities.ts';
import { actorNamesById, actorNamesOfActors, externalIdsOfRecords, recordIdByExternalId, type ActorNameRow, type ExternalIdRow } from '../loaders/identity.ts';
import { useView, viewArgs } from '../view.ts';
import { Actor } from './actor.ts';
import { Cited } from './citation.ts';
import { Claim } from './claim.ts';
import { Event } from './event.ts';
import { Place } from './place.ts';
import { Source } from './source.ts';

export const ExternalIdSchemeEnum = builder.enumType('ExternalIdScheme', {
  description: 'Where an external id comes from: Wikidata or one of the field’s datasets.',
  values: {
    WIKIDATA: { description: `A Wikidata item id, "Q" and a number (e.g. "${EXTERNAL_ID_SCHEMES.WIKIDATA.example}"); any kind of record.` },
    ACLED_EVENT_ID: { description: `ACLED’s event_id_cnty: country code and number (e.g. "${EXTERNAL_ID_SCHEMES.ACLED_EVENT_ID.example}"); events and their dataset-record sources.` },
    ACLED_ACTOR: { description: 'An actor’s name exactly as ACLED codes it in actor1/actor2 (e.g. "Islamic State (Afghanistan)"); actors.' },
    UCDP_GED_ID: { description: `The UCDP Georeferenced Event Dataset’s event id (e.g. "${EXTERNAL_ID_SCHEMES.UCDP_GED_ID.example}"); events and their dataset-record sources.` },
    UCDP_ACTOR_ID: { description: `UCDP’s actor id (side_a_new_id / side_b_new_id, e.g. "${EXTERNAL_ID_SCHEMES.UCDP_ACTOR_ID.example}"); actors.` },
    GTD_EVENTID: { description: `The Global Terrorism Database’s eventid, twelve digits (e.g. "${EXTERNAL_ID_SCHEMES.GTD_EVENTID.example}"); events and their dataset-record sources.` },
  },
});

export const ExternalId = builder.objectRef<ExternalIdRow>('ExternalId').implement({
  description: 'Which record of Wikidata or of a dataset this one is: reference data about identity, not a claim.',
  fields: (t) => ({
    scheme: t.field({ type: ExternalIdSchemeEnum, description: 'Where the id comes from.', resolve: (x) => x.scheme as keyof typeof EXTERNAL_ID_SCHEMES }),
    value: t.exposeString('value', { description: 'The id as the scheme writes it.' }),
    recordedAt: t.field({ type: 'DateTime', description: 'When it was added.', resolve: (x) => new Date(x.recordedAt) }),
    recordedBy: t.exposeString('recordedBy', { description: 'Who added it (e.g. "token:<name>", "import:<file>").' }),
  }),
});

export const ActorName = builder.loadableNode('ActorName', {
  description: 'Another name of an actor, in a given language and script, as a cited claim: search finds the actor by it.',
  interfaces: [Claim, Cited],
  id: { resolve: (n: ActorNameRow) => n.claimId, parse: parseNumericId },
  load: (ids: number[], ctx) => actorNamesById(ctx.db, ctx.view, ids),
  fields: (t) => ({
    actor: t.field({ type: Actor, description: 'The actor so named.', resolve: (n) => n.actorId }),
    name: t.exposeString('name', { description: 'The name as the source writes it (e.g. "ISIS-K").' }),
    language: t.exposeString('language', { description: 'The language it is a name in, as a BCP 47 tag (e.g. "en", "ps", "ru").' }),
    script: t.exposeString('script', { nullable: true, description: 'The writing system, as an ISO 15924 code (e.g. "Latn", "Arab", "Cyrl"); null when not given.' }),
  }),
});

builder.objectField(Actor, 'names', (t) =>
  t.loadableGroup({
    type: ActorName,
    description: 'Other names of the actor with their language and script, each cited (retracted ones left out unless asked).',
    load: (actorIds: number[], ctx) => actorNamesOfActors(ctx.db, ctx.view, actorIds),
    group: groupBy((n: ActorNameRow) => n.actorId),
    resolve: (actor: ActorRow) => actor.id,
  }),
);

builder.objectField(Actor, 'externalIds', (t) =>
  t.loadableGroup({
    type: ExternalId,
    description: 'The actor’s ids in Wikidata, ACLED and UCDP.',
    load: (ids: number[], ctx) => externalIdsOfRecords(ctx.db, ctx.view, 'actor', ids),
    group: groupBy((x: ExternalIdRow) => x.recordId),
    resolve: (actor: ActorRow) => actor.id,
  }),
);
builder.objectField(Event, 'externalIds', (t) =>
  t.loadableGroup({
    type: ExternalId,
    description: 'The event’s ids in Wikidata, ACLED, UCDP GED and the GTD.',
    load: (ids: number[], ctx) => externalIdsOfRecords(ctx.db, ctx.view, 'event', ids),
    group: groupBy((x: ExternalIdRow) => x.recordId),
    resolve: (event: EventRow) => event.id,
  }),
);
builder.objectField(Place, 'externalIds', (t) =>
  t.loadableGroup({
    type: ExternalId,
    description: 'The place’s ids (Wikidata).',
    load: (ids: number[], ctx) => externalIdsOfRecords(ctx.db, ctx.view, 'place', ids),
    group: groupBy((x: ExternalIdRow) => x.recordId),
    resolve: (place: PlaceRow) => Number(place.id),
  }),
);
builder.objectField(Source, 'externalIds', (t) =>
  t.loadableGroup({
    type: ExternalId,
    description: 'The source’s ids: for a dataset record, the row’s id in its dataset.',
    load: (ids: number[], ctx) => externalIdsOfRecords(ctx.db, ctx.view, 'source', ids),
    group: groupBy((x: ExternalIdRow) => x.recordId),
    resolve: (source: SourceRow) => Number(source.id),
  }),
);

const lookupArgs = {
  scheme: { description: 'Where the id comes from.' },
  value: { description: 'The id as the scheme writes it.' },
};

builder.queryFields((t) => {
  const lookup = <K extends IdentifiedKind>(kind: K, description: string) => ({
    nullable: true as const,
    description,
    args: {
      scheme: t.arg({ type: ExternalIdSchemeEnum, required: true, description: lookupArgs.scheme.description }),
      value: t.arg.string({ required: true, description: lookupArgs.value.description }),
      ...viewArgs(t.arg),
    },
    resolve: (_root: unknown, args: { scheme: string; value: string; asOf?: Date | null; includeRetracted?: boolean | null }, ctx: { db: Database } & Parameters<typeof useView>[0]) =>
      recordIdByExternalId(ctx.db, useView(ctx, args), kind, args.scheme, args.value),
  });
  return {
    actorByExternalId: t.field({ type: Actor, ...lookup('actor', 'The actor an external id names (e.g. ACLED_ACTOR "Islamic State (Afghanistan)"); null when none does.') }),
    eventByExternalId: t.field({ type: Event, ...lookup('event', 'The event an external id names (e.g. GTD_EVENTID "201801010001"); null when none does.') }),
    placeByExternalId: t.field({ type: Place, ...lookup('place', 'The place an external id names (e.g. WIKIDATA "Q5838"); null when none does.') }),
    sourceByExternalId: t.field({ type: Source, ...lookup('source', 'The source an external id names (a dataset record by its row id); null when none does.') }),
  };
});

export const DuplicateReasonEnum = builder.enumType('DuplicateReason', {
  description: 'Why a record may be a duplicate of another.',
  values: {
    SAME_EXTERNAL_ID: { description: 'Both carry the same external id.' },
    SAME_NAME: { description: 'A name or alias of one is a name or alias of the other (case and spacing ignored); for places, in the same country.' },
    SAME_PLACE_DATE_AND_KIND: { description: 'Events of the same kind at the same place on days that may overlap.' },
    SAME_TEXT: { description: 'Sources with the same text.' },
    SAME_URL: { description: 'Sources with the same URL.' },
  },
});

const possibleDuplicate = <T extends object>(name: string, type: T, what: string) =>
  builder.objectRef<PossibleDuplicate>(name).implement({
    description: `A stored ${what} the new one resembles: a warning for the analyst to judge (and merge), not a refusal.`,
    fields: (t) => ({
      existing: t.field({ type: type as never, description: `The ${what} it resembles.`, resolve: (d) => d.id as never }),
      slug: t.exposeString('slug', { description: `The resembling ${what}’s slug.` }),
      reasons: t.field({ type: [DuplicateReasonEnum], description: 'What the two have in common.', resolve: (d) => d.reasons }),
    }),
  });

export const PossibleDuplicateActor = possibleDuplicate('PossibleDuplicateActor', Actor, 'actor');
export const PossibleDuplicateEvent = possibleDuplicate('PossibleDuplicateEvent', Event, 'event');
export const PossibleDuplicatePlace = possibleDuplicate('PossibleDuplicatePlace', Place, 'place');
export const PossibleDuplicateSource = possibleDuplicate('PossibleDuplicateSource', Source, 'source');

/** The `possibleDuplicates` field of a create's answer, read after the write committed. */
export const duplicateWarnings = {
  actor: (db: Database, id: number) => actorDuplicates(db, id),
  event: (db: Database, id: number) => eventDuplicates(db, id),
  place: (db: Database, id: number) => placeDuplicates(db, id),
  source: (db: Database, id: number) => sourceDuplicates(db, id),
};
