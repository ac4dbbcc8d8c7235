/** `npm run schema:print`: writes the SDL the code builds to schema/schema.graphql. */
import { writeFile } from 'node:fs/promises';
import { printSchema } from 'graphql';
import { sortedSchema } from './schema.ts';

export const SCHEMA_FILE = new URL('../../schema/schema.graphql', import.meta.url);

export function printedSchema(): string {
  return `${printSchema(sortedSchema())}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await writeFile(SCHEMA_FILE, printedSchema());
  console.log(`wrote ${SCHEMA_FILE.pathname}`);
}
