import { and, count, eq, isNull, lte, sql } from 'drizzle-orm';
import { sources } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { parseNumericId } from '../global-id.ts';
import { groupBy } from '../loaders/batch.ts';
import { sourceReliabilityAsSeen } from '../loaders/gradings.ts';
import { LATER_VERSIONS_LIMIT, laterVersionsOfSources, sourceColumns, sourcesById, sourceTextsById, type SourceRow } from '../loaders/entities.ts';
import { cursorKey, defineOrdering, fetchPage, orderBy, pageRequest, toPage } from '../pagination.ts';
import { SourceReliabilityEnum } from '../claim-filters.ts';
import { FuzzyDate } from './dates.ts';
import { mergeTime, useView, viewArgs } from '../view.ts';
import type { KnowledgeView } from '../context.ts';

export const DatasetEnum = builder.enumType('Dataset', {
  description: 'A field dataset whose rows the importers store as sources, each row one source (`npm run import -- --format`).',
  values: {
    UCDP_GED: { description: 'The UCDP Georeferenced Event Dataset (Uppsala Conflict Data Program).' },
    ACLED: { description: 'Armed Conflict Location & Event Data.' },
    GTD: { description: 'The Global Terrorism Database (START, University of Maryland).' },
  },
});

export const Source = builder.loadableNode('Source', {
  description: 'A document claims are drawn from, kept verbatim so every quote can be checked against it.',
  id: { resolve: (source: SourceRow) => source.id, parse: parseNumericId },
  load: (ids: number[], ctx) => sourcesById(ctx.db, ctx.view, ids),
  fields: (t) => ({
    slug: t.exposeString('slug', { description: 'Unique lowercase slug (letters, digits, single hyphens): stable, readable, and what inputs name the record by.' }),
    title: t.exposeString('title', { nullable: true, description: 'Null when the title is not known.' }),
    publisher: t.exposeString('publisher', { description: 'Who published it: outlet, agency or group.' }),
    author: t.exposeString('author', { nullable: true, description: 'Who wrote it; null when not known.' }),
    url: t.exposeString('url', { nullable: true, description: 'Null when the address is not known.' }),
    publishedOn: t.field({
      type: FuzzyDate,
      nullable: true,
      description: 'When it was published, with the precision it is known to.',
      resolve: (s) =>
        s.publishedPrecision
          ? { text: s.publishedText, earliest: s.publishedEarliest, latest: s.publishedLatest, precision: s.publishedPrecision }
          : null,
    }),
    text: t.loadable({
      type: 'String',
      description: 'The full text, byte for byte as received.',
      load: (ids: number[], ctx) => sourceTextsById(ctx.db, ids),
      resolve: (s) => s.id,
    }),
    reliability: t.field({
      type: SourceReliabilityEnum,
      nullable: true,
      description:
        'The analyst’s Admiralty grade of how reliable this source is (A completely reliable … E unreliable, F cannot be judged); null when nobody has graded it (filters count that as F). A judgement of the source, apart from the confidence of each claim drawn from it. Reached from a claim in a read with `asOf`, the grade it had then (`gradings` say when it changed).',
      resolve: (s, _args, ctx) => sourceReliabilityAsSeen(ctx, s.id, s.reliability),
    }),
    dataset: t.field({
      type: DatasetEnum,
      nullable: true,
      description:
        'The dataset this source is one row of, its text the row as given (one `column: value` line per field); null for a document. Search matches a row by its values, not its column names.',
      resolve: (s) => s.dataset,
    }),
    textSha256: t.exposeString('textSha256', { description: 'sha256 (hex) of the text’s UTF-8 bytes.' }),
  }),
});

// Versions refer to sources: defined once Source is, or its type would refer to itself.
builder.objectFields(Source, (t) => ({
  versionOf: t.field({
    type: Source,
    nullable: true,
    description:
      'For a dataset row stored as a later release gives it (an import with `--apply-corrections`): the record’s first stored version, which keeps its own text. Null for a first version or a document.',
    resolve: (s) => s.versionOfId,
  }),
  laterVersions: t.loadableGroup({
    type: Source,
    description: `The later versions of this dataset row that imports applied as corrections, newest first (at most ${LATER_VERSIONS_LIMIT}): each a source of its own, quoted by the claims it changed. Empty for a document or a row no release corrected.`,
    load: (ids: number[], ctx) => laterVersionsOfSources(ctx.db, ids),
    group: groupBy((version: SourceRow) => version.versionOfId ?? 0),
    resolve: (s) => s.id,
  }),
}));

const SOURCES_ORDER = defineOrdering('sources', [
  { expression: sql`${sources.slug}`, type: 'text' },
  { expression: sql`${sources.id}`, type: 'int' },
]);

/** With asOf, only the sources stored by then. */
const storedBy = (view: KnowledgeView) => (view.asOf ? lte(sources.createdAt, view.asOf) : undefined);

builder.queryFields((t) => ({
  source: t.field({
    type: Source,
    nullable: true,
    description:
      'A source by slug; null when there is none, or (with `asOf`) when it was stored after that moment. Like the other root lookups it sets `asOf` and `includeRetracted` for the whole operation; the source’s grade is the one it had then.',
    args: { slug: t.arg.string({ required: true, description: 'The source’s slug.' }), ...viewArgs(t.arg) },
    resolve: async (_root, args, ctx) => {
      // The operation's view is chosen here, as by every other root lookup: without it, another root
      // field's asOf would apply to this source's nested claims unasked.
      const view = useView(ctx, args);
      return (await ctx.db.select(sourceColumns).from(sources).where(and(eq(sources.slug, args.slug), storedBy(view))))[0] ?? null;
    },
  }),
  sources: t.connection({
    type: Source,
    description: 'Sources, by slug; with `asOf`, those stored by then.',
    args: {
      ...viewArgs(t.arg),
      minReliability: t.arg({ type: SourceReliabilityEnum, description: 'Only sources graded this reliable or better (A best; ungraded sources count as F); with `asOf`, as graded then.' }),
      dataset: t.arg({ type: DatasetEnum, description: 'Only rows of this dataset.' }),
      documentsOnly: t.arg.boolean({ description: 'Only documents, no dataset rows (when true).' }),
    },
    resolve: async (_root, args, ctx) => {
      const view = useView(ctx, args);
      const request = pageRequest(args, SOURCES_ORDER);
      const filters = and(
        storedBy(view),
        // With asOf, the grade the source had then (Source.reliability reads it so too).
        args.minReliability
          ? sql`coalesce(${view.asOf ? sql`source_reliability_at(${sources.id}, ${sources.reliability}, ${mergeTime(view)})` : sources.reliability}, 'F') <= ${args.minReliability}::source_reliability`
          : undefined,
        args.dataset ? eq(sources.dataset, args.dataset) : undefined,
        args.documentsOnly ? isNull(sources.dataset) : undefined,
      ) ?? sql`true`;
      const rows = await fetchPage(request, (page, limit) =>
        ctx.db
          .select({ ...sourceColumns, cursorKey: sql<string>`${cursorKey(SOURCES_ORDER)}` })
          .from(sources)
          .where(and(page, filters))
          .orderBy(orderBy(request))
          .limit(limit),
      );
      return toPage(request, rows, async () => (await ctx.db.select({ n: count() }).from(sources).where(filters))[0]?.n ?? 0);
    },
  }, { name: 'SourceConnection' }, { name: 'SourceEdge' }),
}));
