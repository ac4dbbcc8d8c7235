/**
 * Every bad argument is the client's error, refused before anything runs: HTTP 400 (under
 * application/graphql-response+json) with `extensions.code = "BAD_USER_INPUT"` and the argument
 * named, never a masked internal error from PostgreSQL or a library deeper down.
 *
 * - Literals of the wrong type (an unknown enum value, an impossible or out-of-range date, an Int
 *   over 2^31): graphql-js's ValuesOfCorrectTypeRule, with the code and the argument added.
 * - Variables that do not coerce (`$n: Int` given "abc"): coerced here, before execution, with
 *   graphql-js's own getVariableValues, so queries (graphql-jit) and mutations (graphql-js)
 *   answer alike.
 * - Strings that cannot be stored verbatim (NUL, lone surrogates) or are longer than the
 *   argument's limit (`extensions.maxLength`, else TEXT_LIMITS.other; src/domain/limits.ts),
 *   anywhere in any argument, literal or variable, nested input fields included.
 *
 * Errors a resolver raises with BAD_USER_INPUT (a forged cursor, `from` after `to`) leave no data
 * to answer with; they get HTTP 400 too.
 */
import {
  GraphQLError,
  Kind,
  TypeInfo,
  ValuesOfCorrectTypeRule,
  getOperationAST,
  getVariableValues,
  isInputObjectType,
  isListType,
  isNonNullType,
  specifiedRules,
  valueFromAST,
  visit,
  visitWithTypeInfo,
  type ArgumentNode,
  type ASTNode,
  type ASTVisitor,
  type GraphQLArgument,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
  type VariableDefinitionNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { TEXT_LIMITS, textProblem } from '../domain/limits.ts';
import { withoutStack } from '../graphql/errors.ts';

const BAD_USER_INPUT = 'BAD_USER_INPUT';

/** A request error about an argument: 400 under graphql-response+json, like validation errors. */
function argumentError(message: string, argument: string | undefined, nodes?: readonly ASTNode[] | ASTNode, originalError?: Error): GraphQLError {
  return withoutStack(
    new GraphQLError(message, {
      nodes,
      originalError,
      extensions: { code: BAD_USER_INPUT, ...(argument ? { argument } : {}), http: { spec: true, status: 400 } },
    }),
  );
}

/**
 * ValuesOfCorrectTypeRule reporting BAD_USER_INPUT and the argument (or variable default) whose
 * literal is wrong, e.g. `filter.kind` for `events(filter: { kind: [MASSACRE] })`.
 */
function valuesOfCorrectType(context: ValidationContext): ASTVisitor {
  const path: string[] = [];
  const proxy = Object.create(context) as ValidationContext;
  proxy.reportError = (error: GraphQLError) => {
    const argument = path.length > 0 ? path.join('.') : undefined;
    context.reportError(
      argumentError(argument ? `${error.message} (argument "${argument}")` : error.message, argument, error.nodes, error.originalError ?? undefined),
    );
  };
  const inner = ValuesOfCorrectTypeRule(proxy) as Record<string, unknown>;
  const innerObjectField = inner.ObjectField as ((...args: unknown[]) => unknown) | undefined;
  return {
    ...(inner as ASTVisitor),
    Argument: {
      enter: (node) => void path.push(node.name.value),
      leave: () => void path.pop(),
    },
    VariableDefinition: {
      enter: (node) => void path.push(`$${node.variable.name.value}`),
      leave: () => void path.pop(),
    },
    ObjectField: {
      enter: (...args: unknown[]) => {
        path.push((args[0] as { name: { value: string } }).name.value);
        return innerObjectField?.(...args) as undefined;
      },
      leave: () => void path.pop(),
    },
  };
}

function withOurRules(rules: readonly ValidationRule[] | undefined): ValidationRule[] {
  return (rules ?? specifiedRules).map((rule) => (rule === ValuesOfCorrectTypeRule ? valuesOfCorrectType : rule));
}

/** Where each variable is used: the arguments (and input fields) it fills, e.g. $n → ["first"]. */
function variableUses(document: DocumentNode): Map<string, Set<string>> {
  const uses = new Map<string, Set<string>>();
  const path: string[] = [];
  visit(document, {
    Argument: { enter: (node) => void path.push(node.name.value), leave: () => void path.pop() },
    ObjectField: { enter: (node) => void path.push(node.name.value), leave: () => void path.pop() },
    Variable(node) {
      if (path.length === 0) return;
      const name = node.name.value;
      const set = uses.get(name) ?? new Set<string>();
      set.add(path.join('.'));
      uses.set(name, set);
    },
  });
  return uses;
}

function maxLengthOf(extensions: Readonly<Record<string, unknown>> | null | undefined, name?: string): number {
  const value = extensions?.maxLength;
  if (typeof value === 'number') return value;
  // The relay plugin defines the connection arguments; a keyset cursor carries a sort key (a title).
  return name === 'after' || name === 'before' ? TEXT_LIMITS.cursor : TEXT_LIMITS.other;
}

/** Problems of one (coerced) argument value, walked along its type. */
function valueProblems(
  value: unknown,
  type: GraphQLInputType,
  maxLength: number,
  path: string[],
  found: { path: string[]; problem: string }[],
): void {
  if (value === null || value === undefined) return;
  const nullable = isNonNullType(type) ? type.ofType : type;
  if (isListType(nullable)) {
    if (!Array.isArray(value)) return valueProblems(value, nullable.ofType, maxLength, path, found);
    value.forEach((item, i) => valueProblems(item, nullable.ofType, maxLength, [...path, String(i)], found));
    return;
  }
  if (isInputObjectType(nullable)) {
    if (typeof value !== 'object') return;
    for (const field of Object.values(nullable.getFields())) {
      const fieldValue = (value as Record<string, unknown>)[field.name];
      valueProblems(fieldValue, field.type, maxLengthOf(field.extensions), [...path, field.name], found);
    }
    return;
  }
  if (typeof value === 'string') {
    const problem = textProblem(value, maxLength);
    if (problem) found.push({ path, problem });
  }
}

/** An argument in a document, with what the schema says of it: where a value is checked. */
interface ArgumentSite {
  node: ArgumentNode;
  argument: GraphQLArgument;
  /** " of Type.field", for the message. */
  where: string;
  /** The directive the argument belongs to, for a directive's argument. */
  directive?: string;
}

const sitesBySchema = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, ArgumentSite[]>>();

/**
 * Every argument of the document, found once per document (yoga's parser cache hands the same
 * document object to each request sending the same text): walking the document with type
 * information on every request cost a dashboard request more than its argument checks.
 */
function argumentSites(schema: GraphQLSchema, document: DocumentNode): ArgumentSite[] {
  let bySchema = sitesBySchema.get(schema);
  if (!bySchema) sitesBySchema.set(schema, (bySchema = new WeakMap()));
  const known = bySchema.get(document);
  if (known) return known;
  const typeInfo = new TypeInfo(schema);
  const sites: ArgumentSite[] = [];
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument(node) {
        const argument = typeInfo.getArgument();
        if (!argument) return false;
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        const directive = typeInfo.getDirective();
        if (directive) sites.push({ node, argument, where: ` of @${directive.name}`, directive: directive.name });
        else sites.push({ node, argument, where: parent && field ? ` of ${parent.name}.${field.name}` : '' });
        return false;
      },
    }),
  );
  bySchema.set(document, sites);
  return sites;
}

