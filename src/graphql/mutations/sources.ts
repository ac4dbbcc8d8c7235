/** addSource and addCitation: new documents, and verbatim quotes located in them. */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { sha256Hex } from '../../../seed/loader.ts';
import { sources } from '../../db/schema.ts';
import { nameSchema, slugSchema, TEXT_LIMITS, urlSchema } from '../../domain/limits.ts';
import { citeQuote } from '../../writes/citations.ts';
import { parseInput } from '../../writes/validate.ts';
import { builder } from '../builder.ts';
import { ConflictError } from '../errors.ts';
import { Citation } from '../types/citation.ts';
import { WRITE_ERRORS } from '../types/problems.ts';
import { Source } from '../types/source.ts';
import { FuzzyDateInput, fuzzyDate, idempotencyKeyArg, idempotencyKeyField, write } from './common.ts';


const AddSourceInput = builder.inputType('AddSourceInput', {
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    slug: t.string({ required: true, description: 'Unique lowercase slug (letters, digits, single hyphens; at most 100 characters) that names the record in URLs and in other inputs.' }),
    title: t.string({ description: 'The title of the document or article (at most 500 characters), if it has one.' }),
    publisher: t.string({ required: true, description: 'Who published it: outlet, agency or group (at most 500 characters).' }),
    author: t.string({ description: 'Who wrote it (at most 500 characters), if known.' }),
    url: t.string({ description: 'An http(s) URL.', extensions: { maxLength: TEXT_LIMITS.url } }),
    published: t.field({ type: FuzzyDateInput, description: 'When it was published, as precisely as known.' }),
    text: t.string({
      required: true,
      description: 'The full text, verbatim; it cannot change once cited.',
      extensions: { maxLength: TEXT_LIMITS.sourceText },
    }),
  }),
});

const addSourceSchema = z.object({
  slug: slugSchema,
  title: nameSchema.nullish(),
  publisher: nameSchema,
  author: nameSchema.nullish(),
  url: urlSchema.nullish(),
  published: z.unknown().nullish(),
  text: z.string().min(1, 'must not be empty').max(TEXT_LIMITS.sourceText, `is longer than ${TEXT_LIMITS.sourceText} characters`),
});

builder.mutationField('addSource', (t) =>
  t.field({
    type: Source,
    description: 'Stores a new source text, so that claims can quote it. Role: analyst.',
    authScopes: { analyst: true },
    errors: { types: WRITE_ERRORS },
    args: {
      input: t.arg({ type: AddSourceInput, required: true, description: 'The source text and what is known of its publication.' }),
      idempotencyKey: t.arg.string(idempotencyKeyArg),
    },
    resolve: async (_root, args, ctx) => {
      const input = parseInput(addSourceSchema, args.input);
      const published = args.input.published ? fuzzyDate(args.input.published, ['input', 'published']) : null;
      const { result } = await write(ctx, 'addSource', args, async (tx) => {
        const [taken] = await tx.select({ id: sources.id }).from(sources).where(eq(sources.slug, input.slug));
        if (taken) throw new ConflictError(`a source "${input.slug}" exists already`, ['input', 'slug']);
        const [row] = await tx
          .insert(sources)
          .values({
            slug: input.slug,
            title: input.title ?? null,
            publisher: input.publisher,
            author: input.author ?? null,
            url: input.url ?? null,
            publishedText: published?.text ?? null,
            publishedEarliest: published?.earliest ?? null,
            publishedLatest: published?.latest ?? null,
            publishedPrecision: published?.precision ?? null,
            text: input.text,
            textSha256: sha256Hex(input.text),
          })
          .returning({ id: sources.id });
        if (!row) throw new Error('insert into sources returned no row');
        return { source: { id: row.id, slug: input.slug } };
      });
      return result.source.id;
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
    resolve: async (_root, args, ctx) => {
      const { result } = await write(ctx, 'addCitation', args, async (tx) => {
        const id = await citeQuote(tx, args.input.source, args.input.quote, args.input.occurrence, ['input']);
        return { citation: { id, source: args.input.source } };
      });
      return result.citation.id;
    },
  }),
);
