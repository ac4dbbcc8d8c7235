/**
 * Loading knowledge in bulk, set-based: the seed, `npm run import` of a knowledge file or a CSV
 * of events. Records arrive one at a time (streamed from the file); each is checked on its own —
 * its shape by the knowledge-file schema (seed/format.ts), its quotes found in the source text
 * (QuoteFinder, the rule of anchorQuote) — and COPYed into staging tables a part at a time. Claims
 * and their citations refer to nothing but the source, so each part's are written while the next
 * part is read (the database works while Node parses). What needs the whole file or the database
 * (duplicate slugs, references, records the API added) is then checked by a few SQL statements over
 * the staging tables, and the entities are written with one INSERT … SELECT per table. Memory holds
 * the source text and two parts' rows, whatever the number of records. The database's integrity
 * triggers check every citation and claim as always.
 *
 * Everything happens inside the caller's transaction: all or nothing, and a dry run is the
 * caller rolling it back. Loading the same file again changes nothing: claims are keyed, and
 * citations are unique per span.
 */
import type postgres from 'postgres';
import type { z } from 'zod';
import { describeAnchorFailure, type Anchor } from '../../citations/anchor.ts';
import { CopyBatches, copyText, type CopyCell } from '../../db/copy.ts';
import type { FuzzyDate } from '../dates.ts';
import { UserError } from '../errors.ts';
import { casualtyColumns, type Casualties } from '../events/casualties.ts';
import { knowledgeFileSchema, type Quote } from '../knowledge/format.ts';
import { locationColumns, NO_LOCATION } from '../places/location.ts';
import { placeParentProblem, type PlaceKind } from '../places/places.ts';
import { SELF_RELATIONSHIP } from '../relationships/relationships.ts';
import { sha256Hex } from '../sources/sources.ts';
import type { KnowledgeRecord, Section } from './knowledge-file.ts';
import { QuoteFinder } from './quote-finder.ts';

export type BulkSql = postgres.TransactionSql;

export interface BulkLoadInput {
  /** File name, for messages. */
  name: string;
  /** The file's `source` object (checked here). */
  source: unknown;
  /** The source's text. */
  text: string;
  records: AsyncIterable<KnowledgeRecord>;
  /** Slugs the file may refer to without defining them: every stored one (imports), or the file's own only (the seed). */
  refersToStored: boolean;
  /** Problems of the file as a whole (e.g. a CSV row that is not an event), known once the records are read. */
  fileProblems?: () => string[];
}

export interface BulkLoadOptions {
  /** Called as records are read and written: (done, total so far or estimated, phase). */
  onProgress?: (done: number, total: number, phase: 'reading' | 'writing') => void;
  /** An estimate of the records still to come, for progress while reading (e.g. from the bytes read). */
  estimateTotal?: (done: number) => number;
  /** Called with the time each step took, ms (the write benchmark prints them). */
  onStep?: (step: string, ms: number) => void;
  /** Rows staged per part (PART_ROWS unless given: tests cross part boundaries with small files). */
  partRows?: number;
}

export interface BulkLoadSummary {
  created: number;
  unchanged: number;
  /** Ids of the events this load inserted (for live-update announcements). */
  createdEventIds: number[];
  /**
   * Records counted unchanged whose slug names a stored place, doctrine, actor or event with other
   * fields than the file gives (the file was corrected, or the record edited since), each named by
   * its label and slug; then stored claims the file grades or annotates otherwise and stored
   * adherences and relationships it gives another period, by label and what they say. A load adds
   * records; it never rewrites a stored one.
   */
  differing: string[];
  /** The places, actors and events among them, by section and slug (what --apply-corrections may apply). */
  differingEntities: DifferingEntity[];
  /** Records in the file (source included). */
  records: number;
}

export interface DifferingEntity {
  section: 'places' | 'actors' | 'events';
  slug: string;
  /** The record's label, as `differing` names it. */
  label: string;
}

export type BulkLoadResult = ({ ok: true } & BulkLoadSummary) | { ok: false; problems: string[]; records: number };

/**
 * Rows staged per part (over all staging tables): a part is COPYed at once, and its claims and
 * citations are written while the next part is read. Small enough that the first part (read before
 * any writing starts) and the last (written after all reading) are short; large enough that the
 * few statements each part costs do not add up.
 */
const PART_ROWS = 60_000;

const sourceSchema = knowledgeFileSchema.shape.source;
const elementSchemas = {
  places: knowledgeFileSchema.shape.places.element,
  doctrines: knowledgeFileSchema.shape.doctrines.element,
  actors: knowledgeFileSchema.shape.actors.element,
  events: knowledgeFileSchema.shape.events.element,
  adherences: knowledgeFileSchema.shape.adherences.element,
  relationships: knowledgeFileSchema.shape.relationships.element,
  participations: knowledgeFileSchema.shape.participations.element,
} as const;
type Element<S extends Section> = z.infer<(typeof elementSchemas)[S]>;

type ClaimKind = 'ACTOR_PROFILE' | 'EVENT_REPORT' | 'DOCTRINE_DEFINITION' | 'ADHERENCE' | 'RELATIONSHIP' | 'PARTICIPATION' | 'ACTOR_NAME';

/**
 * The stable key of each claim a record makes, so that loads are idempotent. Claims drawn from a
 * source are keyed by it: another source making the same claim is a separate (possibly
 * disputing) claim, not a silent merge. Entities are keyed by slug alone.
 */
export const claimKeys = {
  doctrine: (d: { slug: string }) => `doctrine:${d.slug}`,
  actor: (a: { slug: string }) => `actor:${a.slug}`,
  event: (e: { slug: string }) => `event:${e.slug}`,
  adherence: (scope: string, a: { actor: string; doctrine: string }) => `${scope}:adherence:${a.actor}:${a.doctrine}`,
  relationship: (scope: string, r: { from: string; type: string; to: string }) => `${scope}:relationship:${r.from}:${r.type}:${r.to}`,
  actorName: (scope: string, actor: string, n: { name: string; language: string }) => `${scope}:name:${actor}:${n.language}:${n.name}`,
  participation: (scope: string, p: { event: string; actor: string; role: string; attributedBy?: string | null | undefined }) =>
    `${scope}:participation:${p.event}:${p.actor}:${p.role}${p.attributedBy ? `:${p.attributedBy}` : ''}`,
};

