/**
 * Expected failures of a write: each names what is wrong and the input field at fault (`path`,
 * e.g. ["input", "citations", "0", "quote"]). The domain throws them; callers map them to their
 * own shape (the GraphQL API returns them as typed errors, src/graphql/types/problems.ts; the
 * importers list them as problems). Anything else thrown is unexpected.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly path: string[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The input is malformed or inconsistent. */
export class ValidationError extends UserError {}
/** Something the input refers to does not exist. */
export class NotFoundError extends UserError {}
/** The write conflicts with what is stored (a taken slug, an already retracted claim...). */
export class ConflictError extends UserError {}
/** The principal may not do this. */
export class ForbiddenError extends UserError {}

/** A quote that is not in its source's text (quotes are verbatim). */
export class QuoteNotFoundError extends UserError {
  constructor(
    message: string,
    path: string[],
    readonly source: string,
  ) {
    super(message, path);
  }
}

/** A quote that occurs several times in its source, given without saying which occurrence. */
export class AmbiguousQuoteError extends UserError {
  constructor(
    message: string,
    path: string[],
    readonly source: string,
    readonly occurrences: number,
  ) {
    super(message, path);
  }
}
