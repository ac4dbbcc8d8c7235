/** `Actor.reach`: where an actor is linked to events, per role, and how far beyond its home region. */
import { builder } from '../builder.ts';
import type { ParticipationRole } from '../loaders/claims.ts';
import { reachOfActors, type ReachCountryRow } from '../loaders/reach.ts';
import { claimFloor, claimFloorArgs } from '../claim-filters.ts';
import { isLiveView } from '../view.ts';
import { Actor } from './actor.ts';
import { Place } from './place.ts';
import { ParticipationRoleEnum } from './vocabulary.ts';

interface ReachCountryShape {
  countryId: number;
  region: string | null;
  role: ParticipationRole;
  events: number;
  firstDate: string | null;
  lastDate: string | null;
  extraRegional: boolean | null;
}

interface ReachRegionShape {
  region: string;
  role: ParticipationRole;
  events: number;
  countries: number;
  firstDate: string | null;
  lastDate: string | null;
  extraRegional: boolean | null;
}

interface ReachShape {
  homeRegion: string | null;
  countries: ReachCountryShape[];
  regions: ReachRegionShape[];
}

const extraRegionalDescription =
  'True when this lies outside the actor’s home region (its home country’s UN M49 sub-region); null when the actor has no home country or the place no region.';

const ReachCountry = builder.objectRef<ReachCountryShape>('ReachCountry').implement({
  description: 'A country where the actor is linked to events in one role.',
  fields: (t) => ({
    country: t.field({ type: Place, description: 'The country the events took place in.', resolve: (c) => c.countryId }),
    region: t.exposeString('region', { nullable: true, description: 'UN M49 sub-region of the country.' }),
    role: t.expose('role', { type: ParticipationRoleEnum, description: 'The actor’s role in these events.' }),
    events: t.exposeInt('events', { description: 'How many events in this country the actor is linked to in this role.' }),
    firstDate: t.expose('firstDate', { type: 'LocalDate', nullable: true, description: 'Earliest possible day of the first event.' }),
    lastDate: t.expose('lastDate', { type: 'LocalDate', nullable: true, description: 'Latest possible day of the last event.' }),
    extraRegional: t.exposeBoolean('extraRegional', { nullable: true, description: extraRegionalDescription }),
  }),
});

const ReachRegion = builder.objectRef<ReachRegionShape>('ReachRegion').implement({
  description: 'A UN M49 sub-region where the actor is linked to events in one role.',
  fields: (t) => ({
    region: t.exposeString('region', { description: 'UN M49 sub-region, e.g. "Southern Asia".' }),
    role: t.expose('role', { type: ParticipationRoleEnum, description: 'The actor’s role in these events.' }),
    events: t.exposeInt('events', { description: 'How many events in the region’s countries the actor is linked to in this role.' }),
    countries: t.exposeInt('countries', { description: 'How many of its countries.' }),
    firstDate: t.expose('firstDate', { type: 'LocalDate', nullable: true, description: 'Earliest possible day of the first event; null when none is dated.' }),
    lastDate: t.expose('lastDate', { type: 'LocalDate', nullable: true, description: 'Latest possible day of the last event; null when none is dated.' }),
    extraRegional: t.exposeBoolean('extraRegional', { nullable: true, description: extraRegionalDescription }),
  }),
});

const ActorReach = builder.objectRef<ReachShape>('ActorReach').implement({
  description:
    'Where an actor is linked to events (events at a place in no country, such as "the West", are left out), most events first.',
  fields: (t) => ({
    homeRegion: t.exposeString('homeRegion', { nullable: true, description: 'The home country’s sub-region.' }),
    countries: t.expose('countries', { type: [ReachCountry], description: 'One entry per country and role.' }),
    regions: t.expose('regions', { type: [ReachRegion], description: 'One entry per sub-region and role (its countries summed), most events first.' }),
  }),
});

const earlier = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a < b ? a : b);
const later = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a > b ? a : b);

/** Builds each actor's reach from its rows; regions sum their countries (an event has one country). */
function toReach(rows: ReachCountryRow[]): ReachShape {
  const homeRegion = rows[0]?.homeRegion ?? null;
  const outside = (region: string | null) => (homeRegion === null || region === null ? null : region !== homeRegion);
  const countries: ReachCountryShape[] = [];
  const regions = new Map<string, ReachRegionShape>();
  for (const row of rows) {
    if (row.countryId === null || row.role === null) continue;
    countries.push({
      countryId: row.countryId,
      region: row.region,
      role: row.role,
      events: row.events,
      firstDate: row.firstDate,
      lastDate: row.lastDate,
      extraRegional: outside(row.region),
    });
    if (row.region === null) continue;
    const key = `${row.region}\u0000${row.role}`;
    const region = regions.get(key);
    if (region) {
      region.events += row.events;
      region.countries += 1;
      region.firstDate = earlier(region.firstDate, row.firstDate);
      region.lastDate = later(region.lastDate, row.lastDate);
    } else {
      regions.set(key, {
        region: row.region,
        role: row.role,
        events: row.events,
        countries: 1,
        firstDate: row.firstDate,
        lastDate: row.lastDate,
        extraRegional: outside(row.region),
      });
    }
  }
  const sortedRegions = [...regions.values()].sort(
    (a, b) => b.events - a.events || a.region.localeCompare(b.region) || a.role.localeCompare(b.role),
  );
  return { homeRegion, countries, regions: sortedRegions };
}

builder.objectField(Actor, 'reach', (t) =>
  t.loadable({
    type: ActorReach,
    description: 'The countries and regions where the actor is linked to events, per role, with extra-regional reach marked.',
    byPath: true,
    args: {
      roles: t.arg({ type: [ParticipationRoleEnum], description: 'Only links in these roles (default: all).' }),
      ...claimFloorArgs(t.arg),
    },
    load: async (actorIds: number[], ctx, args) => {
      // The floor applies to both claims behind a counted event: the event's report and the actor's participation.
      const rows = await reachOfActors(ctx.db, ctx.view, actorIds, args.roles ?? null, isLiveView(ctx.view), claimFloor(args));
      const byActor = new Map<number, ReachCountryRow[]>();
      for (const row of rows) {
        const list = byActor.get(row.actorId);
        if (list) list.push(row);
        else byActor.set(row.actorId, [row]);
      }
      return actorIds.map((id) => toReach(byActor.get(id) ?? []));
    },
    resolve: (actor) => actor.id,
  }),
);
