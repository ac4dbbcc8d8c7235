/**
 * The format of a knowledge file (seed/data/*.json): one source and everything drawn from it.
 * Every claim carries `quotes`: exact passages of the source text, located by the loader.
 * A quote that occurs more than once must say which `occurrence` (1-based) it means.
 */
import { z } from 'zod';
import {
  actorKind,
  datePrecision,
  eventKind,
  participationRole,
  placeKind,
  relationshipType,
} from '../src/db/schema.ts';
import { isoDateSchema, slugSchema, TEXT_LIMITS, urlSchema } from '../src/domain/limits.ts';

// Slugs, dates and URLs follow the API's rules (src/domain/limits.ts): one definition for both.
const slug = slugSchema;
const isoDate = isoDateSchema;

export const datePrecisionValues = datePrecision.enumValues;

export const fuzzyDateSchema = z
  .object({
    /** The words of the source, e.g. "last July"; null when the source gives no date. */
    text: z.string().min(1).max(TEXT_LIMITS.text).nullable(),
    earliest: isoDate.nullable(),
    latest: isoDate.nullable(),
    precision: z.enum(datePrecisionValues),
  })
  .strict()
  .refine((d) => d.earliest === null || d.latest === null || d.earliest <= d.latest, {
    message: 'earliest must not be after latest',
  });

export const quoteSchema = z.union([
  z.string().min(1),
  z.object({ text: z.string().min(1), occurrence: z.number().int().min(1) }).strict(),
]);

const quotes = z.array(quoteSchema).min(1, 'every claim needs at least one quote');
const confidence = z.number().int().min(0).max(100);

const rangeSchema = z
  .object({
    min: z.number().int().min(0),
    max: z.number().int().min(0).nullable(),
    text: z.string().min(1),
  })
  .strict()
  .refine((r) => r.max === null || r.max >= r.min, { message: 'max must not be below min' });

// The vocabularies are the database's enums: one definition, so a file and the schema cannot disagree.
export const actorKindValues = actorKind.enumValues;
export const placeKindValues = placeKind.enumValues;
export const eventKindValues = eventKind.enumValues;
export const relationshipTypeValues = relationshipType.enumValues;
export const participationRoleValues = participationRole.enumValues;

export const knowledgeFileSchema = z
  .object({
    source: z
      .object({
        slug,
        title: z.string().min(1).nullable(),
        publisher: z.string().min(1),
        author: z.string().min(1).nullable(),
        url: urlSchema.nullable(),
        published: fuzzyDateSchema,
        /** File name of the verbatim text, beside the knowledge file in ../sources/. */
        textFile: z.string().min(1),
        /** sha256 (hex) of the text file's bytes: a changed text is refused, not re-anchored blindly. */
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
      })
      .strict(),
    places: z.array(
      z
        .object({
          slug,
          name: z.string().min(1),
          kind: z.enum(placeKindValues),
          /** Containing place's slug (site → city → country). */
          parent: slug.nullable(),
          countryCode: z.string().regex(/^[A-Z]{2}$/).nullable(),
          region: z.string().min(1).nullable(),
        })
        .strict(),
    ),
    doctrines: z.array(
      z
        .object({
          slug,
          name: z.string().min(1),
          parent: slug.nullable(),
          description: z.string().min(1).nullable(),
          confidence,
          quotes,
        })
        .strict(),
    ),
    actors: z.array(
      z
        .object({
          slug,
          name: z.string().min(1),
          aliases: z.array(z.string().min(1)),
          kind: z.enum(actorKindValues),
          description: z.string().min(1).nullable(),
          homeCountry: slug.nullable(),
          confidence,
          quotes,
        })
        .strict(),
    ),
    events: z.array(
      z
        .object({
          slug,
          title: z.string().min(1),
          kind: z.enum(eventKindValues),
          description: z.string().min(1).nullable(),
          date: fuzzyDateSchema,
          place: slug.nullable(),
          killed: rangeSchema.nullable(),
          wounded: rangeSchema.nullable(),
          confidence,
          note: z.string().min(1).nullable().optional(),
          quotes,
        })
        .strict(),
    ),
    adherences: z.array(
      z
        .object({
          actor: slug,
          doctrine: slug,
          confidence,
          note: z.string().min(1).nullable().optional(),
          quotes,
        })
        .strict(),
    ),
    relationships: z.array(
      z
        .object({
          from: slug,
          type: z.enum(relationshipTypeValues),
          to: slug,
          period: fuzzyDateSchema.nullable(),
          confidence,
          note: z.string().min(1).nullable().optional(),
          quotes,
        })
        .strict(),
    ),
    participations: z.array(
      z
        .object({
          event: slug,
          actor: slug,
          role: z.enum(participationRoleValues),
          attributedBy: slug.nullable().optional(),
          confidence,
          note: z.string().min(1).nullable().optional(),
          quotes,
        })
        .strict()
        .refine((p) => (p.role === 'ATTRIBUTED') === Boolean(p.attributedBy), {
          message: 'attributedBy is required for ATTRIBUTED and only allowed there',
        }),
    ),
  })
  .strict();

export type KnowledgeFile = z.infer<typeof knowledgeFileSchema>;
export type Quote = z.infer<typeof quoteSchema>;
export type FuzzyDate = z.infer<typeof fuzzyDateSchema>;
