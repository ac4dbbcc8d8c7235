/**
 * The controlled vocabulary of the knowledge base: every kind, type and role an analyst can
 * filter by, each with the meaning it has in the data. Values mirror the database enums.
 */
import { builder } from '../builder.ts';

export const DatePrecisionEnum = builder.enumType('DatePrecision', {
  description: 'How finely a date is known. The date lies somewhere in [earliest, latest]; a write whose earliest and latest do not fit its precision is refused (give RANGE for a span).',
  values: {
    DAY: { description: 'Known to the day (earliest = latest).' },
    MONTH: { description: 'Known to the month (earliest and latest in the same month).' },
    YEAR: { description: 'Known to the year (earliest and latest in the same year).' },
    RANGE: { description: 'Only bounds are known; either bound may be open (null).' },
  },
});

export const ActorKindEnum = builder.enumType('ActorKind', {
  values: {
    ARMED_ORGANIZATION: { description: 'A militant, insurgent or terrorist group, or a network of them.' },
    STATE: { description: 'A country acting as a state.' },
    GOVERNMENT: { description: 'A government or regime, as distinct from the state it governs.' },
    STATE_AGENCY: { description: 'An organ of a state: an army, an intelligence service, a force.' },
    PERSON: { description: 'A named individual.' },
    COMMUNITY: { description: 'An ethnic, religious or national community, or a body of civilians.' },
    OFFICIALS: { description: 'Officials, diplomats or politicians referred to as a group (e.g. "unnamed U.S. officials").' },
  },
});

export const PlaceKindEnum = builder.enumType('PlaceKind', {
  values: {
    COUNTRY: { description: 'A sovereign country.' },
    REGION: { description: 'A region within or across countries.' },
    CITY: { description: 'A city or town.' },
    SITE: { description: 'A specific site such as an airport or a building.' },
    ADMIN1: { description: 'A first-order administrative area within a country: a province or state (GeoNames ADM1), e.g. Khyber Pakhtunkhwa.' },
    ADMIN2: { description: 'A second-order administrative area: a district or county (GeoNames ADM2), e.g. Bajaur.' },
  },
});

export const GeoPrecisionEnum = builder.enumType('GeoPrecision', {
  description:
    'How precisely coordinates locate a place, finest first, as UCDP GED’s where_prec codes 1–6. A filter’s maxPrecision keeps this level and the finer ones.',
  values: {
    EXACT: { description: 'The place itself: the site, or the town or city the event happened in (UCDP 1).' },
    NEAR: { description: 'Within about 25 km of the point: e.g. a site known only by the city it is in (UCDP 2).' },
    ADMIN2: { description: 'Somewhere in a district (second-order administrative area); the point stands for the district (UCDP 3).' },
    ADMIN1: { description: 'Somewhere in a province (first-order administrative area); the point stands for the province (UCDP 4).' },
    REGION: { description: 'Somewhere in a part of a country, such as "southern Afghanistan", or an area without borders (UCDP 5).' },
    COUNTRY: { description: 'Only the country is known: the point is the country’s label point, not where anything happened (UCDP 6).' },
  },
});

export const EventKindEnum = builder.enumType('EventKind', {
  values: {
    ATTACK: { description: 'An attack the source does not characterise further.' },
    SUICIDE_ATTACK: { description: 'An attack the source calls a suicide attack.' },
    SUICIDE_BOMBING: { description: 'A suicide blast or bombing.' },
    MASS_SHOOTING: { description: 'A shooting of many people.' },
    STORMING: { description: 'An armed assault on a building or compound.' },
    ASSASSINATION_ATTEMPT: { description: 'An attempt to kill a specific person.' },
    PLOT: { description: 'A planned attack that was not carried out.' },
    ATTACKS_AND_PLOTS: { description: 'Several attacks and/or plots the source mentions together, uncounted.' },
    CAMPAIGN: { description: 'A sustained series of attacks against the same targets.' },
    INSURGENCY: { description: 'An armed insurgency against a state.' },
    MILITARY_OPERATION: { description: 'Operations by a state force.' },
    WITHDRAWAL: { description: 'A withdrawal of forces.' },
    TAKEOVER: { description: 'A seizure of control over territory or a state.' },
    FOUNDING: { description: 'The formation of an organization.' },
    ARMED_CLASH: {
      description:
        'Armed forces fighting each other: a battle between a state’s forces and an armed group, or between armed groups (UCDP’s state-based and non-state violence; ACLED’s Battles / Armed clash), as distinct from an attack on people who do not fight back.',
    },
  },
});

