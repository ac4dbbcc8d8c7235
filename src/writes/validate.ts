/** Input validation for writes: zod schemas whose first problem becomes a typed ValidationError. */
import type { z } from 'zod';
import { ValidationError } from '../graphql/errors.ts';

export function parseInput<S extends z.ZodType>(schema: S, value: unknown, path: string[] = ['input']): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const first = issues[0];
  const where = (issue: (typeof issues)[number]) => [...path, ...issue.path.map(String)];
  const message = issues.map((issue) => `${where(issue).join('.')}: ${issue.message}`).join('; ');
  throw new ValidationError(message, first ? where(first) : path);
}
