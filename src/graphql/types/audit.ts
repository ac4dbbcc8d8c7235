/** The audit log: every write through the API or the importer, newest first. Role: analyst. */
import { and, count, eq, getTableColumns, gte, sql, type SQL } from 'drizzle-orm';
import { auditLog } from '../../db/schema.ts';
import type { Database } from '../../db/client.ts';
import { builder } from '../builder.ts';
import { parseNumericId } from '../global-id.ts';
import { anyInt, inKeyOrder } from '../loaders/batch.ts';
import { cursorKey, defineOrdering, fetchPage, orderBy, pageRequest, toPage } from '../pagination.ts';

type AuditRow = typeof auditLog.$inferSelect;

/** Audit rows by id (for `node`). */
async function auditEntriesById(db: Database, ids: readonly number[]): Promise<(AuditRow | null)[]> {
  const rows = await db.select().from(auditLog).where(sql`${auditLog.id} = ${anyInt(ids)}`);
  return inKeyOrder(ids, rows, (row) => row.id);
}

const AuditEntry = builder.loadableNode('AuditEntry', {
  description: 'One write: who, when, which operation, and what it created or changed. Role: analyst (also through `node`).',
  authScopes: { analyst: true },
  id: { resolve: (row: AuditRow) => row.id, parse: parseNumericId },
  load: (ids: number[], ctx) => auditEntriesById(ctx.db, ids),
  fields: (t) => ({
    sequence: t.exposeInt('id', { description: 'Increases with every write.' }),
    at: t.expose('at', { type: 'DateTime', description: 'When the write committed its transaction’s start (knowledge time).' }),
    principal: t.exposeString('principal', { description: 'Who wrote: token:<name>, import:<file>...' }),
    operation: t.exposeString('operation', { description: 'What the write was: the mutation’s name (e.g. "createEvent"), or "import" for a file import.' }),
    requestId: t.exposeString('requestId', { nullable: true, description: 'The HTTP request’s id (as in the server’s logs); null for writes not made through a request.' }),
    idempotencyKey: t.exposeString('idempotencyKey', { nullable: true, description: 'The idempotency key the client sent with the write; null when it sent none.' }),
    details: t.expose('details', { type: 'JSON', description: 'Ids and slugs written; for updates the values before and after.' }),
  }),
});

const AUDIT_ORDER = defineOrdering('auditLog', [
  { expression: sql`${auditLog.at}`, type: 'timestamptz', descending: true },
  { expression: sql`${auditLog.id}`, type: 'int', descending: true },
]);

builder.queryField('auditLog', (t) =>
  t.connection(
    {
      type: AuditEntry,
      description: 'Writes, newest first. Role: analyst.',
      authScopes: { analyst: true },
      args: {
        operation: t.arg.string({ description: 'Only this operation, e.g. "createEvent".' }),
        principal: t.arg.string({ description: 'Only writes by this principal.' }),
        since: t.arg({ type: 'DateTime', description: 'Only writes at or after this time.' }),
      },
      resolve: async (_root, args, ctx) => {
        const request = pageRequest(args, AUDIT_ORDER);
        const conditions: SQL[] = [];
        if (args.operation != null) conditions.push(eq(auditLog.operation, args.operation));
        if (args.principal != null) conditions.push(eq(auditLog.principal, args.principal));
        if (args.since != null) conditions.push(gte(auditLog.at, args.since));
        const where = conditions.length > 0 ? and(...conditions) : undefined;
        const rows = await fetchPage(request, (page, limit) =>
          ctx.db
            .select({ ...getTableColumns(auditLog), cursorKey: sql<string>`${cursorKey(AUDIT_ORDER)}` })
            .from(auditLog)
            .where(and(where, page))
            .orderBy(orderBy(request))
            .limit(limit),
        );
        return toPage(request, rows, async () => (await ctx.db.select({ n: count() }).from(auditLog).where(where))[0]?.n ?? 0);
      },
    },
    { name: 'AuditConnection' },
    { name: 'AuditEdge' },
  ),
);
