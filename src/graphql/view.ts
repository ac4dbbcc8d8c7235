/**
 * Time travel and retraction for reads. A root read field may take `asOf` (answer as the
 * knowledge base stood then: claims recorded later are left out, claims retracted later are
 * still in) and `includeRetracted`; the choice is kept in the request's context so that every
 * nested loader applies the same view in its one batched statement. One operation has one view:
 * root fields asking for different ones are refused rather than answered inconsistently.
 */
import type { ArgBuilder } from '@pothos/core';
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { builder } from './builder.ts';
import type { Context, KnowledgeView } from './context.ts';
import { badInput } from './errors.ts';

export const LIVE_VIEW: KnowledgeView = { asOf: null, includeRetracted: false };

export interface ViewArgs {
  asOf?: Date | null;
  includeRetracted?: boolean | null;
}

/** Applies a root field's view arguments to the request; refuses a second, different view. */
export function useView(ctx: Context, args: ViewArgs): KnowledgeView {
  const wanted: KnowledgeView = { asOf: args.asOf ?? null, includeRetracted: args.includeRetracted ?? false };
  if (wanted.asOf && Number.isNaN(wanted.asOf.getTime())) throw badInput('"asOf" is not a valid time', 'asOf');
  const same = (a: KnowledgeView, b: KnowledgeView) =>
    a.includeRetracted === b.includeRetracted && (a.asOf?.getTime() ?? null) === (b.asOf?.getTime() ?? null);
  // LIVE_VIEW itself (by identity) means no root field has chosen yet; the first choice, even
  // the default one, is kept, since nested loaders of that field will read it later.
  if (ctx.view !== LIVE_VIEW && !same(ctx.view, wanted)) {
    throw badInput('one operation reads as of one time: send root fields with different asOf/includeRetracted separately', 'asOf');
  }
  ctx.view = wanted;
  return wanted;
}

/**
 * Whether a read sees the knowledge base as it stands now, without retracted claims: the only
 * view the summary tables (actor_rollup, event_rollup_*...) hold, so the only one they answer.
 */
export function isLiveView(view: KnowledgeView): boolean {
  return view.asOf === null && !view.includeRetracted;
}

/** The time merges are resolved at: the view's asOf, or now (every merge so far). */
export function mergeTime(view: KnowledgeView): SQL {
  return view.asOf ? sql`${view.asOf.toISOString()}::timestamptz` : sql`'infinity'::timestamptz`;
}

/** Whether the claim aliased `c` (its recorded_at/retracted_at columns) is visible in the view. */
export function claimVisible(view: KnowledgeView, c: { recordedAt: SQLWrapper; retractedAt: SQLWrapper }): SQL {
  const asOf = view.asOf?.toISOString();
  if (asOf === undefined) return view.includeRetracted ? sql`true` : sql`${c.retractedAt} is null`;
  return view.includeRetracted
    ? sql`${c.recordedAt} <= ${asOf}::timestamptz`
    : sql`(${c.recordedAt} <= ${asOf}::timestamptz and (${c.retractedAt} is null or ${c.retractedAt} > ${asOf}::timestamptz))`;
}

export const AS_OF_DESCRIPTION =
  'Answer as the knowledge base stood at this moment: claims recorded later are left out, claims retracted later are still in. Applies to the whole operation.';
export const INCLUDE_RETRACTED_DESCRIPTION = 'Include retracted claims (each says when and why it was retracted).';

type BuilderTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

/** The two view arguments every time-travelling root field takes, defined once. */
export function viewArgs(arg: ArgBuilder<BuilderTypes>) {
  return {
    asOf: arg({ type: 'DateTime', description: AS_OF_DESCRIPTION }),
    includeRetracted: arg.boolean({ required: true, defaultValue: false, description: INCLUDE_RETRACTED_DESCRIPTION }),
  };
}
