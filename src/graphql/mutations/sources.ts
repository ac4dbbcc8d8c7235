/** addSource and addCitation: new documents, and verbatim quotes located in them. */
import { TEXT_LIMITS } from '../../domain/limits.ts';
import { addCitation, addCitationInput } from '../../domain/sources/citations.ts';
import { addSource, parseAddSource } from '../../domain/sources/sources.ts';
import { parseInput } from '../../domain/input.ts';
import type { CitationRow, SourceRow } from '../loaders/entities.ts';
import { builder } from '../builder.ts';
import { Citation } from '../types/citation.ts';
import { WRITE_ERRORS } from '../types/problems.ts';
import { duplicateWarnings, PossibleDuplicateSource } from '../types/identity.ts';
import { Source } from '../types/source.ts';
import { SourceReliabilityEnum } from '../claim-filters.ts';
import { FuzzyDateInput, idempotencyKeyArg, idempotencyKeyField, recordAnswer, runService } from './common.ts';

const AddSourceInput = builder.inputType('AddSourceInput', {
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    slug: t.string({ required: true, description: 'Unique lowercase slug (letters, digits, single hyphens; at most 100 characters) that names the record in URLs and in other inputs.' }),
    title: t.string({ description: 'The title of the document or article (at most 500 characters), if it has one.' }),
    publisher: t.string({ required: true, description: 'Who published it: outlet, agency or group (at most 500 characters).' }),
    author: t.string({ description: 'Who wrote it (at most 500 characters), if known.' }),
    url: t.string({ description: 'An http(s) URL.', extensions: { maxLength: TEXT_LIMITS.url } }),
    published: t.field({ type: FuzzyDateInput, description: 'When it was published, as precisely as known.' }),
    reliability: t.field({ type: SourceReliabilityEnum, description: 'Your Admiralty grade of the source’s reliability (A completely reliable … E unreliable, F cannot be judged); leave out when not graded.' }),
    text: t.string({
      required: true,
      description: 'The full text, verbatim; it cannot change once cited.',
      extensions: { maxLength: TEXT_LIMITS.sourceText },
    }),
  }),
});

builder.mutationField('addSource', (t) =>
  t.field({
    type: Source,
    description: 'Stores a new source text, so that claims can quote it. Role: analyst.',
    authScopes: { analyst: true },
    errors: {
      types: WRITE_ERRORS,
      result: {
        fields: (r) => ({
          possibleDuplicates: r.field({
            type: [PossibleDuplicateSource],
            description: 'Stored sources the new one resembles (same external id, name, or for events place, days and kind): a warning to check, not a refusal. Empty when none.',
            resolve: (created, _args, ctx) => duplicateWarnings.source(ctx.db, typeof created === 'number' ? created : Number(created.id)),
          }),
        }),
      },
    },
    args: {
      input: t.arg({ type: AddSourceInput, required: true, description: 'The source text and what is known of its publication.' }),
      idempotencyKey: t.arg.string(idempotencyKeyArg),
    },
    resolve: async (_root, args, ctx, info) => {
      const { result } = await runService(ctx, 'addSource', args, addSource, parseAddSource(args.input));
      return recordAnswer<SourceRow>(info, 'id', result.source.id);
    },
  }),
);

const AddCitationInput = builder.inputType('AddCitationInput', {
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    source: t.string({ required: true, description: 'Slug of the source.' }),
    quote: t.string({ required: true, description: 'The exact words, as they stand in the source.', extensions: { maxLength: TEXT_LIMITS.text } }),
    occurrence: t.int({ description: 'Which occurrence (1-based) when the quote occurs more than once.' }),
  }),
});

builder.mutationField('addCitation', (t) =>
  t.field({
    type: Citation,
    description:
      'Finds the quote in the source and stores it with its offsets (an existing citation of the same span is returned). Role: analyst.',
    authScopes: { analyst: true },
    errors: { types: WRITE_ERRORS },
    args: {
      input: t.arg({ type: AddCitationInput, required: true, description: 'The source and the exact quote to find in it.' }),
      idempotencyKey: t.arg.string(idempotencyKeyArg),
    },
    resolve: async (_root, args, ctx, info) => {
      const { result } = await runService(ctx, 'addCitation', args, addCitation, parseInput(addCitationInput, args.input));
      return recordAnswer<CitationRow>(info, 'id', result.citation.id);
    },
  }),
);
