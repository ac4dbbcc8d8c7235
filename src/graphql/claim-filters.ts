/**
 * Filters on claims themselves, shared by every list, aggregate, reach, network and path that
 * reads claims: how sure (a confidence floor and the Admiralty grades) and when they held (valid
 * time, for relationships and adherences). Separate from the view (src/graphql/view.ts), which
 * says *which knowledge* is read (asOf: knowledge time, includeRetracted): these narrow what is
 * read, per field, so one operation can compare a total with and without a floor.
 */
import type { ArgBuilder } from '@pothos/core';
import { sql, type SQL } from 'drizzle-orm';
import { sourceReliabilityValues } from '../domain/vocabulary.ts';
import { builder } from './builder.ts';
import type { KnowledgeView } from './context.ts';
import { badInput } from './errors.ts';

type BuilderTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

// --- How sure: confidence floor and Admiralty grades ----------------------------------------------

export type SourceReliability = (typeof sourceReliabilityValues)[number];

export const SourceReliabilityEnum = builder.enumType('SourceReliability', {
  description:
    'The Admiralty (NATO) grade of a source’s reliability, as OpenCTI and MISP use it: an analyst’s judgement of the source’s track record, apart from how sure any one claim is.',
  values: {
    A: { description: 'Completely reliable: no doubt of authenticity, trustworthiness or competency; a history of complete reliability.' },
    B: { description: 'Usually reliable: minor doubts; a history of mostly valid information.' },
    C: { description: 'Fairly reliable: doubts; has provided valid information in the past.' },
    D: { description: 'Not usually reliable: significant doubts; has provided valid information in the past.' },
    E: { description: 'Unreliable: lacking in authenticity, trustworthiness and competency; a history of invalid information.' },
    F: { description: 'Reliability cannot be judged: no basis to evaluate it. Ungraded sources count as F in filters.' },
  },
});

/** A floor on the claims read; null fields do not narrow. */
export interface ClaimFloor {
  /** Only claims at least this sure (0–100). */
  minConfidence: number | null;
  /** Only claims cited from at least one source graded this reliable or better (A best; ungraded = F). */
  minReliability: SourceReliability | null;
  /** Only claims graded this credible or better (1 best; ungraded = 6). */
  minCredibility: number | null;
}

export const NO_FLOOR: ClaimFloor = { minConfidence: null, minReliability: null, minCredibility: null };

export const CREDIBILITY_DESCRIPTION =
  'The analyst’s Admiralty grade of how credible the information is, 1–6: 1 confirmed by other sources, 2 probably true, 3 possibly true, 4 doubtful, 5 improbable, 6 cannot be judged; null when not graded (filters count that as 6). Apart from `confidence`, which follows the source’s own hedging, and from the reliability of the sources cited.';

export const MIN_CONFIDENCE_DESCRIPTION =
  'Only claims at least this sure, 0–100 (e.g. 60 leaves out "perhaps", "unclear" and "suspicions" claims).';
export const MIN_RELIABILITY_DESCRIPTION =
  'Only claims cited from at least one source graded this reliable or better (A best; an ungraded source counts as F, so any grade but F leaves claims from ungraded sources out).';
export const MIN_CREDIBILITY_DESCRIPTION =
  'Only claims whose information credibility is this or better, 1–6 (1 confirmed … 6 cannot be judged; 2 keeps 1 and 2). An ungraded claim counts as 6.';

export interface ClaimFloorArgs {
  minConfidence?: number | null | undefined;
  minReliability?: SourceReliability | null | undefined;
  minCredibility?: number | null | undefined;
}

/** The three floor arguments, for a field that reads claims. */
export function claimFloorArgs(arg: ArgBuilder<BuilderTypes>) {
  return {
    minConfidence: arg.int({ description: MIN_CONFIDENCE_DESCRIPTION }),
    minReliability: arg({ type: SourceReliabilityEnum, description: MIN_RELIABILITY_DESCRIPTION }),
    minCredibility: arg.int({ description: MIN_CREDIBILITY_DESCRIPTION }),
  };
}

