import { and, count, eq, sql } from 'drizzle-orm';
import { claims, doctrines } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { parseNumericId } from '../global-id.ts';
import { groupBy } from '../loaders/batch.ts';
import { childDoctrines, doctrineColumns, doctrinesById, type DoctrineRow } from '../loaders/entities.ts';
import { cursorKey, defineOrdering, fetchPage, orderBy, pageRequest, toPage } from '../pagination.ts';
import { claimVisible, useView, viewArgs } from '../view.ts';
import { Cited } from './citation.ts';

export const Doctrine = builder.loadableNode('Doctrine', {
  description: 'A religious or ideological doctrine, in a hierarchy (Deobandi is a sub-sect of Sunni Islam).',
  interfaces: [Cited],
  id: { resolve: (doctrine: DoctrineRow) => doctrine.id, parse: parseNumericId },
  load: (ids: number[], ctx) => doctrinesById(ctx.db, ctx.view, ids),
  fields: (t) => ({
    slug: t.exposeString('slug', { description: 'Unique lowercase slug (letters, digits, single hyphens): stable, readable, and what inputs name the record by.' }),
    name: t.exposeString('name', { description: 'The doctrine’s usual English name.' }),
    description: t.exposeString('description', { nullable: true, description: 'A short account of the doctrine; null when none was written.' }),
  }),
});

// Self-references are added after the type exists, so TypeScript can infer its shape.
builder.objectFields(Doctrine, (t) => ({
    parent: t.field({ type: Doctrine, nullable: true, description: 'The doctrine this one is a branch of; null at the top of the hierarchy.', resolve: (doctrine) => doctrine.parentId }),
    children: t.loadableGroup({
      type: Doctrine,
      description: 'Doctrines directly below this one, by name (in the view: not those defined after `asOf`, nor retracted ones unless asked).',
      load: (ids: number[], ctx) => childDoctrines(ctx.db, ctx.view, ids),
      group: groupBy((child: DoctrineRow) => child.parentId ?? 0),
      resolve: (doctrine) => doctrine.id,
    }),
}));

const DOCTRINES_ORDER = defineOrdering('doctrines', [
  { expression: sql`${doctrines.name}`, type: 'text' },
  { expression: sql`${doctrines.id}`, type: 'int' },
]);

builder.queryFields((t) => ({
  doctrine: t.field({
    type: Doctrine,
    nullable: true,
    description: 'A doctrine by slug; null when there is none (or its claim is not visible in the view).',
    args: {
      slug: t.arg.string({ required: true, description: 'The doctrine’s slug.' }),
      ...viewArgs(t.arg),
    },
    resolve: async (_root, args, ctx) => {
      const view = useView(ctx, args);
      return (
        (
          await ctx.db
            .select(doctrineColumns)
            .from(doctrines)
            .innerJoin(claims, eq(claims.id, doctrines.claimId))
            .where(and(eq(doctrines.slug, args.slug), claimVisible(view, claims)))
        )[0] ?? null
      );
    },
  }),
  doctrines: t.connection({
    type: Doctrine,
    description: 'All doctrines, by name.',
    args: {
      ...viewArgs(t.arg),
    },
    resolve: async (_root, args, ctx) => {
      const view = useView(ctx, args);
      const request = pageRequest(args, DOCTRINES_ORDER);
      // A doctrine is there when the claim defining it is (recorded by asOf, not retracted).
      const where = claimVisible(view, claims);
      const rows = await fetchPage(request, (page, limit) =>
        ctx.db
          .select({ ...doctrineColumns, cursorKey: sql<string>`${cursorKey(DOCTRINES_ORDER)}` })
          .from(doctrines)
          .innerJoin(claims, eq(claims.id, doctrines.claimId))
          .where(and(where, page))
          .orderBy(orderBy(request))
          .limit(limit),
      );
      return toPage(
        request,
        rows,
        async () =>
          (await ctx.db.select({ n: count() }).from(doctrines).innerJoin(claims, eq(claims.id, doctrines.claimId)).where(where))[0]?.n ?? 0,
      );
    },
  }, { name: 'DoctrineConnection' }, { name: 'DoctrineEdge' }),
}));
