/**
 * The map aggregate for dashboards: the events matching a filter, binned into grid cells whose
 * size follows the map's zoom, with counts and casualty ranges per cell, as a list and as GeoJSON.
 * A live read whose filter names only kinds and places reads the per-place summary
 * (event_rollup_by_place), one that names roles without an actor or dates the per-place role
 * sums, one that names dates without kinds the per-place years and buckets: their cost follows
 * the number of places, not of events. One that names an actor (or roles with dates) sums the
 * actor's actor_event_links rows per place: its cost follows the actor's events, read from an index.
 */
import { builder } from '../builder.ts';
import { badInput } from '../errors.ts';
import {
  binsGeoJson,
  cellDegrees,
  checkBoundingBox,
  eventMapBins,
  MAX_MAP_BINS,
  MAX_MAP_ZOOM,
  type MapBin,
} from '../loaders/geography.ts';
import { eventMapCounts } from '../place-counts.ts';
import { useView, viewArgs } from '../view.ts';
import { KilledSumType } from './analytics.ts';
import { EventFilter } from './event.ts';
import { BoundingBoxInput, BoundingBoxType } from './location.ts';
import { GeoPrecisionEnum } from './vocabulary.ts';

const MapBinType = builder.objectRef<MapBin>('MapBin').implement({
  description: 'The matching events in one grid cell of the map, drawn at their mean position.',
  fields: (t) => ({
    latitude: t.exposeFloat('latitude', { description: 'Mean latitude of the cell’s events (each counted at its location).' }),
    longitude: t.exposeFloat('longitude', { description: 'Mean longitude of the cell’s events.' }),
    events: t.exposeInt('events', { description: 'How many matching events are located in the cell.' }),
    places: t.exposeInt('places', { description: 'How many distinct places those events are at.' }),
    killed: t.field({ type: KilledSumType, description: 'People killed in the cell’s events, as a range.', resolve: (b) => b.killed }),
    finestPrecision: t.expose('finestPrecision', { type: GeoPrecisionEnum, description: 'The most precise location among the cell’s events.' }),
    coarsestPrecision: t.expose('coarsestPrecision', {
      type: GeoPrecisionEnum,
      description: 'The least precise location among them: COUNTRY means some are only a country’s label point.',
    }),
    cell: t.field({ type: BoundingBoxType, description: 'The grid cell’s edges.', resolve: (b) => b.cell }),
  }),
});

interface EventMapShape {
  zoom: number;
  bins: MapBin[];
  truncated: boolean;
  fromSummary: boolean;
}

const EventMapType = builder.objectRef<EventMapShape>('EventMap').implement({
  description: 'Matching events binned on a grid for a map. Events without a location are not on the map.',
  fields: (t) => ({
    zoom: t.exposeInt('zoom', { description: 'The zoom the grid was cut for.' }),
    cellDegrees: t.float({ description: 'The side of a grid cell in degrees (90 / 2^zoom).', resolve: (m) => cellDegrees(m.zoom) }),
    events: t.int({ description: 'Events on the map: the sum over all bins.', resolve: (m) => m.bins.reduce((n, b) => n + b.events, 0) }),
    bins: t.field({ type: [MapBinType], description: `The cells that hold events, busiest first; at most ${MAX_MAP_BINS}.`, resolve: (m) => m.bins }),
    truncated: t.exposeBoolean('truncated', { description: `Whether more than ${MAX_MAP_BINS} cells hold events (zoom out or narrow the box).` }),
    fromSummary: t.exposeBoolean('fromSummary', {
      description:
        'Whether it was read from the summaries (per place, by kind, calendar bucket or the roles of the participants; or per actor and place for an actor filter, a pair of actors (`between`), or roles with dates; they trail writes by a moment, see `summaryStatus`) rather than from the events.',
    }),
    geojson: t.field({
      type: 'JSON',
      description:
        'The bins as a GeoJSON FeatureCollection (RFC 7946): a Point per cell at its events’ mean position, its cell as the feature’s bbox, and events, places, killedMin, killedMax, killedReported and the precisions as properties. Ready for MapLibre, Leaflet or deck.gl.',
      resolve: (m) => binsGeoJson(m.bins),
    }),
  }),
});

builder.queryFields((t) => ({
  eventMap: t.field({
    type: EventMapType,
    description:
      'Matching events binned into grid cells for a map, with counts and killed ranges per cell, within a viewport when given. The same filter as `events`; the bins’ counts add up to the located events it matches.',
    args: {
      filter: t.arg({ type: EventFilter, description: 'Which events; all (visible ones) when left out.' }),
      bbox: t.arg({ type: BoundingBoxInput, description: 'The map’s viewport: only cells of events inside it. The whole world when left out.' }),
      zoom: t.arg.int({ required: true, defaultValue: 3, description: `The map’s zoom, 0 to ${MAX_MAP_ZOOM}: a cell spans 90 / 2^zoom degrees (zoom 3: 11.25°).` }),
      ...viewArgs(t.arg),
    },
    resolve: async (_root, args, ctx) => {
      if (!Number.isInteger(args.zoom) || args.zoom < 0 || args.zoom > MAX_MAP_ZOOM) {
        throw badInput(`zoom must be a whole number from 0 to ${MAX_MAP_ZOOM}, got ${args.zoom}`, 'zoom');
      }
      const viewport = args.bbox ? checkBoundingBox(args.bbox, 'bbox') : null;
      const view = useView(ctx, args);
      const counts = eventMapCounts(args.filter, view);
      const { bins, truncated } = await eventMapBins(ctx.db, view, counts, args.zoom, viewport);
      return { zoom: args.zoom, bins, truncated, fromSummary: counts.kind !== 'events' };
    },
  }),
}));
