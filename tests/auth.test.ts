/** API tokens: hashed at rest, sent as bearer tokens, revocable; reads can require one. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken, hashToken, revokeToken } from '../src/auth/tokens.ts';
import { openApi, scratchDatabase, type TestApi } from './helpers.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
let api: TestApi;

beforeAll(async () => {
  scratch = await scratchDatabase();
  api = openApi(scratch.url);
});
afterAll(async () => {
  await api.close();
  await scratch.drop();
});

describe('API tokens', () => {
  it('stores only the hash of a token', async () => {
    const { token } = await createToken(scratch.handle.db, 'hash-check', 'viewer');
    const rows = await scratch.handle.sql`select token_sha256 from api_tokens where name = 'hash-check'`;
    expect(rows[0]?.token_sha256).toBe(hashToken(token));
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('refuses a second token with the same name', async () => {
    await createToken(scratch.handle.db, 'twice', 'viewer');
    await expect(createToken(scratch.handle.db, 'twice', 'admin')).rejects.toThrow(/exists already/);
  });

  it('answers 401 for an unknown, malformed or revoked token, and accepts a live one', async () => {
    const { token } = await createToken(scratch.handle.db, 'to-revoke', 'analyst');
    expect((await api.query('{ sources { totalCount } }', {}, { token })).status).toBe(200);
    const unknown = await api.query('{ sources { totalCount } }', {}, { token: 'mmg_nope' });
    expect(unknown.status).toBe(401);
    expect(unknown.errors?.[0]?.message).toBe('the API token is unknown or revoked');
    expect(await revokeToken(scratch.handle.db, 'to-revoke')).toBe(true);
    const revoked = await api.query('{ sources { totalCount } }', {}, { token });
    expect(revoked.status).toBe(401);
    const malformed = await api.app.fetch('http://test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Basic abc' },
      body: JSON.stringify({ query: '{ sources { totalCount } }' }),
    });
    expect(malformed.status).toBe(401);
  });

  it('lets anonymous clients read by default, and not when reads require a token', async () => {
    expect((await api.query('{ sources { totalCount } }')).data).toEqual({ sources: { totalCount: 0 } });
    const closed = openApi(scratch.url, { anonymousReads: false });
    try {
      const refused = await closed.query('{ sources { totalCount } }');
      expect(refused.status).toBe(401);
      expect(refused.errors?.[0]?.message).toMatch(/needs an API token/);
      const { token } = await createToken(scratch.handle.db, 'reader', 'viewer');
      expect((await closed.query('{ sources { totalCount } }', {}, { token })).data).toEqual({ sources: { totalCount: 0 } });
    } finally {
      await closed.close();
    }
  });

  it('names every request with an id in x-request-id', async () => {
    const response = await api.app.fetch('http://test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ sources { totalCount } }' }),
    });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('are created, listed and revoked with npm run token', async () => {
    const env = { ...process.env, DATABASE_URL: scratch.url };
    const token = (args: string[]) => run('node_modules/.bin/tsx', ['src/cli/token.ts', ...args], { cwd: root, env });
    const created = await token(['create', '--role', 'admin', '--name', 'cli-admin']);
    const secret = created.stdout.trim().split('\n').at(-1) ?? '';
    expect(secret).toMatch(/^mmg_[A-Za-z0-9_-]{43}$/);
    const audit = await api.query('{ auditLog { totalCount } }', {}, { token: secret });
    expect(audit.errors).toBeUndefined();
    expect((await token(['list'])).stdout).toMatch(/^cli-admin\tadmin\tcreated /m);
    expect((await token(['revoke', '--name', 'cli-admin'])).stdout).toContain('Revoked token "cli-admin".');
    expect((await api.query('{ sources { totalCount } }', {}, { token: secret })).status).toBe(401);
    const bad = await token(['create', '--role', 'root', '--name', 'x']).catch((e: { code: number; stderr: string }) => e);
    expect('code' in bad ? bad.code : 0).toBe(1);
    expect(bad.stderr).toMatch(/--role \(viewer, analyst, admin\)/);
  }, 30_000);
});
