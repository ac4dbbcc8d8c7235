/**
 * A dataset's later version applied as corrections (`npm run import -- --format … --apply-corrections`).
 *
 * A stored record is evidence as it was read, so it is never rewritten. The row as the later
 * version gives it is stored as a source of its own (correctionSourceSlug), and what it changes is
 * written as cited claims through the same services as the API:
 * - the event's fields by updateEvent: an update claim quoting the row's new text, the old values
 *   kept as a revision (`revisions`, reads `asOf` before the import);
 * - a participation the row now codes by addParticipation (a new actor by createActor);
 * - a participation the dataset's own earlier versions coded and this one does not by retractClaim,
 *   citing the row's new text. Claims resting on any other source (an analyst's) are left alone.
 * A version that changes nothing the knowledge base holds (a column kept only in the text) is
 * stored and cited by nothing: importing it again finds it and names nothing.
 */
import { sql } from 'drizzle-orm';
import { anchorSpans } from '../../citations/anchor.ts';
import { sources } from '../../db/schema.ts';
import { createActor, parseCreateActor } from '../actors/actors.ts';
import { EVENT_FIELDS, parseUpdateEvent, updateEvent } from '../events/events.ts';
import { UserError, ValidationError } from '../errors.ts';
import { encodeGlobalId } from '../global-ids.ts';
import { addParticipation, parseAddParticipation } from '../participations/participations.ts';
import { parseRetractClaim, retractClaim } from '../retractions/retract-claim.ts';
import { changedFields, NothingToChangeError } from '../revisions/changes.ts';
import type { Principal, Tx } from '../service.ts';
import { storeCitation } from '../sources/citations.ts';
import { sha256Hex, sourceRow } from '../sources/sources.ts';
import { correctionSourceSlug, DATASET_NAMES, laterVersionTitle, type DatasetRecord, type Span } from './dataset.ts';

/** What applying one row's later version did, for the import's report. */
export interface DatasetCorrection {
  line: number;
  /** The slug the row's later version is stored under (for a remapped row: the stored version with its text). */
  source: string;
  /** The row's text was stored already: what changed is how this importer maps it (`--remap`). */
  remapped: boolean;
  /** The event the row reports, or null when none is stored under its id. */
  event: string | null;
  /** The event's fields the update changed (none: the version changed nothing the event holds). */
  changed: string[];
  /** Participations added and retracted, as `actor ROLE`. */
  added: string[];
  retracted: string[];
}

/**
 * Applies each record (a differing row of a dataset import) as a correction of its stored record, in
 * `tx`; `file` is the name of the file the rows come from, which the later versions' titles give.
 */
export async function applyDatasetCorrections(tx: Tx, principal: Principal, records: readonly DatasetRecord[], file: string): Promise<DatasetCorrection[]> {
  const applied: DatasetCorrection[] = [];
  for (const record of records) {
    try {
      const correction = await applyCorrection(tx, principal, record, file);
      // A row mapped again the same way changed nothing: not a correction to report.
      if (!correction.remapped || correction.changed.length + correction.added.length + correction.retracted.length > 0) applied.push(correction);
    } catch (error) {
      // A rule of the services refuses the correction: the import names the row and the record, and
      // says it is the correction that is refused (the row itself passed the mapping's checks).
      if (error instanceof UserError) {
        const id = `${DATASET_NAMES[record.source.dataset]} ${record.source.externalId.value}`;
        throw new ValidationError(`line ${record.line}: ${id}'s later version cannot be applied: ${error.message}`, ['line', String(record.line)]);
      }
      throw error;
    }
  }
  return applied;
}