/** A relationship's or adherence's start and end (src/domain/dates.ts validTimeColumns), staged and written alike. */
const VALID_TIME_COLUMNS = ['start_text', 'start_earliest', 'start_latest', 'start_precision', 'end_text', 'end_earliest', 'end_latest', 'end_precision'];
const VALID_TIME_DEFINITION = 'start_text text, start_earliest date, start_latest date, start_precision text, end_text text, end_earliest date, end_latest date, end_precision text';
const VALID_TIME_VALUES = 'b.start_text, b.start_earliest, b.start_latest, b.start_precision::date_precision, b.end_text, b.end_earliest, b.end_latest, b.end_precision::date_precision';

function validTimeCells(v: { start?: FuzzyDate | null | undefined; end?: FuzzyDate | null | undefined }): CopyCell[] {
  const { start, end } = v;
  return [start?.text ?? null, start?.earliest ?? null, start?.latest ?? null, start?.precision ?? null, end?.text ?? null, end?.earliest ?? null, end?.latest ?? null, end?.precision ?? null];
}

interface StageTable {
  name: string;
  columns: string[];
  /** Column definitions (the staging table's shape). */
  definition: string;
}

/** A figure's best estimate and parts as staged (the parts as JSON text for the jsonb column), as casualtyColumns stores them. */
export function stagedParts(prefix: 'killed' | 'wounded', value: Casualties | null | undefined): [number | null, string | null] {
  const columns = casualtyColumns(prefix, value ?? null);
  const parts = columns[`${prefix}Parts`];
  return [columns[`${prefix}Best`] ?? null, parts ? JSON.stringify(parts) : null];
}

/** A part's claims and quotes are staged apart (bulk_part_*), written, then emptied for the next part. */
const CLAIMS_DEFINITION = 'n integer, label text, key text, kind text, confidence smallint, credibility smallint, note text';
const QUOTES_DEFINITION = 'n integer, quote text, start_offset integer, end_offset integer, prefix text, suffix text';

const STAGES = {
  claims: { name: 'bulk_part_claims', columns: ['n', 'label', 'key', 'kind', 'confidence', 'credibility', 'note'], definition: CLAIMS_DEFINITION },
  quotes: { name: 'bulk_part_quotes', columns: ['n', 'quote', 'start_offset', 'end_offset', 'prefix', 'suffix'], definition: QUOTES_DEFINITION },
  places: {
    name: 'bulk_places',
    columns: ['idx', 'label', 'slug', 'name', 'kind', 'parent', 'country_code', 'region', 'latitude', 'longitude', 'geo_precision', 'gazetteer'],
    definition: 'idx integer, label text, slug text, name text, kind text, parent text, country_code text, region text, latitude double precision, longitude double precision, geo_precision text, gazetteer text',
  },
  doctrines: { name: 'bulk_doctrines', columns: ['idx', 'label', 'n', 'slug', 'name', 'description', 'parent'], definition: 'idx integer, label text, n integer, slug text, name text, description text, parent text' },
  actors: { name: 'bulk_actors', columns: ['idx', 'label', 'n', 'slug', 'name', 'aliases', 'kind', 'description', 'home_country'], definition: 'idx integer, label text, n integer, slug text, name text, aliases text[], kind text, description text, home_country text' },
  events: {
    name: 'bulk_events',
    columns: ['idx', 'label', 'n', 'slug', 'title', 'kind', 'description', 'date_text', 'date_earliest', 'date_latest', 'date_precision', 'place', 'killed_min', 'killed_max', 'killed_text', 'wounded_min', 'wounded_max', 'wounded_text', 'killed_best', 'killed_parts', 'wounded_best', 'wounded_parts'],
    definition: 'idx integer, label text, n integer, slug text, title text, kind text, description text, date_text text, date_earliest date, date_latest date, date_precision text, place text, killed_min integer, killed_max integer, killed_text text, wounded_min integer, wounded_max integer, wounded_text text, killed_best integer, killed_parts jsonb, wounded_best integer, wounded_parts jsonb',
  },
  adherences: {
    name: 'bulk_adherences',
    columns: ['idx', 'label', 'n', 'actor', 'doctrine', ...VALID_TIME_COLUMNS],
    definition: `idx integer, label text, n integer, actor text, doctrine text, ${VALID_TIME_DEFINITION}`,
  },
  relationships: {
    name: 'bulk_relationships',
    columns: ['idx', 'label', 'n', 'from_actor', 'type', 'to_actor', ...VALID_TIME_COLUMNS],
    definition: `idx integer, label text, n integer, from_actor text, type text, to_actor text, ${VALID_TIME_DEFINITION}`,
  },
  names: { name: 'bulk_names', columns: ['idx', 'label', 'n', 'actor', 'name', 'language', 'script'], definition: 'idx integer, label text, n integer, actor text, name text, language text, script text' },
  externalIds: { name: 'bulk_external_ids', columns: ['label', 'kind', 'slug', 'scheme', 'value'], definition: 'label text, kind text, slug text, scheme text, value text' },
  participations: {
    name: 'bulk_participations',
    columns: ['idx', 'label', 'n', 'event', 'actor', 'role', 'attributed_by', 'side'],
    definition: 'idx integer, label text, n integer, event text, actor text, role text, attributed_by text, side text',
  },
} satisfies Record<string, StageTable>;
type Stage = keyof typeof STAGES;

/**
 * The staging tables, and the rows waiting to be COPYed into them a part at a time. After each
 * part is COPYed, `afterPart` writes its claims and citations (or only keeps its rows) while the
 * caller reads on (CopyBatches' afterBatch).
 */
