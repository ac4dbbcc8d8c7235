/**
 * The field's standard event types, as reference data (not claims): each of the knowledge base's
 * own event kinds mapped to ACLED's event type and sub-event type and to the Global Terrorism
 * Database's attack type and suicide flag, so that events can be compared with, filtered and
 * broken down like those datasets.
 *
 * Where it comes from:
 * - ACLED Codebook (Armed Conflict Location & Event Data, 2024 edition), "Event Types and Sub-Event
 *   Types": six event types and their 25 sub-event types, names as the codebook spells them.
 * - GTD Codebook (START, University of Maryland), "attacktype1" (codes 1–9) and "suicide" (1: the
 *   incident was a suicide attack; 0: no indication that it was).
 *
 * The mapping is by kind, so it says only what a kind implies: kinds that stand for many events or
 * for no violent act (a campaign, an insurgency, "attacks and plots" mentioned together) map to no
 * type, because both datasets code single events; `note` says where a kind leaves a choice open.
 */
import { eventKindValues } from '../vocabulary.ts';

export const ACLED_EVENT_TYPES = {
  BATTLES: 'Battles',
  EXPLOSIONS_REMOTE_VIOLENCE: 'Explosions/Remote violence',
  VIOLENCE_AGAINST_CIVILIANS: 'Violence against civilians',
  PROTESTS: 'Protests',
  RIOTS: 'Riots',
  STRATEGIC_DEVELOPMENTS: 'Strategic developments',
} as const;
export type AcledEventType = keyof typeof ACLED_EVENT_TYPES;

/** Each sub-event type with its label and the event type it belongs to. */
export const ACLED_SUB_EVENT_TYPES = {
  GOVERNMENT_REGAINS_TERRITORY: { label: 'Government regains territory', type: 'BATTLES' },
  NON_STATE_ACTOR_OVERTAKES_TERRITORY: { label: 'Non-state actor overtakes territory', type: 'BATTLES' },
  ARMED_CLASH: { label: 'Armed clash', type: 'BATTLES' },
  EXCESSIVE_FORCE_AGAINST_PROTESTERS: { label: 'Excessive force against protesters', type: 'PROTESTS' },
  PROTEST_WITH_INTERVENTION: { label: 'Protest with intervention', type: 'PROTESTS' },
  PEACEFUL_PROTEST: { label: 'Peaceful protest', type: 'PROTESTS' },
  VIOLENT_DEMONSTRATION: { label: 'Violent demonstration', type: 'RIOTS' },
  MOB_VIOLENCE: { label: 'Mob violence', type: 'RIOTS' },
  CHEMICAL_WEAPON: { label: 'Chemical weapon', type: 'EXPLOSIONS_REMOTE_VIOLENCE' },
  AIR_DRONE_STRIKE: { label: 'Air/drone strike', type: 'EXPLOSIONS_REMOTE_VIOLENCE' },
  SUICIDE_BOMB: { label: 'Suicide bomb', type: 'EXPLOSIONS_REMOTE_VIOLENCE' },
  SHELLING_ARTILLERY_MISSILE_ATTACK: { label: 'Shelling/artillery/missile attack', type: 'EXPLOSIONS_REMOTE_VIOLENCE' },
  REMOTE_EXPLOSIVE_LANDMINE_IED: { label: 'Remote explosive/landmine/IED', type: 'EXPLOSIONS_REMOTE_VIOLENCE' },
  GRENADE: { label: 'Grenade', type: 'EXPLOSIONS_REMOTE_VIOLENCE' },
  SEXUAL_VIOLENCE: { label: 'Sexual violence', type: 'VIOLENCE_AGAINST_CIVILIANS' },
  ATTACK: { label: 'Attack', type: 'VIOLENCE_AGAINST_CIVILIANS' },
  ABDUCTION_FORCED_DISAPPEARANCE: { label: 'Abduction/forced disappearance', type: 'VIOLENCE_AGAINST_CIVILIANS' },
  AGREEMENT: { label: 'Agreement', type: 'STRATEGIC_DEVELOPMENTS' },
  ARRESTS: { label: 'Arrests', type: 'STRATEGIC_DEVELOPMENTS' },
  CHANGE_TO_GROUP_ACTIVITY: { label: 'Change to group/activity', type: 'STRATEGIC_DEVELOPMENTS' },
  DISRUPTED_WEAPONS_USE: { label: 'Disrupted weapons use', type: 'STRATEGIC_DEVELOPMENTS' },
  HEADQUARTERS_OR_BASE_ESTABLISHED: { label: 'Headquarters or base established', type: 'STRATEGIC_DEVELOPMENTS' },
  LOOTING_PROPERTY_DESTRUCTION: { label: 'Looting/property destruction', type: 'STRATEGIC_DEVELOPMENTS' },
  NON_VIOLENT_TRANSFER_OF_TERRITORY: { label: 'Non-violent transfer of territory', type: 'STRATEGIC_DEVELOPMENTS' },
  OTHER: { label: 'Other', type: 'STRATEGIC_DEVELOPMENTS' },
} as const satisfies Record<string, { label: string; type: AcledEventType }>;
export type AcledSubEventType = keyof typeof ACLED_SUB_EVENT_TYPES;

