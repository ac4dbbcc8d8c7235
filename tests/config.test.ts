/** Settings from the environment: defaults, production switches, and errors that name the variable. */
import { describe, expect, it } from 'vitest';
import { readConfig } from '../src/config.ts';

describe('readConfig', () => {
  it('has safe defaults', () => {
    const config = readConfig({});
    expect(config.limits).toMatchObject({ maxDepth: 12, introspection: true, fieldSuggestions: true });
    expect(config.corsOrigins).toEqual([]);
    expect(config.deadlines).toMatchObject({ heavySlots: 1, exportSlots: 2, costPerSecond: 1000, costBurst: 40_000 });
    expect(config.idempotencyKeyLifetimeS).toBe(24 * 60 * 60);
    expect(readConfig({ IDEMPOTENCY_KEY_LIFETIME_S: '3600' }).idempotencyKeyLifetimeS).toBe(3600);
    expect(config.implicitIdempotencyWindowS).toBe(600);
    expect(readConfig({ IMPLICIT_IDEMPOTENCY_WINDOW_S: '0' }).implicitIdempotencyWindowS).toBe(0);
  });

  it('turns field suggestions off in production, and reads lists and switches', () => {
    const config = readConfig({ NODE_ENV: 'production', CORS_ORIGINS: 'https://a.example, https://b.example', GRAPHQL_INTROSPECTION: 'false' });
    expect(config.limits.fieldSuggestions).toBe(false);
    expect(config.limits.introspection).toBe(false);
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it('names the variable at fault', () => {
    expect(() => readConfig({ REQUEST_TIMEOUT_MS: 'soon' })).toThrow(/REQUEST_TIMEOUT_MS must be a whole number.*"soon"/);
    expect(() => readConfig({ GRAPHQL_MAX_DEPTH: '40' })).toThrow(/GRAPHQL_MAX_DEPTH must be at most 12/);
    expect(() => readConfig({ GRAPHQL_INTROSPECTION: 'yes' })).toThrow(/GRAPHQL_INTROSPECTION must be "true" or "false"/);
    expect(() => readConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL must be one of/);
    expect(() => readConfig({ IDEMPOTENCY_KEY_LIFETIME_S: '0' })).toThrow(/IDEMPOTENCY_KEY_LIFETIME_S must be a whole number of at least 1/);
  });
});
