/**
 * Citations: an existing citation by id, or a quote the server finds in a stored source's text
 * (exactly once, or at the stated 1-based occurrence) and stores with its code-point offsets. A
 * claim-creating write needs at least one.
 */
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { anchorQuote, describeAnchorFailure, type Anchor } from '../../citations/anchor.ts';
import { citations, sources } from '../../db/schema.ts';
import { AmbiguousQuoteError, NotFoundError, QuoteNotFoundError, ValidationError } from '../errors.ts';
import { parseGlobalId } from '../global-ids.ts';
import type { CitationInput } from '../input.ts';
import type { Json, Principal, Tx } from '../service.ts';
import { keepFinder, keptFinder, LONG_TEXT_BYTES } from './long-texts.ts';

/**
 * Stores the citation of an anchored span of a source (a span cited before is shared, not stored
 * twice); returns its id.
 */
export async function storeCitation(tx: Tx, sourceId: number, anchor: Anchor): Promise<number> {
  const [inserted] = await tx
    .insert(citations)
    .values({ sourceId, ...anchor })
    .onConflictDoNothing({ target: [citations.sourceId, citations.startOffset, citations.endOffset] })
    .returning({ id: citations.id });
  if (inserted) return inserted.id;
  const [existing] = await tx
    .select({ id: citations.id })
    .from(citations)
    .where(sql`${citations.sourceId} = ${sourceId} and ${citations.startOffset} = ${anchor.startOffset} and ${citations.endOffset} = ${anchor.endOffset}`);
  if (!existing) throw new Error('citation neither inserted nor found');
  return existing.id;
}

async function sourceText(tx: Tx, sourceId: number): Promise<string> {
  const [row] = await tx.select({ text: sources.text }).from(sources).where(eq(sources.id, sourceId));
  if (!row) throw new Error(`source ${sourceId} was found a statement ago`);
  return row.text;
}

/** Finds or stores the citation of `quote` in source `sourceSlug`; returns its id. */
export async function citeQuote(
  tx: Tx,
  sourceSlug: string,
  quote: string,
  occurrence: number | null | undefined,
  path: string[],
): Promise<number> {
  // A long text stays in PostgreSQL when this process keeps its finder (src/domain/sources/long-texts.ts):
  // octet_length reads a stored text's size without decompressing it.
  const [source] = await tx
    .select({
      id: sources.id,
      sha256: sources.textSha256,
      text: sql<string | null>`case when octet_length(${sources.text}) <= ${LONG_TEXT_BYTES} then ${sources.text} end`,
    })
    .from(sources)
    .where(eq(sources.slug, sourceSlug));
  if (!source) throw new NotFoundError(`no source "${sourceSlug}"`, [...path, 'source']);
  if (occurrence != null && occurrence < 1) {
    throw new ValidationError(`occurrence is 1-based, got ${occurrence}`, [...path, 'occurrence']);
  }
  const found = source.text !== null
    ? anchorQuote(source.text, quote, occurrence ?? undefined)
    : (keptFinder(source.sha256) ?? keepFinder(source.sha256, await sourceText(tx, source.id))).find(quote, occurrence ?? undefined);
  if (!found.ok) {
    const message = describeAnchorFailure(found, quote, sourceSlug);
    if (found.reason === 'AMBIGUOUS') throw new AmbiguousQuoteError(message, [...path, 'quote'], sourceSlug, found.occurrences);
    if (found.reason === 'NO_SUCH_OCCURRENCE') throw new ValidationError(message, [...path, 'occurrence']);
    throw new QuoteNotFoundError(message, [...path, 'quote'], sourceSlug);
  }
  return storeCitation(tx, source.id, found.anchor);
}

function citationIdOf(globalId: string, path: string[]): number {
  const decoded = parseGlobalId(globalId);
  if (!decoded) throw new ValidationError(`"${globalId}" is not a valid global ID`, path);
  if (decoded.typename !== 'Citation') throw new ValidationError(`"${globalId}" is a ${decoded.typename} id, not a Citation id`, path);
  return Number(decoded.id);
}

/** The ids of the citations a write names; refuses an empty list (no uncited claim). */
export async function resolveCitations(tx: Tx, inputs: readonly CitationInput[] | null | undefined, path: string[]): Promise<number[]> {
  if (!inputs || inputs.length === 0) {
    throw new ValidationError('every claim needs at least one citation (an existing citation id, or a source and a quote)', path);
  }
  const ids = new Set<number>();
  for (const [i, input] of inputs.entries()) {
    const at = [...path, String(i)];
    if (input.citation != null) {
      if (input.source != null || input.quote != null || input.occurrence != null) {
        throw new ValidationError('give either an existing citation id or a source and a quote, not both', at);
      }
      const id = citationIdOf(input.citation, [...at, 'citation']);
      const [row] = await tx.select({ id: citations.id }).from(citations).where(eq(citations.id, id));
      if (!row) throw new NotFoundError(`no citation ${input.citation}`, [...at, 'citation']);
      ids.add(row.id);
    } else {
      if (input.source == null) throw new ValidationError('a quote needs the slug of its source', [...at, 'source']);
      if (input.quote == null || input.quote.length === 0) throw new ValidationError('give the verbatim quote', [...at, 'quote']);
      ids.add(await citeQuote(tx, input.source, input.quote, input.occurrence, at));
    }
  }
  return [...ids];
}

// ---------------------------------------------------------------- addCitation

export const addCitationInput = z.object({
  source: z.string(),
  quote: z.string(),
  occurrence: z.number().int().nullish(),
});
export type AddCitationInput = z.infer<typeof addCitationInput>;

/** Finds the quote in the source and stores it with its offsets (a citation of the same span is returned). */
export async function addCitation(tx: Tx, _principal: Principal, input: AddCitationInput) {
  const id = await citeQuote(tx, input.source, input.quote, input.occurrence, ['input']);
  return { citation: { id, source: input.source } } satisfies Json;
}
