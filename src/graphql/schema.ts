/** Imports every domain type (each registers itself on the builder) and builds the schema. */
import { GraphQLDeferDirective, GraphQLStreamDirective } from '@graphql-tools/utils';
import { isInterfaceType, lexicographicSortSchema, specifiedDirectives } from 'graphql';
import { builder } from './builder.ts';
import { describeGeneratedTypes } from './descriptions.ts';
import { setNodeTypeNames } from './global-id.ts';
import './types/problems.ts';
import './types/vocabulary.ts';
import './types/dates.ts';
import './types/place.ts';
import './types/source.ts';
import './types/citation.ts';
import './types/claim.ts';
import './types/doctrine.ts';
import './types/actor.ts';
import './types/event.ts';
import './types/location.ts';
import './types/event-map.ts';
import './types/adherence.ts';
import './types/relationship.ts';
import './types/participation.ts';
import './types/dyad.ts';
import './types/revision.ts';
import './types/analytics.ts';
import './types/reach.ts';
import './types/network.ts';
import './types/identity.ts';
import './types/search.ts';
import './types/audit.ts';
import './types/live.ts';
import './types/changes.ts';
import './types/job.ts';
import './types/grading.ts';
import './types/node.ts';
import './mutations/sources.ts';
import './mutations/entities.ts';
import './mutations/claims.ts';
import './mutations/retract.ts';
import './mutations/grades.ts';
import './mutations/merge.ts';
import './mutations/identity.ts';

// @defer and @stream are declared in the schema itself (not only added by yoga's plugin at run
// time) so the printed SDL carries them and client tooling validates documents that use them.
export const schema = builder.toSchema({ directives: [...specifiedDirectives, GraphQLDeferDirective, GraphQLStreamDirective] });
describeGeneratedTypes(schema);

const nodeInterface = schema.getType('Node');
if (isInterfaceType(nodeInterface)) setNodeTypeNames(schema.getPossibleTypes(nodeInterface).map((type) => type.name));

/** The schema as checked in at schema/schema.graphql (sorted, so diffs stay readable). */
export function sortedSchema() {
  return lexicographicSortSchema(schema);
}