/** GTD attacktype1, with its code. */
export const GTD_ATTACK_TYPES = {
  ASSASSINATION: { code: 1, label: 'Assassination' },
  ARMED_ASSAULT: { code: 2, label: 'Armed Assault' },
  BOMBING_EXPLOSION: { code: 3, label: 'Bombing/Explosion' },
  HIJACKING: { code: 4, label: 'Hijacking' },
  HOSTAGE_TAKING_BARRICADE: { code: 5, label: 'Hostage Taking (Barricade Incident)' },
  HOSTAGE_TAKING_KIDNAPPING: { code: 6, label: 'Hostage Taking (Kidnapping)' },
  FACILITY_INFRASTRUCTURE_ATTACK: { code: 7, label: 'Facility/Infrastructure Attack' },
  UNARMED_ASSAULT: { code: 8, label: 'Unarmed Assault' },
  UNKNOWN: { code: 9, label: 'Unknown' },
} as const;
export type GtdAttackType = keyof typeof GTD_ATTACK_TYPES;

export type EventKind = (typeof eventKindValues)[number];

export interface StandardTypes {
  acledEventType: AcledEventType | null;
  acledSubEventType: AcledSubEventType | null;
  gtdAttackType: GtdAttackType | null;
  /** GTD's suicide flag; null where the kind has no GTD attack type. */
  gtdSuicide: boolean | null;
  /** Why the kind maps as it does, where it leaves a choice open. */
  note: string | null;
}

const none = (note: string): StandardTypes => ({ acledEventType: null, acledSubEventType: null, gtdAttackType: null, gtdSuicide: null, note });
const acled = (sub: AcledSubEventType) => ({ acledEventType: ACLED_SUB_EVENT_TYPES[sub].type, acledSubEventType: sub });

