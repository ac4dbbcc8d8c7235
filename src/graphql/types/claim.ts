import { builder } from '../builder.ts';
import type { ClaimMeta } from '../loaders/claims.ts';
import { Cited } from './citation.ts';

/** A statement about the world drawn from a source: who recorded it, and how sure the source is. */
export const Claim = builder.interfaceRef<ClaimMeta & { claimId: number }>('Claim').implement({
  description: 'A cited statement drawn from a source.',
  interfaces: [Cited],
  fields: (t) => ({
    confidence: t.exposeInt('confidence', {
      description:
        'How sure the source is, 0–100 (the STIX 2.1 scale): 90 stated as fact, 60 "reportedly" or "appear to", 30–50 "perhaps", "potentially" or "unclear", 20 "suspicions".',
    }),
    note: t.exposeString('note', { nullable: true, description: 'Nuance of the source’s wording the structured fields cannot carry.' }),
    recordedAt: t.field({
      type: 'DateTime',
      description: 'When the claim entered the knowledge base (knowledge time, not when it held).',
      resolve: (claim) => new Date(claim.recordedAt),
    }),
    recordedBy: t.exposeString('recordedBy', { description: 'Who or what recorded it (e.g. "seed:<file>").' }),
  }),
});
