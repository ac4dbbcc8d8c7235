/**
 * GraphQL over HTTP conformance: graphql-http's own audit against the real server finds no MUST
 * error and no SHOULD warning. Also CORS (configured origins only) and CSRF prevention.
 */
import { auditServer } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { RunningServer } from '../src/server.ts';
import { serve } from './server-helpers.ts';

let server: RunningServer;
beforeAll(async () => {
  // The audit fires its ~40 requests at once from one address, many of them invalid on purpose:
  // above the default per-client cap and enough to land in the penalty box (tested elsewhere).
  server = await serve(inject('databaseUrl'), {
    corsOrigins: ['https://dash.example.org'],
    deadlines: { perClientConcurrency: 100 },
    penalty: { threshold: 0 },
  });
});
afterAll(() => server.shutdown());

describe('GraphQL over HTTP', () => {
  it('passes the graphql-http audit with no MUST error and no SHOULD warning', async () => {
    const results = await auditServer({ url: `${server.url}/graphql` });
    const problems = results
      .filter((r) => r.status !== 'ok' && (r.name.startsWith('MUST') || r.name.startsWith('SHOULD')))
      .map((r) => `${r.name}: ${'reason' in r ? r.reason : ''}`);
    expect(problems).toEqual([]);
    expect(results.length).toBeGreaterThan(20);
  });

  it('refuses form and text/plain posts (CSRF) with 415', async () => {
    for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x']) {
      const response = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': type }, body: 'query={__typename}' });
      expect(response.status).toBe(415);
      expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' } }] });
    }
  });

  it('allows only the configured CORS origins', async () => {
    const preflight = (origin: string) =>
      fetch(`${server.url}/graphql`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    const allowed = await preflight('https://dash.example.org');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://dash.example.org');
    const other = await preflight('https://evil.example.com');
    expect(other.headers.get('access-control-allow-origin')).not.toBe('https://evil.example.com');
    expect(other.headers.get('access-control-allow-origin')).not.toBe('*');
  });
});
