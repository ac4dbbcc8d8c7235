import { defineConfig } from 'drizzle-kit';

// Migrations are generated from src/db/schema.ts and checked in; the integrity rules that
// Drizzle cannot express live in a custom migration (drizzle-kit generate --custom).
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './drizzle',
  strict: true,
  verbose: true,
  casing: 'snake_case',
});
