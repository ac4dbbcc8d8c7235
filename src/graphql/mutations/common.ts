/**
 * Inputs and helpers every mutation shares. A mutation is a thin caller of a domain service
 * (src/domain/<area>/): the Pothos input type is the GraphQL shape of the input, the domain checks
 * it and writes, and `write` runs the service in the request's transaction (audit log,
 * idempotency key, honest outcome: src/writes/transaction.ts).
 */
import { getNamedType, isAbstractType, isUnionType, Kind, type FieldNode, type GraphQLObjectType, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import type { Json, WriteService } from '../../domain/service.ts';
import { runWrite, type Tx, type WriteOutcome } from '../../writes/transaction.ts';
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

export const START_INPUT_DESCRIPTION =
  'When it began to hold (valid time), as the source words it ("since the U.S. withdrawal"): the range of days the start can mean. Leave out when the source does not say (unknown: reads treat it as open).';
export const END_INPUT_DESCRIPTION =
  'When it stopped holding, as the source words it; the range of days the end can mean ("still", as of an article of March 2024: earliest 2024-03-01, latest left out). Leave out when the source does not say. Its latest day may not be before the start’s earliest day.';
export const CREDIBILITY_INPUT_DESCRIPTION =
  'The Admiralty information-credibility grade, 1–6 (1 confirmed by other sources, 2 probably true, 3 possibly true, 4 doubtful, 5 improbable, 6 cannot be judged); leave out when not graded. Separate from confidence.';

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

/** Runs domain service `service` on an input it has checked, as the write `operation`. */
export function runService<I, R extends Json>(
  ctx: Context,
  operation: string,
  args: { idempotencyKey?: string | null; input?: { idempotencyKey?: string | null } },
  service: WriteService<I, R>,
  input: I,
): Promise<WriteOutcome<R>> {
  return write(ctx, operation, args, (tx, principal) => service(tx, principal, input));
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

/**
 * Whether a selection written for the type named `typeName` (a fragment's type condition; none: the
 * field's own type) applies to the mutation's result type `success`.
 */
function appliesTo(typeName: string | undefined, success: GraphQLObjectType, info: GraphQLResolveInfo): boolean {
  if (typeName === undefined || typeName === success.name) return true;
  const type = info.schema.getType(typeName);
  return type !== undefined && isAbstractType(type) && info.schema.isSubType(type, success);
}

/** Does a selection inside `data` ask for anything but `id` and `__typename`? */
function asksBeyondId(set: SelectionSetNode | undefined): boolean {
  return (set?.selections ?? []).some(
    (s) => s.kind !== Kind.FIELD || (s.directives?.length ?? 0) > 0 || (s.name.value !== 'id' && s.name.value !== '__typename'),
  );
}

/**
 * Does the mutation's selection (on its result union) ask for the record beyond its id? A field of
 * the success type other than `data` (e.g. `possibleDuplicates`), a fragment inside `data` or a
 * directive anywhere counts as asking: what cannot be told cheaply is read, as before.
 */
function asksForRecord(set: SelectionSetNode | undefined, success: GraphQLObjectType, info: GraphQLResolveInfo): boolean {
  for (const s of set?.selections ?? []) {
    if ((s.directives?.length ?? 0) > 0) return true;
    if (s.kind === Kind.FIELD) {
      if (s.name.value === '__typename') continue;
      if (s.name.value === 'data' && !asksBeyondId(s.selectionSet)) continue;
      return true;
    }
    const fragment = s.kind === Kind.INLINE_FRAGMENT ? s : info.fragments[s.name.value];
    if (fragment === undefined) return true;
    if (appliesTo(fragment.typeCondition?.name.value, success, info) && asksForRecord(fragment.selectionSet, success, info)) return true;
  }
  return false;
}

/** Per field node of a cached document: the answer depends on the document alone. */
const recordAsked = new WeakMap<FieldNode, boolean>();

function clientAsksForRecord(info: GraphQLResolveInfo): boolean {
  const first = info.fieldNodes[0];
  const known = first && recordAsked.get(first);
  if (known !== undefined) return known;
  // The errors plugin makes the field a union of the error types and the success type, whose
  // `data` field holds the record.
  const union = getNamedType(info.returnType);
  const success = isUnionType(union) ? union.getTypes().find((t) => 'data' in t.getFields()) : undefined;
  const asked = success === undefined || info.fieldNodes.some((node) => asksForRecord(node.selectionSet, success, info));
  if (first) recordAsked.set(first, asked);
  return asked;
}

/**
 * What a mutation answers with for the record it wrote: its key, which the type's loader reads
 * after the commit, or, when the client asks for nothing of the record but its id (`__typename`,
 * `... on UserError { message }`, `data { id }`), a stand-in holding only the key, and no read
 * follows the write. `keyField` is the property the type's `id` field reads (`id`, or `claimId`
 * for a claim's record): the one property a stand-in is ever read for.
 */
export function recordAnswer<Row extends object>(info: GraphQLResolveInfo, keyField: keyof Row & string, key: number): number | Row {
  if (clientAsksForRecord(info)) return key;
  // Only the type's `id` field reads the stand-in (clientAsksForRecord made sure), and it reads keyField.
  return { [keyField]: key } as Row;
}
