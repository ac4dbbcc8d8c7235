/**
 * Every bad input is the client's error. The fuzz below is driven by the schema itself: every
 * argument of every root query and mutation field, down every input object, gets odd values of its
 * type (NUL, lone surrogates, overlong strings, impossible and far-off dates, out-of-range numbers,
 * unknown enum values, forged cursors and global ids), as variables and as literals. Each answer
 * must be a refusal naming the argument — 400 BAD_USER_INPUT, or for a write a typed error — and
 * never an internal error, a stack, a file path, SQL or a constraint name; the writes, sent with an
 * admin token to a scratch database, must leave it exactly as it was.
 */
import { request } from 'node:http';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DATE_RANGE, TEXT_LIMITS } from '../src/domain/limits.ts';
import { schema } from '../src/graphql/schema.ts';
import type { RunningServer } from '../src/server.ts';
import { tableCounts, writeFixture, type GraphQLResponse, type WriteFixture } from './helpers.ts';
import { serve } from './server-helpers.ts';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const NODE_TYPES = schema.getPossibleTypes(schema.getType('Node') as never).map((t) => t.name);
const MEGABYTE = 'x'.repeat(1_000_000);

/** An odd value; `literal` is its GraphQL source when it can be written as one. */
interface Odd {
  label: string;
  value: unknown;
  literal?: string;
  /** False for values that are odd but may be valid (an id of some other record type). */
  mustFail: boolean;
}

const str = (label: string, value: string, mustFail = true): Odd => ({ label, value, literal: JSON.stringify(value), mustFail });

function oddStrings(maxLength: number, argName: string): Odd[] {
  const odd = [
    str('NUL', 'a\u0000b'),
    // JSON.stringify writes it as \ud800, which GraphQL's lexer refuses: a parse error, also a 400.
    str('lone surrogate', 'a\ud800b'),
  ];
  // Longer than the body limit would be the body limit's refusal, not the argument's.
  if (maxLength < MEGABYTE.length) {
    odd.push({ label: `${maxLength + 1} characters`, value: 'x'.repeat(maxLength + 1), mustFail: true });
    odd.push({ label: '1 MB', value: MEGABYTE, mustFail: true });
  }
  if (argName === 'after' || argName === 'before') {
    for (const forged of ['OffsetConnection:99999999999999999999', 'OffsetConnection:-1', 'OffsetConnection:abc', 'Actor:1']) {
      odd.push(str(`forged cursor ${forged}`, b64(forged)));
    }
    odd.push(str('non-base64 cursor', '%%%'));
  }
  return odd;
}

/**
 * Malformed ids, and well-formed ids of every type name: of a record that exists (`:1`) for reads,
 * where another type's id must be refused and the right type's answered; of none (`:999999`) for
 * writes, which must then refuse either way and change nothing.
 */
function oddIds(forWrites: boolean): Odd[] {
  const odd = [str('non-base64 id', '%%%'), str('NUL id', 'a\u0000b'), { label: '1001-char id', value: 'x'.repeat(1001), mustFail: true }];
  for (const name of [...NODE_TYPES, 'Nope', 'Query', 'Mutation', 'Node', 'String', 'OffsetConnection']) {
    odd.push(str(`${name}:0`, b64(`${name}:0`)), str(`${name}:99999999999`, b64(`${name}:99999999999`)));
    const id = forWrites ? `${name}:999999` : `${name}:1`;
    odd.push(str(id, b64(id), !NODE_TYPES.includes(name)));
  }
  return odd;
}

