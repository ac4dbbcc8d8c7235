import { builder } from '../builder.ts';
import { parseNumericId } from '../global-id.ts';
import { groupBy } from '../loaders/batch.ts';
import { citationsOfClaims, citationsOfSources, SOURCE_CITATIONS_ORDER } from '../loaders/claims.ts';
import { citationsById, type CitationRow } from '../loaders/entities.ts';
import { firstRow, pageRequest, toPages } from '../pagination.ts';
import { Source } from './source.ts';

export const Citation = builder.loadableNode('Citation', {
  description:
    'A verbatim quote of a source at code-point offsets [startOffset, endOffset), with the text around it (W3C TextPosition and TextQuote selectors). The database refuses a quote that is not exactly the source text at its offsets.',
  // `claimId` is present when a citation was loaded as the support of a claim.
  id: { resolve: (citation: CitationRow & { claimId?: number }) => citation.id, parse: parseNumericId },
  load: (ids: number[], ctx) => citationsById(ctx.db, ctx.view, ids),
  fields: (t) => ({
    quote: t.exposeString('quote', { description: 'The exact words of the source between the offsets.' }),
    startOffset: t.exposeInt('startOffset', { description: 'Unicode code points from the start of the text.' }),
    endOffset: t.exposeInt('endOffset', { description: 'Exclusive end, in Unicode code points.' }),
    prefix: t.exposeString('prefix', { description: 'Up to 32 code points of text just before the quote.' }),
    suffix: t.exposeString('suffix', { description: 'Up to 32 code points of text just after the quote.' }),
    source: t.field({ type: Source, description: 'The source the quote is from.', resolve: (citation) => citation.sourceId }),
  }),
});

/** Anything established by citations: entities through their founding claim, and claims. */
export const Cited = builder.interfaceRef<{ claimId: number }>('Cited').implement({
  description: 'A record backed by verbatim quotes of its sources.',
  fields: (t) => ({
    citations: t.loadableGroup({
      type: Citation,
      description: 'The quotes that support it, in text order (never empty).',
      load: (claimIds: number[], ctx) => citationsOfClaims(ctx.db, claimIds),
      group: groupBy((citation: CitationRow & { claimId?: number }) => citation.claimId ?? 0),
      resolve: (parent) => parent.claimId,
    }),
  }),
});

const SourceCitationConnection = builder.connectionObject({ type: Citation, name: 'SourceCitationConnection' });

builder.objectField(Source, 'citations', (t) =>
  t.loadable({
    type: SourceCitationConnection,
    description: 'The quotes drawn from this source, in text order.',
    byPath: true,
    args: t.arg.connectionArgs(),
    load: async (sourceIds: number[], ctx, args) => {
      const request = pageRequest(args, SOURCE_CITATIONS_ORDER);
      const pages = await citationsOfSources(ctx.db, sourceIds, request);
      return toPages(request, pages, async (i) => (await citationsOfSources(ctx.db, [sourceIds[i] ?? 0], firstRow(SOURCE_CITATIONS_ORDER)))[0]?.total ?? 0);
    },
    resolve: (source) => source.id,
  }),
);
