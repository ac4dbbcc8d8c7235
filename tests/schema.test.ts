/** The checked-in artefacts agree with the code: the printed SDL, possibleTypes, and drizzle's migrations. */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { POSSIBLE_TYPES_FILE, printedPossibleTypes, printedSchema, SCHEMA_FILE } from '../src/graphql/print-schema.ts';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;

describe('checked-in artefacts', () => {
  it('schema/schema.graphql is the schema the code builds (run `npm run schema:print`)', async () => {
    expect(await readFile(SCHEMA_FILE, 'utf8')).toBe(printedSchema());
  });

  it('schema/possible-types.json lists the schema\'s interfaces and unions (run `npm run schema:print`)', async () => {
    const shipped = JSON.parse(await readFile(POSSIBLE_TYPES_FILE, 'utf8')) as { possibleTypes: Record<string, string[]> };
    expect(await readFile(POSSIBLE_TYPES_FILE, 'utf8')).toBe(await printedPossibleTypes());
    expect(shipped.possibleTypes.Claim).toEqual(expect.arrayContaining(['Adherence', 'Participation', 'Relationship', 'UpdateClaim']));
  });

  it('drizzle/ migrations cover src/db/schema.ts (run `npm run db:generate`)', async () => {
    // Generate into a copy of drizzle/: if the schema has drifted, a new migration appears.
    const out = await mkdtemp(join(tmpdir(), 'drizzle-check-'));
    try {
      await cp(join(root, 'drizzle'), out, { recursive: true });
      const before = await readdir(out);
      const { stdout, stderr } = await run(
        join(root, 'node_modules/.bin/drizzle-kit'),
        ['generate', '--dialect', 'postgresql', '--schema', './src/db/schema.ts', '--out', relative(root, out), // drizzle-kit resolves --out against the working directory
         '--casing', 'snake_case'],
        { cwd: root },
      );
      expect(await readdir(out)).toEqual(before);
      expect(`${stdout}${stderr}`).toMatch(/No schema changes/);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 60_000);
});
