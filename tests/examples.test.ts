import { afterAll, describe, expect, it } from 'vitest';
import { exampleQueries } from '../src/graphiql-examples.ts';
import { openApi } from './helpers.ts';

const api = openApi();
afterAll(() => api.close());

/**
 * Where a result shows nothing: a root field that is null, an empty list or a connection with
 * totalCount 0 anywhere in it. Nulls below the root are answers (no attributor, "over 100" has
 * no upper bound); an empty list in an example means the example shows nothing on the seed.
 */
function emptyParts(value: unknown, path: string, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    if (value.length === 0) out.push(`${path} is []`);
    value.forEach((item, i) => emptyParts(item, `${path}[${i}]`, out));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'totalCount' && item === 0) out.push(`${path}.totalCount is 0`);
      emptyParts(item, `${path}.${key}`, out);
    }
  }
  return out;
}

describe('GraphiQL example tabs', () => {
  it.each(exampleQueries.map((e) => [e.title, e.query]))('%s runs without errors and shows data on the seed', async (_title, query) => {
    const response = await api.query<Record<string, unknown>>(query);
    expect(response.errors).toBeUndefined();
    expect(response.status).toBe(200);
    const data = response.data ?? {};
    expect(Object.keys(data).length).toBeGreaterThan(0);
    for (const [field, value] of Object.entries(data)) expect(value, `${field} is null`).not.toBeNull();
    expect(emptyParts(data, '')).toEqual([]);
  });
});
