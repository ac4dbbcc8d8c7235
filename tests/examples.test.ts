import { afterAll, describe, expect, it } from 'vitest';
import { exampleQueries } from '../src/graphiql-examples.ts';
import { emptyParts, nullRoots } from './example-data.ts';
import { openApi } from './helpers.ts';

const api = openApi();
afterAll(() => api.close());

describe('GraphiQL example tabs', () => {
  it.each(exampleQueries.map((e) => [e.title, e.query]))('%s runs without errors and shows data on the seed', async (_title, query) => {
    const response = await api.query<Record<string, unknown>>(query);
    expect(response.errors).toBeUndefined();
    expect(response.status).toBe(200);
    const data = response.data ?? {};
    expect(Object.keys(data).length).toBeGreaterThan(0);
    expect(nullRoots(data)).toEqual([]);
    expect(emptyParts(data)).toEqual([]);
  });
});
