/**
 * The attribution rule: a participation in the role ATTRIBUTED names who attributed the event to
 * the actor (a third party: officials, a rival group), and no other role names anyone. The
 * database holds the same rule as a CHECK on participations; this is it for inputs, so a write
 * breaking it is answered with the field at fault.
 */
import type { z } from 'zod';

export const ATTRIBUTION_RULE = 'attributedBy is required for ATTRIBUTED and only allowed there';

export function attributionHolds(role: string, attributedBy: string | null | undefined): boolean {
  return (role === 'ATTRIBUTED') === (attributedBy != null && attributedBy !== '');
}

/** `schema` with the attribution rule, reported at its `attributedBy`. */
export function withAttributionRule<S extends z.ZodType<{ role: string; attributedBy?: string | null | undefined }>>(schema: S) {
  return schema.refine((p) => attributionHolds(p.role, p.attributedBy), { message: ATTRIBUTION_RULE, path: ['attributedBy'] });
}
