/**
 * Queries run on graphql-jit (except those using @defer/@stream: isIncremental), which compiles
 * each document once into plain functions: on the nested list query it halves the Node CPU per request (docs/performance.md). Mutations and
 * subscriptions stay on graphql-js, where the errors plugin's unions and serial execution are
 * the reference behaviour, and they are not the hot path.
 */
import { useGraphQlJit } from '@envelop/graphql-jit';
import { BREAK, Kind, valueFromASTUntyped, visit, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

function operationOf(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
}

/**
 * graphql-jit 0.8 refuses an omitted variable of a non-null type even when the operation gives
 * it a default (`$all: Boolean! = false`), which the spec allows. Filling omitted variables in
 * from their defaults before the JIT reads them gives the graphql-js answer.
 */
function useVariableDefaults(): Plugin {
  return {
    onExecute({ args }) {
      const operation = operationOf(args.document, args.operationName);
      const defaults = operation?.variableDefinitions?.filter((v) => v.defaultValue !== undefined) ?? [];
      if (defaults.length === 0) return;
      const given: Record<string, unknown> = { ...(args.variableValues ?? {}) };
      for (const definition of defaults) {
        const name = definition.variable.name.value;
        if (!(name in given) && definition.defaultValue) given[name] = valueFromASTUntyped(definition.defaultValue);
      }
      args.variableValues = given;
    },
  };
}

/**
 * Whether a document asks for incremental delivery: graphql-jit knows nothing of @defer/@stream,
 * so such queries run on yoga's own executor (@graphql-tools/executor), which delivers them.
 */
const incremental = new WeakMap<DocumentNode, boolean>();

/** Once per document (yoga's parser cache gives each request sending the same text the same object). */
function isIncremental(document: DocumentNode): boolean {
  let known = incremental.get(document);
  if (known === undefined) incremental.set(document, (known = asksForIncrementalDelivery(document)));
  return known;
}

function asksForIncrementalDelivery(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Directive(node) {
      if (node.name.value === 'defer' || node.name.value === 'stream') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

export function useQueryJit(): Plugin[] {
  return [
    useVariableDefaults(),
    useGraphQlJit(
      {},
      { enableIf: ({ document, operationName }) => operationOf(document, operationName)?.operation === 'query' && !isIncremental(document) },
    ) as Plugin,
  ];
}
