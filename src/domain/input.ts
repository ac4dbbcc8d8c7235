/**
 * Checking a write's input: zod schemas whose first problem becomes a ValidationError naming the
 * input path, and the schemas every write shares (confidence, citations, fuzzy dates).
 */
import { z } from 'zod';
import { ValidationError } from './errors.ts';
import { credibilitySchema } from './grades.ts';
import { LIST_LIMITS, TEXT_LIMITS, verbatimTextSchema } from './limits.ts';

export function parseInput<S extends z.ZodType>(schema: S, value: unknown, path: string[] = ['input']): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const first = issues[0];
  const where = (issue: (typeof issues)[number]) => [...path, ...issue.path.map(String)];
  const message = issues.map((issue) => `${where(issue).join('.')}: ${issue.message}`).join('; ');
  throw new ValidationError(message, first ? where(first) : path);
}

/** How sure the cited sources make a claim, 0–100 (an analyst's judgement, not a probability). */
export const confidenceSchema = z.number().int().min(0, 'must be 0–100').max(100, 'must be 0–100');

/** A claim's Admiralty information credibility (1–6, src/domain/grades.ts); optional. */
export const claimGradeSchema = credibilitySchema.nullish();

/**
 * Support for a claim as a write gives it: a stored citation's global id, or a source's slug and a
 * verbatim quote (with the occurrence when it occurs more than once). Which combination is
 * allowed is checked by resolveCitations (src/domain/sources/citations.ts), in words.
 */
export const citationInputSchema = z.object({
  citation: z.string().nullish(),
  source: z.string().nullish(),
  quote: z.string().nullish(),
  occurrence: z.number().int().nullish(),
});
export type CitationInput = z.infer<typeof citationInputSchema>;

export const citationsSchema = z.array(citationInputSchema).max(LIST_LIMITS.citations, `at most ${LIST_LIMITS.citations} citations`);

/** Why, in words: a merge or a retraction changes what earlier claims mean. */
export const reasonSchema = verbatimTextSchema(TEXT_LIMITS.text, 3, 'say why (at least 3 characters)');
