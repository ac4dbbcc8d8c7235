/** Inputs and helpers every mutation shares. */
import { z } from 'zod';
import { fuzzyDateSchema } from '../../../seed/format.ts';
import { runWrite, type Json, type Tx, type WriteOutcome } from '../../writes/transaction.ts';
import type { Principal } from '../../auth/tokens.ts';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { TEXT_LIMITS } from '../../domain/limits.ts';
import { ValidationError } from '../errors.ts';
import { DatePrecisionEnum } from '../types/vocabulary.ts';

export const CitationInput = builder.inputType('CitationInput', {
  description:
    'Support for a claim: either `citation` (the id of a stored citation) or `source` + `quote` (verbatim text the server finds in the source; say `occurrence` when it occurs more than once).',
  fields: (t) => ({
    citation: t.id({ description: 'Global id of an existing Citation.' }),
    source: t.string({ description: 'Slug of the source the quote is from.' }),
    quote: t.string({ description: 'The exact words of the source.', extensions: { maxLength: TEXT_LIMITS.text } }),
    occurrence: t.int({ description: 'Which occurrence (1-based) when the quote occurs more than once.' }),
  }),
});

export const FuzzyDateInput = builder.inputType('FuzzyDateInput', {
  description: 'A date as the source words it and the range of days it can mean.',
  fields: (t) => ({
    text: t.string({ description: 'The source’s words, e.g. "last July".', extensions: { maxLength: TEXT_LIMITS.text } }),
    earliest: t.field({ type: 'LocalDate', description: 'The first day the date can mean (inclusive); leave out when unknown.' }),
    latest: t.field({ type: 'LocalDate', description: 'The last day the date can mean (inclusive), not before `earliest`; leave out when unknown.' }),
    precision: t.field({ type: DatePrecisionEnum, required: true, description: 'How finely the source dates it; a timeline counts the date in a bucket only when [earliest, latest] lies inside one.' }),
  }),
});

type FuzzyDateArg = typeof FuzzyDateInput.$inferInput;

/** A fuzzy date with every field present (null when not given), checked like the seed's. */
export function fuzzyDate(value: FuzzyDateArg, path: string[]): z.infer<typeof fuzzyDateSchema> {
  const parsed = fuzzyDateSchema.safeParse({
    text: value.text ?? null,
    earliest: value.earliest ?? null,
    latest: value.latest ?? null,
    precision: value.precision,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`${[...path, ...(issue?.path.map(String) ?? [])].join('.')}: ${issue?.message ?? 'invalid date'}`, path);
  }
  return parsed.data;
}

export const confidenceSchema = z.number().int().min(0, 'must be 0–100').max(100, 'must be 0–100');

/** Runs a write for a GraphQL mutation with the request's principal, id and idempotency key. */
export function write<R extends Json>(
  ctx: Context,
  operation: string,
  args: { idempotencyKey?: string | null; input?: { idempotencyKey?: string | null } },
  fn: (tx: Tx, principal: Principal) => Promise<R>,
): Promise<WriteOutcome<R>> {
  const inInput = args.input?.idempotencyKey ?? null;
  if (inInput !== null && args.idempotencyKey != null && args.idempotencyKey !== inInput) {
    throw new ValidationError('two different idempotency keys: send only input.idempotencyKey', ['input', 'idempotencyKey']);
  }
  return runWrite(
    {
      db: ctx.db,
      principal: ctx.principal,
      requestId: ctx.requestId,
      operation,
      idempotencyKey: inInput ?? args.idempotencyKey,
      idempotencyKeyPath: inInput !== null ? ['input', 'idempotencyKey'] : ['idempotencyKey'],
      input: args.input ?? args,
      idempotencyKeyLifetimeS: ctx.idempotencyKeyLifetimeS,
      implicitIdempotencyWindowS: ctx.implicitIdempotencyWindowS,
      writes: ctx.writes,
      outcomeDb: ctx.outcomeDb,
    },
    fn,
  );
}

export const idempotencyKeyField = {
  description:
    'Any string unique to this write (e.g. a UUID): resending the same request with it returns the first answer without writing again. ' +
    'Without one, the same request from the same token within the implicit window (IMPLICIT_IDEMPOTENCY_WINDOW_S, 10 minutes) is answered the same way; send a new key to repeat a write on purpose.',
};

/** The key as a mutation argument, as first published; it lives in the input now (one input object per mutation, as Relay tools expect). */
export const idempotencyKeyArg = {
  description: 'Deprecated: send `input.idempotencyKey`. Still honoured when the input has none.',
  deprecationReason: 'Send input.idempotencyKey.',
};
