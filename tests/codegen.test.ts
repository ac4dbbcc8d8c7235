/**
 * Client teams generate typed clients from schema/schema.graphql. This runs `npm run codegen`
 * on the example in tests/client and compiles it: a typed query must type-check, and a query
 * result used wrongly must not.
 */
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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
});