async function applyCorrection(tx: Tx, principal: Principal, record: DatasetRecord, file: string): Promise<DatasetCorrection> {
  const text = record.source.text;
  const textSha256 = sha256Hex(text);
  // A version of the record with this very text (the first, or a later one): the row is mapped
  // again (`--remap`) and its claims cite that version; else the row is a later version, stored now.
  const [same] = await tx.execute<{ id: number; slug: string; recordId: number }>(sql`
    select s.id, s.slug, coalesce(s.version_of_id, s.id) as "recordId" from sources s
     where s.text_sha256 = ${textSha256}
       and (s.slug = ${record.source.slug} or s.version_of_id = (select id from sources where slug = ${record.source.slug}))
     order by s.id limit 1`);
  let stored: { id: number; recordId: number; slug: string };
  if (same) stored = same;
  else {
    const slug = correctionSourceSlug(record.source.slug, textSha256);
    const title = laterVersionTitle(record.source.title, textSha256, file);
    const [inserted] = await tx
      .insert(sources)
      .values({
        ...sourceRow({ slug, title, publisher: record.source.publisher, published: null, text }),
        dataset: record.source.dataset,
        versionOfId: sql`(select id from sources where slug = ${record.source.slug})`,
      })
      .returning({ id: sources.id, versionOfId: sources.versionOfId });
    if (!inserted?.versionOfId) throw new Error(`source "${record.source.slug}" was found stored a statement ago`);
    stored = { id: inserted.id, recordId: inserted.versionOfId, slug };
  }
  const slug = stored.slug;
  const remapped = same !== undefined;
  const correction: DatasetCorrection = { line: record.line, source: slug, remapped, event: null, changed: [], added: [], retracted: [] };

  const e = record.event;
  const [event] = await tx.execute<{ id: number; slug: string }>(sql`
    select id, slug from events
     where id = coalesce((select min(x.event_id) from external_ids x
                           where x.scheme = ${e.externalId.scheme}::external_id_scheme and x.value = ${e.externalId.value} and x.event_id is not null),
                         (select ev.id from events ev where ev.slug = ${e.slug}))`);
  if (!event) return correction;
  correction.event = event.slug;

  // Citations of the new text, stored when a claim first quotes them.
  const cited = new Map<string, number>();
  const cite = async (spans: readonly Span[]): Promise<number[]> => {
    const ids: number[] = [];
    for (const span of spans) {
      const key = `${span[0]}:${span[1]}`;
      let id = cited.get(key);
      if (id === undefined) cited.set(key, (id = await storeCitation(tx, stored.id, anchorSpans(text, [span])[0]!)));
      if (!ids.includes(id)) ids.push(id);
    }
    return ids;
  };
  const citationInputs = async (spans: readonly Span[]) => (await cite(spans)).map((id) => ({ citation: encodeGlobalId('Citation', id) }));
  const row = `${DATASET_NAMES[record.source.dataset]} ${record.source.externalId.value}`;

  // The event: every field the row maps, compared with what is stored; only a change is a claim.
  // A savepoint, because the update's citations are stored before it finds there is no change.
  await tx.execute(sql`savepoint dataset_correction`);
  try {
    const placeId = e.place === null ? null : await storedPlaceId(tx, record, e.place);
    const fields = {
      slug: event.slug, title: e.title, kind: e.kind, date: e.date, place: e.place, killed: e.killed, wounded: e.wounded,
      confidence: e.confidence,
      note: remapped ? `recoded as this version of the importer maps ${row} (source ${slug})` : `corrected as ${row}'s later version (source ${slug}) gives it`,
      citations: [],
    };
    const input = parseUpdateEvent(fields);
    const updated = await updateEvent(tx, principal, input, { citationIds: await cite(e.quotes), placeId });
    correction.changed = changedFields(updated.before, updated.after, EVENT_FIELDS);
    await tx.execute(sql`release savepoint dataset_correction`);
  } catch (error) {
    if (!(error instanceof NothingToChangeError)) throw error;
    await tx.execute(sql`rollback to savepoint dataset_correction`);
    cited.clear();
  }

  // Participations: the row's (actor, role) pairs against the stored ones that are not retracted;
  // `ours`: resting only on this record's versions (its first, and the later ones naming it).
  const storedParticipations = await tx.execute<{ claimId: number; actorId: number; actor: string; role: string; ours: boolean }>(sql`
    select p.claim_id as "claimId", a.id as "actorId", a.slug as actor, p.role::text as role,
           not exists (select 1 from claim_citations cc join citations ci on ci.id = cc.citation_id join sources s on s.id = ci.source_id
                        where cc.claim_id = p.claim_id and s.id <> ${stored.recordId} and s.version_of_id is distinct from ${stored.recordId}) as ours
      from participations p join actors a on a.id = canonical_actor(p.actor_id, 'infinity')
     where p.event_id = ${event.id}
       -- Each claim by its key: joined to the live claims, the plan read them all (64,000 at 20,000 rows).
       and not exists (select 1 from claims c where c.id = p.claim_id and c.retracted_at is not null)
     order by p.claim_id`);
  const coded = new Set<string>();
  for (const p of record.participations) {
    const actor = record.actors.find((a) => a.slug === p.actor);
    if (!actor) throw new Error(`line ${record.line}: participation of an actor the row does not name`);
    const [found] = await tx.execute<{ id: number; slug: string }>(sql`
      select a.id, a.slug from actors a
       where a.id = coalesce(
        (select min(canonical_actor(x.actor_id, 'infinity')) from external_ids x
          where ${actor.externalId?.scheme ?? null}::external_id_scheme is not null and x.scheme = ${actor.externalId?.scheme ?? null}::external_id_scheme
            and x.value = ${actor.externalId?.value ?? null} and x.actor_id is not null),
        (select canonical_actor(a.id, 'infinity') from actors a where a.slug = ${actor.slug}))`);
    const coding = found ?? (await createActor(tx, principal, parseCreateActor({
      slug: actor.slug, name: actor.name, aliases: [], kind: actor.kind, externalIds: actor.externalId ? [actor.externalId] : [],
      confidence: e.confidence, citations: await citationInputs(actor.quotes),
    }))).actor;
    coded.add(`${coding.id} ${p.role}`);
    if (storedParticipations.some((s) => s.actorId === coding.id && s.role === p.role)) continue;
    await addParticipation(tx, principal, parseAddParticipation({
      event: event.slug, actor: coding.slug, role: p.role, side: p.side ?? null, confidence: p.confidence, citations: await citationInputs(p.quotes),
    }));
    correction.added.push(`${coding.slug} ${p.role}`);
  }
  for (const s of storedParticipations) {
    if (!s.ours || coded.has(`${s.actorId} ${s.role}`)) continue;
    // The row's line naming whom it codes in that role now, else its event report's first quote.
    const sameRole = record.participations.filter((p) => p.role === s.role);
    const naming = sameRole.flatMap((p) => {
      const names = record.actors.find((a) => a.slug === p.actor)?.quotes ?? [];
      return p.quotes.filter((q) => names.some((n) => q[0] < n[1] && n[0] < q[1]));
    });
    const span = naming[0] ?? sameRole[0]?.quotes[0] ?? e.quotes[0];
    const [citation] = await citationInputs(span ? [span] : []);
    await retractClaim(tx, principal, parseRetractClaim({
      claim: encodeGlobalId('Participation', s.claimId),
      reason: remapped
        ? `this version of the importer no longer maps ${row} (source ${slug}) to ${s.actor} as ${s.role}`
        : `${row}'s later version (source ${slug}) no longer codes ${s.actor} as ${s.role}`,
      citation,
    }));
    correction.retracted.push(`${s.actor} ${s.role}`);
  }
  return correction;
}

