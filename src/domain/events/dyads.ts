/**
 * Dyads: the two sides of an event (UCDP's side A / side B; ACLED's actor1 / actor2), derived from
 * the event's cited participations rather than stored, so that no side is ever uncited and a
 * retracted participation takes its actor off its side.
 *
 * - Side A, who acted: PERPETRATOR, CLAIMED_RESPONSIBILITY, ATTRIBUTED (someone's attribution of
 *   the act, itself a claim). IMPLICATED and INSPIRED are too weak a link to make a side.
 * - Side B, who was acted against: TARGET, VICTIM.
 * An event has a dyad only when both sides have an actor.
 *
 * Where both sides acted (UCDP's side A and side B of state-based and non-state violence, ACLED's
 * actor1 and actor2 in Battles, each recorded as a PERPETRATOR), a participation that acted names
 * its side (`side`: A the side the source names first, B the other); one that names none is on
 * side A. An event whose acting participations name no side, of a kind ACLED codes as Battles
 * (ARMED_CLASH, STORMING, TAKEOVER) and naming no one acted against, is read as a fight all the same: its
 * side A is the first actor recorded as acting (the first side the source names) and its side B
 * everyone else who acted — how events recorded before sides were named keep their dyads.
 * loaders/dyads.ts (eventSidesSql) writes the same rules in SQL for `between` and the OPPONENT
 * breakdown.
 *
 * ACLED's interaction code (reference data, ACLED Codebook, "Actor Names, Types, and 'Inter' Codes"
 * and "Interaction Codes") combines the two sides' inter codes, lower first: 1 state forces,
 * 2 rebel groups, 3 political militias, 4 identity militias, 5 rioters, 6 protesters, 7 civilians,
 * 8 external/other forces. Each side's code comes from its first actor's kind.
 */
import type { z } from 'zod';
import type { actorKindValues, dyadSideValues, eventKindValues, participationRoleValues } from '../vocabulary.ts';
import { STANDARD_TYPES_BY_KIND } from './standard-types.ts';

type Role = (typeof participationRoleValues)[number];
type ActorKind = (typeof actorKindValues)[number];

export const SIDE_A_ROLES = ['PERPETRATOR', 'CLAIMED_RESPONSIBILITY', 'ATTRIBUTED'] as const satisfies readonly Role[];
export const SIDE_B_ROLES = ['TARGET', 'VICTIM'] as const satisfies readonly Role[];

export type DyadSide = (typeof dyadSideValues)[number];

export const SIDE_RULE = 'side is given only for an actor that acted (PERPETRATOR, CLAIMED_RESPONSIBILITY, ATTRIBUTED); one acted against is on side B by its role';

/** Whether a participation in `role` may name `side` (the database's participations_side_check). */
export function sideHolds(role: string, side: string | null | undefined): boolean {
  return side == null || (SIDE_A_ROLES as readonly string[]).includes(role);
}

/** `schema` with the side rule, reported at its `side`. */
export function withSideRule<S extends z.ZodType<{ role: string; side?: string | null | undefined }>>(schema: S) {
  return schema.refine((p) => sideHolds(p.role, p.side), { message: SIDE_RULE, path: ['side'] });
}

export function sideOf(role: Role): DyadSide | null {
  if ((SIDE_A_ROLES as readonly Role[]).includes(role)) return 'A';
  if ((SIDE_B_ROLES as readonly Role[]).includes(role)) return 'B';
  return null;
}

type EventKind = (typeof eventKindValues)[number];

/** The kinds whose sides both fought: those ACLED codes as Battles (reference data, standard-types.ts). */
export const FIGHT_KINDS = (Object.keys(STANDARD_TYPES_BY_KIND) as EventKind[]).filter((kind) => STANDARD_TYPES_BY_KIND[kind].acledEventType === 'BATTLES');

/**
 * An event's two sides from its live participations (any order): side B who was acted against and
 * those who acted naming side B, side A the others who acted. In a fight whose acting
 * participations name no side and that names no one acted against, side A is the first actor
 * recorded as acting (lowest claim id) and side B everyone else who acted. Each side keeps the
 * participations' order.
 */
export function sidesOf<P extends { role: string; claimId: number; side?: DyadSide | null }>(
  kind: string,
  participations: readonly P[],
  actorOf: (p: P) => string | number,
): { sideA: P[]; sideB: P[] } {
  const making = participations.filter((p) => sideOf(p.role as Role) !== null);
  const acting = making.filter((p) => sideOf(p.role as Role) === 'A');
  const unnamed = making.every((p) => sideOf(p.role as Role) === 'A' && p.side == null);
  if (unnamed && acting.length > 0 && (FIGHT_KINDS as readonly string[]).includes(kind)) {
    const first = acting.reduce((a, b) => (b.claimId < a.claimId ? b : a));
    const firstActor = actorOf(first);
    return { sideA: acting.filter((p) => actorOf(p) === firstActor), sideB: acting.filter((p) => actorOf(p) !== firstActor) };
  }
  const sideFor = (p: P): DyadSide => (sideOf(p.role as Role) === 'B' ? 'B' : (p.side ?? 'A'));
  return { sideA: making.filter((p) => sideFor(p) === 'A'), sideB: making.filter((p) => sideFor(p) === 'B') };
}

/**
 * ACLED inter codes by actor kind. ACLED codes armed non-state groups as rebel groups (2) or
 * political militias (3) by their aims, which the kind does not say: 2, as ACLED codes the
 * Islamic State's provinces and the pre-2021 Taliban. A person's code depends on whom they act
 * for: none. The ACLED importer's table the other way, inter code to the kind of a new actor, is
 * ACLED_ACTOR_TYPES (src/import/datasets/formats.ts): the two agree on 1, 2 and 7, so an imported
 * row's interaction reads back for state forces, rebel groups and civilians.
 */
export const ACLED_INTER_CODES: Record<ActorKind, number | null> = {
  STATE: 1,
  GOVERNMENT: 1,
  STATE_AGENCY: 1,
  ARMED_ORGANIZATION: 2,
  COMMUNITY: 7,
  OFFICIALS: 7,
  PERSON: null,
};

export const ACLED_INTER_LABELS: Record<number, string> = {
  1: 'State forces',
  2: 'Rebel groups',
  3: 'Political militias',
  4: 'Identity militias',
  5: 'Rioters',
  6: 'Protesters',
  7: 'Civilians',
  8: 'External/Other forces',
};

/** ACLED's two-digit interaction code of two sides' first actors (e.g. 27: rebel group against civilians); null when a code is unknown. */
export function acledInteraction(sideA: ActorKind, sideB: ActorKind): number | null {
  const a = ACLED_INTER_CODES[sideA];
  const b = ACLED_INTER_CODES[sideB];
  if (a === null || b === null) return null;
  return Math.min(a, b) * 10 + Math.max(a, b);
}