/** Checks the floor arguments (named by `prefix`, e.g. "filter."); refuses a confidence of 101 or a credibility of 7. */
export function claimFloor(args: ClaimFloorArgs | null | undefined, prefix = ''): ClaimFloor {
  const minConfidence = args?.minConfidence ?? null;
  const minCredibility = args?.minCredibility ?? null;
  if (minConfidence !== null && (minConfidence < 0 || minConfidence > 100)) {
    throw badInput(`"${prefix}minConfidence" must be 0–100, got ${minConfidence}`, `${prefix}minConfidence`);
  }
  if (minCredibility !== null && (minCredibility < 1 || minCredibility > 6)) {
    throw badInput(`"${prefix}minCredibility" must be 1–6 (1 confirmed … 6 cannot be judged), got ${minCredibility}`, `${prefix}minCredibility`);
  }
  return { minConfidence, minReliability: args?.minReliability ?? null, minCredibility };
}

export function hasFloor(floor: ClaimFloor): boolean {
  return floor.minConfidence !== null || floor.minReliability !== null || floor.minCredibility !== null;
}

/**
 * The grades of the claim aliased `alias` as the view sees them: the current ones, or with `asOf`
 * the ones they had then (a grade changes by a grading: src/db/sql/grades.sql). The look for a
 * later grading runs once per statement (an uncorrelated EXISTS), so a read asOf a time no grade
 * changed after reads the columns as a live read does.
 */
export function claimGradesAs(view: KnowledgeView, alias: string): { credibility: SQL; sourceReliability: SQL } {
  const c = sql.raw(alias);
  const asOf = view.asOf?.toISOString();
  if (asOf === undefined) return { credibility: sql`${c}.credibility`, sourceReliability: sql`${c}.source_reliability` };
  return {
    credibility: sql`(case when exists (select 1 from claim_gradings where graded_at > ${asOf}::timestamptz)
                           then claim_credibility_at(${c}.id, ${c}.credibility, ${asOf}::timestamptz) else ${c}.credibility end)`,
    sourceReliability: sql`(case when exists (select 1 from source_gradings where graded_at > ${asOf}::timestamptz)
                                 then claim_source_reliability_at(${c}.id, ${asOf}::timestamptz) else ${c}.source_reliability end)`,
  };
}

/**
 * Whether the claim aliased `alias` passes the floor; `true` when there is none. Reliability is
 * a property of sources: a claim passes when any source it is cited from is graded well enough
 * (one good source is enough to keep a claim; an analyst wanting every source good filters sources).
 * Grades are compared as the view sees them (claimGradesAs).
 */
export function claimPasses(floor: ClaimFloor, alias: string, view: KnowledgeView): SQL {
  const c = sql.raw(alias);
  const parts: SQL[] = [];
  if (floor.minConfidence !== null) parts.push(sql`${c}.confidence >= ${floor.minConfidence}`);
  if (floor.minCredibility === null && floor.minReliability === null) return parts.length === 0 ? sql`true` : sql.join(parts, sql` and `);
  const grades = claimGradesAs(view, alias);
  if (floor.minCredibility !== null) parts.push(sql`coalesce(${grades.credibility}, 6) <= ${floor.minCredibility}`);
  // The claim's best source grade, kept with the claim (claims_grade_from_sources).
  if (floor.minReliability !== null) parts.push(sql`coalesce(${grades.sourceReliability}, 'F') <= ${floor.minReliability}::source_reliability`);
  return sql.join(parts, sql` and `);
}

// --- When it held: valid time --------------------------------------------------------------------

export type ValidityMode = 'MAY_HAVE_HELD' | 'SURELY_HELD';

export const ValidityModeEnum = builder.enumType('ValidityMode', {
  description:
    'How `validOn` / `validDuring` treat fuzzy and unknown starts and ends. A start or end is known as a range of days ("in 2015": 2015-01-01..2015-12-31); one the source does not give is unknown.',
  values: {
    MAY_HAVE_HELD: {
      description:
        'The default: keep a claim that may have held then — its start may fall on or before the day (or the range’s last day) and its end on or after the day (or the range’s first day). An unknown start or end is open: a claim without a period is kept for every date.',
    },
    SURELY_HELD: {
      description:
        'Keep only a claim the source’s dates say surely held then: its start surely falls on or before the day (its latest possible day is not after it) and its end surely on or after it (its earliest possible day is not before it). An unknown start or end fails: a claim without a period is left out.',
    },
  },
});

