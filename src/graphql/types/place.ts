import { asc, count, eq, sql } from 'drizzle-orm';
import { places } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { parseNumericId } from '../global-id.ts';
import { placesById, type PlaceRow } from '../loaders/entities.ts';
import { pageWindow, toPage } from '../pagination.ts';
import { PlaceKindEnum } from './vocabulary.ts';

export const Place = builder.loadableNode('Place', {
  description: 'A country, region, city or site. Gazetteer reference data, not a claim.',
  id: { resolve: (place: PlaceRow) => place.id, parse: parseNumericId },
  load: (ids: number[], ctx) => placesById(ctx.db, ids),
  fields: (t) => ({
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    kind: t.expose('kind', { type: PlaceKindEnum }),
    countryCode: t.exposeString('countryCode', { nullable: true, description: 'ISO 3166-1 alpha-2, for countries.' }),
    region: t.exposeString('region', { nullable: true, description: 'UN M49 sub-region, e.g. "Southern Asia".' }),
  }),
});

// Self-references are added after the type exists, so TypeScript can infer its shape.
builder.objectFields(Place, (t) => ({
    parent: t.field({
      type: Place,
      nullable: true,
      description: 'The place this one lies in (site → city → country).',
      resolve: (place) => place.parentId,
    }),
    country: t.field({
      type: Place,
      nullable: true,
      description: 'The country this place lies in (itself for a country).',
      resolve: (place) => place.countryId,
    }),
}));

builder.queryFields((t) => ({
  place: t.field({
    type: Place,
    nullable: true,
    args: { slug: t.arg.string({ required: true }) },
    resolve: async (_root, { slug }, ctx) =>
      (await ctx.db.select().from(places).where(eq(places.slug, slug)))[0] ?? null,
  }),
  places: t.connection({
    type: Place,
    description: 'Places, by name.',
    args: { kind: t.arg({ type: [PlaceKindEnum], required: false }) },
    resolve: async (_root, args, ctx) => {
      const window = pageWindow(args);
      const where = args.kind ? sql`${places.kind} = any(${sql.param(args.kind)}::place_kind[])` : undefined;
      const rows = await ctx.db
        .select()
        .from(places)
        .where(where)
        .orderBy(asc(places.name), asc(places.id))
        .limit(window.limit)
        .offset(window.offset);
      return toPage(window, rows, async () => (await ctx.db.select({ n: count() }).from(places).where(where))[0]?.n ?? 0);
    },
  }, { name: 'PlaceConnection' }, { name: 'PlaceEdge' }),
}));
