/**
 * addActorName and addExternalId; the rules (language tags, scripts, each scheme's id form) are
 * the domain's: src/domain/names, src/domain/external-ids.
 */
import { addExternalId, parseAddExternalId } from '../../domain/external-ids/external-ids.ts';
import { TEXT_LIMITS } from '../../domain/limits.ts';
import { addActorName, parseAddActorName } from '../../domain/names/names.ts';
import type { ActorNameRow } from '../loaders/identity.ts';
import { builder } from '../builder.ts';
import { ActorName, ExternalIdSchemeEnum } from '../types/identity.ts';
import { WRITE_ERRORS } from '../types/problems.ts';
import { CitationInput, idempotencyKeyArg, idempotencyKeyField, recordAnswer, runService } from './common.ts';

export const ExternalIdInput = builder.inputType('ExternalIdInput', {
  description: 'An id of the record in Wikidata or a dataset, checked against the scheme’s published form.',
  fields: (t) => ({
    scheme: t.field({ type: ExternalIdSchemeEnum, required: true, description: 'Where the id comes from.' }),
    value: t.string({ required: true, description: 'The id as the scheme writes it (e.g. "Q19827219", "AFG12345", "201801010001").' }),
  }),
});

const AddActorNameInput = builder.inputType('AddActorNameInput', {
  description: 'Another name of an actor, in a language and script, and the quotes where a source gives or uses it.',
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    actor: t.string({ required: true, description: 'Slug of the actor the name belongs to.' }),
    name: t.string({ required: true, description: 'The name as the source writes it (at most 500 characters), e.g. "Daesh".' }),
    language: t.string({ required: true, description: 'The language it is a name in: a BCP 47 tag such as "en", "ps", "ru", "ar" or "fa-AF".' }),
    script: t.string({ description: 'The writing system: an ISO 15924 code such as "Latn", "Arab" or "Cyrl".' }),
    confidence: t.int({ required: true, description: 'How sure the sources are that the actor goes by this name, 0–100.' }),
    note: t.string({ description: 'The analyst’s note on the claim (at most 10,000 characters).', extensions: { maxLength: TEXT_LIMITS.text } }),
    citations: t.field({ type: [CitationInput], required: true, description: 'The quotes where the source uses or gives the name; at least one.' }),
  }),
});

const AddExternalIdInput = builder.inputType('AddExternalIdInput', {
  description: 'Name exactly one record: actor, place, event or source.',
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    actor: t.string({ description: 'Slug of the actor.' }),
    place: t.string({ description: 'Slug of the place.' }),
    event: t.string({ description: 'Slug of the event.' }),
    source: t.string({ description: 'Slug of the source.' }),
    scheme: t.field({ type: ExternalIdSchemeEnum, required: true, description: 'Where the id comes from.' }),
    value: t.string({ required: true, description: 'The id as the scheme writes it.' }),
  }),
});

const ExternalIdAdded = builder.objectRef<{ kind: string; id: number; scheme: string; value: string; added: boolean }>('ExternalIdAdded').implement({
  description: 'What addExternalId did.',
  fields: (t) => ({
    added: t.exposeBoolean('added', { description: 'False when the record had this id already (nothing was written).' }),
    scheme: t.field({ type: ExternalIdSchemeEnum, description: 'Where the id comes from.', resolve: (r) => r.scheme as never }),
    value: t.exposeString('value', { description: 'The id.' }),
    recordKind: t.exposeString('kind', { description: 'The kind of record it names: actor, place, event or source.' }),
  }),
});

builder.mutationFields((t) => ({
  addActorName: t.field({
    type: ActorName,
    description: 'Records another name of an actor, in a language and script, as a cited claim; search then finds the actor by it. Role: analyst.',
    authScopes: { analyst: true },
    errors: { types: WRITE_ERRORS },
    args: { input: t.arg({ type: AddActorNameInput, required: true, description: 'The actor, the name, and the quotes that give it.' }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: async (_root, args, ctx, info) => {
      const { result } = await runService(ctx, 'addActorName', args, addActorName, parseAddActorName(args.input));
      return recordAnswer<ActorNameRow>(info, 'claimId', result.actorName.claimId);
    },
  }),
  addExternalId: t.field({
    type: ExternalIdAdded,
    description: 'Gives an actor, place, event or source an id in Wikidata or a dataset (reference data, not a claim); adding the same id again changes nothing. Role: analyst.',
    authScopes: { analyst: true },
    errors: { types: WRITE_ERRORS },
    args: { input: t.arg({ type: AddExternalIdInput, required: true, description: 'The record and its id.' }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: async (_root, args, ctx) => (await runService(ctx, 'addExternalId', args, addExternalId, parseAddExternalId(args.input))).result,
  }),
}));
