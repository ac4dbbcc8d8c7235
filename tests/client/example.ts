/**
 * A small typed client: the query below is checked against the schema by `npm run codegen`, and
 * its result type comes from the generated code, so a renamed or removed field fails to compile.
 */
import { graphql } from './generated/index.js';
import type { ResultOf, VariablesOf } from '@graphql-typed-document-node/core';

export const ActorRivalsQuery = graphql(`
  query ActorRivals($slug: String!) {
    actor(slug: $slug) {
      name
      kind
      relationships(type: [RIVAL_OF, AT_WAR_WITH]) {
        totalCount
        nodes {
          type
          confidence
          to { name }
          citations { quote startOffset endOffset }
        }
      }
    }
  }
`);

export type ActorRivals = ResultOf<typeof ActorRivalsQuery>;
export type ActorRivalsVariables = VariablesOf<typeof ActorRivalsQuery>;

/** Names of the rivals, typed all the way: `actor` may be null, lists and names may not. */
export function rivalNames(result: ActorRivals): string[] {
  return result.actor?.relationships.nodes.map((r) => `${r.type}: ${r.to.name} (${r.confidence})`) ?? [];
}
