/** `.env.example` lists every setting src/config.ts reads, with its default. */
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../src/config.ts';

const example = parseEnv(readFileSync(new URL('../.env.example', import.meta.url), 'utf8'));

/** The variables readConfig reads, found by handing it an environment that records each look-up. */
function variablesRead(): string[] {
  const read = new Set<string>();
  readConfig(new Proxy({}, { get: (_target, name) => (typeof name === 'string' && read.add(name), undefined) }));
  return [...read].sort();
}

describe('.env.example', () => {
  it('lists every variable src/config.ts reads', () => {
    const variables = variablesRead();
    expect(variables.length).toBeGreaterThan(30);
    expect(variables.filter((name) => !(name in example))).toEqual([]);
  });

  it('gives the defaults: a .env copied from it changes nothing', () => {
    expect(readConfig(example)).toEqual(readConfig({}));
  });
});
