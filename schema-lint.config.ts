/**
 * The schema lint (tests/schema-lint.test.ts): graphql-eslint's `schema-relay` and
 * `schema-recommended` rules over the printed SDL. Each rule changed from those presets says why.
 */
import graphqlPlugin from '@graphql-eslint/eslint-plugin';
import type { Linter } from 'eslint';

const { configs } = graphqlPlugin;

export const schemaLintConfig: Linter.Config[] = [
  {
    files: ['schema/**/*.graphql'],
    languageOptions: {
      parser: graphqlPlugin.parser,
      parserOptions: { graphQLConfig: { schema: 'schema/schema.graphql' } },
    },
    plugins: { '@graphql-eslint': graphqlPlugin as unknown as NonNullable<Linter.Config['plugins']>[string] },
    rules: {
      ...configs['flat/schema-recommended'].rules,
      ...configs['flat/schema-relay'].rules,
      // Every element a client sees is described, not only types and root fields as the preset
      // asks: fields, arguments, input fields and enum values carry the units, limits and
      // provenance an analyst needs to read them right.
      '@graphql-eslint/require-description': [
        'error',
        {
          types: true,
          rootField: true,
          DirectiveDefinition: true,
          FieldDefinition: true,
          InputValueDefinition: true,
          EnumValueDefinition: true,
        },
      ],
      '@graphql-eslint/relay-edge-types': [
        'error',
        {
          withEdgeSuffix: true,
          shouldImplementNode: true,
          // Off: this check flags every list in the schema, scalars included. Every list that can
          // grow without bound is a connection; the plain lists left are bounded by what they
          // hold: a record's aliases, the citations of one claim, an event's participants (a
          // handful), an actor's doctrines, enum lists in arguments, the `nodes` shortcut of a
          // connection page, aggregate buckets (a top-N or one per calendar bucket in range),
          // and nodes(ids) (capped like a page).
          listTypeCanWrapOnlyEdgeType: false,
        },
      ],
      '@graphql-eslint/strict-id-in-types': [
        'error',
        {
          acceptedIdNames: ['id'],
          acceptedIdTypes: ['ID'],
          exceptions: {
            // Pages, their edges and page info, and mutation results are envelopes around records
            // that have ids; typed errors describe a refusal.
            suffixes: ['Connection', 'Edge', 'Success', 'Error'],
            // Values, not records: they have no identity of their own to refetch by (dates,
            // ranges and their parts, a kind's standard types, aggregates computed per request, search hits pointing at records that have
            // ids, a field's change within a revision, a path or network computed per request, how
            // far the dashboard summaries are at the moment of asking; a location worked out from a
            // place's ancestors, a map's box, bins and cells computed per request; an external id shown
            // on its record, what addExternalId did, a duplicate warning pointing at a record with an id).
            types: [
              'PageInfo', 'FuzzyDate', 'Casualties', 'KilledSum', 'EventStats', 'BreakdownGroup', 'Timeline',
              'TimelineBucket', 'TimelineUnplaced', 'ActorReach', 'ReachCountry', 'ReachRegion', 'Network',
              'NetworkNode', 'RelationshipPath', 'SearchHit', 'FieldChange', 'ActorMerge', 'Retraction',
              'SummaryStatus', 'Location', 'BoundingBox', 'EventMap', 'MapBin',
              'CasualtyPart', 'CasualtyEstimateSum', 'CasualtyMeasureSums', 'CasualtySums', 'StandardEventTypes',
              // An event's two sides, computed from its participations (which have ids).
              'Dyad',
              'ExternalId', 'ExternalIdAdded', 'PossibleDuplicateActor', 'PossibleDuplicateEvent', 'PossibleDuplicatePlace', 'PossibleDuplicateSource',
            ],
          },
        },
      ],
    },
  },
];
