/**
 * `npm run seed`: applies migrations and loads seed/data into DATABASE_URL (the loading is the
 * domain's: src/domain/knowledge/seed.ts). Exits non-zero with the problems listed when a file
 * cannot be loaded (nothing of it is written).
 */
import { connectDatabase } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { KnowledgeFileError } from '../src/domain/knowledge/load.ts';
import { loadSeed } from '../src/domain/knowledge/seed.ts';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set (npm start seeds its embedded database by itself)');
  process.exit(2);
}
const { db, close } = connectDatabase(url, { max: 1 });
try {
  await migrateDatabase(db);
  for (const s of await loadSeed(db)) console.log(`${s.file}: ${s.created} created, ${s.unchanged} unchanged`);
} catch (error) {
  console.error(error instanceof KnowledgeFileError ? error.message : error);
  process.exitCode = 1;
} finally {
  await close();
}