function oddsFor(type: GraphQLInputType, maxLength: number, argName: string, forWrites: boolean): Odd[] {
  const named = getNamedType(type);
  if (isEnumType(named)) return [{ label: 'unknown enum value', value: 'NOT_A_VALUE', literal: 'NOT_A_VALUE', mustFail: true }];
  if (!isScalarType(named)) return [];
  switch (named.name) {
    case 'String':
      return oddStrings(maxLength, argName);
    case 'ID':
      return oddIds(forWrites);
    case 'Int':
      return [
        { label: '2^31', value: 2 ** 31, literal: String(2 ** 31), mustFail: true },
        { label: '-1', value: -1, literal: '-1', mustFail: true },
        { label: '1.5', value: 1.5, literal: '1.5', mustFail: true },
        str('NaN-like string', 'NaN'),
        str('numeric string', '12abc'),
      ];
    case 'Boolean':
      return [str('string for a Boolean', 'yes')];
    case 'LocalDate':
      return ['0000-01-01', '99999-01-01', '2024-02-30', '1600-01-01', '2500-01-01', 'not a date'].map((d) => str(d, d));
    case 'DateTime':
      return ['0000-01-01T00:00:00Z', '99999-01-01T00:00:00Z', '2024-02-30T00:00:00Z', '1600-01-01T00:00:00Z', 'yesterday'].map((d) => str(d, d));
    default:
      return [];
  }
}

/** A plain value of a type, for the arguments and fields a case does not vary. */
function baseline(type: GraphQLInputType): unknown {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) return [baseline(inner.ofType)];
  if (isInputObjectType(inner)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(inner.getFields())) {
      if (isNonNullType(field.type) && field.defaultValue === undefined) value[field.name] = baseline(field.type);
    }
    return value;
  }
  if (isEnumType(inner)) return inner.getValues()[0]?.value;
  switch (inner.name) {
    case 'Int':
      return 1;
    case 'Boolean':
      return false;
    case 'ID':
      // Well formed, names nothing: a write naming it is refused, never done.
      return b64('Citation:999999');
    case 'LocalDate':
      return '2024-01-01';
    case 'DateTime':
      return '2024-01-01T00:00:00Z';
    default:
      return 'no-such-record';
  }
}

/** One leaf of an argument: where it sits, its type, and its length limit. */
interface Leaf {
  path: (string | number)[];
  type: GraphQLInputType;
  maxLength: number;
}

function maxLengthOf(extensions: Readonly<Record<string, unknown>> | null | undefined): number {
  return typeof extensions?.maxLength === 'number' ? extensions.maxLength : TEXT_LIMITS.other;
}

function leaves(type: GraphQLInputType, maxLength: number, path: (string | number)[], seen: Set<string>): Leaf[] {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) return leaves(inner.ofType, maxLength, [...path, 0], seen);
  if (isInputObjectType(inner)) {
    if (seen.has(inner.name)) return [];
    const next = new Set(seen).add(inner.name);
    return Object.values(inner.getFields()).flatMap((f) => leaves(f.type, maxLengthOf(f.extensions), [...path, f.name], next));
  }
  return isLeafType(inner) ? [{ path, type, maxLength }] : [];
}

/** The argument's value with the leaf at `path` (below the argument) set to `value`. */
function withLeaf(argType: GraphQLInputType, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const root = structuredClone(baseline(argType)) as Record<string | number, unknown>;
  let at: Record<string | number, unknown> = root;
  let type: GraphQLInputType = argType;
  for (const [i, key] of path.entries()) {
    const inner = isNonNullType(type) ? type.ofType : type;
    const last = i === path.length - 1;
    if (isListType(inner)) {
      type = inner.ofType;
    } else if (isInputObjectType(inner)) {
      type = inner.getFields()[key as string]!.type;
    }
    if (last) at[key] = value;
    else {
      at[key] ??= baseline(type);
      at = at[key] as Record<string | number, unknown>;
    }
  }
  return root;
}

/** GraphQL source for a value whose one odd leaf is written as `literal`. */
function printValue(value: unknown, type: GraphQLInputType, oddPath: (string | number)[] | null, literal: string): string {
  if (oddPath && oddPath.length === 0) return literal;
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    const items = value as unknown[];
    return `[${items.map((item, i) => printValue(item, inner.ofType, oddPath?.[0] === i ? oddPath.slice(1) : null, literal)).join(', ')}]`;
  }
  if (isInputObjectType(inner)) {
    const fields = inner.getFields();
    const entries = Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => `${k}: ${printValue(v, fields[k]!.type, oddPath?.[0] === k ? oddPath.slice(1) : null, literal)}`,
    );
    return `{ ${entries.join(', ')} }`;
  }
  if (isEnumType(inner)) return String(value);
  return JSON.stringify(value);
}

