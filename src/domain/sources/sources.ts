/** Sources: the verbatim texts claims quote. A source's text cannot change once cited. */
import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { sources } from '../../db/schema.ts';
import { fuzzyDate, publishedColumns, type FuzzyDate, type FuzzyDateInput, type PublicationDate } from '../dates.ts';
import { ConflictError } from '../errors.ts';
import { reliabilitySchema, type SourceReliability } from '../grades.ts';
import { parseInput } from '../input.ts';
import { nameSchema, slugSchema, TEXT_LIMITS, urlSchema } from '../limits.ts';
import type { Json, Principal, Tx } from '../service.ts';

/** The hash a source's text is stored and compared under. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const addSourceSchema = z.object({
  slug: slugSchema,
  title: nameSchema.nullish(),
  publisher: nameSchema,
  author: nameSchema.nullish(),
  url: urlSchema.nullish(),
  published: z.unknown().nullish(),
  reliability: reliabilitySchema.nullish(),
  text: z.string().min(1, 'must not be empty').max(TEXT_LIMITS.sourceText, `is longer than ${TEXT_LIMITS.sourceText} characters`),
});

export type AddSourceInput = Omit<z.infer<typeof addSourceSchema>, 'published'> & { published: FuzzyDate | null };

export function parseAddSource(raw: { published?: FuzzyDateInput | null }): AddSourceInput {
  const input = parseInput(addSourceSchema, raw);
  const published = raw.published ? fuzzyDate(raw.published, ['input', 'published']) : null;
  return { ...input, published };
}

/** The row of a new source: its text and the text's hash, which citations are checked against. */
export function sourceRow(source: {
  slug: string;
  title?: string | null | undefined;
  publisher: string;
  author?: string | null | undefined;
  url?: string | null | undefined;
  published: PublicationDate | null;
  reliability?: SourceReliability | null | undefined;
  text: string;
}): typeof sources.$inferInsert {
  return {
    slug: source.slug,
    title: source.title ?? null,
    publisher: source.publisher,
    author: source.author ?? null,
    url: source.url ?? null,
    ...publishedColumns(source.published),
    reliability: source.reliability ?? null,
    text: source.text,
    textSha256: sha256Hex(source.text),
  };
}

/** Stores a new source text, so that claims can quote it. */
export async function addSource(tx: Tx, _principal: Principal, input: AddSourceInput) {
  const [taken] = await tx.select({ id: sources.id }).from(sources).where(eq(sources.slug, input.slug));
  if (taken) throw new ConflictError(`a source "${input.slug}" exists already`, ['input', 'slug']);
  const [row] = await tx.insert(sources).values(sourceRow(input)).returning({ id: sources.id });
  if (!row) throw new Error('insert into sources returned no row');
  return { source: { id: row.id, slug: input.slug } } satisfies Json;
}
