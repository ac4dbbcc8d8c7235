/**
 * Every mutation, tried without a token and with each role: anonymous clients and viewers are
 * refused with a ForbiddenError and change nothing; analysts may write and grade claims; only admins may
 * retract and merge. The list below must name every mutation in the schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../src/graphql/schema.ts';
import { tableCounts, writeFixture, type WriteFixture } from './helpers.ts';

let f: WriteFixture;
const SOURCE = 'test-roles';
const TEXT = 'Group A attacked. Group B is a splinter of Group A. Group A follows Salafism. Correction: Group A did not attack.';
const quote = (q: string) => [{ source: SOURCE, quote: q }];
type Role = 'anonymous' | 'viewer' | 'analyst' | 'admin';

/** What to send for each mutation; `n` makes inputs unique per attempt. */
const calls: Record<string, { admin?: true; input: (n: number) => Record<string, unknown> }> = {
  addSource: { input: (n) => ({ slug: `roles-source-${n}`, publisher: 'Test', text: `Text ${n}.` }) },
  addCitation: { input: (n) => ({ source: SOURCE, quote: ['Group A attacked.', 'Group B is a splinter', 'follows Salafism', 'did not attack'][n % 4] }) },
  createActor: { input: (n) => ({ slug: `roles-actor-${n}`, name: `Actor ${n}`, kind: 'ARMED_ORGANIZATION', confidence: 50, citations: quote('Group A attacked.') }) },
  updateActor: { input: (n) => ({ slug: 'isis-k', addAliases: [`Alias ${n}`], confidence: 50, citations: quote('Group A attacked.') }) },
  createPlace: { input: (n) => ({ slug: `roles-place-${n}`, name: `Place ${n}`, kind: 'CITY', parent: 'afghanistan' }) },
  updatePlace: { input: (n) => ({ slug: 'kabul', region: `Region ${n}` }) },
  createEvent: { input: (n) => ({ slug: `roles-event-${n}`, title: `Event ${n}`, kind: 'ATTACK', date: { precision: 'YEAR', earliest: '2024-01-01', latest: '2024-12-31' }, confidence: 50, citations: quote('Group A attacked.') }) },
  updateEvent: { input: (n) => ({ slug: 'moscow-concert-hall-attack', description: `Description ${n}`, confidence: 50, citations: quote('Group A attacked.') }) },
  startUpdateEvents: { input: () => ({ events: ['moscow-concert-hall-attack'], kind: 'STORMING', confidence: 50, citations: quote('Group A attacked.') }) },
  addParticipation: { input: () => ({ event: 'moscow-concert-hall-attack', actor: 'isis-k', role: 'PERPETRATOR', confidence: 50, citations: quote('Group A attacked.') }) },
  addRelationship: { input: () => ({ from: 'roles-b', type: 'FORMED_FROM', to: 'roles-a', confidence: 50, citations: quote('Group B is a splinter of Group A.') }) },
  addAdherence: { input: () => ({ actor: 'roles-a', doctrine: 'salafism', confidence: 50, citations: quote('Group A follows Salafism.') }) },
  addActorName: { input: (n) => ({ actor: 'roles-a', name: `Group A ${n}`, language: 'en', script: 'Latn', confidence: 50, citations: quote('Group A attacked.') }) },
  addExternalId: { input: (n) => ({ actor: 'roles-a', scheme: 'WIKIDATA', value: `Q${900000 + n}` }) },
  gradeSource: { input: (n) => ({ source: SOURCE, reliability: 'ABCDEF'[n % 6], reason: 'reviewed its record' }) },
  gradeClaim: { input: (n) => ({ claim: gradable, credibility: (n % 6) + 1, reason: 'reviewed the evidence' }) },
  startGradeSources: { input: (n) => ({ publisher: 'Test', reliability: 'ABCDEF'[n % 6], reason: 'reviewed the publisher' }) },
  retractClaim: { admin: true, input: () => ({ claim: retractable, reason: 'corrected by the source', citation: { source: SOURCE, quote: 'Correction: Group A did not attack.' } }) },
  mergeActors: { admin: true, input: () => ({ keep: 'roles-a', remove: 'roles-a-duplicate', reason: 'the same group' }) },
  startMergeActors: { admin: true, input: () => ({ keep: 'roles-b', remove: 'roles-b-duplicate', reason: 'the same group' }) },
};

