/** `search`: ranked full-text search across actors, events, sources and citation quotes. */
import { builder } from '../builder.ts';
import { useView, viewArgs } from '../view.ts';
import { badInput } from '../errors.ts';
import { CANDIDATES, SOURCE_CANDIDATES, search, type SearchKind, type SearchRow } from '../loaders/search.ts';
import { Actor } from './actor.ts';
import { Citation } from './citation.ts';
import { Event } from './event.ts';
import { Source } from './source.ts';

export const DEFAULT_SEARCH_RESULTS = 20;
export const MAX_SEARCH_RESULTS = 50;
const MAX_QUERY_LENGTH = 200;
const ALL_KINDS: SearchKind[] = ['ACTOR', 'EVENT', 'SOURCE', 'CITATION'];

const SearchKindEnum = builder.enumType('SearchKind', {
  values: {
    ACTOR: { description: 'Actor names and aliases, and their names in other languages and scripts.' },
    EVENT: { description: 'Event titles and descriptions.' },
    SOURCE: { description: 'Source titles and full texts.' },
    CITATION: { description: 'Quoted passages.' },
  },
});

const SearchHit = builder.objectRef<SearchRow>('SearchHit').implement({
  description: 'One match; exactly the field named by `kind` is set.',
  fields: (t) => ({
    kind: t.expose('kind', { type: SearchKindEnum, description: 'What kind of record matched; the field of that name holds it, the others are null.' }),
    rank: t.exposeFloat('rank', { description: 'Relevance (PostgreSQL ts_rank); higher is better.' }),
    snippet: t.exposeString('snippet', {
      description: 'The best matching passage, HTML-escaped, with matched words in <mark>…</mark>.',
    }),
    actor: t.field({ type: Actor, nullable: true, description: 'The matching actor, for ACTOR hits; null otherwise.', resolve: (h) => (h.kind === 'ACTOR' ? h.id : null) }),
    event: t.field({ type: Event, nullable: true, description: 'The matching event, for EVENT hits; null otherwise.', resolve: (h) => (h.kind === 'EVENT' ? h.id : null) }),
    source: t.field({ type: Source, nullable: true, description: 'The matching source, for SOURCE hits; null otherwise.', resolve: (h) => (h.kind === 'SOURCE' ? h.id : null) }),
    citation: t.field({ type: Citation, nullable: true, description: 'The matching citation (its quote matched), for CITATION hits; null otherwise.', resolve: (h) => (h.kind === 'CITATION' ? h.id : null) }),
  }),
});

builder.queryFields((t) => ({
  search: t.field({
    type: [SearchHit],
    description: `Full-text search (English stemming; web-search syntax: "quoted phrases", OR, -excluded), best first (ties by kind, then id): at most \`first\` hits (default ${DEFAULT_SEARCH_RESULTS}, max ${MAX_SEARCH_RESULTS}). Of each kind, the ${CANDIDATES} most recently added matches (${SOURCE_CANDIDATES} for sources) are ranked: a query matching more returns the best of those newest matches, not of every match, so an older record that would rank higher can be missing. Narrow the query (a "quoted phrase", more words, \`types\`) to reach it. A record written through the API is found as soon as its write commits; the records of a bulk import, and a source text over a megabyte, are indexed with the dashboard summaries, once \`summaryStatus.completeUpTo\` passes the import's commit. An actor or event whose claim is retracted is not found (with \`includeRetracted\`, it is). With \`asOf\`, only what the knowledge base held then: actors and events whose claims stood then, sources and quotes stored by then, each matched on its words then and shown as it was.`,
    args: {
      query: t.arg.string({ required: true, description: 'Words to look for, in web-search syntax ("quoted phrase", OR, -excluded); must not be blank.' }),
      types: t.arg({ type: [SearchKindEnum], description: 'Only these kinds (default: all).' }),
      first: t.arg.int({ required: true, defaultValue: DEFAULT_SEARCH_RESULTS, description: `How many hits at most, up to ${MAX_SEARCH_RESULTS}.` }),
      ...viewArgs(t.arg),
    },
    resolve: async (_root, args, ctx) => {
      const query = args.query.trim();
      if (query.length === 0) throw badInput('"query" must not be blank', 'query');
      if (query.length > MAX_QUERY_LENGTH) {
        throw badInput(`"query" must be at most ${MAX_QUERY_LENGTH} characters, got ${query.length}`, 'query');
      }
      if (args.first < 1 || args.first > MAX_SEARCH_RESULTS) {
        throw badInput(`"first" must be between 1 and ${MAX_SEARCH_RESULTS}, got ${args.first}`, 'first');
      }
      if (args.types && args.types.length === 0) throw badInput('"types" must name at least one kind', 'types');
      return search(ctx.db, useView(ctx, args), query, args.types ?? ALL_KINDS, args.first);
    },
  }),
}));
