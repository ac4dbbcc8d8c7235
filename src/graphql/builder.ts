import SchemaBuilder from '@pothos/core';
import { GraphQLError } from 'graphql';
import ComplexityPlugin from '@pothos/plugin-complexity';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { roleAtLeast } from '../auth/tokens.ts';
import { GraphQLScalarType } from 'graphql';
import { DateTimeResolver, JSONResolver, LocalDateResolver } from 'graphql-scalars';
import type { Context } from './context.ts';
import { dateProblem } from '../domain/limits.ts';
import { costLimitError, fieldCost } from './cost.ts';
import { ForbiddenError } from './errors.ts';
import { decodeGlobalId, encodeGlobalId } from './global-id.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './pagination.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  // Roles (src/auth/tokens.ts): analysts write claims; admins also merge, retract and audit.
  AuthScopes: { viewer: boolean; analyst: boolean; admin: boolean };
  Scalars: {
    LocalDate: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
  };
  // Every connection reports its size; computing it is deferred until a client asks for it.
  Connection: { totalCount: number | (() => Promise<number>) };
  DefaultEdgesNullability: { list: false; items: false };
  DefaultNodeNullability: false;
  // Non-null unless a field says otherwise, so generated client types are not all `| null`.
  DefaultFieldNullability: false;
}>({
  defaultFieldNullability: false,
  // Errors wraps scope auth, so a refusal is a typed ForbiddenError in the mutation's result.
  plugins: [ErrorsPlugin, ScopeAuthPlugin, ComplexityPlugin, RelayPlugin, DataloaderPlugin],
  scopeAuth: {
    // A subscription is refused when it is opened, not event by event.
    authorizeOnSubscribe: true,
    authScopes: (ctx) => ({
      viewer: ctx.anonymousReads || ctx.principal != null,
      analyst: roleAtLeast(ctx.principal?.role, 'analyst'),
      admin: roleAtLeast(ctx.principal?.role, 'admin'),
    }),
    // Mutations return the refusal as a typed ForbiddenError; other fields (the audit log) as a
    // GraphQL error with code FORBIDDEN, which yoga does not mask.
    unauthorizedError: (_parent, ctx, info) => {
      const field = `${info.parentType.name}.${info.fieldName}`;
      const message = ctx.principal
        ? `${field} is not allowed for role "${ctx.principal.role}"`
        : `${field} needs an API token (Authorization: Bearer ...)`;
      return info.parentType.name === 'Mutation'
        ? new ForbiddenError(message, [info.fieldName])
        : new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
    },
  },
  errors: { defaultTypes: [] },
  // Checked before the first root resolver runs, from the operation's actual argument values
  // (variables included), so `first: $n` costs what $n says. No limit in the context: no check.
  complexity: {
    fieldComplexity: fieldCost,
    limit: (ctx) => (ctx.maxCost === undefined ? {} : { complexity: ctx.maxCost }),
    complexityError: costLimitError,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: {
      nullable: { list: false, items: false },
      description: 'The items of this page in the list\'s order, each with its cursor.',
    },
    nodeFieldOptions: { nullable: false, description: 'The item itself.' },
    nodesOnConnection: { description: 'The items of this page in the list\'s order, without cursors (the same as `edges { node }`).' },
    cursorFieldOptions: {
      description: 'Opaque cursor of this item: pass it as `after` (or `before`) to the same list, in the same order, to page from here.',
    },
    pageInfoFieldOptions: { description: 'Where this page lies in the whole list, and the cursors to fetch the next or previous page.' },
    hasNextPageFieldOptions: { description: 'Whether more items follow this page: exact when paging forward (`first`); when paging backward, true whenever `before` was given.' },
    hasPreviousPageFieldOptions: { description: 'Whether more items precede this page: exact when paging backward (`last`); when paging forward, true whenever `after` was given.' },
    startCursorFieldOptions: { description: 'Cursor of the first item on this page; null when the page is empty.' },
    endCursorFieldOptions: { description: 'Cursor of the last item on this page; null when the page is empty.' },
    // The common limits (pageRequest); a list with others (the changes feed) says so in its description.
    firstArgOptions: {
      description: `How many items to return from the start (or after \`after\`): 0 to ${MAX_PAGE_SIZE}, ${DEFAULT_PAGE_SIZE} when neither \`first\` nor \`last\` is given, unless the field's description sets other limits. Not together with \`last\`.`,
    },
    lastArgOptions: {
      description: `How many items to return from the end (or before \`before\`): 0 to ${MAX_PAGE_SIZE}, unless the field's description sets other limits (a forward-only list refuses it). Not together with \`first\`.`,
    },
    afterArgOptions: { description: 'Return items after this cursor (an `endCursor` or edge `cursor` of the same list).' },
    beforeArgOptions: { description: 'Return items before this cursor (a `startCursor` or edge `cursor` of the same list).' },
    idFieldOptions: { description: 'Global id: opaque, stable, and unique across all types; fetch the record again with `node(id:)`.' },
    // Defined in types/node.ts, with the view arguments (asOf, includeRetracted) of every root read.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    encodeGlobalID: encodeGlobalId,
    decodeGlobalID: decodeGlobalId,
  },
});

// Dates the API sends come from PostgreSQL's date type, valid by construction: checking their
// shape is enough, where graphql-scalars builds a Date per value (15 % of the CPU of a reach with
// 560 rows). Dates clients send keep graphql-scalars' full calendar check.
const LOCAL_DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;
// Dates clients send must also lie in DATE_RANGE (src/domain/limits.ts): PostgreSQL cannot store
// year 0, and a far date would stretch every timeline; refused here, literals and variables alike.
function inDateRange<T extends string | Date>(value: T): T {
  const problem = dateProblem(typeof value === 'string' ? value : value.toISOString());
  if (problem) throw new GraphQLError(`${typeof value === 'string' ? value : value.toISOString()} ${problem}`);
  return value;
}
const localDate = LocalDateResolver.toConfig();
builder.addScalarType(
  'LocalDate',
  new GraphQLScalarType({
    ...localDate,
    serialize: (value) => (typeof value === 'string' && LOCAL_DATE_SHAPE.test(value) ? value : LocalDateResolver.serialize(value)),
    parseValue: (value) => inDateRange(localDate.parseValue(value) as string),
    // One parameter: graphql-jit refuses literal parsers that take variables.
    parseLiteral: (ast) => inDateRange(localDate.parseLiteral(ast, undefined) as string),
  }),
);
const dateTime = DateTimeResolver.toConfig();
builder.addScalarType(
  'DateTime',
  new GraphQLScalarType({
    ...dateTime,
    parseValue: (value) => inDateRange(dateTime.parseValue(value) as Date),
    parseLiteral: (ast) => inDateRange(dateTime.parseLiteral(ast, undefined) as Date),
  }),
);
builder.addScalarType('JSON', JSONResolver);
builder.queryType({});
builder.mutationType({});

builder.globalConnectionField('totalCount', (t) =>
  t.int({
    description: 'How many items the connection holds in all, across every page.',
    resolve: (parent) => (typeof parent.totalCount === 'function' ? parent.totalCount() : parent.totalCount),
  }),
);