class Staging extends CopyBatches<Stage> {
  constructor(sql: BulkSql, afterPart: () => Promise<void>, partRows: number) {
    super(sql, STAGES, partRows, afterPart);
  }

  async create(): Promise<void> {
    for (const stage of Object.values(STAGES)) await this.sql.unsafe(`create temp table ${stage.name} (${stage.definition}) on commit drop`);
    // The file's distinct quoted spans, for the count of citations left unchanged.
    await this.sql.unsafe('create temp table bulk_spans (start_offset integer, end_offset integer, primary key (start_offset, end_offset)) on commit drop');
    // Each staged claim key's first record and the claim's id, filled part by part (writePartClaims).
    await this.sql.unsafe('create temp table bulk_claim_ids (n integer, key text, id integer, inserted boolean) on commit drop');
    await this.sql.unsafe('create index on bulk_claim_ids (key)');
    await this.sql.unsafe('create temp table bulk_linked (claim_id integer) on commit drop');
    // What a part's claims and citations statements wrote, for its links (emptied with the part).
    await this.sql.unsafe('create temp table bulk_part_claim_ids (key text, id integer, inserted boolean) on commit drop');
    await this.sql.unsafe('create temp table bulk_part_citation_ids (id integer, start_offset integer, end_offset integer) on commit drop');
  }
}

const quoteText = (quote: Quote) => (typeof quote === 'string' ? quote : quote.text);

/**
 * Loads a knowledge file's records inside `sql`'s transaction as `recordedBy`. Returns the
 * problems, every one named by its record, when anything is wrong; then nothing is left written
 * (the caller rolls the transaction back).
 */
