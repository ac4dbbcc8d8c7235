/**
 * Casualty estimates on events: a total as low / best / high in the source's words, and its parts
 * by category where the source splits it (src/domain/events/casualties.ts).
 */
import {
  CASUALTY_CATEGORIES,
  CASUALTY_GROUPS,
  CASUALTY_MEASURES,
  casualtySlot,
  type CasualtyCategory,
  type CasualtyField,
  type CasualtyGroup,
} from '../../db/casualties.ts';
import type { CasualtyPartRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';

const categoryDescriptions: Record<CasualtyCategory, string> = {
  CIVILIANS: 'Civilians, as the source names them ("Afghan civilians", "concertgoers" only when the source calls them civilians).',
  PERPETRATORS: 'The attackers themselves (GTD’s perpetrator deaths), e.g. suicide bombers.',
  SECURITY_FORCES: 'Soldiers, police and other security forces or military personnel of any state ("U.S. servicemembers").',
  UNKNOWN: 'Casualties the source counts separately without saying who they were.',
};

export const CasualtyCategoryEnum = builder.enumType('CasualtyCategory', {
  description: 'Who the killed or wounded were, where the source says so (UCDP GED’s sides and civilians; GTD’s perpetrators).',
  values: Object.fromEntries(CASUALTY_CATEGORIES.map((c) => [c, { description: categoryDescriptions[c] }])) as Record<CasualtyCategory, { description: string }>,
});

export const CasualtyPart = builder.objectRef<CasualtyPartRow>('CasualtyPart').implement({
  description: 'One category’s share of a figure, as the source gives it: "170 Afghan civilians" is CIVILIANS, low = high = 170.',
  fields: (t) => ({
    category: t.expose('category', { type: CasualtyCategoryEnum, description: 'Who they were.' }),
    low: t.exposeInt('low', { description: 'The fewest the source’s words allow.' }),
    best: t.exposeInt('best', { nullable: true, description: 'The best estimate, when the source gives one or the figure is exact; null otherwise.' }),
    high: t.exposeInt('high', { nullable: true, description: 'The most the source’s words allow; null when open-ended.' }),
    text: t.exposeString('text', { nullable: true, description: 'The source’s own words for this part; null when none were recorded.' }),
  }),
});

export interface CasualtiesShape {
  min: number;
  best: number | null;
  max: number | null;
  text: string | null;
  parts: CasualtyPartRow[];
}

export const Casualties = builder.objectRef<CasualtiesShape>('Casualties').implement({
  description:
    'A count known as a range, with a best estimate where there is one (UCDP’s low / best / high): "over 100" is low 101 with no high. ' +
    'The source’s words are kept. Where the source splits the figure by who was hit, `parts` has each category; the total is never less than its parts.',
  fields: (t) => ({
    min: t.exposeInt('min', { description: 'The fewest the source’s words allow (0 or more); the same as `low`.' }),
    max: t.exposeInt('max', { nullable: true, description: 'Null when the source gives no upper bound; the same as `high`.' }),
    low: t.exposeInt('min', { description: 'The low estimate: the fewest the source’s words allow.' }),
    best: t.exposeInt('best', { nullable: true, description: 'The best estimate: given by the source, or the figure itself when it is exact; null otherwise.' }),
    high: t.exposeInt('max', { nullable: true, description: 'The high estimate; null when the source gives no upper bound ("over 100").' }),
    text: t.exposeString('text', { nullable: true, description: 'The source’s own words.' }),
    parts: t.field({
      type: [CasualtyPart],
      description: 'The figure by category (civilians, perpetrators, security forces, unknown), only where the source splits it; empty otherwise.',
      resolve: (c) => c.parts,
    }),
  }),
});

/** An event's figure from its columns; null when the source gives none. */
export function casualties(min: number | null, best: number | null, max: number | null, text: string | null, parts: CasualtyPartRow[] | null): CasualtiesShape | null {
  return min === null ? null : { min, best: best ?? (max === min ? min : null), max, text, parts: parts ?? [] };
}

// --- Sums over many events (eventStats, timeline buckets, breakdown groups). --------------------

interface EstimateSumShape {
  low: number;
  best: number;
  bestReported: number;
  high: number | null;
  reported: number;
}

export const CasualtyEstimateSum = builder.objectRef<EstimateSumShape>('CasualtyEstimateSum').implement({
  description:
    'One figure (a total, or one category) summed over the events whose reports give it: low, best and high kept apart, as UCDP sums them.',
  fields: (t) => ({
    low: t.exposeInt('low', { description: 'Sum of the low estimates.' }),
    best: t.exposeInt('best', {
      description: 'Sum of the best estimates of the events that have one (given, or an exact figure); `bestReported` says how many did.',
    }),
    bestReported: t.exposeInt('bestReported', { description: 'How many of the counted events have a best estimate.' }),
    high: t.exposeInt('high', { nullable: true, description: 'Sum of the high estimates; null when any counted event has no upper bound ("over 100").' }),
    reported: t.exposeInt('reported', { description: 'How many events give this figure at all (events without one add nothing).' }),
  }),
});

type MeasureSumShape = Record<'total' | 'civilians' | 'perpetrators' | 'securityForces' | 'unknown', EstimateSumShape>;

export const CasualtyMeasureSums = builder.objectRef<MeasureSumShape>('CasualtyMeasureSums').implement({
  description:
    'The killed (or wounded) summed over events: the total, and each category summed over the events whose source splits the figure that way. ' +
    'Categories do not add up to the total where sources give only a total.',
  fields: (t) => ({
    total: t.expose('total', { type: CasualtyEstimateSum, description: 'The events’ totals.' }),
    civilians: t.expose('civilians', { type: CasualtyEstimateSum, description: 'Civilians, where the sources say so.' }),
    perpetrators: t.expose('perpetrators', { type: CasualtyEstimateSum, description: 'The perpetrators themselves (e.g. suicide bombers), where the sources say so.' }),
    securityForces: t.expose('securityForces', { type: CasualtyEstimateSum, description: 'Security forces or military, where the sources say so.' }),
    unknown: t.expose('unknown', { type: CasualtyEstimateSum, description: 'Casualties the sources count separately without saying who they were.' }),
  }),
});

export interface CasualtySumsShape {
  killed: MeasureSumShape;
  wounded: MeasureSumShape;
}

export const CasualtySums = builder.objectRef<CasualtySumsShape>('CasualtySums').implement({
  description: 'Killed and wounded summed over a group of events, as low / best / high, in total and by category.',
  fields: (t) => ({
    killed: t.expose('killed', { type: CasualtyMeasureSums, description: 'People killed.' }),
    wounded: t.expose('wounded', { type: CasualtyMeasureSums, description: 'People wounded.' }),
  }),
});

const groupFields: Record<CasualtyGroup, keyof MeasureSumShape> = {
  TOTAL: 'total',
  CIVILIANS: 'civilians',
  PERPETRATORS: 'perpetrators',
  SECURITY_FORCES: 'securityForces',
  UNKNOWN: 'unknown',
};

/** Where each group's numbers stand in the vector (0-based), per measure: computed once, not per row. */
const sumLayout = CASUALTY_MEASURES.map((measure) => ({
  measure,
  groups: CASUALTY_GROUPS.map((group) => {
    const at = (field: CasualtyField) => casualtySlot(measure, group, field) - 1;
    return { name: groupFields[group], low: at('low'), best: at('best'), bestReported: at('bestReported'), high: at('high'), highOpen: at('highOpen'), reported: at('reported') };
  }),
}));

/** A summed casualty vector (src/db/casualties.ts) as the schema shows it. */
export function casualtySumsOf(vector: readonly number[]): CasualtySumsShape {
  const sums = {} as CasualtySumsShape;
  for (const { measure, groups } of sumLayout) {
    const out = {} as MeasureSumShape;
    for (const g of groups) {
      out[g.name] = {
        low: vector[g.low] ?? 0,
        best: vector[g.best] ?? 0,
        bestReported: vector[g.bestReported] ?? 0,
        high: (vector[g.highOpen] ?? 0) > 0 ? null : (vector[g.high] ?? 0),
        reported: vector[g.reported] ?? 0,
      };
    }
    sums[measure] = out;
  }
  return sums;
}
