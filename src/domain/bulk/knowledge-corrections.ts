/**
 * A knowledge file's corrected records applied to what is stored (`npm run import -- FILE
 * --apply-corrections`): the analyst fixed an event's figure or an actor's description in the file
 * and imports it again.
 *
 * An import adds records and names the stored ones the file gives otherwise; with this, each such
 * event, actor and place is changed through the same services as the API's updates, so every rule
 * holds: an event's or actor's change is an update claim quoting the record's quotes in the file's
 * source, and the old values stay readable as a revision (`revisions`, reads `asOf` before the
 * import). What a service cannot change (a place's kind or parent, a doctrine, a claim's grade or
 * period: claims are never edited) stays named, not applied.
 */
import { sql } from 'drizzle-orm';
import { parseUpdateActor, updateActor } from '../actors/actors.ts';
import { UserError, ValidationError } from '../errors.ts';
import { EVENT_FIELDS, parseUpdateEvent, updateEvent } from '../events/events.ts';
import { knowledgeFileSchema, type Quote } from '../knowledge/format.ts';
import { parseUpdatePlace, updatePlace } from '../places/places.ts';
import { changedFields, NothingToChangeError } from '../revisions/changes.ts';
import type { Principal, Tx } from '../service.ts';

/** A record of the file whose stored entity differs from it (findDiffering's entities). */
export interface DifferingRecord {
  section: 'places' | 'actors' | 'events';
  /** How the import names the record (`events[3]`, `line 4 (events[2])`). */
  label: string;
  value: unknown;
}

/** What applying one record changed, for the import's report. */
export interface KnowledgeCorrection {
  label: string;
  slug: string;
  /** The fields the update changed; empty: nothing a service may change differs. */
  changed: string[];
}

const schemas = {
  places: knowledgeFileSchema.shape.places.element,
  actors: knowledgeFileSchema.shape.actors.element,
  events: knowledgeFileSchema.shape.events.element,
};

/** The file's quotes as citation inputs in its source. */
const citationsOf = (source: string, quotes: readonly Quote[]) =>
  quotes.map((q) => (typeof q === 'string' ? { source, quote: q } : { source, quote: q.text, occurrence: q.occurrence }));

/** An actor's and a place's columns an update may change, by the field the report names (changedFields). */
const ACTOR_FIELDS: Record<string, string> = { name: 'name', aliases: 'aliases', kind: 'kind', description: 'description', homeCountryId: 'homeCountry' };
const PLACE_FIELDS: Record<string, string> = {
  name: 'name', countryCode: 'countryCode', region: 'region', latitude: 'location', longitude: 'location', geoPrecision: 'location', gazetteer: 'gazetteer',
};

/**
 * Applies each record as a correction of the stored entity of its slug, in `tx`, citing `source`
 * (the file's source) with the record's quotes; `file` names the file in each update's note.
 */
export async function applyKnowledgeCorrections(tx: Tx, principal: Principal, source: string, file: string, records: readonly DifferingRecord[]): Promise<KnowledgeCorrection[]> {
  const applied: KnowledgeCorrection[] = [];
  const note = `corrected as ${file} gives it`;
  for (const record of records) {
    // Each record is parsed again below (the load checked it already) for its types.
    // A savepoint: an update's citations are stored before it finds there is nothing to change.
    await tx.execute(sql`savepoint knowledge_correction`);
    try {
      let correction: KnowledgeCorrection;
      if (record.section === 'events') {
        const e = schemas.events.parse(record.value);
        const input = {
          slug: e.slug, title: e.title, kind: e.kind, description: e.description, date: e.date, place: e.place, killed: e.killed, wounded: e.wounded,
          confidence: e.confidence, note, citations: citationsOf(source, e.quotes),
        };
        const updated = await updateEvent(tx, principal, parseUpdateEvent(input));
        correction = { label: record.label, slug: e.slug, changed: changedFields(updated.before, updated.after, EVENT_FIELDS) };
      } else if (record.section === 'actors') {
        const a = schemas.actors.parse(record.value);
        const updated = await updateActor(tx, principal, parseUpdateActor({
          slug: a.slug, name: a.name, aliases: a.aliases, kind: a.kind, description: a.description, homeCountry: a.homeCountry,
          confidence: a.confidence, note, citations: citationsOf(source, a.quotes),
        }));
        correction = { label: record.label, slug: a.slug, changed: changedFields(updated.before, updated.after, ACTOR_FIELDS) };
      } else {
        const p = schemas.places.parse(record.value);
        const updated = await updatePlace(tx, principal, parseUpdatePlace({
          slug: p.slug, name: p.name, countryCode: p.countryCode, region: p.region,
          ...(p.location !== undefined ? { location: p.location } : {}),
          ...(p.gazetteer !== undefined ? { gazetteer: p.gazetteer } : {}),
        }));
        correction = { label: record.label, slug: p.slug, changed: changedFields(updated.before, updated.after, PLACE_FIELDS) };
      }
      await tx.execute(sql`release savepoint knowledge_correction`);
      applied.push(correction);
    } catch (error) {
      if (error instanceof NothingToChangeError) {
        await tx.execute(sql`rollback to savepoint knowledge_correction`);
        continue;
      }
      // A rule of the services refuses the correction: named with the record, nothing written.
      if (error instanceof UserError) throw new ValidationError(`${record.label}: the correction cannot be applied: ${error.message}`, [record.label]);
      throw error;
    }
  }
  return applied;
}