export async function loadKnowledge(sql: BulkSql, recordedBy: string, input: BulkLoadInput, options: BulkLoadOptions = {}): Promise<BulkLoadResult> {
  const problems: string[] = [];
  let records = 1;
  let last = performance.now();
  const step = (name: string) => {
    const now = performance.now();
    options.onStep?.(name, now - last);
    last = now;
  };
  const parsedSource = sourceSchema.safeParse(input.source);
  if (!parsedSource.success) {
    return { ok: false, records, problems: parsedSource.error.issues.map((i) => `source${i.path.map((p) => `.${String(p)}`).join('')}: ${i.message}`) };
  }
  const source = parsedSource.data;
  const actualHash = sha256Hex(input.text);
  if (actualHash !== source.sha256) {
    problems.push(`source "${source.slug}": text file ${source.textFile} has sha256 ${actualHash}, but the knowledge file was written against ${source.sha256}`);
  }
  const finder = new QuoteFinder(input.text);
  // A source stored with another text: citations of this file's would not match it.
  const [stored] = await sql<{ id: number; text_sha256: string; reliability: string | null }[]>`select id, text_sha256, reliability from sources where slug = ${source.slug}`;
  if (stored && stored.text_sha256 !== source.sha256) {
    problems.push(`source "${source.slug}" is stored with a different text (sha256 ${stored.text_sha256}); its citations would no longer match`);
  }
  // With the source written first, each part's claims and citations can be written as soon as it
  // is read. Once anything is wrong the rest is only staged, for the full list of problems; what
  // was written is rolled back with the rest.
  const partsWritten: PartWritten = { citations: 0, spans: 0, differing: [] };
  let sourceId: number | null = null;
  let sourceCreated = false;
  const staging = new Staging(sql, async () => {
    if (sourceId !== null && problems.length === 0) {
      const part = await writePartClaims(sql, recordedBy, sourceId);
      partsWritten.citations += part.citations;
      partsWritten.spans += part.spans;
      partsWritten.differing.push(...part.differing);
    }
    await clearPart(sql);
  }, options.partRows ?? PART_ROWS);
  await staging.create();
  // The source is written while the first part is read: the first part's COPY waits for it.
  if (problems.length === 0) {
    staging.track(writeSource(sql, { ...source, text: input.text, sha256: actualHash }, stored?.id).then((written) => {
      sourceId = written.id;
      sourceCreated = written.created;
    }));
  }
  let shapeProblems = false;
  let claimNumber = 0;
  let done = 0;

  /** Stages a claim and its quotes; returns its number, or null when a quote is not in the text. */
  const stageClaim = async (label: string, key: string, kind: ClaimKind, claim: { confidence: number; credibility?: number | null | undefined; note?: string | null | undefined; quotes: Quote[] }) => {
    const anchors: Anchor[] = [];
    claim.quotes.forEach((quote, j) => {
      const occurrence = typeof quote === 'string' ? undefined : quote.occurrence;
      const result = finder.find(quoteText(quote), occurrence);
      if (result.ok) anchors.push(result.anchor);
      else problems.push(`${label}.quotes[${j}]: ${describeAnchorFailure(result, quoteText(quote), source.slug)}`);
    });
    if (anchors.length < claim.quotes.length) return null;
    const n = ++claimNumber;
    await staging.add('claims', [n, label, key, kind, claim.confidence, claim.credibility ?? null, claim.note ?? null]);
    for (const a of anchors) await staging.add('quotes', [n, a.quote, a.startOffset, a.endOffset, a.prefix, a.suffix]);
    return n;
  };

  const scope = source.slug;
  try {
    await stageExternalIds('source', 'source', source.slug, source.externalIds);
    for await (const record of input.records) {
      records++;
      done++;
      const label = record.label ?? `${record.section}[${record.index}]`;
      const parsed = elementSchemas[record.section].safeParse(record.value);
      if (!parsed.success) {
        shapeProblems = true;
        for (const issue of parsed.error.issues) problems.push(`${label}${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${issue.message}`);
      } else {
        await stageRecord(record.section, parsed.data, record.index, label);
      }
      if (done % 1000 === 0) options.onProgress?.(done, Math.max(done, options.estimateTotal?.(done) ?? done), 'reading');
    }
    await staging.flush();
    await staging.settle();
  } finally {
    // A file that stops being readable ends the load here: the part being written must be done
    // before the transaction can end (its error, if any, is not the one to report).
    await staging.settle().catch(() => {});
  }
  options.onProgress?.(done, done, 'reading');

  async function stageExternalIds(label: string, kind: 'actor' | 'place' | 'event' | 'source', slug: string, ids: { scheme: string; value: string }[] | undefined) {
    for (const [j, id] of (ids ?? []).entries()) await staging.add('externalIds', [`${label}.externalIds[${j}]`, kind, slug, id.scheme, id.value]);
  }

  async function stageRecord(section: Section, value: Element<Section>, idx: number, label: string) {
    switch (section) {
      case 'places': {
        const p = value as Element<'places'>;
        let location = NO_LOCATION;
        try {
          location = locationColumns(p, []) ?? NO_LOCATION;
        } catch (error) {
          // Both given, or a gazetteer entry that does not exist: a problem of this record.
          if (!(error instanceof UserError)) throw error;
          problems.push(`${label}.${error.path.join('.') || 'location'}: ${error.message}`);
        }
        await staging.add('places', [idx, label, p.slug, p.name, p.kind, p.parent, p.countryCode, p.region,
          location.latitude, location.longitude, location.geoPrecision, location.gazetteer]);
        await stageExternalIds(label, 'place', p.slug, p.externalIds);
        return;
      }
      case 'doctrines': {
        const d = value as Element<'doctrines'>;
        const n = await stageClaim(label, claimKeys.doctrine(d), 'DOCTRINE_DEFINITION', d);
        await staging.add('doctrines', [idx, label, n, d.slug, d.name, d.description, d.parent]);
        return;
      }
      case 'actors': {
        const a = value as Element<'actors'>;
        const n = await stageClaim(label, claimKeys.actor(a), 'ACTOR_PROFILE', a);
        await staging.add('actors', [idx, label, n, a.slug, a.name, a.aliases, a.kind, a.description, a.homeCountry]);
        for (const [j, name] of (a.names ?? []).entries()) {
          const nameLabel = `${label}.names[${j}]`;
          const nameClaim = await stageClaim(nameLabel, claimKeys.actorName(scope, a.slug, name), 'ACTOR_NAME', name);
          await staging.add('names', [idx, nameLabel, nameClaim, a.slug, name.name, name.language, name.script ?? null]);
        }
        await stageExternalIds(label, 'actor', a.slug, a.externalIds);
        return;
      }
      case 'events': {
        const e = value as Element<'events'>;
        const n = await stageClaim(label, claimKeys.event(e), 'EVENT_REPORT', e);
        await staging.add('events', [idx, label, n, e.slug, e.title, e.kind, e.description, e.date.text, e.date.earliest, e.date.latest, e.date.precision, e.place,
          e.killed?.min ?? null, e.killed?.max ?? null, e.killed?.text ?? null, e.wounded?.min ?? null, e.wounded?.max ?? null, e.wounded?.text ?? null,
          ...stagedParts('killed', e.killed), ...stagedParts('wounded', e.wounded)]);
        await stageExternalIds(label, 'event', e.slug, e.externalIds);
        return;
      }
      case 'adherences': {
        const a = value as Element<'adherences'>;
        const n = await stageClaim(label, claimKeys.adherence(scope, a), 'ADHERENCE', a);
        await staging.add('adherences', [idx, label, n, a.actor, a.doctrine, ...validTimeCells(a)]);
        return;
      }
      case 'relationships': {
        const r = value as Element<'relationships'>;
        if (r.from === r.to) problems.push(`${label}: ${SELF_RELATIONSHIP}`);
        const n = await stageClaim(label, claimKeys.relationship(scope, r), 'RELATIONSHIP', r);
        await staging.add('relationships', [idx, label, n, r.from, r.type, r.to, ...validTimeCells(r)]);
        return;
      }
      case 'participations': {
        const p = value as Element<'participations'>;
        const n = await stageClaim(label, claimKeys.participation(scope, p), 'PARTICIPATION', p);
        await staging.add('participations', [idx, label, n, p.event, p.actor, p.role, p.attributedBy ?? null, p.side ?? null]);
        return;
      }
    }
  }

  // A record of the wrong shape is not staged: checking references against it would only add
  // problems that are not there. Report the shapes first.
  const fileProblems = input.fileProblems?.() ?? [];
  if (shapeProblems || fileProblems.length > 0) return { ok: false, records: records + fileProblems.length, problems: [...fileProblems, ...problems] };
  step('write the source, read, check and stage records (writing their claims and citations a part at a time)');
  if (problems.length > 0) return { ok: false, records, problems };
  for (const stage of Object.values(STAGES)) await sql.unsafe(`analyze ${stage.name}`);
  problems.push(...(await databaseProblems(sql, input.refersToStored)));
  step('check slugs and references');
  if (problems.length > 0 || sourceId === null) return { ok: false, records, problems };

  options.onProgress?.(0, done, 'writing');
  const summary = await write(sql, recordedBy, { sourceCreated, citations: partsWritten.citations, spans: partsWritten.spans, claims: claimNumber }, step);
  options.onProgress?.(done, done, 'writing');
  // A stored source the file grades otherwise keeps its grade: grades change by a grading with its reason (gradeSource).
  const sourceDiffers = stored !== undefined && source.reliability !== undefined && (source.reliability ?? null) !== stored.reliability;
  return { ok: true, records, ...summary, differing: [...(sourceDiffers ? [`source "${source.slug}"`] : []), ...summary.differing, ...partsWritten.differing] };
}

