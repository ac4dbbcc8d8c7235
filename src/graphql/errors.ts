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
