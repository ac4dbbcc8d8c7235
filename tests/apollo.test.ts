/**
 * Apollo Client against the app: with the possibleTypes shipped in schema/possible-types.json its
 * cache reads fields of fragments on interfaces (`... on Claim { confidence }`); without them it
 * drops those fields, which is why the file is shipped.
 */
import { readFile } from 'node:fs/promises';
import { ApolloClient, HttpLink, InMemoryCache, gql, type TypedDocumentNode } from '@apollo/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { POSSIBLE_TYPES_FILE } from '../src/graphql/print-schema.ts';
import { openApi, type TestApi } from './helpers.ts';

let api: TestApi;
let relationshipId: string;

beforeAll(async () => {
  api = openApi();
  const { data } = await api.query<{ actor: { relationships: { nodes: { id: string }[] } } }>(
    `{ actor(slug: "isis-k") { relationships(type: [RIVAL_OF], first: 1) { nodes { id } } } }`,
  );
  relationshipId = data?.actor.relationships.nodes[0]?.id ?? '';
  expect(relationshipId).not.toBe('');
});
afterAll(() => api.close());

function client(possibleTypes?: Record<string, string[]>): ApolloClient {
  return new ApolloClient({
    cache: new InMemoryCache(possibleTypes ? { possibleTypes } : {}),
    // The app itself answers, through yoga's fetch: no socket, the real server code.
    link: new HttpLink({ uri: 'http://test/graphql', fetch: async (input, init) => api.app.fetch(String(input), init ?? {}) }),
  });
}

const NODE: TypedDocumentNode<{ node: Record<string, unknown> | null }, { id: string }> = gql`
  query ClaimNode($id: ID!) {
    node(id: $id) {
      id
      ... on Claim {
        confidence
        recordedBy
        citations { quote }
      }
      ... on Relationship {
        type
      }
    }
  }
`;

describe('Apollo Client', () => {
  it('reads interface fields through node(id) with the shipped possibleTypes', async () => {
    const { possibleTypes } = JSON.parse(await readFile(POSSIBLE_TYPES_FILE, 'utf8')) as { possibleTypes: Record<string, string[]> };
    const result = await client(possibleTypes).query({ query: NODE, variables: { id: relationshipId } });
    const node = result.data?.node;
    expect(node).toMatchObject({ __typename: 'Relationship', id: relationshipId, type: 'RIVAL_OF', confidence: expect.any(Number) });
    expect(node?.recordedBy).toMatch(/^seed:/);
    expect((node?.citations as unknown[]).length).toBeGreaterThan(0);
  });

  it('loses them without possibleTypes (what a client gets if it skips the file)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const result = await client().query({ query: NODE, variables: { id: relationshipId }, errorPolicy: 'all' });
      const node = result.data?.node;
      expect(node?.confidence).toBeUndefined();
      expect(warn.mock.calls.flat().join(' ')).toMatch(/missing `possibleTypes`/);
    } finally {
      warn.mockRestore();
    }
  });
});
