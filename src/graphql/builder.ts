import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import RelayPlugin from '@pothos/plugin-relay';
import { DateTimeResolver, LocalDateResolver } from 'graphql-scalars';
import type { Context } from './context.ts';
import { costLimitError, fieldCost } from './cost.ts';
import { decodeGlobalId, encodeGlobalId } from './global-id.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  Scalars: {
    LocalDate: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date };
  };
  // Every connection reports its size; computing it is deferred until a client asks for it.
  Connection: { totalCount: number | (() => Promise<number>) };
  DefaultEdgesNullability: { list: false; items: false };
  DefaultNodeNullability: false;
  // Non-null unless a field says otherwise, so generated client types are not all `| null`.
  DefaultFieldNullability: false;
}>({
  defaultFieldNullability: false,
  plugins: [ComplexityPlugin, RelayPlugin, DataloaderPlugin],
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
    edgesFieldOptions: { nullable: { list: false, items: false } },
    nodeFieldOptions: { nullable: false },
    nodesOnConnection: true,
    encodeGlobalID: encodeGlobalId,
    decodeGlobalID: decodeGlobalId,
  },
});

builder.addScalarType('LocalDate', LocalDateResolver);
builder.addScalarType('DateTime', DateTimeResolver);
builder.queryType({});

builder.globalConnectionField('totalCount', (t) =>
  t.int({
    description: 'How many items the connection holds in all, across every page.',
    resolve: (parent) => (typeof parent.totalCount === 'function' ? parent.totalCount() : parent.totalCount),
  }),
);