let retractable = '';
let gradable = '';
const inputTypes: Record<string, string> = {};

beforeAll(async () => {
  f = await writeFixture();
  const admin = (query: string, variables: Record<string, unknown>) => f.api.query<Record<string, { data?: { id: string } }>>(query, variables, { token: f.tokens.admin });
  await admin(`mutation($i: AddSourceInput!) { addSource(input: $i) { __typename } }`, { i: { slug: SOURCE, publisher: 'Test', text: TEXT } });
  for (const slug of ['roles-a', 'roles-b', 'roles-a-duplicate', 'roles-b-duplicate']) {
    await admin(`mutation($i: CreateActorInput!) { createActor(input: $i) { __typename } }`, { i: { slug, name: slug, kind: 'ARMED_ORGANIZATION', confidence: 50, citations: quote('Group A attacked.') } });
  }
  const claim = await admin(
    `mutation($i: AddParticipationInput!) { addParticipation(input: $i) { ... on MutationAddParticipationSuccess { data { id } } } }`,
    { i: { event: 'moscow-concert-hall-attack', actor: 'roles-a', role: 'PERPETRATOR', confidence: 50, citations: quote('Group A attacked.') } },
  );
  retractable = claim.data?.addParticipation?.data?.id ?? '';
  expect(retractable).not.toBe('');
  const other = await admin(
    `mutation($i: AddParticipationInput!) { addParticipation(input: $i) { ... on MutationAddParticipationSuccess { data { id } } } }`,
    { i: { event: 'moscow-concert-hall-attack', actor: 'roles-b', role: 'IMPLICATED', confidence: 50, citations: quote('Group A attacked.') } },
  );
  gradable = other.data?.addParticipation?.data?.id ?? '';
  expect(gradable).not.toBe('');
  for (const [name, field] of Object.entries(schema.getMutationType()?.getFields() ?? {})) {
    const arg = field.args.find((a) => a.name === 'input');
    inputTypes[name] = String(arg?.type ?? '');
  }
});
afterAll(() => f.close());

async function attempt(name: string, role: Role, n: number) {
  const call = calls[name];
  if (!call) throw new Error(`no call for ${name}`);
  const query = `mutation($i: ${inputTypes[name]}) { ${name}(input: $i) { __typename ... on UserError { message } } }`;
  const response = await f.api.query<Record<string, { __typename: string; message?: string }>>(query, { i: call.input(n) }, role === 'anonymous' ? {} : { token: f.tokens[role] });
  const result = response.data?.[name];
  if (!result) throw new Error(`${name} as ${role}: ${JSON.stringify(response.errors)}`);
  return result;
}

describe('roles', () => {
  it('covers every mutation in the schema', () => {
    expect(Object.keys(calls).sort()).toEqual(Object.keys(schema.getMutationType()?.getFields() ?? {}).sort());
  });

  it('refuses anonymous clients and viewers every mutation, changing nothing', async () => {
    const before = await tableCounts(f.scratch.handle.sql);
    let n = 0;
    for (const name of Object.keys(calls)) {
      for (const role of ['anonymous', 'viewer'] as const) {
        expect(await attempt(name, role, n++), `${name} as ${role}`).toMatchObject({ __typename: 'ForbiddenError' });
      }
    }
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  });

  it('lets analysts write claims but not retract or merge', async () => {
    let n = 100;
    for (const [name, call] of Object.entries(calls)) {
      const before = await tableCounts(f.scratch.handle.sql);
      const result = await attempt(name, 'analyst', n++);
      if (call.admin) {
        expect(result, `${name} as analyst`).toMatchObject({ __typename: 'ForbiddenError', message: `Mutation.${name} is not allowed for role "analyst"` });
        expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
      } else {
        expect(result.__typename, `${name} as analyst: ${result.message ?? ''}`).toBe(`Mutation${name[0]?.toUpperCase()}${name.slice(1)}Success`);
      }
    }
  });

  it('lets admins do everything', async () => {
    let n = 200;
    for (const name of Object.keys(calls)) {
      const result = await attempt(name, 'admin', n++);
      expect(result.__typename, `${name} as admin: ${result.message ?? ''}`).toBe(`Mutation${name[0]?.toUpperCase()}${name.slice(1)}Success`);
    }
  });
});