function typeString(type: GraphQLInputType): string {
  return type.toString();
}

function selectionFor(field: GraphQLField<unknown, unknown>): string {
  return isLeafType(getNamedType(field.type)) ? '' : '{ __typename }';
}

interface Case {
  name: string;
  operation: 'query' | 'mutation';
  document: string;
  variables: Record<string, unknown>;
  mustFail: boolean;
  argument: string;
}

/**
 * The cases for one field: each leaf of each argument, each odd value, as variable and literal.
 * A root field is asked directly; a field of a record type inside `wrap` (e.g. `actor(slug: "isis-k") { … }`).
 */
function casesFor(operation: 'query' | 'mutation', field: GraphQLField<unknown, unknown>, wrap: (inner: string) => string = (inner) => inner): Case[] {
  const cases: Case[] = [];
  const required = field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
  for (const arg of field.args) {
    for (const leaf of leaves(arg.type, maxLengthOf(arg.extensions), [], new Set())) {
      for (const odd of oddsFor(leaf.type, leaf.maxLength, arg.name, operation === 'mutation')) {
        const others = required.filter((a: GraphQLArgument) => a.name !== arg.name);
        const otherVars = Object.fromEntries(others.map((a) => [`o_${a.name}`, baseline(a.type)]));
        const otherDefs = others.map((a) => `$o_${a.name}: ${typeString(a.type)}`);
        const otherArgs = others.map((a) => `${a.name}: $o_${a.name}`);
        const selection = selectionFor(field);
        const name = `${operation} ${field.name}(${arg.name}${leaf.path.length ? `.${leaf.path.join('.')}` : ''}) ← ${odd.label}`;
        const value = withLeaf(arg.type, leaf.path, odd.value);
        cases.push({
          name: `${name} (variable)`,
          operation,
          document: `${operation}(${['$v: ' + typeString(arg.type), ...otherDefs].join(', ')}) { ${wrap(`${field.name}(${[`${arg.name}: $v`, ...otherArgs].join(', ')}) ${selection}`)} }`,
          variables: { v: value, ...otherVars },
          mustFail: odd.mustFail,
          argument: arg.name,
        });
        if (odd.literal !== undefined && (typeof odd.value !== 'string' || odd.value.length <= 20_000)) {
          const literal = printValue(value, arg.type, leaf.path, odd.literal);
          cases.push({
            name: `${name} (literal)`,
            operation,
            document: `${operation}${otherDefs.length ? `(${otherDefs.join(', ')})` : ''} { ${wrap(`${field.name}(${[`${arg.name}: ${literal}`, ...otherArgs].join(', ')}) ${selection}`)} }`,
            variables: otherVars,
            mustFail: odd.mustFail,
            argument: arg.name,
          });
        }
      }
    }
  }
  return cases;
}