/** Every argument of the document, with variables' coerced values, checked for unstorable text. */
function argumentProblems(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>): GraphQLError[] {
  const errors: GraphQLError[] = [];
  for (const { node, argument, where, directive } of argumentSites(schema, document)) {
    const value = valueFromAST(node.value, argument.type, variables);
    const found: { path: string[]; problem: string }[] = [];
    valueProblems(value, argument.type, maxLengthOf(argument.extensions, argument.name), [node.name.value], found);
    for (const { path, problem } of found) {
      errors.push(argumentError(`Argument "${path.join('.')}"${where} ${problem}.`, path.join('.'), node));
    }
    // graphql-js's executor asserts this with a plain Error, which reached the client masked as internal.
    if (directive === 'stream' && argument.name === 'initialCount' && typeof value === 'number' && value < 0) {
      errors.push(argumentError(`Argument "initialCount"${where} must be 0 or more, got ${value}.`, 'initialCount', node));
    }
  }
  return errors;
}

/**
 * Operations without variables whose arguments passed: nothing a request sends can change that
 * answer (the variables it may still send are ignored), so the check runs once per document.
 */
const passedWithoutVariables = new WeakMap<DocumentNode, Set<string>>();

type Checked = { errors: GraphQLError[] } | { coerced: Record<string, unknown> };

