/**
 * What an operation costs, from the argument values it actually runs with (the Pothos complexity
 * plugin resolves variables before calling fieldCost): one point per field, and a sub-selection
 * counts once per item it may return. A connection's items are its page size (`first`/`last`,
 * else the default page), so `first: $n` costs what $n is; its `edges`/`nodes` lists are that same
 * page and add no second factor. Other lists are unbounded in the schema and counted as
 * LIST_ESTIMATE items (claims carry one to three citations; most actors few doctrines).
 */
import { GraphQLError, getNullableType, isListType, type GraphQLField } from 'graphql';
import { ComplexityErrorKind, type ComplexityErrorFn, type FieldComplexityValue } from '@pothos/plugin-complexity';
import { refusal } from './errors.ts';
import { DEFAULT_PAGE_SIZE } from './pagination.ts';

export const LIST_ESTIMATE = 3;

function pageSize(args: Record<string, unknown>): number | undefined {
  for (const name of ['first', 'last'] as const) {
    const value = args[name];
    if (typeof value === 'number') return Math.max(0, value);
  }
  return undefined;
}

export function fieldCost<C>(
  args: Record<string, unknown>,
  _ctx: C,
  field: GraphQLField<unknown, C, Record<string, unknown>>,
): FieldComplexityValue {
  if ('first' in args || 'last' in args || field.args.some((a) => a.name === 'first')) {
    return { field: 1, multiplier: pageSize(args) ?? DEFAULT_PAGE_SIZE };
  }
  // `nodes(ids: [...])` loads exactly the ids given.
  if (Array.isArray(args.ids)) return { field: 1, multiplier: args.ids.length };
  if (isListType(getNullableType(field.type))) {
    const isPageList = field.name === 'edges' || field.name === 'nodes';
    return { field: 1, multiplier: isPageList ? 1 : LIST_ESTIMATE };
  }
  return 1;
}

export const costLimitError: ComplexityErrorFn = (kind, result): GraphQLError => {
  if (kind === ComplexityErrorKind.Complexity) {
    return refusal(
      'COST_LIMIT_EXCEEDED',
      `Query cost limit of ${result.maxComplexity} exceeded: this operation costs ${result.complexity} with the arguments given. Ask for smaller pages (first/last) or fewer nested lists.`,
    );
  }
  // Depth and breadth are left to graphql-armor (src/http/limits.ts); no limit is set for them here.
  return refusal('QUERY_TOO_COMPLEX', `Query exceeds the ${kind.toLowerCase()} limit`);
};
