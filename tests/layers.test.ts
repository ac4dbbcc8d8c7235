/**
 * The layers (README, Layout; the rules and the picture are in .dependency-cruiser.cjs): imports
 * point one way, src/db ← src/domain ← (src/graphql, src/import, seed/) ← serving ← commands.
 * dependency-cruiser reads every import, type-only ones included, and names each that runs up.
 */
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IReporterOutput } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function violations(baseDir: string, paths: string[]): Promise<string[]> {
  const options = await extractDepcruiseOptions(`${ROOT}.dependency-cruiser.cjs`);
  const tsConfig = extractTSConfig(`${ROOT}tsconfig.json`);
  const output: IReporterOutput = await cruise(paths, { ...options, baseDir, validate: true }, {}, { tsConfig });
  const result = output.output as ICruiseResult;
  return result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
}

describe('layers', () => {
  it('no module imports one above its layer', async () => {
    expect(await violations(ROOT, ['src', 'seed'])).toEqual([]);
  }, 120_000);

  it('the rules catch an import that runs up, type-only or not', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/layers/', import.meta.url));
    expect((await violations(fixture, ['src'])).sort()).toEqual([
      'db-is-the-bottom: src/db/leak.ts → src/graphql/errors.ts',
      'domain-rests-on-db: src/domain/rule.ts → src/graphql/errors.ts',
    ]);
  }, 120_000);
});
