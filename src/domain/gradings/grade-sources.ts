/**
 * Grading many sources at once: every row of a dataset, or everything a publisher put out, given one
 * reliability grade with one reason ("UCDP GED is usually reliable": B). A dataset import stores each
 * row as a source of its own, so grading a dataset one source at a time would take 100,000s of
 * requests. Each source still gets its own grading (the same rule as gradeSource, applied by the
 * database), in id order, in batches so the caller can report progress; sources that have the
 * grade already are left as they are.
 */
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { datasetValues } from '../vocabulary.ts';
import { ValidationError } from '../errors.ts';
import { reliabilitySchema } from '../grades.ts';
import { parseInput, reasonSchema } from '../input.ts';
import type { Principal, Tx } from '../service.ts';
import { givenGrade } from './grade.ts';

const gradeSourcesSchema = z
  .object({
    dataset: z.enum(datasetValues).nullish(),
    publisher: z.string().min(1).max(500).nullish(),
    reliability: givenGrade(reliabilitySchema, 'a grade A–F'),
    reason: reasonSchema,
  })
  .refine((input) => input.dataset != null || input.publisher != null, { message: 'name the sources: a dataset, a publisher or both', path: ['dataset'] });
export type GradeSourcesInput = z.infer<typeof gradeSourcesSchema>;

export function parseGradeSources(raw: unknown): GradeSourcesInput {
  return parseInput(gradeSourcesSchema, raw);
}

/** Sources graded per statement: a progress step, and a bound on one statement's trigger work. */
const GRADE_BATCH = 5_000;

function selected(input: GradeSourcesInput): SQL {
  const parts = [
    input.dataset != null ? sql`s.dataset = ${input.dataset}::dataset` : null,
    input.publisher != null ? sql`s.publisher = ${input.publisher}` : null,
  ].filter((p): p is SQL => p !== null);
  return sql.join(parts, sql` and `);
}

/** Refuses, naming the input, what gradeSources would not do: no source named, or none to change. */
function refuseNothingToGrade(input: GradeSourcesInput, matched: number, toGrade: number): void {
  if (matched === 0) throw new ValidationError('no source matches: check the dataset and publisher', ['input', input.dataset != null ? 'dataset' : 'publisher']);
  if (toGrade === 0) {
    const grade = input.reliability === null ? 'ungraded' : `graded ${input.reliability}`;
    throw new ValidationError(`all ${matched} sources that match are ${grade} already`, ['input', 'reliability']);
  }
}

/** What starting the job refuses at once (refuseNothingToGrade), from a count of the sources named. */
export async function checkGradeSources(tx: Tx, input: GradeSourcesInput): Promise<void> {
  const [row] = await tx.execute<{ matched: number; toGrade: number }>(sql`
    select count(*)::int as matched, count(*) filter (where s.reliability is distinct from ${input.reliability}::source_reliability)::int as "toGrade"
      from sources s where ${selected(input)}`);
  refuseNothingToGrade(input, row?.matched ?? 0, row?.toGrade ?? 0);
}

export interface GradeSourcesResult {
  [key: string]: number;
  /** Sources given the new grade, each by a grading of its own. */
  graded: number;
  /** Sources that had the grade already. */
  unchanged: number;
}

/** Grades every source the input names that has another grade; `onProgress` after each batch. */
export async function gradeSources(tx: Tx, principal: Principal, input: GradeSourcesInput, onProgress?: (done: number, total: number) => Promise<void>): Promise<GradeSourcesResult> {
  const named = await tx.execute<{ id: number; regrade: boolean }>(sql`
    select s.id, s.reliability is distinct from ${input.reliability}::source_reliability as regrade from sources s where ${selected(input)} order by s.id`);
  const ids = named.filter((r) => r.regrade).map((r) => r.id);
  refuseNothingToGrade(input, named.length, ids.length);
  const matched = named.length;
  for (let at = 0; at < ids.length; at += GRADE_BATCH) {
    const batch = ids.slice(at, at + GRADE_BATCH);
    await tx.execute(sql`
      insert into source_gradings (source_id, reliability, reason, graded_by)
      select id, ${input.reliability}::source_reliability, ${input.reason}, ${principal.name}
        from unnest(${sql.param(batch)}::int[]) with ordinality as b(id, n) order by n`);
    await onProgress?.(Math.min(at + GRADE_BATCH, ids.length), ids.length);
  }
  return { graded: ids.length, unchanged: matched - ids.length };
}
