/**
 * Every query limit refuses with HTTP 400, a stable code and a message naming the limit, and
 * none of the refused requests sends a single SQL statement.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/yoga.ts';
import { openApi } from './helpers.ts';

const api = openApi();
afterAll(() => api.close());
beforeEach(() => api.resetStatements());

interface Answer {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
}

async function post(app: App, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await app.fetch('http://test/graphql', {
    method: 'POST',
    // `application/json` is the accept under which stock graphql-armor answers 200 without a code.
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body,
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

const send = (query: string, variables?: Record<string, unknown>, app: App = api.app) =>
  post(app, JSON.stringify({ query, variables }));

function expectRefusal(answer: Answer, code: string, named: RegExp): void {
  expect(answer.status).toBe(400);
  expect(answer.body.errors?.[0]?.extensions?.code).toBe(code);
  expect(answer.body.errors?.[0]?.message).toMatch(named);
  expect(api.statements).toEqual([]);
}

/** `{ places { nodes { parent { parent ... { name } } } } }`: depth 2 + `parents` + 1. */
function nestedPlaces(parents: number): string {
  return `{ places { nodes { ${'parent { '.repeat(parents)}name${' }'.repeat(parents)} } } }`;
}

describe('query limits', () => {
  it('accepts a Relay query as deep as the limit (12)', async () => {
    const answer = await send(nestedPlaces(9));
    expect(answer.body.errors).toBeUndefined();
    expect(answer.status).toBe(200);
  });

  it('refuses a query deeper than 12', async () => {
    expectRefusal(await send(nestedPlaces(10)), 'DEPTH_LIMIT_EXCEEDED', /depth limit of 12/);
  });

  it('refuses an alias bomb', async () => {
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: places { totalCount }`).join(' ');
    expectRefusal(await send(`{ ${aliases} }`), 'ALIAS_LIMIT_EXCEEDED', /Aliases limit of 15/);
  });

  it('refuses a directive flood', async () => {
    expectRefusal(await send(`{ __typename ${'@include(if: true) '.repeat(11)}}`), 'DIRECTIVE_LIMIT_EXCEEDED', /Directives limit of 10/);
  });

  it('refuses a document with too many tokens', async () => {
    expectRefusal(await send(`{ ${'__typename '.repeat(2100)}}`), 'TOKEN_LIMIT_EXCEEDED', /Token limit of 2000/);
  });

  it('refuses an over-budget cost given as a literal', async () => {
    // 100 actors × 100 participations each × 3 fields: about 30,000.
    const query = `{ actors(first: 100) { nodes { participations(first: 100) { nodes { role confidence } } } } }`;
    expectRefusal(await send(query), 'COST_LIMIT_EXCEEDED', /cost limit of 20000/);
  });

  it('counts a page size passed as a variable (the cost limit armor alone misses)', async () => {
    const query = `query Big($n: Int) { actors(first: $n) { nodes { participations(first: $n) { nodes { role confidence } } } } }`;
    expectRefusal(await send(query, { n: 100 }), 'COST_LIMIT_EXCEEDED', /costs \d+/);
    // The same document with a small page is within budget and runs.
    const small = await send(query, { n: 2 });
    expect(small.body.errors).toBeUndefined();
    expect(small.status).toBe(200);
  });

  it('refuses a body larger than the limit before reading it', async () => {
    const body = JSON.stringify({ query: `{ __typename }`, variables: { pad: 'x'.repeat(100_001) } });
    expectRefusal(await post(api.app, body), 'BODY_TOO_LARGE', /100000 bytes/);
  });

  it('refuses a batch', async () => {
    const answer = await post(api.app, JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]));
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.message).toMatch(/Batching/);
    expect(api.statements).toEqual([]);
  });

  it('serves introspection by default and refuses it when switched off', async () => {
    const on = await send('{ __schema { queryType { name } } }');
    expect(on.status).toBe(200);
    const closed = createApp({ db: api.database.db, limits: { introspection: false } });
    expectRefusal(await send('{ __schema { queryType { name } } }', undefined, closed), 'INTROSPECTION_DISABLED', /Introspection is disabled/);
  });

  it('gives no field suggestions when they are off (production)', async () => {
    expect((await send('{ actorz { id } }')).body.errors?.[0]?.message).toMatch(/Did you mean/);
    const quiet = createApp({ db: api.database.db, limits: { fieldSuggestions: false } });
    const answer = await send('{ actorz { id } }', undefined, quiet);
    expect(answer.body.errors?.[0]?.message).toMatch(/Cannot query field/);
    expect(answer.body.errors?.[0]?.message).not.toMatch(/Did you mean/);
  });
});
