/**
 * An actor's other names with their language and script, each a cited claim (kind ACTOR_NAME):
 * "Daesh" is a name of the Islamic State only where a source says so. Language tags are BCP 47 and
 * scripts ISO 15924, checked against the ICU data Node ships (Intl), not a hand-kept list.
 */
import { z } from 'zod';
import { actorNames } from '../../db/schema.ts';
import { actorIdBySlug } from '../actors/lookup.ts';
import { recordCitedClaim } from '../claims/cited.ts';
import { citationsSchema, confidenceSchema, parseInput } from '../input.ts';
import { freeTextSchema, nameSchema, slugSchema } from '../limits.ts';
import type { Json, Principal, Tx } from '../service.ts';

const languageNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'code' });
const scriptNames = new Intl.DisplayNames(['en'], { type: 'script', fallback: 'code' });

/** A BCP 47 language tag (`en`, `ps`, `ru`, `fa-AF`, `uz-Cyrl`) whose language ICU knows; kept in its canonical form. */
export const languageTagSchema = z
  .string()
  .max(35, 'must be a BCP 47 language tag (at most 35 characters)')
  .transform((tag, ctx) => {
    let canonical: string | undefined;
    try {
      canonical = Intl.getCanonicalLocales(tag)[0];
    } catch {
      canonical = undefined;
    }
    const language = canonical ? new Intl.Locale(canonical).language : undefined;
    if (!canonical || !language || languageNames.of(language) === language) {
      ctx.addIssue({ code: 'custom', message: `"${tag}" is not a BCP 47 language tag of a known language (e.g. "en", "ps", "ru", "ar")` });
      return z.NEVER;
    }
    return canonical;
  });

/** An ISO 15924 script code (`Latn`, `Arab`, `Cyrl`) that ICU knows. */
export const scriptCodeSchema = z.string().superRefine((code, ctx) => {
  if (!/^[A-Z][a-z]{3}$/.test(code) || scriptNames.of(code) === code) {
    ctx.addIssue({ code: 'custom', message: `"${code}" is not an ISO 15924 script code (four letters, first capital, e.g. "Latn", "Arab", "Cyrl")` });
  }
});

/** A name as a knowledge file or the API gives it. */
export const actorNameFields = {
  name: nameSchema,
  language: languageTagSchema,
  script: scriptCodeSchema.nullish(),
};

const addActorNameSchema = z.object({
  actor: slugSchema,
  ...actorNameFields,
  confidence: confidenceSchema,
  note: freeTextSchema.nullish(),
  citations: citationsSchema,
});
export type AddActorNameInput = z.infer<typeof addActorNameSchema>;

export function parseAddActorName(raw: unknown): AddActorNameInput {
  return parseInput(addActorNameSchema, raw);
}

/** Records that an actor is also called `name` (in `language`, written in `script`), backed by a cited claim. */
export async function addActorName(tx: Tx, principal: Principal, input: AddActorNameInput) {
  const actorId = await actorIdBySlug(tx, input.actor, ['input', 'actor']);
  const { claimId, citationIds } = await recordCitedClaim(tx, principal, 'ACTOR_NAME', input);
  await tx.insert(actorNames).values({ claimId, actorId, name: input.name, language: input.language, script: input.script ?? null });
  return { actorName: { claimId, actorId }, citationIds } satisfies Json;
}
