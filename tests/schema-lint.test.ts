/**
 * graphql-eslint's relay and recommended schema rules over schema/schema.graphql, run through
 * ESLint's API: no findings. Every exception is in schema-lint.config.ts with its reason.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { schemaLintConfig } from '../schema-lint.config.ts';

describe('schema lint', () => {
  it('finds nothing in the printed SDL under the relay and recommended rules', async () => {
    const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname, overrideConfigFile: true, overrideConfig: schemaLintConfig });
    const [result] = await eslint.lintFiles(['schema/schema.graphql']);
    const findings = (result?.messages ?? []).map((m) => `${m.line}:${m.column} ${m.ruleId}: ${m.message}`);
    expect(findings).toEqual([]);
  }, 60_000);
});