const LEAKS = /stack|\bat [\w.<>]+ \(|\/work\/|node_modules|\.ts:\d|select |insert |update |delete from|violates|constraint|postgres|drizzle|_check\b|_key\b|_pkey\b/i;
const CLIENT_CODES = new Set(['BAD_USER_INPUT', 'GRAPHQL_PARSE_FAILED', 'FORBIDDEN']);

/** What is wrong with an answer to a case, or null when it is a proper refusal (or a proper answer). */
function problemWith(c: Case, response: GraphQLResponse): string | null {
  const text = JSON.stringify(response);
  if (LEAKS.test(text.replaceAll(/"message":"[^"]*no-such-record[^"]*"/g, ''))) return `leaks internals: ${text.slice(0, 300)}`;
  if (response.status >= 500) return `answered ${response.status}: ${text.slice(0, 300)}`;
  const errors = response.errors ?? [];
  for (const error of errors) {
    const code = error.extensions?.code;
    if (typeof code !== 'string' || !CLIENT_CODES.has(code)) return `error without a client code: ${JSON.stringify(error).slice(0, 300)}`;
    if (code === 'BAD_USER_INPUT' && typeof error.extensions?.argument !== 'string') return `BAD_USER_INPUT names no argument: ${error.message}`;
  }
  if (errors.length > 0 && response.data == null && response.status !== 400) return `refused with HTTP ${response.status}, not 400`;
  const data = response.data as Record<string, { __typename?: string; path?: string[] } | null> | undefined;
  const result = data?.[Object.keys(data ?? {})[0] ?? ''];
  if (c.operation === 'mutation' && errors.length === 0) {
    const typename = result?.__typename ?? '';
    if (!/Error$/.test(typename)) return `a write with an odd value was done: ${text.slice(0, 300)}`;
    return null;
  }
  if (c.mustFail && errors.length === 0) return `accepted: ${text.slice(0, 300)}`;
  return null;
}

let fixture: WriteFixture;
beforeAll(async () => {
  // A body limit above 1 MB, so the megabyte strings reach the argument checks.
  fixture = await writeFixture({ limits: { maxBodyBytes: 3_000_000 } });
}, 120_000);
afterAll(() => fixture.close());

function rootFields(operation: 'query' | 'mutation'): GraphQLField<unknown, unknown>[] {
  const type = operation === 'query' ? schema.getQueryType() : schema.getMutationType();
  return Object.values(type?.getFields() ?? {});
}

/**
 * Fields with arguments on the records root fields return (an actor's network, an event's
 * participants...), each reached through a stored record of the seed.
 */
function nestedCases(): Case[] {
  const stored: Record<string, string> = {
    Actor: 'actor(slug: "isis-k")',
    Event: 'event(slug: "moscow-concert-hall-attack")',
    Doctrine: 'doctrine(slug: "sunni-islam")',
    Source: 'source(slug: "globely-news-isis-k-long-reach")',
    Place: 'place(slug: "afghanistan")',
  };
  return Object.entries(stored).flatMap(([typeName, root]) => {
    const type = schema.getType(typeName) as { getFields: () => Record<string, GraphQLField<unknown, unknown>> };
    return Object.values(type.getFields())
      .filter((field) => field.args.length > 0)
      .flatMap((field) => casesFor('query', field, (inner) => `${root} { ${inner} }`));
  });
}

async function fuzz(operation: 'query' | 'mutation'): Promise<{ cases: number; problems: string[] }> {
  const cases = [
    ...rootFields(operation).flatMap((field) => casesFor(operation, field)),
    ...(operation === 'query' ? nestedCases() : []),
  ];
  const problems: string[] = [];
  for (const c of cases) {
    const response = await fixture.api.query(c.document, c.variables, { token: fixture.tokens.admin });
    const problem = problemWith(c, response);
    if (problem) problems.push(`${c.name}: ${problem}`);
  }
  return { cases: cases.length, problems };
}

describe('every argument of the schema refuses odd values as the client’s error', () => {
  it('queries, root and nested fields: BAD_USER_INPUT naming the argument, never an internal error or a leak', async () => {
    const { cases, problems } = await fuzz('query');
    expect(problems).toEqual([]);
    // Every root query field with arguments was fuzzed.
    expect(cases).toBeGreaterThan(500);
  }, 600_000);

  it('mutations: refused (400 or a typed error), and the data is exactly as it was', async () => {
    const before = await tableCounts(fixture.scratch.handle.sql);
    const { cases, problems } = await fuzz('mutation');
    expect(problems).toEqual([]);
    expect(cases).toBeGreaterThan(500);
    expect(await tableCounts(fixture.scratch.handle.sql)).toEqual(before);
  }, 600_000);
});

describe('refusals a client can rely on', () => {
  it('variable coercion errors are 400 BAD_USER_INPUT naming the argument', async () => {
    const r = await fixture.api.query(`query($n: Int) { events(first: $n) { totalCount } }`, { n: 'abc' });
    expect(r.status).toBe(400);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'first' });
  });

  it('an unknown enum value and an impossible date written as literals are BAD_USER_INPUT', async () => {
    const kind = await fixture.api.query(`{ events(filter: { kind: [MASSACRE] }) { totalCount } }`);
    expect(kind.status).toBe(400);
    expect(kind.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'filter.kind' });
    const date = await fixture.api.query(`{ events(filter: { from: "2024-02-30" }) { totalCount } }`);
    expect(date.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'filter.from' });
    const far = await fixture.api.query(`{ events(filter: { to: "0000-01-01" }) { totalCount } }`);
    expect(far.errors?.[0]?.message).toContain(`between ${DATE_RANGE.earliest} and ${DATE_RANGE.latest}`);
  });

  it('text that is not valid Unicode is refused, not stored altered', async () => {
    const r = await fixture.api.query(
      `mutation($t: String!) { addSource(input: { slug: "surrogate-test", publisher: "P", text: $t }) { __typename } }`,
      { t: 'before \ud800 after' },
      { token: fixture.tokens.analyst },
    );
    expect(r.status).toBe(400);
    expect(r.errors?.[0]?.message).toMatch(/input\.text.*not valid Unicode/);
    const [row] = await fixture.scratch.handle.sql`select count(*)::int as n from sources where slug = 'surrogate-test'`;
    expect(row?.n).toBe(0);
  });

  it('text with leading or trailing whitespace is refused, not stored trimmed', async () => {
    const cite = '[{ source: "globely-news-isis-k-long-reach", quote: "ISIS-K", occurrence: 1 }]';
    for (const [i, name] of ['  padded  ', 'line break\r\n', '\ufeffbyte order mark', '\u2028separator'].entries()) {
      const r = await fixture.api.query<{ createActor: { __typename: string; path: string[]; message: string } }>(
        `mutation($n: String!, $s: String!) { createActor(input: { slug: $s, name: $n, kind: ARMED_ORGANIZATION, confidence: 50,
          citations: ${cite} }) { __typename ... on UserError { message path } } }`,
        { n: name, s: `padded-name-${i}` },
        { token: fixture.tokens.analyst },
      );
      expect(r.data?.createActor, JSON.stringify(name)).toMatchObject({ __typename: 'ValidationError', path: ['input', 'name'] });
      expect(r.data?.createActor.message).toMatch(/never trimmed/);
    }
    const [row] = await fixture.scratch.handle.sql`select count(*)::int as n from actors where slug like 'padded-name-%'`;
    expect(row?.n).toBe(0);
    // Whitespace inside the text is the text: stored as sent.
    const inner = await fixture.api.query<{ createActor: { __typename: string; data: { name: string } } }>(
      `mutation { createActor(input: { slug: "inner-space", name: "Tab\there", kind: ARMED_ORGANIZATION, confidence: 50,
        citations: ${cite} }) { __typename ... on MutationCreateActorSuccess { data { name } } } }`,
      {},
      { token: fixture.tokens.analyst },
    );
    expect(inner.data?.createActor.data.name).toBe('Tab\there');
  });

  it('a source URL must be http(s)', async () => {
    for (const url of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'java\tscript:alert(1)', '\thttps://example.com', 'https://example.com/\n']) {
      const r = await fixture.api.query<{ addSource: { __typename: string; path: string[]; message: string } }>(
        `mutation($u: String) { addSource(input: { slug: "script-url", publisher: "P", text: "t", url: $u }) { __typename ... on UserError { message path } } }`,
        { u: url },
        { token: fixture.tokens.analyst },
      );
      expect(r.data?.addSource).toMatchObject({ __typename: 'ValidationError', path: ['input', 'url'] });
      expect(r.data?.addSource.message).toMatch(/http\(s\)|spaces, tabs/);
    }
  });

  it('a claim id of one type is not taken for another type', async () => {
    const [adherence] = await fixture.scratch.handle.sql<{ claim_id: number }[]>`select claim_id from adherences limit 1`;
    const forged = b64(`Relationship:${adherence!.claim_id}`);
    const r = await fixture.api.query<{ retractClaim: { __typename: string; path: string[] } }>(
      `mutation($c: ID!) { retractClaim(input: { claim: $c, reason: "wrong type", citation: { source: "globely-news-isis-k-long-reach", quote: "ISIS-K", occurrence: 1 } }) { __typename ... on UserError { path } } }`,
      { c: forged },
      { token: fixture.tokens.admin },
    );
    expect(r.data?.retractClaim).toMatchObject({ __typename: 'NotFoundError', path: ['input', 'claim'] });
    const [claim] = await fixture.scratch.handle.sql`select retracted_at from claims where id = ${adherence!.claim_id}`;
    expect(claim?.retracted_at).toBeNull();
  });

  it('a global id naming no record type is BAD_USER_INPUT, not the relay plugin’s words', async () => {
    for (const name of ['Nope', 'Query', 'Node', 'String']) {
      const r = await fixture.api.query(`query($id: ID!) { node(id: $id) { id } }`, { id: b64(`${name}:1`) });
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(r.errors?.[0]?.message).toMatch(/not a kind of record/);
    }
  });

  it('a conflict names no constraint', async () => {
    await fixture.api.query(`mutation { createPlace(input: { slug: "conflict-test", name: "Conflict", kind: COUNTRY }) { __typename } }`, undefined, {
      token: fixture.tokens.analyst,
    });
    // Another name for the same slug: the identical request would be replayed (implicit idempotency).
    const again = await fixture.api.query<{ createPlace: { __typename: string; message: string } }>(
      `mutation { createPlace(input: { slug: "conflict-test", name: "Conflict again", kind: COUNTRY }) { __typename ... on UserError { message } } }`,
      undefined,
      { token: fixture.tokens.analyst },
    );
    expect(again.data?.createPlace.__typename).toBe('ConflictError');
    expect(again.data?.createPlace.message).not.toMatch(LEAKS);
  });
});

