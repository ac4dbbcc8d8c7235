/**
 * The knowledge base's vocabularies (kinds of actor, place and event, relationship types,
 * participation roles, date precisions) are the database's enums: one definition, so an input,
 * a knowledge file and the schema cannot disagree.
 */
import { actorKind, dataset, datePrecision, dyadSide, eventKind, participationRole, placeKind, relationshipType, sourceReliability } from '../db/schema.ts';

export const actorKindValues = actorKind.enumValues;
export const placeKindValues = placeKind.enumValues;
export const eventKindValues = eventKind.enumValues;
export const relationshipTypeValues = relationshipType.enumValues;
export const participationRoleValues = participationRole.enumValues;
export const datePrecisionValues = datePrecision.enumValues;
export const sourceReliabilityValues = sourceReliability.enumValues;
export const datasetValues = dataset.enumValues;
export const dyadSideValues = dyadSide.enumValues;
