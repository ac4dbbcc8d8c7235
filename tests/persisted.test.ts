/**
 * Trusted documents: a client sends the id of a registered document (from a manifest like the one
 * GraphQL Code Generator's client-preset writes) instead of the document; arbitrary documents
 * still run unless the server is told to run only trusted ones.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../src/config.ts';
import { loadPersistedDocuments } from '../src/http/persisted.ts';
import { openApi, type TestApi } from './helpers.ts';

const ACTOR = 'query Actor($slug: String!) { actor(slug: $slug) { name kind } }';
const EVENTS = 'query Latest { events(first: 2) { totalCount nodes { slug } } }';
const idOf = (document: string) => `sha256:${createHash('sha256').update(document).digest('hex')}`;

let dir: string;
let open: TestApi;
let trusted: TestApi;

async function post(api: TestApi, body: Record<string, unknown>) {
  const response = await api.app.fetch('http://test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { data?: Record<string, unknown>; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'persisted-'));
  // Two teams' manifests in one directory.
  await writeFile(join(dir, 'dashboard.json'), JSON.stringify({ [idOf(ACTOR)]: ACTOR }));
  await writeFile(join(dir, 'timeline.json'), JSON.stringify({ [idOf(EVENTS)]: EVENTS }));
  const documents = await loadPersistedDocuments(dir);
  open = openApi(undefined, { persistedDocuments: { documents, trustedOnly: false } });
  trusted = openApi(undefined, { persistedDocuments: { documents, trustedOnly: true } });
});
afterAll(async () => {
  await open.close();
  await trusted.close();
  await rm(dir, { recursive: true, force: true });
});

describe('persisted documents', () => {
  it('runs a registered document sent by id, with variables', async () => {
    const answer = await post(open, { documentId: idOf(ACTOR), variables: { slug: 'isis-k' } });
    expect(answer).toMatchObject({ status: 200, body: { data: { actor: { name: expect.stringMatching(/ISIS-K|Khorasan/), kind: 'ARMED_ORGANIZATION' } } } });
    expect(answer.body.errors).toBeUndefined();
  });

  it('takes the id from a GET query string, and Apollo\'s persistedQuery extension', async () => {
    const url = `http://test/graphql?documentId=${encodeURIComponent(idOf(EVENTS))}`;
    const get = await open.app.fetch(url, { headers: { accept: 'application/graphql-response+json' } });
    expect(get.status).toBe(200);
    expect(((await get.json()) as { data: { events: { nodes: unknown[] } } }).data.events.nodes).toHaveLength(2);
    const apollo = await post(open, { extensions: { persistedQuery: { version: 1, sha256Hash: idOf(EVENTS).slice('sha256:'.length) } } });
    expect(apollo.body.data?.events).toMatchObject({ nodes: [{}, {}] });
  });

  it('still runs documents sent as text unless only trusted ones may run', async () => {
    expect((await post(open, { query: '{ actor(slug: "isis") { name } }' })).body.data).toEqual({ actor: { name: expect.any(String) } });
    const refused = await post(trusted, { query: '{ actor(slug: "isis") { name } }' });
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'PERSISTED_DOCUMENT_REQUIRED' });
    expect((await post(trusted, { documentId: idOf(ACTOR), variables: { slug: 'isis' } })).body.data).toEqual({ actor: { name: expect.any(String), kind: expect.any(String) } });
  });

  it('refuses an unknown id with 400, naming the problem', async () => {
    const unknown = await post(open, { documentId: idOf('{ __typename }') });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors?.[0]).toMatchObject({ message: expect.stringMatching(/no registered document/), extensions: { code: 'PERSISTED_DOCUMENT_NOT_FOUND' } });
  });

  it('refuses to load a manifest whose id is not its document\'s hash', async () => {
    const forged = join(dir, 'forged.json');
    await writeFile(forged, JSON.stringify({ [idOf(ACTOR)]: '{ auditLog { totalCount } }' }));
    await expect(loadPersistedDocuments(forged)).rejects.toThrow(/is not the sha256 of its document/);
    await rm(forged);
  });

  it('will not start trusted-only without manifests to trust', () => {
    expect(() => readConfig({ TRUSTED_DOCUMENTS_ONLY: 'true' })).toThrow(/needs PERSISTED_DOCUMENTS/);
    expect(readConfig({ PERSISTED_DOCUMENTS: dir, TRUSTED_DOCUMENTS_ONLY: 'true' })).toMatchObject({ persistedDocumentsPath: dir, trustedDocumentsOnly: true });
  });
});