/** Coerces the operation's variables and checks every argument; errors name the argument. */
export function checkArguments(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: Readonly<Record<string, unknown>> | null | undefined,
): Checked {
  const operation = getOperationAST(document, operationName);
  if (!operation) return { coerced: {} };
  const definitions = (operation.variableDefinitions ?? []) as VariableDefinitionNode[];
  const passed = definitions.length === 0 ? passedWithoutVariables.get(document) : undefined;
  if (passed?.has(operationName ?? '')) return { coerced: {} };
  const coercion = getVariableValues(schema, definitions, rawVariables ?? {}, { maxErrors: 20 });
  if (coercion.errors) {
    const uses = variableUses(document);
    return {
      errors: coercion.errors.map((error) => {
        const definition = error.nodes?.find((n): n is VariableDefinitionNode => n.kind === Kind.VARIABLE_DEFINITION);
        const name = definition?.variable.name.value;
        const argument = name ? [...(uses.get(name) ?? [])].join(', ') || undefined : undefined;
        return argumentError(
          argument ? `${error.message} (argument "${argument}")` : error.message,
          argument,
          error.nodes,
          error.originalError ?? undefined,
        );
      }),
    };
  }
  const errors = argumentProblems(schema, document, coercion.coerced);
  if (errors.length > 0) return { errors };
  if (definitions.length === 0) {
    const names = passedWithoutVariables.get(document) ?? new Set<string>();
    names.add(operationName ?? '');
    passedWithoutVariables.set(document, names);
  }
  return { coerced: coercion.coerced };
}

function prefersGraphQLResponse(request: Request): boolean {
  return (request.headers.get('accept') ?? '').includes('application/graphql-response+json');
}

export function useInputChecks(): Plugin {
  return {
    onValidate({ setValidationFn, validateFn }) {
      setValidationFn((schema, document, rules, typeInfo, options) => validateFn(schema, document, withOurRules(rules), typeInfo, options));
    },
    onExecute({ args, setResultAndStopExecution }) {
      const checked = checkArguments(args.schema, args.document, args.operationName, args.variableValues);
      if ('errors' in checked) setResultAndStopExecution({ errors: checked.errors });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const checked = checkArguments(args.schema, args.document, args.operationName, args.variableValues);
      if ('errors' in checked) setResultAndStopExecution({ errors: checked.errors });
    },
    onResultProcess({ request, result, setResult }) {
      if (Array.isArray(result) || !('errors' in result) || !result.errors?.length) return;
      // Partial data must stay 2xx; with none, bad input is the request's fault.
      if (result.data != null || !prefersGraphQLResponse(request)) return;
      if (result.errors.every((e) => e.extensions?.code === BAD_USER_INPUT)) {
        setResult({ ...result, extensions: { ...result.extensions, http: { ...(result.extensions?.http as object), status: 400 } } });
      }
    },
  };
}
