import { and, count, eq, sql } from 'drizzle-orm';
import { places } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { parseNumericId } from '../global-id.ts';
import { placeColumns, placesById, type PlaceRow } from '../loaders/entities.ts';
import { cursorKey, defineOrdering, fetchPage, orderBy, pageRequest, toPage } from '../pagination.ts';
import { placesFrom, useView, viewArgs } from '../view.ts';
import { PlaceKindEnum } from './vocabulary.ts';

export const Place = builder.loadableNode('Place', {
  description: 'A country, province (ADMIN1), district (ADMIN2), region, city or site, with where it is on a map when known. Gazetteer reference data, not a claim.',
  id: { resolve: (place: PlaceRow) => place.id, parse: parseNumericId },
  load: (ids: number[], ctx) => placesById(ctx.db, ctx.view, ids),
  fields: (t) => ({
    slug: t.exposeString('slug', { description: 'Unique lowercase slug (letters, digits, single hyphens): stable, readable, and what inputs name the record by.' }),
    name: t.exposeString('name', { description: 'The place’s usual English name.' }),
    kind: t.expose('kind', { type: PlaceKindEnum, description: 'Country, province (ADMIN1), district (ADMIN2), region, city or site.' }),
    countryCode: t.exposeString('countryCode', { nullable: true, description: 'ISO 3166-1 alpha-2, for countries.' }),
    region: t.exposeString('region', { nullable: true, description: 'UN M49 sub-region, e.g. "Southern Asia".' }),
  }),
});

// Self-references are added after the type exists, so TypeScript can infer its shape.
builder.objectFields(Place, (t) => ({
    parent: t.field({
      type: Place,
      nullable: true,
      description: 'The place this one lies in (site → city → district → province → country).',
      resolve: (place) => place.parentId,
    }),
    country: t.field({
      type: Place,
      nullable: true,
      description: 'The country this place lies in (itself for a country).',
      resolve: (place) => place.countryId,
    }),
}));

const PLACES_ORDER = defineOrdering('places', [
  { expression: sql`${places.name}`, type: 'text' },
  { expression: sql`${places.id}`, type: 'int' },
]);

builder.queryFields((t) => ({
  place: t.field({
    type: Place,
    nullable: true,
    description: 'A place by slug; null when there is none. Places are not claims: `asOf` gives the names and codes they had then, `includeRetracted` changes nothing.',
    args: { slug: t.arg.string({ required: true, description: 'The place’s slug.' }), ...viewArgs(t.arg) },
    resolve: async (_root, args, ctx) => {
      const view = useView(ctx, args);
      return (await ctx.db.select(placeColumns).from(placesFrom(view)).where(eq(places.slug, args.slug)))[0] ?? null;
    },
  }),
  places: t.connection({
    type: Place,
    description: 'Places, by name (as of `asOf`, when given).',
    args: { kind: t.arg({ type: [PlaceKindEnum], required: false, description: 'Only places of these kinds; every kind when left out.' }), ...viewArgs(t.arg) },
    resolve: async (_root, args, ctx) => {
      const view = useView(ctx, args);
      const request = pageRequest(args, PLACES_ORDER);
      const where = args.kind ? sql`${places.kind} = any(${sql.param(args.kind)}::place_kind[])` : undefined;
      const rows = await fetchPage(request, (page, limit) =>
        ctx.db
          .select({ ...placeColumns, cursorKey: sql<string>`${cursorKey(PLACES_ORDER)}` })
          .from(placesFrom(view))
          .where(and(where, page))
          .orderBy(orderBy(request))
          .limit(limit),
      );
      return toPage(request, rows, async () => (await ctx.db.select({ n: count() }).from(placesFrom(view)).where(where))[0]?.n ?? 0);
    },
  }, { name: 'PlaceConnection' }, { name: 'PlaceEdge' }),
}));
