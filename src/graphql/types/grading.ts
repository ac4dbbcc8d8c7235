/**
 * Gradings: a source's reliability or a claim's credibility given anew, with the reason
 * (src/domain/gradings/grade.ts). Listed on the source and on the claim, newest first.
 */
import type { Database } from '../../db/client.ts';
import { builder } from '../builder.ts';
import { CREDIBILITY_DESCRIPTION, SourceReliabilityEnum } from '../claim-filters.ts';
import { groupBy } from '../loaders/batch.ts';
import { parseNumericId } from '../global-id.ts';
import { claimGradingsById, GRADINGS_LIMIT, gradingsOfClaims, gradingsOfSources, sourceGradingsById, type ClaimGradingRow, type SourceGradingRow } from '../loaders/gradings.ts';
import { Actor } from './actor.ts';
import { Claim } from './claim.ts';
import { Event } from './event.ts';
import { Source } from './source.ts';

export const SourceGrading = builder.loadableNode('SourceGrading', {
  description: 'A source graded anew: its Admiralty reliability changed, from what, why, by whom and when.',
  id: { resolve: (g: SourceGradingRow) => g.id, parse: parseNumericId },
  load: (ids: number[], ctx) => sourceGradingsById(ctx.db, ids),
  fields: (t) => ({
    source: t.field({ type: Source, description: 'The source graded.', resolve: (g) => g.sourceId }),
    previous: t.field({ type: SourceReliabilityEnum, nullable: true, description: 'The grade it had before; null when it had none.', resolve: (g) => g.previous }),
    reliability: t.field({ type: SourceReliabilityEnum, nullable: true, description: 'The grade given; null when the grade was withdrawn (ungraded again).', resolve: (g) => g.reliability }),
    reason: t.exposeString('reason', { description: 'Why, in the grading analyst’s words.' }),
    gradedBy: t.exposeString('gradedBy', { description: 'Who graded it, named as `recordedBy` names who records claims (e.g. "token:<name>").' }),
    gradedAt: t.field({ type: 'DateTime', description: 'When the grade was given (transaction time).', resolve: (g) => new Date(g.gradedAt) }),
  }),
});

export const ClaimGrading = builder.loadableNode('ClaimGrading', {
  description: 'A claim graded anew: its Admiralty information credibility changed (e.g. to 1 once other sources confirm it), from what, why, by whom and when. What the claim states, its confidence and its citations stay as recorded.',
  id: { resolve: (g: ClaimGradingRow) => g.id, parse: parseNumericId },
  load: (ids: number[], ctx) => claimGradingsById(ctx.db, ids),
  fields: (t) => ({
    previous: t.int({ nullable: true, description: 'The grade it had before; null when it had none.', resolve: (g) => g.previous }),
    credibility: t.exposeInt('credibility', { nullable: true, description: `The grade given; null when the grade was withdrawn (ungraded again). ${CREDIBILITY_DESCRIPTION}` }),
    reason: t.exposeString('reason', { description: 'Why, in the grading analyst’s words.' }),
    gradedBy: t.exposeString('gradedBy', { description: 'Who graded it, named as `recordedBy` names who records claims (e.g. "token:<name>").' }),
    gradedAt: t.field({ type: 'DateTime', description: 'When the grade was given (transaction time).', resolve: (g) => new Date(g.gradedAt) }),
  }),
});

const GRADES_AS_OF =
  'Live reads use the current grades; a read `asOf` a past time shows and filters by the grades as they stood then, so an earlier dashboard is reproduced exactly.';

builder.objectField(Source, 'gradings', (t) =>
  t.loadableGroup({
    type: SourceGrading,
    description: `Each time the source’s reliability was graded anew (\`gradeSource\`), newest first (at most ${GRADINGS_LIMIT}); the grade given when it was added is the oldest one’s \`previous\`. Empty when it keeps the grade it was added with. ${GRADES_AS_OF}`,
    load: (ids: number[], ctx) => gradingsOfSources(ctx.db, ids),
    group: groupBy((g: SourceGradingRow) => g.sourceId),
    resolve: (s) => s.id,
  }),
);

/** The `gradings` field of a record whose credibility is its claim's: `what` names the claim in the description. */
const claimGradings = <Parent extends { claimId: number }>(what: string) => ({
  type: ClaimGrading,
  description: `Each time ${what} credibility was graded anew (\`gradeClaim\`), newest first (at most ${GRADINGS_LIMIT}); the grade it was recorded with is the oldest one’s \`previous\`. Empty when it keeps that grade. ${GRADES_AS_OF}`,
  load: (ids: number[], ctx: { db: Database }) => gradingsOfClaims(ctx.db, ids),
  group: groupBy((g: ClaimGradingRow) => g.claimId),
  resolve: (parent: Parent) => parent.claimId,
});

builder.interfaceField(Claim, 'gradings', (t) => t.loadableGroup(claimGradings('the claim’s')));
// An event's and an actor's credibility is their establishing claim's (the report, the profile).
builder.objectField(Event, 'gradings', (t) => t.loadableGroup(claimGradings('the report’s')));
builder.objectField(Actor, 'gradings', (t) => t.loadableGroup(claimGradings('the profile’s')));