/** Problems only the whole file or the database can show, found set-based over the staging tables. */
async function databaseProblems(sql: BulkSql, refersToStored: boolean): Promise<string[]> {
  const problems: string[] = [];
  // Slugs defined twice in the file.
  for (const [stage, kind] of [['bulk_places', 'place'], ['bulk_doctrines', 'doctrine'], ['bulk_actors', 'actor'], ['bulk_events', 'event']] as const) {
    const rows = await sql.unsafe<{ label: string; slug: string }[]>(`
      select label, slug from (select idx, label, slug, row_number() over (partition by slug order by idx) as nth from ${stage}) s
       where nth > 1 order by idx`);
    for (const r of rows) problems.push(`${r.label}: duplicate ${kind} slug "${r.slug}"`);
  }
  // References to slugs neither the file nor (for imports) the database defines.
  const references: [stage: string, column: string, field: string, kind: string, defined: string, stored: string][] = [
    ['bulk_places', 'parent', 'parent', 'place', 'bulk_places', 'places'],
    ['bulk_doctrines', 'parent', 'parent', 'doctrine', 'bulk_doctrines', 'doctrines'],
    ['bulk_actors', 'home_country', 'homeCountry', 'place', 'bulk_places', 'places'],
    ['bulk_events', 'place', 'place', 'place', 'bulk_places', 'places'],
    ['bulk_adherences', 'actor', 'actor', 'actor', 'bulk_actors', 'actors'],
    ['bulk_adherences', 'doctrine', 'doctrine', 'doctrine', 'bulk_doctrines', 'doctrines'],
    ['bulk_relationships', 'from_actor', 'from', 'actor', 'bulk_actors', 'actors'],
    ['bulk_relationships', 'to_actor', 'to', 'actor', 'bulk_actors', 'actors'],
    ['bulk_participations', 'event', 'event', 'event', 'bulk_events', 'events'],
    ['bulk_participations', 'actor', 'actor', 'actor', 'bulk_actors', 'actors'],
    ['bulk_participations', 'attributed_by', 'attributedBy', 'actor', 'bulk_actors', 'actors'],
  ];
  const unknown: { idx: number; stage: string; text: string }[] = [];
  for (const [stage, column, field, kind, defined, storedTable] of references) {
    const rows = await sql.unsafe<{ idx: number; label: string; slug: string }[]>(`
      select b.idx, b.label, b.${column} as slug from ${stage} b
       where b.${column} is not null
         and not exists (select 1 from ${defined} d where d.slug = b.${column})
         ${refersToStored ? `and not exists (select 1 from ${storedTable} t where t.slug = b.${column})` : ''}
       order by b.idx`);
    for (const r of rows) unknown.push({ idx: r.idx, stage, text: `${r.label}.${field}: unknown ${kind} "${r.slug}"` });
  }
  problems.push(...unknown.map((u) => u.text));
  // An actor's home is a country, as createActor and updateActor hold (countryIdBySlug).
  const homes = await sql.unsafe<{ label: string; slug: string; kind: string }[]>(`
    select label, slug, kind from (
      select b.idx, b.label, b.home_country as slug,
             coalesce(d.kind, ${refersToStored ? '(select t.kind::text from places t where t.slug = b.home_country)' : 'null'}) as kind
        from bulk_actors b left join bulk_places d on d.slug = b.home_country
       where b.home_country is not null) h
     where kind <> 'COUNTRY' order by idx`);
  for (const h of homes) problems.push(`${h.label}.homeCountry: "${h.slug}" is a ${h.kind.toLowerCase()}, not a country`);
  // What each place lies in, by the rule createPlace holds (placeParentProblem): its parent's kind,
  // staged or stored, and whether that parent lies in a country (followed up the staged places).
  const stored = (column: string) => (refersToStored ? `(select t.${column} from places t where t.slug = b.parent)` : 'null');
  const placed = await sql.unsafe<{ label: string; kind: PlaceKind; parent: string | null; parentKind: PlaceKind | null; parentInCountry: boolean | null }[]>(`
    with recursive in_country (slug, yes) as (
      select b.slug, true from bulk_places b where b.kind = 'COUNTRY'
      union
      select b.slug, ${stored('country_id')} is not null from bulk_places b
       where b.kind <> 'COUNTRY' and not exists (select 1 from bulk_places d where d.slug = b.parent)
      union
      select b.slug, c.yes from bulk_places b join in_country c on c.slug = b.parent where b.kind <> 'COUNTRY'
    )
    select b.label, b.kind, b.parent, coalesce(d.kind, ${stored('kind::text')}) as "parentKind",
           coalesce((select bool_or(c.yes) from in_country c where c.slug = b.parent), ${stored('country_id')} is not null) as "parentInCountry"
      from bulk_places b left join bulk_places d on d.slug = b.parent
     order by b.idx`);
  for (const p of placed) {
    // An unknown parent is named above.
    if (p.parent !== null && p.parentKind === null) continue;
    const problem = placeParentProblem(p.kind, p.parent === null ? null : { slug: p.parent, kind: p.parentKind!, inCountry: p.parentInCountry ?? false });
    if (problem) problems.push(`${p.label}.parent: ${problem}`);
  }
  // Records the file defines that exist already but were not loaded from a knowledge file (added
  // through the API): the file must refer to those, not define them again.
  // Each staged slug is probed by index (OFFSET 0 keeps it a probe): a hash join read every stored
  // event (1.3 s at a million) to find the few a file defines again.
  for (const [stage, table, kind] of [['bulk_actors', 'actors', 'actor'], ['bulk_doctrines', 'doctrines', 'doctrine'], ['bulk_events', 'events', 'event']] as const) {
    const rows = await sql.unsafe<{ label: string; slug: string }[]>(`
      select b.label, b.slug from ${stage} b
       cross join lateral (select t.claim_id from ${table} t where t.slug = b.slug offset 0) t
       join claims c on c.id = t.claim_id
       where c.key is distinct from '${kind}:' || b.slug order by b.idx`);
    for (const r of rows) problems.push(`${r.label}: ${kind} "${r.slug}" exists already (added through the API); refer to it instead of defining it`);
  }
  return problems;
}