describe('the timeline is bounded whatever the data', () => {
  it('answers at most 600 buckets, counting earlier placed events apart', async () => {
    const event = (slug: string, day: string) =>
      fixture.api.query<{ createEvent: { __typename: string } }>(
        `mutation($s: String!, $d: LocalDate!) { createEvent(input: { slug: $s, title: "Dated far back", kind: ATTACK,
            date: { earliest: $d, latest: $d, precision: DAY }, confidence: 50,
            citations: [{ source: "globely-news-isis-k-long-reach", quote: "ISIS-K", occurrence: 1 }] }) { __typename } }`,
        { s: slug, d: day },
        { token: fixture.tokens.analyst },
      );
    expect((await event('far-back-event', DATE_RANGE.earliest)).data?.createEvent.__typename).toBe('MutationCreateEventSuccess');
    // Beyond the range, the write is refused outright.
    expect((await event('too-far-back-event', '1699-12-31')).status).toBe(400);
    for (const view of ['', ', includeRetracted: true']) {
      const r = await fixture.api.query<{
        timeline: { buckets: { start: string }[]; earlier: { events: number } };
      }>(`{ timeline(interval: MONTH${view}) { buckets { start } earlier { events } } }`);
      expect(r.errors).toBeUndefined();
      expect(r.data?.timeline.buckets).toHaveLength(600);
      expect(r.data?.timeline.buckets.at(-1)?.start).toBe('2024-03-01');
      expect(r.data?.timeline.earlier.events).toBe(1);
    }
  });
});

