/**
 * `npm run token -- create --role analyst --name alice` prints a new token once (only its hash is
 * stored); `npm run token -- revoke --name alice`; `npm run token -- list`. Uses DATABASE_URL, or the
 * embedded PostgreSQL `npm start` runs (src/cli/database.ts).
 */
import { parseArgs } from 'node:util';
import { createToken, isRole, listTokens, revokeToken, ROLES } from '../auth/tokens.ts';
import { connectDatabase } from '../db/client.ts';
import { databaseUrlOrExit } from './database.ts';
import { migrateDatabase } from '../db/migrate.ts';

const usage = `usage: npm run token -- create --role ${ROLES.join('|')} --name NAME
       npm run token -- revoke --name NAME
       npm run token -- list`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { role: { type: 'string' }, name: { type: 'string' } },
});
const [command] = positionals;
if (command !== 'create' && command !== 'revoke' && command !== 'list') {
  console.error(usage);
  process.exit(2);
}
const url = databaseUrlOrExit();
const { db, close } = connectDatabase(url, { max: 1 });
try {
  await migrateDatabase(db);
  if (command === 'create') {
    const { role, name } = values;
    if (!name || !role || !isRole(role)) throw new Error(`--name and --role (${ROLES.join(', ')}) are required\n${usage}`);
    const { token } = await createToken(db, name, role);
    console.log(`Created ${role} token "${name}". Send it as "Authorization: Bearer <token>"; it is not shown again:`);
    console.log(token);
  } else if (command === 'revoke') {
    if (!values.name) throw new Error(`--name is required\n${usage}`);
    if (!(await revokeToken(db, values.name))) throw new Error(`no live token named "${values.name}"`);
    console.log(`Revoked token "${values.name}".`);
  } else {
    for (const t of await listTokens(db)) {
      console.log(`${t.name}\t${t.role}\tcreated ${t.createdAt.toISOString()}${t.revokedAt ? `\trevoked ${t.revokedAt.toISOString()}` : ''}`);
    }
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await close();
}