interface SourceRow {
  slug: string;
  title: string | null;
  publisher: string;
  author: string | null;
  url: string | null;
  published: { text: string | null; earliest: string | null; latest: string | null; precision: string };
  reliability?: string | null | undefined;
  text: string;
  sha256: string;
}

/**
 * External ids the file gives its records (and the source), for records that do not have them yet;
 * returns how many were added.
 */
async function writeExternalIds(sql: BulkSql, recordedBy: string): Promise<number> {
  const added = await sql.unsafe(`
    insert into external_ids (scheme, value, actor_id, place_id, event_id, source_id, recorded_by)
    select distinct b.scheme::external_id_scheme, b.value, a.id, p.id, e.id, s.id, $1
      from bulk_external_ids b
      left join actors a on b.kind = 'actor' and a.slug = b.slug
      left join places p on b.kind = 'place' and p.slug = b.slug
      left join events e on b.kind = 'event' and e.slug = b.slug
      left join sources s on b.kind = 'source' and s.slug = b.slug
     where num_nonnulls(a.id, p.id, e.id, s.id) = 1
    on conflict do nothing`, [recordedBy]);
  return added.count;
}

/** Writes the source (its text by COPY, in pieces) unless it is stored (`storedId`, with the same text: checked by the caller). */
async function writeSource(sql: BulkSql, source: SourceRow, storedId: number | undefined): Promise<{ id: number; created: boolean }> {
  if (storedId !== undefined) return { id: storedId, created: false };
  const { published } = source;
  await sql.unsafe('create temp table bulk_source_text (text text) on commit drop');
  await copyText(sql, 'bulk_source_text', 'text', source.text);
  const [inserted] = await sql<{ id: number }[]>`
    insert into sources (slug, title, publisher, author, url, published_text, published_earliest, published_latest, published_precision, reliability, text, text_sha256)
    select ${source.slug}::text, ${source.title}::text, ${source.publisher}::text, ${source.author}::text, ${source.url}::text, ${published.text}::text,
           ${published.earliest}::date, ${published.latest}::date, ${published.precision}::date_precision, ${source.reliability ?? null}::source_reliability,
           t.text, ${source.sha256}::text
      from bulk_source_text t
    on conflict (slug) do nothing returning id`;
  if (inserted) return { id: inserted.id, created: true };
  const [found] = await sql<{ id: number }[]>`select id from sources where slug = ${source.slug}`;
  if (!found) throw new Error(`source ${source.slug} was neither inserted nor found`);
  return { id: found.id, created: false };
}

/** What a part added: citations, and spans of the file not quoted by an earlier part. */
interface PartWritten {
  citations: number;
  spans: number;
  /** Claims stored before whose confidence, credibility or note the file gives otherwise. */
  differing: string[];
}

/**
 * Writes one part's citations (one row per distinct span of the text, shared by every claim that
 * quotes it), its claims (keys not seen before; each staged key's first record and its claim id go
 * to bulk_claim_ids) and their links to the citations (the claims that gained one go to
 * bulk_linked). They refer to nothing but the source, so they need none of the file's other parts.
 */
async function writePartClaims(sql: BulkSql, recordedBy: string, sourceId: number): Promise<PartWritten> {
  const citations = await sql.unsafe(`
    with inserted as (
      insert into citations (source_id, quote, start_offset, end_offset, prefix, suffix)
      select distinct on (start_offset, end_offset) $1::int, quote, start_offset, end_offset, prefix, suffix
        from bulk_part_quotes order by start_offset, end_offset
      on conflict (source_id, start_offset, end_offset) do nothing returning id, start_offset, end_offset)
    insert into bulk_part_citation_ids select id, start_offset, end_offset from inserted`, [sourceId]);
  const spans = await sql.unsafe(`
    insert into bulk_spans select distinct start_offset, end_offset from bulk_part_quotes on conflict do nothing`);
  await sql.unsafe(`
    with firsts as (
           select distinct on (key) n, key, kind, confidence, credibility, note from bulk_part_claims p
            where not exists (select 1 from bulk_claim_ids x where x.key = p.key)
            order by key, n),
         inserted as (
           -- Every quote is from this one source, so a new claim's best source grade is its grade:
           -- given here, claim_citations_grade_claims finds nothing to update.
           insert into claims (key, kind, confidence, credibility, note, recorded_by, source_reliability)
           select key, kind::claim_kind, confidence, credibility, note, $1, (select reliability from sources where id = $2::int)
             from firsts order by n
           on conflict (key) do nothing returning id, key),
         kept as (
           -- A claim stored before is looked up by key only when it was not inserted (COALESCE
           -- evaluates the subquery lazily): a join would read every stored claim to find none at a
           -- new import.
           insert into bulk_claim_ids (n, key, id, inserted)
           select f.n, f.key, coalesce(i.id, (select c.id from claims c where c.key = f.key)), i.id is not null
             from firsts f left join inserted i on i.key = f.key
           returning key, id, inserted)
    insert into bulk_part_claim_ids select key, id, inserted from kept`, [recordedBy, sourceId]);
  // Claims stored before this load that the file grades or annotates otherwise (an entity's own
  // claim is compared with its record, findDiffering): named, left as stored (claims are never edited).
  const differing = await sql.unsafe<{ label: string; key: string }[]>(`
    select b.label, b.key from bulk_part_claims b
      join bulk_part_claim_ids pk on pk.key = b.key and not pk.inserted join claims c on c.id = pk.id
     where b.kind in ('PARTICIPATION', 'ADHERENCE', 'RELATIONSHIP', 'ACTOR_NAME')
       and (b.confidence, b.credibility, b.note) is distinct from (c.confidence, c.credibility, c.note)
     order by b.n`);
  // Every quote of every staged claim is linked (a claim stored before may gain quotes). A claim and
  // a citation this part wrote are joined from what the statements above kept; a key first staged
  // by an earlier part, or a span cited before, is probed by key, lazily (OFFSET 0 and COALESCE
  // keep them probes): as joins with bulk_claim_ids or the source's citations, each part read
  // everything written so far, so a file's parts cost more the further in they came.
  await sql.unsafe(`
    with links as (
      insert into claim_citations (claim_id, citation_id)
      select distinct
             coalesce(pk.id, (select c.id from bulk_claim_ids c where c.key = b.key offset 0)),
             coalesce(pc.id, (select c.id from citations c where c.source_id = $1::int and c.start_offset = q.start_offset and c.end_offset = q.end_offset offset 0))
        from bulk_part_claims b
        left join bulk_part_claim_ids pk on pk.key = b.key
        join bulk_part_quotes q on q.n = b.n
        left join bulk_part_citation_ids pc on pc.start_offset = q.start_offset and pc.end_offset = q.end_offset
      on conflict do nothing returning claim_id)
    insert into bulk_linked (claim_id) select distinct claim_id from links`, [sourceId]);
  // The key without its source: what the claim says (`participation:event:actor:ROLE`).
  return { citations: citations.count, spans: spans.count, differing: differing.map((d) => `${d.label} "${d.key.slice(d.key.indexOf(':') + 1)}"`) };
}

