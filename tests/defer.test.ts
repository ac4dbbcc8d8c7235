/**
 * Incremental delivery: a query with @defer (or @stream) is answered as multipart/mixed — first
 * what is ready, then each deferred part — on yoga's executor (graphql-jit, which runs other
 * queries, cannot defer), with the same data an ordinary query gives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApi, type TestApi } from './helpers.ts';

let api: TestApi;
beforeAll(() => {
  api = openApi();
});
afterAll(() => api.close());

interface Part {
  data?: Record<string, unknown>;
  hasNext: boolean;
  incremental?: { data?: Record<string, unknown>; items?: unknown[]; path: (string | number)[]; label?: string }[];
  errors?: unknown[];
}

/** Sends a query accepting multipart/mixed; returns the content type and the JSON parts in order. */
async function multipart(query: string): Promise<{ type: string; parts: Part[] }> {
  const response = await api.app.fetch('http://test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'multipart/mixed' },
    body: JSON.stringify({ query }),
  });
  const type = response.headers.get('content-type') ?? '';
  const boundary = /boundary="?([^";]+)"?/.exec(type)?.[1] ?? '-';
  const text = await response.text();
  const parts = text
    .split(`--${boundary}`)
    .map((chunk) => chunk.slice(chunk.indexOf('\r\n\r\n') + 4).trim())
    .filter((body) => body.startsWith('{'))
    .map((body) => JSON.parse(body) as Part);
  return { type, parts };
}

describe('@defer and @stream', () => {
  it('sends a deferred fragment after the rest, as multipart/mixed', async () => {
    const { type, parts } = await multipart(`{
      actor(slug: "isis-k") {
        name
        ... @defer(label: "rivals") { relationships(type: [RIVAL_OF], first: 2) { totalCount nodes { to { slug } } } }
      }
    }`);
    expect(type).toMatch(/^multipart\/mixed/);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    const [initial, ...rest] = parts;
    expect(initial).toMatchObject({ hasNext: true, data: { actor: { name: expect.any(String) } } });
    expect(initial?.data?.actor).not.toHaveProperty('relationships');
    const deferred = rest.flatMap((p) => p.incremental ?? []).find((i) => i.label === 'rivals');
    expect(deferred).toMatchObject({ path: ['actor'], data: { relationships: { totalCount: expect.any(Number) } } });
    expect(parts.at(-1)?.hasNext).toBe(false);

    // The same data an ordinary (JIT-run) query gives.
    const plain = await api.query<{ actor: { relationships: unknown } }>(
      '{ actor(slug: "isis-k") { relationships(type: [RIVAL_OF], first: 2) { totalCount nodes { to { slug } } } } }',
    );
    expect(deferred?.data?.relationships).toEqual(plain.data?.actor.relationships);
  });

  it('streams a list after its first items', async () => {
    const { parts } = await multipart('{ events(first: 4, orderBy: TITLE_ASC) { nodes @stream(initialCount: 1) { slug } } }');
    const initial = parts[0]?.data as { events: { nodes: { slug: string }[] } } | undefined;
    expect(initial?.events.nodes).toHaveLength(1);
    const streamed = parts.slice(1).flatMap((p) => p.incremental ?? []).flatMap((i) => i.items ?? []) as { slug: string }[];
    const plain = await api.query<{ events: { nodes: { slug: string }[] } }>('{ events(first: 4, orderBy: TITLE_ASC) { nodes { slug } } }');
    expect([...(initial?.events.nodes ?? []), ...streamed]).toEqual(plain.data?.events.nodes);
  });
});
