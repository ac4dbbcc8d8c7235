import { afterAll, describe, expect, it } from 'vitest';
import { exampleQueries } from '../src/graphiql-examples.ts';
import { openApi } from './helpers.ts';

const api = openApi();
afterAll(() => api.close());

describe('GraphiQL example tabs', () => {
  it.each(exampleQueries.map((e) => [e.title, e.query]))('%s runs without errors', async (_title, query) => {
    const response = await api.query(query);
    expect(response.errors).toBeUndefined();
    expect(response.status).toBe(200);
    expect(JSON.stringify(response.data)).not.toContain('null,null');
  });
});