/**
 * The id of the row's place `slug` as the loader stored it: under its own slug, or, for a province
 * or district the knowledge base had already, that area (stored_admin_area, each of the row's
 * areas resolved parents first).
 */
async function storedPlaceId(tx: Tx, record: DatasetRecord, slug: string): Promise<number> {
  const [direct] = await tx.execute<{ id: number }>(sql`select id from places where slug = ${slug}`);
  if (direct) return direct.id;
  const resolved = new Map<string, string>();
  for (const p of record.places) {
    const parent = p.parent === null ? null : (resolved.get(p.parent) ?? p.parent);
    const [row] = await tx.execute<{ slug: string | null }>(sql`
      select coalesce((select slug from places where slug = ${p.slug}),
                      case when ${p.kind} in ('ADMIN1', 'ADMIN2') then stored_admin_area(${p.kind}::place_kind, ${p.name}, ${p.country}, ${parent}) end) as slug`);
    if (row?.slug) resolved.set(p.slug, row.slug);
    if (p.slug === slug) break;
  }
  const [place] = await tx.execute<{ id: number }>(sql`select id from places where slug = ${resolved.get(slug) ?? null}`);
  // The loader stores (or finds) the places of every row it applies: one missing is a fault here.
  if (!place) throw new Error(`line ${record.line}: place "${slug}" was not stored`);
  return place.id;
}