export const DateRangeInput = builder.inputType('DateRangeInput', {
  description: 'A span of days, both ends included; either may be left out (open).',
  fields: (t) => ({
    from: t.field({ type: 'LocalDate', description: 'First day; open when left out.' }),
    to: t.field({ type: 'LocalDate', description: 'Last day; open when left out.' }),
  }),
});

/** When claims must have held (valid time); null: whenever. */
export interface ValidTimeFilter {
  from: string | null;
  to: string | null;
  mode: ValidityMode;
}

export interface ValidTimeArgs {
  validOn?: string | null | undefined;
  validDuring?: { from?: string | null | undefined; to?: string | null | undefined } | null | undefined;
  validity?: ValidityMode | null | undefined;
}

/** The valid-time arguments (relationships, adherences, networks and paths). */
export function validTimeArgs(arg: ArgBuilder<BuilderTypes>) {
  return {
    validOn: arg({
      type: 'LocalDate',
      description:
        'Only claims that held on this day (valid time: when it was true in the world, not `asOf`, when the knowledge base knew it). "ISIS-K’s network as it stood in 2019" is `validDuring: {from: "2019-01-01", to: "2019-12-31"}`. How fuzzy bounds count: `validity`.',
    }),
    validDuring: arg({ type: DateRangeInput, description: 'Only claims that held at some time in this span (see `validOn`, `validity`). Not with `validOn`.' }),
    validity: arg({
      type: ValidityModeEnum,
      required: true,
      defaultValue: 'MAY_HAVE_HELD',
      description: 'How fuzzy and unknown starts and ends count: MAY_HAVE_HELD (default; unknown bounds are open) or SURELY_HELD (unknown bounds fail).',
    }),
  };
}

/** Checks the valid-time arguments; null when neither validOn nor validDuring is given. */
export function validTimeFilter(args: ValidTimeArgs): ValidTimeFilter | null {
  const mode = args.validity ?? 'MAY_HAVE_HELD';
  if (args.validOn != null && args.validDuring != null) throw badInput('give "validOn" or "validDuring", not both', 'validDuring');
  if (args.validOn != null) return { from: args.validOn, to: args.validOn, mode };
  if (args.validDuring != null) {
    const from = args.validDuring.from ?? null;
    const to = args.validDuring.to ?? null;
    if (from !== null && to !== null && from > to) throw badInput(`"validDuring.from" (${from}) is after "validDuring.to" (${to})`, 'validDuring');
    return { from, to, mode };
  }
  return null;
}

/**
 * Whether the relationship or adherence aliased `alias` (its start_* / end_* columns) held within
 * [from, to] under the mode; `true` without a filter. MAY_HAVE_HELD: the earliest possible start
 * is not after `to` and the latest possible end not before `from` (null bounds open).
 * SURELY_HELD: some day of [from, to] lies surely inside — the latest possible start and the
 * earliest possible end are known, and max(start latest, from) <= min(end earliest, to).
 */
export function heldWithin(filter: ValidTimeFilter | null, alias: string): SQL {
  if (!filter) return sql`true`;
  const a = sql.raw(alias);
  const from = sql`${filter.from}::date`;
  const to = sql`${filter.to}::date`;
  if (filter.mode === 'MAY_HAVE_HELD') {
    return sql`(${to} is null or ${a}.start_earliest is null or ${a}.start_earliest <= ${to})
      and (${from} is null or ${a}.end_latest is null or ${a}.end_latest >= ${from})`;
  }
  return sql`(${a}.start_latest is not null and ${a}.end_earliest is not null
      and greatest(${a}.start_latest, coalesce(${from}, ${a}.start_latest)) <= least(${a}.end_earliest, coalesce(${to}, ${a}.end_earliest)))`;
}
