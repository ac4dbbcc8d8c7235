/**
 * Query limits, from graphql-armor (depth, aliases, directives, tokens, field suggestions) plus
 * the introspection switch and a body-size check. Armor's own refusals are HTTP 200 without a code
 * under `Accept: application/json`; its reject hook gives each one a stable code and HTTP 400, so
 * every refusal looks the same to a client whatever it accepts. None of them reaches a resolver,
 * so none sends SQL. (The cost limit lives in the schema: src/graphql/cost.ts.)
 */
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { GraphQLArmorRejectCallback } from '@escape.tech/graphql-armor-types';
import { GraphQLError, NoSchemaIntrospectionCustomRule, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { LimitsConfig } from '../config.ts';
import { refusal } from '../graphql/errors.ts';

export const DEFAULT_LIMITS: LimitsConfig = {
  maxDepth: 12,
  maxAliases: 15,
  maxDirectives: 10,
  maxTokens: 2000,
  maxCost: 20_000,
  maxBodyBytes: 100_000,
  fieldSuggestions: true,
  introspection: true,
};

/** Marks an armor refusal: code, HTTP 400, and the message without armor's misleading "Syntax Error: " prefix. */
function tagRejection(code: string): GraphQLArmorRejectCallback {
  return (_ctx, error) => {
    error.message = error.message.replace(/^Syntax Error: /, '');
    Object.assign(error.extensions, { code, http: { status: 400 } });
  };
}

export function useArmor(limits: LimitsConfig): Plugin {
  return EnvelopArmorPlugin({
    maxDepth: { n: limits.maxDepth, onReject: [tagRejection('DEPTH_LIMIT_EXCEEDED')] },
    maxAliases: { n: limits.maxAliases, onReject: [tagRejection('ALIAS_LIMIT_EXCEEDED')] },
    maxDirectives: { n: limits.maxDirectives, onReject: [tagRejection('DIRECTIVE_LIMIT_EXCEEDED')] },
    maxTokens: { n: limits.maxTokens, onReject: [tagRejection('TOKEN_LIMIT_EXCEEDED')] },
    // Armor's cost limit reads literals only (a `first: $n` escapes it); the schema's does not.
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: !limits.fieldSuggestions },
  }) as Plugin;
}

/** graphql-js's own rule, with a code and HTTP 400 like every other refusal. */
function noIntrospection(context: ValidationContext) {
  const proxy = Object.create(context) as ValidationContext;
  proxy.reportError = (error: GraphQLError) =>
    context.reportError(refusal('INTROSPECTION_DISABLED', `Introspection is disabled on this server (${error.message})`));
  return NoSchemaIntrospectionCustomRule(proxy);
}

/** Codes of the refusals above and of the cost limit. */
export const REFUSAL_CODES = new Set([
  'DEPTH_LIMIT_EXCEEDED',
  'ALIAS_LIMIT_EXCEEDED',
  'DIRECTIVE_LIMIT_EXCEEDED',
  'TOKEN_LIMIT_EXCEEDED',
  'COST_LIMIT_EXCEEDED',
  'INTROSPECTION_DISABLED',
  'BODY_TOO_LARGE',
]);

/**
 * Yoga marks parse and validation errors as spec errors and, under `Accept: application/json`,
 * answers them 200 whatever status they carry. A status on the result itself wins, so a refusal
 * is a 400 under every accept header.
 */
export function useRefusalStatus(): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || !('errors' in result) || !result.errors) return;
      const refused = result.errors.some((e) => {
        const code = e.extensions?.code;
        return typeof code === 'string' && REFUSAL_CODES.has(code);
      });
      if (refused) setResult({ ...result, extensions: { ...result.extensions, http: { status: 400 } } });
    },
  };
}

export function useIntrospectionSwitch(enabled: boolean): Plugin {
  return {
    onValidate({ addValidationRule }) {
      if (!enabled) addValidationRule(noIntrospection);
    },
  };
}

function refusalResponse(code: string, message: string, status = 400): Response {
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}

/**
 * Refuses a declared body over the limit before it is read. Bodies sent without a length
 * (chunked) are counted as they arrive by the HTTP server (src/server.ts), which needs the socket.
 */
export function useBodyLimit(maxBytes: number): Plugin {
  return {
    onRequest({ request, endResponse }) {
      const declared = request.headers.get('content-length');
      if (declared !== null && Number(declared) > maxBytes) {
        endResponse(bodyTooLarge(maxBytes));
      }
    },
  };
}

export function bodyTooLarge(maxBytes: number): Response {
  return refusalResponse('BODY_TOO_LARGE', `Request body exceeds the limit of ${maxBytes} bytes`);
}
