/**
 * API tokens: a random secret shown once at creation; only its sha256 is stored, so the table
 * cannot be replayed if it leaks. Roles are ordered: viewer < analyst < admin.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, asc, eq, isNull } from 'drizzle-orm';
import { preparingDatabase, type Database } from '../db/client.ts';
import { apiTokens } from '../db/schema.ts';

export const ROLES = ['viewer', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is making a request; `name` is what claims and the audit log record as their author. */
export interface Principal {
  name: string;
  role: Role;
  tokenId: number | null;
}

export function roleAtLeast(role: Role | undefined, needed: Role): boolean {
  return role !== undefined && ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Creates a token; the returned secret is never stored and cannot be shown again. */
export async function createToken(db: Database, name: string, role: Role): Promise<{ id: number; token: string }> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/.test(name)) {
    throw new Error(`token name "${name}" must be 1–64 letters, digits, ".", "_", "@" or "-"`);
  }
  const token = `mmg_${randomBytes(32).toString('base64url')}`;
  const [row] = await db
    .insert(apiTokens)
    .values({ name, role, tokenSha256: hashToken(token) })
    .onConflictDoNothing({ target: apiTokens.name })
    .returning({ id: apiTokens.id });
  if (!row) throw new Error(`a token named "${name}" exists already (revoke it or choose another name)`);
  return { id: row.id, token };
}

/** Revokes a token by name; true when a live token was revoked. */
export async function revokeToken(db: Database, name: string): Promise<boolean> {
  const rows = await db
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.name, name), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  return rows.length > 0;
}

export async function listTokens(db: Database) {
  return db
    .select({ name: apiTokens.name, role: apiTokens.role, createdAt: apiTokens.createdAt, revokedAt: apiTokens.revokedAt })
    .from(apiTokens)
    .orderBy(asc(apiTokens.name));
}

/** The principal a bearer token stands for; null when it is unknown or revoked. */
export async function principalForToken(db: Database, token: string): Promise<Principal | null> {
  return principalForTokenHash(db, hashToken(token));
}

export async function principalForTokenHash(db: Database, sha256: string): Promise<Principal | null> {
  // Asked for every token the server's cache does not hold (and by every CLI and test): prepared,
  // it is one round trip, not two.
  const [row] = await preparingDatabase(db)
    .select({ id: apiTokens.id, name: apiTokens.name, role: apiTokens.role })
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenSha256, sha256), isNull(apiTokens.revokedAt)));
  return row ? { name: `token:${row.name}`, role: row.role, tokenId: row.id } : null;
}