/**
 * The staged places, doctrines, actors and events whose stored fields differ from the file's, by
 * label and slug, in file order: doctrines, actors and events stored before this load (their claims
 * were not inserted by it); every staged place (places are not claims; those this load wrote match);
 * then adherences and relationships stored before whose period (valid time) the file gives otherwise.
 * A stored record may also have been edited since (a revision): it then differs from the file too.
 * Compared as written (slugs for the places they name, text for enums, no aliases as an empty list).
 */
async function findDiffering(sql: BulkSql): Promise<{ named: string[]; entities: DifferingEntity[] }> {
  // A staged period (b) against the stored one (`stored`), precisions compared as text.
  const validTimeDiffers = (stored: string) =>
    `(${VALID_TIME_COLUMNS.map((c) => `b.${c}`).join(', ')}) is distinct from (${VALID_TIME_COLUMNS.map((c) => (c.endsWith('precision') ? `${stored}.${c}::text` : `${stored}.${c}`)).join(', ')})`;
  const storedBefore = 'join bulk_claim_ids ci on ci.n = b.n and not ci.inserted';
  const rows = await sql.unsafe<{ section: number; label: string; slug: string }[]>(`
    select section, label, slug from (
      select 1 as section, b.idx, b.label, b.slug from bulk_places b
        join places p on p.slug = b.slug left join places parent on parent.id = p.parent_id
       where (b.name, b.kind, b.parent, b.country_code, b.region, b.latitude, b.longitude, b.geo_precision, b.gazetteer)
             is distinct from (p.name, p.kind::text, parent.slug, p.country_code, p.region, p.latitude, p.longitude, p.geo_precision::text, p.gazetteer)
      union all
      select 2, b.idx, b.label, b.slug from bulk_doctrines b ${storedBefore}
        join doctrines d on d.slug = b.slug left join doctrines parent on parent.id = d.parent_id
       where (b.name, b.description, b.parent) is distinct from (d.name, d.description, parent.slug)
      union all
      select 3, b.idx, b.label, b.slug from bulk_actors b ${storedBefore}
        join actors a on a.slug = b.slug left join places home on home.id = a.home_country_id
       where (b.name, coalesce(b.aliases, '{}'), b.kind, b.description, b.home_country)
             is distinct from (a.name, coalesce(a.aliases, '{}'), a.kind::text, a.description, home.slug)
      union all
      select 4, b.idx, b.label, b.slug from bulk_events b ${storedBefore}
        join events e on e.slug = b.slug left join places pl on pl.id = e.place_id
       where (b.title, b.kind, b.description, b.date_text, b.date_earliest, b.date_latest, b.date_precision, b.place,
              b.killed_min, b.killed_max, b.killed_text, b.killed_best, b.killed_parts,
              b.wounded_min, b.wounded_max, b.wounded_text, b.wounded_best, b.wounded_parts)
             is distinct from (e.title, e.kind::text, e.description, e.date_text, e.date_earliest, e.date_latest, e.date_precision::text, pl.slug,
              e.killed_min, e.killed_max, e.killed_text, e.killed_best, e.killed_parts,
              e.wounded_min, e.wounded_max, e.wounded_text, e.wounded_best, e.wounded_parts)
      union all
      select 5, b.idx, b.label, b.actor || ' ' || b.doctrine from bulk_adherences b ${storedBefore}
        join adherences a on a.claim_id = ci.id
       where ${validTimeDiffers('a')}
      union all
      select 6, b.idx, b.label, b.from_actor || ' ' || b.type || ' ' || b.to_actor from bulk_relationships b ${storedBefore}
        join relationships r on r.claim_id = ci.id
       where ${validTimeDiffers('r')}
    ) d order by section, idx`);
  const sections = { 1: 'places', 3: 'actors', 4: 'events' } as const;
  const entities = rows.flatMap((r) => {
    const section = sections[r.section as keyof typeof sections];
    return section ? [{ section, slug: r.slug, label: r.label }] : [];
  });
  return { named: rows.map((r) => `${r.label} "${r.slug}"`), entities };
}

/** Empties the part's tables for the next. */
async function clearPart(sql: BulkSql): Promise<void> {
  await sql.unsafe('truncate bulk_part_claims, bulk_part_quotes, bulk_part_claim_ids, bulk_part_citation_ids');
}

