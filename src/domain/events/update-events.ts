/**
 * The same change to many events at once (a recoding: "these events were suicide bombings", "these
 * happened in that district"), all or nothing: each event is changed by updateEvent, the rule of a
 * single update, so each gets its own cited claim and revision, as if updated one by one. Too long
 * for a request at thousands of events, it runs as a job (src/writes/update-events-job.ts);
 * checkUpdateEvents refuses at once what the job would refuse.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { NotFoundError } from '../errors.ts';
import { citationsSchema, confidenceSchema, parseInput } from '../input.ts';
import { freeTextSchema, LIST_LIMITS, slugSchema } from '../limits.ts';
import { placeBySlug } from '../places/lookup.ts';
import { NothingToChangeError } from '../revisions/changes.ts';
import { resolveEvidence } from '../claims/cited.ts';
import type { Principal, Tx } from '../service.ts';
import { eventKindValues } from '../vocabulary.ts';
import { updateEvent } from './events.ts';

const updateEventsSchema = z
  .object({
    events: z
      // Without this zod answered "Invalid input: expected array, received undefined".
      .array(slugSchema, { error: (issue) => (issue.input === undefined ? 'give the events to change (their slugs), or a filter that matches them' : undefined) })
      .min(1, 'name at least one event')
      .max(LIST_LIMITS.bulkEvents, `at most ${LIST_LIMITS.bulkEvents} events per job`)
      .refine((slugs) => new Set(slugs).size === slugs.length, 'names an event twice'),
    kind: z.enum(eventKindValues).nullish(),
    place: slugSchema.nullish(),
    confidence: confidenceSchema,
    note: freeTextSchema.nullish(),
    citations: citationsSchema,
  })
  // Null clears the place; a kind cannot be cleared. Left out, either keeps its value.
  .refine((input) => input.kind != null || input.place !== undefined, { message: 'give a new kind or place (null clears the place)', path: ['kind'] });

export type UpdateEventsInput = z.infer<typeof updateEventsSchema>;

export function parseUpdateEvents(raw: unknown): UpdateEventsInput {
  return parseInput(updateEventsSchema, raw);
}

/**
 * Refuses the first of `slugs` (input.events, each once) that names no event, by its index; with
 * `lock`, locks the events in id order, so that two jobs naming some of the same events in other
 * orders never each hold what the other waits for.
 */
async function requireEvents(tx: Tx, slugs: string[], lock: boolean): Promise<void> {
  const found = await tx.execute<{ slug: string }>(sql`
    select slug from events where slug = any(${sql.param(slugs)}::text[]) order by id ${lock ? sql`for update` : sql``}`);
  if (found.length === slugs.length) return;
  const stored = new Set(found.map((r) => r.slug));
  const i = slugs.findIndex((slug) => !stored.has(slug));
  throw new NotFoundError(`no event "${slugs[i]}"`, ['input', 'events', String(i)]);
}

/** Refuses, before any job is queued, events and places that do not exist and citations that do not resolve. */
export async function checkUpdateEvents(tx: Tx, input: UpdateEventsInput): Promise<void> {
  await requireEvents(tx, input.events, false);
  if (input.place != null) await placeBySlug(tx, input.place, ['input', 'place']);
  // Resolving a quote stores its citation: done in a savepoint rolled back here, the job does it again.
  await tx.execute(sql`savepoint check_update_events`);
  try {
    await resolveEvidence(tx, input);
  } finally {
    await tx.execute(sql`rollback to savepoint check_update_events`);
  }
}

export interface UpdateEventsResult {
  [key: string]: number;
  /** Events changed, each by a cited claim of its own. */
  changed: number;
  /** Events that had the values already: left as they were, with no claim. */
  unchanged: number;
}

/** Applies the change to every event, in the caller's transaction; `onProgress(done)` every `every` events. */
export async function updateEvents(
  tx: Tx,
  principal: Principal,
  input: UpdateEventsInput,
  onProgress: (done: number) => Promise<void> = async () => {},
  every = 200,
): Promise<UpdateEventsResult> {
  // Every event found and locked first: none can go or be renamed while the job runs.
  await requireEvents(tx, input.events, true);
  // The evidence and place once for all events, as updateEvent would resolve them for each.
  const placeId = input.place != null ? (await placeBySlug(tx, input.place, ['input', 'place'])).id : null;
  const citationIds = await resolveEvidence(tx, input);
  let changed = 0;
  for (const [i, slug] of input.events.entries()) {
    const change = { slug, kind: input.kind ?? undefined, place: input.place, confidence: input.confidence, note: input.note, citations: input.citations, date: undefined };
    try {
      await updateEvent(tx, principal, change, { citationIds, placeId });
      changed++;
    } catch (error) {
      // Nothing is written before updateEvent finds that nothing would change.
      if (!(error instanceof NothingToChangeError)) throw error;
    }
    if ((i + 1) % every === 0) await onProgress(i + 1);
  }
  return { changed, unchanged: input.events.length - changed };
}
