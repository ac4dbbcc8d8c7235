/**
 * `summaryStatus` vouches for the live aggregates asked for beside it. A query's fields resolve
 * concurrently, so read as one of them the status could come after a drainer committed and an
 * aggregate before it: "caught up" beside a count that does not include the write yet. When an
 * operation asks for `summaryStatus`, the status is read once, before any field runs
 * (useSummaryStatusFirst), and the field answers that reading: every aggregate of the request then
 * reads summaries that hold at least what it says.
 */
import { getOperationAST, Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { summaryStatus, type SummaryStatus } from '../db/summaries.ts';
import type { Context } from './context.ts';

const statusOfRequest = new WeakMap<object, Promise<SummaryStatus>>();

/** The request's status: read once per request (context), from the request's database. */
export function requestSummaryStatus(ctx: Context): Promise<SummaryStatus> {
  let status = statusOfRequest.get(ctx);
  if (!status) {
    status = summaryStatus(ctx.db);
    statusOfRequest.set(ctx, status);
  }
  return status;
}

/** Whether the operation's root selection (its fragments included) names `summaryStatus`. */
function asksForSummaryStatus(document: DocumentNode, operationName: string | null | undefined): boolean {
  const operation = getOperationAST(document, operationName);
  if (!operation || operation.operation !== 'query') return false;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const seen = new Set<string>();
  const names = (set: SelectionSetNode): boolean =>
    set.selections.some((s) => {
      if (s.kind === Kind.FIELD) return s.name.value === 'summaryStatus';
      if (s.kind === Kind.INLINE_FRAGMENT) return names(s.selectionSet);
      const fragment = fragments.get(s.name.value);
      if (!fragment || seen.has(s.name.value)) return false;
      seen.add(s.name.value);
      return names(fragment.selectionSet);
    });
  return names(operation.selectionSet);
}

/**
 * Reads the status before execution when the operation asks for it. After admission (which may
 * point the request at a read replica): the status is read where the aggregates are. A failed
 * reading is the `summaryStatus` field's error, not the request's.
 */
export function useSummaryStatusFirst(): Plugin<Context> {
  return {
    async onExecute({ args, context }) {
      if (!asksForSummaryStatus(args.document, args.operationName)) return;
      await requestSummaryStatus(context).catch(() => undefined);
    },
  };
}