/** Every kind's standard types (a kind added to the enum without a row here fails to compile). */
export const STANDARD_TYPES_BY_KIND: Record<EventKind, StandardTypes> = {
  ATTACK: {
    acledEventType: null,
    acledSubEventType: null,
    gtdAttackType: 'UNKNOWN',
    gtdSuicide: false,
    note: 'An attack the source does not characterise: GTD codes an undetermined method as Unknown; ACLED’s type depends on the target and means (armed clash, remote violence or violence against civilians), which the kind does not say.',
  },
  SUICIDE_ATTACK: {
    ...acled('SUICIDE_BOMB'),
    gtdAttackType: 'BOMBING_EXPLOSION',
    gtdSuicide: true,
    note: 'ACLED codes suicide attacks as Suicide bomb and GTD most of them as Bombing/Explosion with the suicide flag; a suicide attack without explosives would be an Armed Assault in GTD.',
  },
  SUICIDE_BOMBING: { ...acled('SUICIDE_BOMB'), gtdAttackType: 'BOMBING_EXPLOSION', gtdSuicide: true, note: null },
  MASS_SHOOTING: {
    ...acled('ATTACK'),
    gtdAttackType: 'ARMED_ASSAULT',
    gtdSuicide: false,
    note: 'A shooting of many people is ACLED’s Violence against civilians / Attack when they are unarmed, as a mass shooting’s victims are.',
  },
  STORMING: {
    ...acled('ARMED_CLASH'),
    gtdAttackType: 'ARMED_ASSAULT',
    gtdSuicide: false,
    note: 'An armed assault on a building or compound: GTD Armed Assault; ACLED Armed clash when it is defended, which a storming implies.',
  },
  ASSASSINATION_ATTEMPT: {
    ...acled('ATTACK'),
    gtdAttackType: 'ASSASSINATION',
    gtdSuicide: false,
    note: 'GTD counts attempted assassinations as Assassination; ACLED codes an attack on a named individual as Violence against civilians / Attack.',
  },
  PLOT: {
    ...acled('DISRUPTED_WEAPONS_USE'),
    gtdAttackType: null,
    gtdSuicide: null,
    note: 'A plot not carried out is ACLED’s Disrupted weapons use (foiled attacks); GTD records only attacks that were attempted or carried out.',
  },
  ATTACKS_AND_PLOTS: none('Several attacks and plots mentioned together, uncounted: ACLED and GTD code single events.'),
  CAMPAIGN: none('A sustained series of attacks: ACLED and GTD code each attack as its own event.'),
  INSURGENCY: none('An insurgency is a conflict, not an event; ACLED and GTD code its single events.'),
  MILITARY_OPERATION: none('Operations by a state force over time: ACLED codes each clash or strike as its own event; GTD does not record state actions.'),
  WITHDRAWAL: {
    ...acled('CHANGE_TO_GROUP_ACTIVITY'),
    gtdAttackType: null,
    gtdSuicide: null,
    note: 'A withdrawal of forces is a strategic development (ACLED: Change to group/activity, which covers movements of forces); not an attack for GTD.',
  },
  TAKEOVER: {
    ...acled('NON_STATE_ACTOR_OVERTAKES_TERRITORY'),
    gtdAttackType: null,
    gtdSuicide: null,
    note: 'A seizure of territory or a state by a non-state group (ACLED Battles / Non-state actor overtakes territory; without fighting ACLED would code a Non-violent transfer of territory); not an attack for GTD.',
  },
  ARMED_CLASH: {
    ...acled('ARMED_CLASH'),
    gtdAttackType: null,
    gtdSuicide: null,
    note: 'A battle between armed forces is ACLED’s Battles / Armed clash; GTD records attacks by non-state actors, not battles between armed forces.',
  },
  FOUNDING: {
    ...acled('CHANGE_TO_GROUP_ACTIVITY'),
    gtdAttackType: null,
    gtdSuicide: null,
    note: 'The formation of a group is ACLED’s Change to group/activity; not an attack for GTD.',
  },
};

/** What a filter on standard types asks for (each list: any of these; absent: no filter). */
export interface StandardTypeFilter {
  kind?: readonly EventKind[] | null;
  acledEventType?: readonly AcledEventType[] | null;
  acledSubEventType?: readonly AcledSubEventType[] | null;
  gtdAttackType?: readonly GtdAttackType[] | null;
  gtdSuicide?: boolean | null;
}

/**
 * The kinds a filter matches, with its standard types turned into the kinds that map to them (and
 * intersected with its own kinds): a filter by type is a filter by kind, so it reads the same
 * summaries. Null: no kind or type filter; an empty list matches nothing.
 */
export function kindsMatching(filter: StandardTypeFilter | null | undefined): EventKind[] | null {
  if (!filter) return null;
  const { kind, acledEventType, acledSubEventType, gtdAttackType, gtdSuicide } = filter;
  if (kind == null && acledEventType == null && acledSubEventType == null && gtdAttackType == null && gtdSuicide == null) return null;
  return eventKindValues.filter((k) => {
    const t = STANDARD_TYPES_BY_KIND[k];
    return (
      (kind == null || kind.includes(k)) &&
      (acledEventType == null || (t.acledEventType !== null && acledEventType.includes(t.acledEventType))) &&
      (acledSubEventType == null || (t.acledSubEventType !== null && acledSubEventType.includes(t.acledSubEventType))) &&
      (gtdAttackType == null || (t.gtdAttackType !== null && gtdAttackType.includes(t.gtdAttackType))) &&
      (gtdSuicide == null || t.gtdSuicide === gtdSuicide)
    );
  });
}

/** The standard type a breakdown groups by. */
export type StandardTypeDimension = 'acledEventType' | 'acledSubEventType' | 'gtdAttackType';

/** The label of a standard type value as the codebooks spell it. */
export function standardTypeLabel(dimension: StandardTypeDimension, value: string): string {
  switch (dimension) {
    case 'acledEventType':
      return ACLED_EVENT_TYPES[value as AcledEventType];
    case 'acledSubEventType':
      return ACLED_SUB_EVENT_TYPES[value as AcledSubEventType].label;
    case 'gtdAttackType':
      return GTD_ATTACK_TYPES[value as GtdAttackType].label;
  }
}
