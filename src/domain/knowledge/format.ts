/**
 * The format of a knowledge file (seed/data/*.json, and `npm run import` of a .json): one source
 * and everything drawn from it. Every claim carries `quotes`: exact passages of the source text,
 * located by the loader. A quote that occurs more than once must say which `occurrence` (1-based)
 * it means. Fields follow the API's rules (slugs, names, texts, dates, casualties, the attribution
 * rule): one definition for both.
 */
import { z } from 'zod';
import { aliasesSchema } from '../actors/actors.ts';
import { endNotBeforeStart, fuzzyDateSchema, validTimeFields } from '../dates.ts';
import { casualtiesSchema } from '../events/events.ts';
import { externalIdsSchema } from '../external-ids/external-ids.ts';
import { reliabilitySchema } from '../grades.ts';
import { claimGradeSchema, confidenceSchema } from '../input.ts';
import { freeTextSchema, nameSchema, slugSchema, urlSchema } from '../limits.ts';
import { actorNameFields } from '../names/names.ts';
import { withAttributionRule } from '../participations/attribution.ts';
import { coordinatesSchema, gazetteerReferenceSchema } from '../places/location.ts';
import { countryCodeSchema } from '../places/places.ts';
import { actorKindValues, dyadSideValues, eventKindValues, participationRoleValues, placeKindValues, relationshipTypeValues } from '../vocabulary.ts';
import { withSideRule } from '../events/dyads.ts';

export const quoteSchema = z.union([
  z.string().min(1),
  z.object({ text: z.string().min(1), occurrence: z.number().int().min(1) }).strict(),
]);

const quotes = z.array(quoteSchema).min(1, 'every claim needs at least one quote');
const note = freeTextSchema.nullable().optional();
/** A claim's Admiralty information credibility, 1–6 (src/domain/grades.ts); optional. */
const credibility = claimGradeSchema;

export const knowledgeFileSchema = z
  .object({
    source: z
      .object({
        slug: slugSchema,
        title: nameSchema.nullable(),
        publisher: nameSchema,
        author: nameSchema.nullable(),
        url: urlSchema.nullable(),
        published: fuzzyDateSchema,
        /** The analyst's Admiralty reliability grade of the source (A–F); optional. */
        reliability: reliabilitySchema.nullable().optional(),
        /** File name of the verbatim text, beside the knowledge file in ../sources/. */
        textFile: z.string().min(1),
        /** sha256 (hex) of the text file's bytes: a changed text is refused, not re-anchored blindly. */
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        /** Which record of Wikidata or a dataset the source is. */
        externalIds: externalIdsSchema('source').optional(),
      })
      .strict(),
    places: z.array(
      z
        .object({
          slug: slugSchema,
          name: nameSchema,
          kind: z.enum(placeKindValues),
          /** Containing place's slug (site → city → country). */
          parent: slugSchema.nullable(),
          countryCode: countryCodeSchema.nullable(),
          region: freeTextSchema.nullable(),
          externalIds: externalIdsSchema('place').optional(),
          /** Coordinates and precision, as known (or `gazetteer` instead; or neither). */
          location: coordinatesSchema.optional(),
          /** A gazetteer reference to take the coordinates from (src/domain/places/gazetteer.ts). */
          gazetteer: gazetteerReferenceSchema.optional(),
        })
        .strict(),
    ),
    doctrines: z.array(
      z
        .object({
          slug: slugSchema,
          name: nameSchema,
          parent: slugSchema.nullable(),
          description: freeTextSchema.nullable(),
          confidence: confidenceSchema,
          credibility,
          quotes,
        })
        .strict(),
    ),
    actors: z.array(
      z
        .object({
          slug: slugSchema,
          name: nameSchema,
          aliases: aliasesSchema,
          kind: z.enum(actorKindValues),
          description: freeTextSchema.nullable(),
          homeCountry: slugSchema.nullable(),
          /** Other names with their language and script, each a claim citing the words that give it. */
          names: z.array(z.object({ ...actorNameFields, confidence: confidenceSchema, quotes }).strict()).optional(),
          externalIds: externalIdsSchema('actor').optional(),
          confidence: confidenceSchema,
          credibility,
          quotes,
        })
        .strict(),
    ),
    events: z.array(
      z
        .object({
          slug: slugSchema,
          title: nameSchema,
          kind: z.enum(eventKindValues),
          description: freeTextSchema.nullable(),
          date: fuzzyDateSchema,
          place: slugSchema.nullable(),
          killed: casualtiesSchema.nullable(),
          wounded: casualtiesSchema.nullable(),
          externalIds: externalIdsSchema('event').optional(),
          confidence: confidenceSchema,
          credibility,
          note,
          quotes,
        })
        .strict(),
    ),
    adherences: z.array(
      z
        .object({ actor: slugSchema, doctrine: slugSchema, ...validTimeFields, confidence: confidenceSchema, credibility, note, quotes })
        .strict()
        .superRefine(endNotBeforeStart),
    ),
    relationships: z.array(
      z
        .object({
          from: slugSchema,
          type: z.enum(relationshipTypeValues),
          to: slugSchema,
          ...validTimeFields,
          confidence: confidenceSchema,
          credibility,
          note,
          quotes,
        })
        .strict()
        .superRefine(endNotBeforeStart),
    ),
    participations: z.array(
      withSideRule(withAttributionRule(
        z
          .object({
            event: slugSchema,
            actor: slugSchema,
            role: z.enum(participationRoleValues),
            attributedBy: slugSchema.nullable().optional(),
            side: z.enum(dyadSideValues).nullable().optional(),
            confidence: confidenceSchema,
            credibility,
            note,
            quotes,
          })
          .strict(),
      )),
    ),
  })
  .strict();

export type KnowledgeFile = z.infer<typeof knowledgeFileSchema>;
export type Quote = z.infer<typeof quoteSchema>;
