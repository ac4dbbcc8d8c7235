import { GraphQLError } from 'graphql';

/**
 * Bad input from the client: a GraphQLError is shown to the client as is (unexpected errors are
 * masked by yoga), with a stable code and the argument at fault.
 */
export function badInput(message: string, argument?: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'BAD_USER_INPUT', ...(argument ? { argument } : {}) },
  });
}

/**
 * A request refused by a limit: HTTP 400 (yoga reads `extensions.http` and leaves it out of the
 * response body) with a stable code, and a message naming the limit.
 */
export function refusal(code: string, message: string, status = 400): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status } } });
}

/**
 * Expected failures of a write, returned as data (Pothos errors plugin): each names what is wrong
 * and the input field at fault (`path`, e.g. ["input", "citations", "0", "quote"]). Anything
 * else thrown is unexpected and masked.
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

export class ValidationError extends UserError {}
export class NotFoundError extends UserError {}
export class ConflictError extends UserError {}
export class ForbiddenError extends UserError {}

export class QuoteNotFoundError extends UserError {
  constructor(
    message: string,
    path: string[],
    readonly source: string,
  ) {
    super(message, path);
  }
}

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
