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
 * Expected failures of a write are the domain's (src/domain/errors.ts): the Pothos errors plugin
 * returns them as data, each class as its typed GraphQL error (src/graphql/types/problems.ts).
 * Anything else thrown is unexpected and masked.
 */
export {
  AmbiguousQuoteError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  QuoteNotFoundError,
  UserError,
  ValidationError,
} from '../domain/errors.ts';