describe('HTTP requests a server must refuse without a stack', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await serve(inject('databaseUrl'), { penalty: { threshold: 0 } });
  });
  afterAll(() => server.shutdown());

  /** node:http, which sends any method (fetch refuses TRACE and others). */
  function send(
    method: string,
    path: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; allow: string | undefined; body: string }> {
    return new Promise((resolve, reject) => {
      const { hostname, port } = new URL(server.url);
      // `path` goes out as written: a request target need not be a path (`*`, an absolute URL).
      const req = request({ hostname, port, path, method, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, allow: res.headers.allow, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('unknown methods on /graphql, the probes and other paths are 405, never a 500 with a stack', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH', 'TRACE', 'PROPFIND', 'PURGE']) {
      for (const path of ['/graphql', '/health', '/ready', '/metrics', '/elsewhere']) {
        const response = await send(method, path);
        expect(response.status, `${method} ${path}`).toBe(405);
        expect(response.allow).toBeTruthy();
        expect(response.body).not.toMatch(LEAKS);
      }
    }
  });

  it('a Host header or request target that makes no URL is 400 BAD_REQUEST, never a 500', async () => {
    const cases: [string, string, Record<string, string>][] = [
      ['GET', '/graphql?query=%7B__typename%7D', { host: 'a b' }],
      ['GET', '/graphql?query=%7B__typename%7D', { host: 'example.org:99999' }],
      ['GET', '/graphql?query=%7B__typename%7D', { host: '[::1' }],
      ['GET', '/export/events.csv', { host: '%00' }],
      ['GET', '/health', { host: 'a b' }],
      ['OPTIONS', '*', {}],
      ['GET', 'http://elsewhere.example/graphql?query=%7B__typename%7D', {}],
    ];
    for (const [method, path, headers] of cases) {
      const response = await send(method, path, headers);
      expect(response.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(400);
      expect(JSON.parse(response.body)).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
    }
  });

  it('a WebSocket upgrade whose target makes no URL is refused 400, and the server goes on serving', async () => {
    const { hostname, port } = new URL(server.url);
    for (const path of ['http://a:99999/graphql', 'http://[::1/graphql']) {
      const status = await new Promise<number | string>((resolve) => {
        const req = request({
          hostname,
          port,
          path,
          headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
        });
        req.on('upgrade', (res, socket) => {
          socket.destroy();
          resolve(res.statusCode ?? 0);
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', (error) => resolve(error.message));
        req.end();
      });
      expect(status, path).toBe(400);
    }
    expect((await send('GET', '/health')).status).toBe(200);
  });

  it('/graphql/stream (graphql-sse) reads requests as /graphql does: every bad one a 400 with a code, never a 500', async () => {
    const stream = `${server.url}/graphql/stream`;
    const json = { 'content-type': 'application/json', accept: 'text/event-stream' };
    const cases: [string, () => Promise<Response>, string][] = [
      ['syntax error', () => fetch(stream, { method: 'POST', headers: json, body: '{"query":"{ { "}' }), 'GRAPHQL_PARSE_FAILED'],
      ['NUL in a GET query', () => fetch(`${stream}?query=%00`, { headers: { accept: 'text/event-stream' } }), 'GRAPHQL_PARSE_FAILED'],
      ['bytes that are not UTF-8 in a GET', () => fetch(`${stream}?query=%FF`, { headers: { accept: 'text/event-stream' } }), 'BAD_REQUEST'],
      ['bytes that are not UTF-8 in a body', () => fetch(stream, { method: 'POST', headers: json, body: Buffer.from('{"query":"{ actor(slug: \"\xff\") { id } }"}', 'latin1') }), 'BAD_REQUEST'],
      ['malformed JSON variables', () => fetch(`${stream}?query=%7B__typename%7D&variables=%7Bx`, { headers: { accept: 'text/event-stream' } }), 'BAD_REQUEST'],
      ['variables not an object', () => fetch(stream, { method: 'POST', headers: json, body: '{"query":"{ __typename }","variables":5}' }), 'BAD_REQUEST'],
      ['no query', () => fetch(stream, { method: 'POST', headers: json, body: '{}' }), 'BAD_REQUEST'],
      [
        'a NUL in an argument',
        () => fetch(stream, { method: 'POST', headers: json, body: JSON.stringify({ query: 'subscription($a: String) { eventAdded(filter: { actor: $a }) { slug } }', variables: { a: 'a\u0000b' } }) }),
        'BAD_USER_INPUT',
      ],
    ];
    for (const [label, send, code] of cases) {
      const response = await send();
      const text = await response.text();
      expect(response.status, `${label}: ${text}`).toBe(400);
      expect(JSON.parse(text), label).toMatchObject({ errors: [{ extensions: { code } }] });
      expect(text).not.toMatch(LEAKS);
    }
  });

  it('malformed JSON in GET parameters, and bytes that are not UTF-8, are 400 BAD_REQUEST', async () => {
    const headers = { accept: 'application/graphql-response+json' };
    for (const query of ['variables=%7Bbad', 'extensions=%7Bbad', 'variables=%7B%22a%22%3A', 'operationName=%FF']) {
      const response = await fetch(`${server.url}/graphql?query=%7B__typename%7D&${query}`, { headers });
      expect(response.status, query).toBe(400);
      expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
    }
    const body = Buffer.concat([Buffer.from('{"query":"{ actor(slug: \\"a'), Buffer.from([0xff]), Buffer.from('\\") { id } }"}')]);
    const response = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ errors: [{ message: 'The POST body is not valid UTF-8.' }] });
  });
});
