/**
 * Admiralty grades (the NATO system OpenCTI and MISP use), apart from a claim's confidence:
 * a source's reliability (A–F: how far the source has proved trustworthy) and a claim's
 * information credibility (1–6: how far the information is borne out). Both are an analyst's
 * grades, optional; an ungraded source or claim counts as F or 6 ("cannot be judged") wherever
 * a minimum is asked for.
 */
import { z } from 'zod';
import { sourceReliabilityValues } from './vocabulary.ts';

export const reliabilitySchema = z.enum(sourceReliabilityValues, {
  error: () => `must be one of ${sourceReliabilityValues.join(', ')} (A completely reliable … E unreliable, F cannot be judged)`,
});

export const credibilitySchema = z
  .number()
  .int('must be a whole number 1–6')
  .min(1, 'must be 1–6 (1 confirmed … 5 improbable, 6 cannot be judged)')
  .max(6, 'must be 1–6 (1 confirmed … 5 improbable, 6 cannot be judged)');

export type SourceReliability = z.infer<typeof reliabilitySchema>;
