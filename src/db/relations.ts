/** Drizzle relations, kept apart from the tables (they describe joins, not storage). */
import { relations } from 'drizzle-orm';
import {
  actorMerges,
  actorRevisions,
  actors,
  adherences,
  citations,
  claimCitations,
  claims,
  doctrines,
  eventRevisions,
  events,
  participations,
  placeRevisions,
  places,
  relationships,
  sources,
} from './schema.ts';

export const sourcesRelations = relations(sources, ({ many }) => ({ citations: many(citations) }));

export const citationsRelations = relations(citations, ({ one, many }) => ({
  source: one(sources, { fields: [citations.sourceId], references: [sources.id] }),
  claims: many(claimCitations),
}));

export const claimsRelations = relations(claims, ({ many }) => ({ citations: many(claimCitations) }));

export const claimCitationsRelations = relations(claimCitations, ({ one }) => ({
  claim: one(claims, { fields: [claimCitations.claimId], references: [claims.id] }),
  citation: one(citations, { fields: [claimCitations.citationId], references: [citations.id] }),
}));

export const placesRelations = relations(places, ({ one, many }) => ({
  parent: one(places, { fields: [places.parentId], references: [places.id], relationName: 'parent' }),
  country: one(places, { fields: [places.countryId], references: [places.id], relationName: 'country' }),
  revisions: many(placeRevisions, { relationName: 'revised' }),
}));

export const doctrinesRelations = relations(doctrines, ({ one, many }) => ({
  parent: one(doctrines, { fields: [doctrines.parentId], references: [doctrines.id], relationName: 'tree' }),
  children: many(doctrines, { relationName: 'tree' }),
  claim: one(claims, { fields: [doctrines.claimId], references: [claims.id] }),
  adherences: many(adherences),
}));

export const actorsRelations = relations(actors, ({ one, many }) => ({
  homeCountry: one(places, { fields: [actors.homeCountryId], references: [places.id] }),
  claim: one(claims, { fields: [actors.claimId], references: [claims.id] }),
  revisionClaim: one(claims, { fields: [actors.revisionClaimId], references: [claims.id] }),
  adherences: many(adherences),
  participations: many(participations, { relationName: 'participant' }),
  revisions: many(actorRevisions),
}));

export const eventsRelations = relations(events, ({ one, many }) => ({
  place: one(places, { fields: [events.placeId], references: [places.id] }),
  claim: one(claims, { fields: [events.claimId], references: [claims.id] }),
  revisionClaim: one(claims, { fields: [events.revisionClaimId], references: [claims.id] }),
  participations: many(participations),
  revisions: many(eventRevisions),
}));

export const adherencesRelations = relations(adherences, ({ one }) => ({
  claim: one(claims, { fields: [adherences.claimId], references: [claims.id] }),
  actor: one(actors, { fields: [adherences.actorId], references: [actors.id] }),
  doctrine: one(doctrines, { fields: [adherences.doctrineId], references: [doctrines.id] }),
}));

export const relationshipsRelations = relations(relationships, ({ one }) => ({
  claim: one(claims, { fields: [relationships.claimId], references: [claims.id] }),
  from: one(actors, { fields: [relationships.fromActorId], references: [actors.id], relationName: 'from' }),
  to: one(actors, { fields: [relationships.toActorId], references: [actors.id], relationName: 'to' }),
}));

export const participationsRelations = relations(participations, ({ one }) => ({
  claim: one(claims, { fields: [participations.claimId], references: [claims.id] }),
  event: one(events, { fields: [participations.eventId], references: [events.id] }),
  actor: one(actors, { fields: [participations.actorId], references: [actors.id], relationName: 'participant' }),
  attributedBy: one(actors, { fields: [participations.attributedById], references: [actors.id], relationName: 'attributor' }),
}));

export const actorRevisionsRelations = relations(actorRevisions, ({ one }) => ({
  actor: one(actors, { fields: [actorRevisions.actorId], references: [actors.id] }),
  supersededByClaim: one(claims, { fields: [actorRevisions.supersededByClaimId], references: [claims.id] }),
  supersededByMerge: one(actorMerges, { fields: [actorRevisions.supersededByMergeId], references: [actorMerges.removedActorId] }),
}));

export const eventRevisionsRelations = relations(eventRevisions, ({ one }) => ({
  event: one(events, { fields: [eventRevisions.eventId], references: [events.id] }),
  supersededByClaim: one(claims, { fields: [eventRevisions.supersededByClaimId], references: [claims.id] }),
}));

export const placeRevisionsRelations = relations(placeRevisions, ({ one }) => ({
  place: one(places, { fields: [placeRevisions.placeId], references: [places.id], relationName: 'revised' }),
}));
