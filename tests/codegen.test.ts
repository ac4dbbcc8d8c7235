/**
 * Client teams generate typed clients from schema/schema.graphql. This runs `npm run codegen`
 * on the example in tests/client and compiles it: a typed query must type-check, and a query
 * result used wrongly must not.
 */
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPersistedDocuments } from '../src/http/persisted.ts';
import { openApi } from './helpers.ts';

const run = promisify(execFile);
const bin = (name: string) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;
const root = new URL('..', import.meta.url).pathname;
const misuse = new URL('./client/misuse.ts', import.meta.url).pathname;

async function typecheck(): Promise<{ ok: boolean; output: string }> {
  try {
    await run(bin('tsc'), ['--noEmit', '-p', 'tests/client/tsconfig.json'], { cwd: root });
    return { ok: true, output: '' };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${stdout}${stderr}` };
  }
}

describe('typed client generation', () => {
  beforeAll(async () => {
    await run(bin('graphql-codegen'), ['--config', 'codegen.ts'], { cwd: root });
  }, 120_000);
  afterAll(() => rm(misuse, { force: true }));

  it('compiles a typed query against the generated client', async () => {
    const result = await typecheck();
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  }, 120_000);

  it('rejects code that misuses a query result', async () => {
    await writeFile(
      misuse,
      `import type { ActorRivals } from './example.ts';
export const wrong = (r: ActorRivals): number => r.actor.relationships.nodes[0].to.slug;\n`,
    );
    const result = await typecheck();
    expect(result.ok).toBe(false);
    // actor is nullable, and `to` was queried without `slug`.
    expect(result.output).toMatch(/misuse\.ts.*(possibly 'null'|does not exist)/s);
  }, 120_000);

  it('writes a manifest of persisted documents the server accepts, run by id alone', async () => {
    const documents = await loadPersistedDocuments(new URL('./client/generated/persisted-documents.json', import.meta.url).pathname);
    const [id] = [...documents.keys()];
    const api = openApi(undefined, { persistedDocuments: { documents, trustedOnly: true } });
    try {
      const response = await api.app.fetch('http://test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ documentId: id, variables: { slug: 'isis-k' } }),
      });
      const body = (await response.json()) as { data?: { actor: { relationships: { totalCount: number } } } };
      expect(response.status).toBe(200);
      expect(body.data?.actor.relationships.totalCount).toBeGreaterThan(0);
    } finally {
      await api.close();
    }
  });
});
