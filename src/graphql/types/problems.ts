/**
 * Expected failures as data. Every write's result is a union of its success type and these, all
 * of which implement `UserError` (a message and the path of the input at fault), so a client can
 * handle them all with `... on UserError { message path }`.
 */
import {
  AmbiguousQuoteError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  QuoteNotFoundError,
  UserError,
  ValidationError,
} from '../errors.ts';
import { builder } from '../builder.ts';

export const UserErrorInterface = builder.interfaceRef<UserError>('UserError').implement({
  description: 'An expected failure of a write: nothing was changed.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'What is wrong, in words.' }),
    path: t.exposeStringList('path', { description: 'The input field at fault, e.g. ["input", "citations", "0", "quote"].' }),
  }),
});

const simple = [
  [ValidationError, 'ValidationError', 'The input is malformed or inconsistent.'],
  [NotFoundError, 'NotFoundError', 'Something the input refers to does not exist.'],
  [ConflictError, 'ConflictError', 'The write conflicts with what is stored (a taken slug, a reused idempotency key...).'],
  [ForbiddenError, 'ForbiddenError', 'The request’s role may not do this (or it has no token).'],
] as const;
for (const [cls, name, description] of simple) {
  builder.objectType(cls, { name, description, interfaces: [UserErrorInterface] });
}

builder.objectType(QuoteNotFoundError, {
  name: 'QuoteNotFoundError',
  description: 'The quote is not in the source’s text (quotes must be verbatim).',
  interfaces: [UserErrorInterface],
  fields: (t) => ({ source: t.exposeString('source', { description: 'Slug of the source searched.' }) }),
});

builder.objectType(AmbiguousQuoteError, {
  name: 'AmbiguousQuoteError',
  description: 'The quote occurs several times in the source: say which `occurrence` (1-based).',
  interfaces: [UserErrorInterface],
  fields: (t) => ({
    source: t.exposeString('source', { description: 'Slug of the source the quote was looked for in.' }),
    occurrences: t.exposeInt('occurrences', { description: 'How many times the quote occurs.' }),
  }),
});

/** The errors every write may return. */
export const WRITE_ERRORS = [
  ValidationError,
  NotFoundError,
  ConflictError,
  ForbiddenError,
  QuoteNotFoundError,
  AmbiguousQuoteError,
];