/** The set-based write of the staged entities, their claims and citations written already (writePartClaims). */
async function write(
  sql: BulkSql,
  recordedBy: string,
  written: { sourceCreated: boolean; citations: number; spans: number; claims: number },
  step: (name: string) => void,
): Promise<Omit<BulkLoadSummary, 'records'>> {
  let created = 0;
  let unchanged = 0;
  const count = async (query: string) => Number((await sql.unsafe<{ n: string }[]>(query))[0]?.n ?? 0);

  if (written.sourceCreated) created++;
  else unchanged++;
  created += written.citations;
  unchanged += written.spans - written.citations;
  // A claim counts as created when it is new or gained a quote, once per key; every other staged
  // claim (a key staged again included) is unchanged.
  const claimsCreated = await count(`
    select count(*) as n from bulk_claim_ids ci where ci.inserted or ci.id in (select claim_id from bulk_linked)`);
  created += claimsCreated;
  unchanged += written.claims - claimsCreated;
  await sql.unsafe('create index on bulk_claim_ids (n)');
  await sql.unsafe('analyze bulk_claim_ids');
  step('count claims and citations');

  // Places: gazetteer reference data, not claims; parents first, a level per statement.
  const places = await count('select count(*) as n from bulk_places');
  let createdPlaces = 0;
  for (;;) {
    const level = await sql.unsafe(`
      insert into places (slug, name, kind, parent_id, country_id, country_code, region, latitude, longitude, geo_precision, gazetteer)
      select distinct on (b.slug) b.slug, b.name, b.kind::place_kind, parent.id,
             case when b.kind = 'COUNTRY' then null else parent.country_id end, b.country_code, b.region,
             b.latitude, b.longitude, b.geo_precision::geo_precision, b.gazetteer
        from bulk_places b left join places parent on parent.slug = b.parent
       where not exists (select 1 from places p where p.slug = b.slug) and (b.parent is null or parent.id is not null)
       order by b.slug, b.idx`);
    createdPlaces += level.count;
    if (level.count === 0) break;
  }
  created += createdPlaces;
  unchanged += places - createdPlaces;

  // Entity rows, for the claims this load inserted (a claim stored before has its row already).
  const isNew = 'join bulk_claim_ids ci on ci.n = b.n and ci.inserted';
  for (;;) {
    const level = await sql.unsafe(`
      insert into doctrines (slug, name, description, parent_id, claim_id)
      select b.slug, b.name, b.description, parent.id, ci.id
        from bulk_doctrines b ${isNew} left join doctrines parent on parent.slug = b.parent
       where not exists (select 1 from doctrines d where d.slug = b.slug) and (b.parent is null or parent.id is not null)
       order by b.idx`);
    if (level.count === 0) break;
  }
  await sql.unsafe(`
    insert into actors (slug, name, aliases, kind, description, home_country_id, claim_id)
    select b.slug, b.name, b.aliases, b.kind::actor_kind, b.description, pl.id, ci.id
      from bulk_actors b ${isNew} left join places pl on pl.slug = b.home_country order by b.idx`);
  step('write doctrines and actors');
  // The new events' ids by slug, kept from RETURNING for the participations below: joining `events`
  // by slug instead hashed every stored event (a second of a 100,000-event import into a million).
  await sql.unsafe(`
    create temp table bulk_event_ids on commit drop as
    with inserted as (
    insert into events (slug, title, kind, description, date_text, date_earliest, date_latest, date_precision, place_id,
                        killed_min, killed_max, killed_text, wounded_min, wounded_max, wounded_text,
                        killed_best, killed_parts, wounded_best, wounded_parts, claim_id)
    select b.slug, b.title, b.kind::event_kind, b.description, b.date_text, b.date_earliest, b.date_latest, b.date_precision::date_precision, pl.id,
           b.killed_min, b.killed_max, b.killed_text, b.wounded_min, b.wounded_max, b.wounded_text,
           b.killed_best, b.killed_parts, b.wounded_best, b.wounded_parts, ci.id
      from bulk_events b ${isNew} left join places pl on pl.slug = b.place order by b.idx
    returning id, slug)
    select id, slug from inserted`);
  const events = await sql.unsafe<{ id: number }[]>('select id from bulk_event_ids order by id');
  // Stored events the participations name, looked up by key (each a probe of events_slug_unique).
  await sql.unsafe(`
    insert into bulk_event_ids (id, slug)
    select e.id, e.slug from events e
     where e.slug = any (array(select distinct b.event from bulk_participations b where not exists (select 1 from bulk_event_ids n where n.slug = b.event)))`);
  await sql.unsafe('analyze bulk_event_ids');
  step('write events');
  await sql.unsafe(`
    insert into adherences (claim_id, actor_id, doctrine_id, ${VALID_TIME_COLUMNS.join(', ')})
    select ci.id, a.id, d.id, ${VALID_TIME_VALUES} from bulk_adherences b ${isNew}
      join actors a on a.slug = b.actor join doctrines d on d.slug = b.doctrine order by b.idx`);
  await sql.unsafe(`
    insert into relationships (claim_id, type, from_actor_id, to_actor_id, ${VALID_TIME_COLUMNS.join(', ')})
    select ci.id, b.type::relationship_type, f.id, t.id, ${VALID_TIME_VALUES}
      from bulk_relationships b ${isNew} join actors f on f.slug = b.from_actor join actors t on t.slug = b.to_actor order by b.idx`);
  await sql.unsafe(`
    insert into participations (claim_id, event_id, actor_id, role, attributed_by_id, side)
    select ci.id, e.id, a.id, b.role::participation_role, attributor.id, b.side::dyad_side
      from bulk_participations b ${isNew} join bulk_event_ids e on e.slug = b.event join actors a on a.slug = b.actor
      left join actors attributor on attributor.slug = b.attributed_by order by b.idx`);
  step('write adherences, relationships, participations');
  await sql.unsafe(`
    insert into actor_names (claim_id, actor_id, name, language, script)
    select ci.id, a.id, b.name, b.language, b.script
      from bulk_names b ${isNew} join actors a on a.slug = b.actor order by b.idx`);
  created += await writeExternalIds(sql, recordedBy);
  step('write names and external ids');
  const differing = await findDiffering(sql);
  step('compare records stored before');
  return { created, unchanged, createdEventIds: events.map((e) => e.id), differing: differing.named, differingEntities: differing.entities };
}
