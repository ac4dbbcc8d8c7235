import { GraphQLError } from 'graphql';

/**
 * An error about what the client sent needs no stack trace, and formatting one is the dearest
 * part of an error: V8 formats it on first read, through source maps under tsx, and yoga and
 * graphql-jit read `stack` while wrapping every error of a result. Refusing junk should cost
 * less than serving a dashboard, so such errors carry their message as their stack.
 */
export function withoutStack<E extends Error>(error: E): E {
  Object.defineProperty(error, 'stack', { value: `${error.name}: ${error.message}`, writable: true, configurable: true });
  return error;
}

/**
 * Bad input from the client: a GraphQLError is shown to the client as is (unexpected errors are
 * masked by yoga), with a stable code and the argument at fault.
 */
export function badInput(message: string, argument?: string): GraphQLError {
  return withoutStack(
    new GraphQLError(message, {
      extensions: { code: 'BAD_USER_INPUT', ...(argument ? { argument } : {}) },
    }),
  );
}

/**
 * A request refused by a limit: HTTP 400 (yoga reads `extensions.http` and leaves it out of the
 * response body) with a stable code, and a message naming the limit.
 */
export function refusal(code: string, message: string, status = 400): GraphQLError {
  return withoutStack(new GraphQLError(message, { extensions: { code, http: { status } } }));
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
