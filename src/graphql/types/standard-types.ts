/**
 * The field's standard event types on events: ACLED's event type and sub-event type and GTD's
 * attack type and suicide flag, each kind's as mapped in src/domain/events/standard-types.ts
 * (reference data from the ACLED and GTD codebooks, not claims).
 */
import {
  ACLED_EVENT_TYPES,
  ACLED_SUB_EVENT_TYPES,
  GTD_ATTACK_TYPES,
  type AcledEventType,
  type AcledSubEventType,
  type GtdAttackType,
  type StandardTypes,
} from '../../domain/events/standard-types.ts';
import { builder } from '../builder.ts';

export const AcledEventTypeEnum = builder.enumType('AcledEventType', {
  description: 'ACLED’s event types (ACLED Codebook, "Event Types and Sub-Event Types").',
  values: Object.fromEntries(Object.entries(ACLED_EVENT_TYPES).map(([value, label]) => [value, { description: `ACLED "${label}".` }])) as Record<
    AcledEventType,
    { description: string }
  >,
});

export const AcledSubEventTypeEnum = builder.enumType('AcledSubEventType', {
  description: 'ACLED’s sub-event types, each within one event type (ACLED Codebook).',
  values: Object.fromEntries(
    Object.entries(ACLED_SUB_EVENT_TYPES).map(([value, { label, type }]) => [value, { description: `ACLED "${label}" (${ACLED_EVENT_TYPES[type]}).` }]),
  ) as Record<AcledSubEventType, { description: string }>,
});

export const GtdAttackTypeEnum = builder.enumType('GtdAttackType', {
  description: 'The Global Terrorism Database’s attack types (GTD Codebook, attacktype1).',
  values: Object.fromEntries(
    Object.entries(GTD_ATTACK_TYPES).map(([value, { code, label }]) => [value, { description: `GTD attack type ${code}, "${label}".` }]),
  ) as Record<GtdAttackType, { description: string }>,
});

export const StandardEventTypes = builder.objectRef<StandardTypes>('StandardEventTypes').implement({
  description:
    'How the event’s kind reads in the datasets analysts compare with: ACLED’s event type and sub-event type, GTD’s attack type and suicide flag. ' +
    'Reference data mapped from each kind (ACLED and GTD codebooks), not a claim about the event; null where the kind implies no type ' +
    '(a campaign or an insurgency is many events; both datasets code single ones).',
  fields: (t) => ({
    acledEventType: t.expose('acledEventType', { type: AcledEventTypeEnum, nullable: true, description: 'ACLED event type; null when the kind does not determine one.' }),
    acledEventTypeLabel: t.string({
      nullable: true,
      description: 'The ACLED event type as the codebook spells it (e.g. "Explosions/Remote violence").',
      resolve: (s) => (s.acledEventType ? ACLED_EVENT_TYPES[s.acledEventType] : null),
    }),
    acledSubEventType: t.expose('acledSubEventType', { type: AcledSubEventTypeEnum, nullable: true, description: 'ACLED sub-event type; null when the kind does not determine one.' }),
    acledSubEventTypeLabel: t.string({
      nullable: true,
      description: 'The ACLED sub-event type as the codebook spells it (e.g. "Suicide bomb").',
      resolve: (s) => (s.acledSubEventType ? ACLED_SUB_EVENT_TYPES[s.acledSubEventType].label : null),
    }),
    gtdAttackType: t.expose('gtdAttackType', { type: GtdAttackTypeEnum, nullable: true, description: 'GTD attack type; null for kinds GTD does not record as attacks (plots, takeovers, foundings...).' }),
    gtdAttackTypeCode: t.int({
      nullable: true,
      description: 'The GTD attacktype1 code (1–9).',
      resolve: (s) => (s.gtdAttackType ? GTD_ATTACK_TYPES[s.gtdAttackType].code : null),
    }),
    gtdSuicide: t.exposeBoolean('gtdSuicide', {
      nullable: true,
      description: 'GTD’s suicide flag: true for suicide attacks, false when nothing indicates one; null where there is no GTD attack type.',
    }),
    note: t.exposeString('note', { nullable: true, description: 'Why the kind maps as it does, where the codebooks leave a choice.' }),
  }),
});
