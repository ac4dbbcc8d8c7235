/**
 * The claim a write rests on: every claim-making service (createActor, addAdherence, updateEvent, ...)
 * takes the same evidence — a confidence, an optional note and the citations behind it — and
 * records it the same way.
 */
import type { CitationInput } from '../input.ts';
import type { Principal, Tx } from '../service.ts';
import { resolveCitations } from '../sources/citations.ts';
import { recordClaimEstablishing, type ClaimKind, type Establishes } from './record.ts';

/** What a write's input says about its claim. */
export interface ClaimEvidence {
  confidence: number;
  credibility?: number | null | undefined;
  note?: string | null | undefined;
  citations?: readonly CitationInput[] | null | undefined;
}

/**
 * Resolves the input's citations (problems named at `input.citations`) and records the claim for
 * `principal`; `note` replaces the input's note where the service writes one of its own.
 * `resolved`: the citations, when the service resolved them already (together with its lookups,
 * `resolveEvidence`); `establishes`: the record the claim establishes, inserted by the claim's own
 * statement (recordClaimEstablishing).
 */
export async function recordCitedClaim(
  tx: Tx,
  principal: Principal,
  kind: ClaimKind,
  evidence: ClaimEvidence,
  note: string | null | undefined = evidence.note,
  { resolved, establishes }: { resolved?: number[]; establishes?: Establishes } = {},
): Promise<{ claimId: number; citationIds: number[]; recordId: number | null }> {
  const citationIds = resolved ?? (await resolveEvidence(tx, evidence));
  const { claimId, recordId } = await recordClaimEstablishing(
    tx,
    { kind, confidence: evidence.confidence, credibility: evidence.credibility, note, recordedBy: principal.name, citationIds },
    establishes,
  );
  return { claimId, citationIds, recordId };
}

/** The ids of the citations the input gives for its claim (problems named at `input.citations`). */
export function resolveEvidence(tx: Tx, evidence: ClaimEvidence): Promise<number[]> {
  return resolveCitations(tx, evidence.citations, ['input', 'citations']);
}