export const RelationshipTypeEnum = builder.enumType('RelationshipType', {
  description: 'The type of a directed relationship claim: FROM <type> TO.',
  values: {
    AFFILIATE_OF: { description: 'FROM is an affiliate (branch, province) of TO.' },
    RIVAL_OF: { description: 'FROM is a rival of TO.' },
    AT_WAR_WITH: { description: 'FROM is at war with, or wages an insurgency against, TO.' },
    AT_ODDS_WITH: { description: 'FROM is at odds with TO, short of war.' },
    ALLIED_WITH: { description: 'FROM is allied with, or keeps a long-standing relationship with, TO.' },
    SHELTERS: { description: 'FROM gives shelter or refuge to TO.' },
    TACIT_COOPERATION_WITH: { description: 'FROM cooperates tacitly with TO.' },
    ENGAGES_DIPLOMATICALLY: { description: 'FROM engages TO through diplomats or officials.' },
    FAVORS_RECOGNITION_OF: { description: 'FROM is inclined to recognise TO as a government.' },
    LEADS: { description: 'FROM (a person) leads or commands TO.' },
    MEMBER_OF: { description: 'FROM belongs to, serves or is part of TO.' },
    FORMED_FROM: { description: 'FROM was formed by or out of TO.' },
    RECRUITS_FROM: { description: 'FROM draws recruits from TO.' },
    SUPPORTS: { description: 'FROM gives (e.g. operational) support to TO.' },
    SUSPECTED_TIES_WITH: { description: 'FROM is suspected of ties to TO.' },
  },
});

export const RelationshipDirectionEnum = builder.enumType('RelationshipDirection', {
  values: {
    OUTGOING: { description: 'Relationships where the actor is FROM.' },
    INCOMING: { description: 'Relationships where the actor is TO.' },
    ANY: { description: 'Both.' },
  },
});

export const DyadSideEnum = builder.enumType('DyadSide', {
  description: 'Which side of an event’s dyad an actor that acted was on, where both sides acted (a battle).',
  values: {
    A: { description: 'The side the source names first (UCDP’s side A, ACLED’s actor1).' },
    B: { description: 'The other side (UCDP’s side B, ACLED’s actor2 and its associated actors).' },
  },
});

export const SIDE_INPUT_DESCRIPTION =
  'For an actor that acted (PERPETRATOR, CLAIMED_RESPONSIBILITY, ATTRIBUTED), where both sides acted (a battle): which side it fought on — A the side the source names first, B the other (its allies on the same side). Leave out otherwise: an actor that acted is on side A, one acted against (TARGET, VICTIM) on side B. Refused for other roles.';

export const ParticipationRoleEnum = builder.enumType('ParticipationRole', {
  description:
    'How an actor is tied to an event. Claiming, being attributed and carrying out are kept apart: a group may claim what another carried out, and a third party may attribute it to yet another.',
  values: {
    PERPETRATOR: { description: 'Carried it out.' },
    CLAIMED_RESPONSIBILITY: { description: 'Claimed responsibility for it (the claim itself is the fact recorded).' },
    ATTRIBUTED: { description: 'A third party (attributedBy) attributed it to the actor.' },
    IMPLICATED: { description: 'Implicated, involved or suspected, without being shown to have carried it out.' },
    INSPIRED: { description: 'The event was inspired by the actor.' },
    TARGET: { description: 'The actor was the target.' },
    VICTIM: { description: 'Members of the actor were killed or wounded.' },
  },
});
