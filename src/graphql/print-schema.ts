/**
 * `npm run schema:print`: writes the SDL the code builds to schema/schema.graphql, and beside it
 * schema/possible-types.json — which object types each interface and union may be (GraphQL Code
 * Generator's fragment-matcher plugin) — that Apollo Client's InMemoryCache needs as
 * `possibleTypes` to read fragments on interfaces (`... on Claim { confidence }`).
 */
import { writeFile } from 'node:fs/promises';
import { plugin as fragmentMatcher } from '@graphql-codegen/fragment-matcher';
import { printSchema } from 'graphql';
import { sortedSchema } from './schema.ts';

export const SCHEMA_FILE = new URL('../../schema/schema.graphql', import.meta.url);
export const POSSIBLE_TYPES_FILE = new URL('../../schema/possible-types.json', import.meta.url);

export function printedSchema(): string {
  return `${printSchema(sortedSchema())}\n`;
}

export async function printedPossibleTypes(): Promise<string> {
  const output = await fragmentMatcher(sortedSchema(), [], { apolloClientVersion: 3, deterministic: true }, { outputFile: POSSIBLE_TYPES_FILE.pathname });
  return `${typeof output === 'string' ? output : output.content}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await writeFile(SCHEMA_FILE, printedSchema());
  await writeFile(POSSIBLE_TYPES_FILE, await printedPossibleTypes());
  console.log(`wrote ${SCHEMA_FILE.pathname} and ${POSSIBLE_TYPES_FILE.pathname}`);
}
