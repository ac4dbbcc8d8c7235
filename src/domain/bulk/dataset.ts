/**
 * Loading the rows of a field dataset (UCDP GED, ACLED, GTD) set-based, as the knowledge-file
 * loader does (load.ts): rows are COPYed into staging tables a part (PART_ROWS) at a time, and each
 * part is written with one INSERT … SELECT per table while Node maps the next, inside the caller's
 * transaction.
 *
 * Each row is its own source, a dataset record whose text is the row as given; every claim drawn
 * from it quotes the fields it rests on, at code-point offsets the mapper computed. Each of a row's
 * distinct spans is staged once with its quote and context already cut (anchorSpans), so writing
 * the citations needs no sort to find them nor a cut per quote; the database's integrity triggers
 * check every citation and claim against the stored text as always.
 *
 * Re-importing is idempotent: a row whose source (named by the row's id) is stored already, or
 * whose event id identifies a stored event, is left as it is; actors and places are found again by
 * their external ids and slugs.
 */
import { setImmediate } from 'node:timers/promises';
import { CopyBatches, type CopyCell } from '../../db/copy.ts';
import type { dataset } from '../../db/schema.ts';
import { anchorSpans } from '../../citations/anchor.ts';
import { sha256Hex } from '../sources/sources.ts';
import type { Casualties } from '../events/casualties.ts';
import type { ExternalIdScheme } from '../external-ids/external-ids.ts';
import type { BulkSql } from './load.ts';
import { stagedParts } from './load.ts';

/** A span of a record's text, [start, end) in code points: the field a claim quotes. */
export type Span = readonly [start: number, end: number];

export interface DatasetExternalId {
  scheme: string;
  value: string;
}

export interface DatasetPlace {
  slug: string;
  name: string;
  kind: 'COUNTRY' | 'ADMIN1' | 'ADMIN2' | 'REGION' | 'CITY' | 'SITE';
  parent: string | null;
  /** The slug of the country it lies in (its own for a country). */
  country: string;
  countryCode: string | null;
  region: string | null;
  /**
   * Coordinates as the dataset gives them, with its precision code mapped (docs/datasets.md), and
   * where they come from (`gazetteer`: the dataset and row, e.g. "UCDP GED 244657").
   */
  location?: { latitude: number; longitude: number; geoPrecision: string; gazetteer: string } | null;
}

/** One dataset row, mapped and checked. */
export interface DatasetRecord {
  line: number;
  source: { slug: string; title: string; publisher: string; dataset: (typeof dataset.enumValues)[number]; text: string; externalId: DatasetExternalId };
  event: {
    slug: string;
    title: string;
    kind: string;
    date: { text: string; earliest: string | null; latest: string | null; precision: string };
    place: string | null;
    /** Checked by casualtiesSchema in the mapper; each part's text is the column's line it comes from. */
    killed: Casualties | null;
    wounded: Casualties | null;
    externalId: DatasetExternalId;
    confidence: number;
    quotes: Span[];
  };
  /** Places the event's place needs, parents first. */
  places: DatasetPlace[];
  actors: { slug: string; name: string; kind: string; externalId: DatasetExternalId | null; quotes: Span[] }[];
  /** `side`: where both sides acted (a battle), the side the row names the actor on (participations.side). */
  participations: { actor: string; role: string; side?: 'A' | 'B' | null; confidence: number; quotes: Span[] }[];
}

export interface DatasetLoadSummary {
  created: number;
  unchanged: number;
  /**
   * Lines of rows left as stored although their text differs from the stored record of the same id
   * (a dataset's later version corrected them): counted in `unchanged`, named so the analyst knows.
   */
  differing: number[];
  createdEventIds: number[];
  rows: number;
}

/**
 * The slug of a later version of a dataset record, stored as a source of its own when an import
 * applies the version as a correction (applyDatasetCorrections): the record's slug and the first 12
 * hex digits of the row's SHA-256, so the same version is found again and another gets its own.
 */
export function correctionSourceSlug(slug: string, textSha256: string): string {
  return `${slug}-${textSha256.slice(0, 12)}`;
}

/**
 * The title of a later version of a dataset record (stored under correctionSourceSlug): the first
 * version's title with the file it came from, which says which release it is, and the 12 hex digits
 * of its slug, which tell apart two versions from files of the same name ("export.csv"). A source
 * list then does not show the two versions under one title.
 */
export function laterVersionTitle(title: string, textSha256: string, file: string): string {
  // A file name long enough to matter is cut: a title is a name, not a path (TEXT_LIMITS.name).
  const from = [...file].length > FILE_NAME_IN_TITLE ? `${[...file].slice(0, FILE_NAME_IN_TITLE - 1).join('')}…` : file;
  return `${title} — later version from ${from} (${textSha256.slice(0, 12)})`;
}
const FILE_NAME_IN_TITLE = 200;

/** Each dataset's name as its records are named to analysts (`UCDP GED 244657`). */
export const DATASET_NAMES = { UCDP_GED: 'UCDP GED', ACLED: 'ACLED', GTD: 'GTD' } as const satisfies Record<DatasetRecord['source']['dataset'], string>;

/** Dataset rows per part: each part is written while the next is mapped. */
const PART_ROWS = 5000;

const STAGES = {
  sources: { name: 'ds_sources', joinedOn: ['n', 'slug'], columns: ['n', 'line', 'slug', 'title', 'publisher', 'dataset', 'text', 'text_sha256', 'scheme', 'value'], definition: 'n integer, line integer, slug text, title text, publisher text, dataset text, text text, text_sha256 text, scheme text, value text' },
  claims: { name: 'ds_claims', joinedOn: ['n', 'source_n', 'kind'], columns: ['n', 'source_n', 'key', 'kind', 'confidence'], definition: 'n integer, source_n integer, key text, kind text, confidence smallint' },
  quotes: { name: 'ds_quotes', joinedOn: ['claim_n', 'source_n'], columns: ['claim_n', 'source_n', 'start_offset', 'end_offset'], definition: 'claim_n integer, source_n integer, start_offset integer, end_offset integer' },
  // A row's distinct spans; profile_claims lists the actor profile claims quoting a span when only
  // such claims do (the span is wanted only if one of them is written), and is null otherwise.
  spans: {
    name: 'ds_spans', joinedOn: ['source_n'],
    columns: ['source_n', 'start_offset', 'end_offset', 'quote', 'prefix', 'suffix', 'profile_claims'],
    definition: 'source_n integer, start_offset integer, end_offset integer, quote text, prefix text, suffix text, profile_claims integer[]',
  },
  events: {
    name: 'ds_events', joinedOn: ['source_n', 'claim_n', 'slug', 'place', 'scheme', 'value'],
    columns: ['source_n', 'claim_n', 'slug', 'title', 'kind', 'date_text', 'date_earliest', 'date_latest', 'date_precision', 'place', 'killed_min', 'killed_max', 'killed_text', 'wounded_min', 'wounded_max', 'wounded_text', 'killed_best', 'killed_parts', 'wounded_best', 'wounded_parts', 'scheme', 'value'],
    definition: 'source_n integer, claim_n integer, slug text, title text, kind text, date_text text, date_earliest date, date_latest date, date_precision text, place text, killed_min integer, killed_max integer, killed_text text, wounded_min integer, wounded_max integer, wounded_text text, killed_best integer, killed_parts jsonb, wounded_best integer, wounded_parts jsonb, scheme text, value text',
  },
  // A part's places, once each, with the part's rows that name them (`needed_by`): only a row that is
  // written (or applied as a correction) brings its places in.
  places: {
    name: 'ds_places', joinedOn: ['slug', 'parent'],
    columns: ['idx', 'slug', 'name', 'kind', 'parent', 'country', 'country_code', 'region', 'latitude', 'longitude', 'geo_precision', 'gazetteer', 'needed_by'],
    definition: 'idx integer, slug text, name text, kind text, parent text, country text, country_code text, region text, latitude float8, longitude float8, geo_precision text, gazetteer text, needed_by integer[]',
  },
  actors: { name: 'ds_actors', joinedOn: ['source_n', 'claim_n', 'slug'], columns: ['source_n', 'claim_n', 'slug', 'name', 'kind', 'scheme', 'value'], definition: 'source_n integer, claim_n integer, slug text, name text, kind text, scheme text, value text' },
  participations: { name: 'ds_participations', joinedOn: ['source_n', 'claim_n', 'event', 'actor'], columns: ['source_n', 'claim_n', 'event', 'actor', 'role', 'side'], definition: 'source_n integer, claim_n integer, event text, actor text, role text, side text' },
} as const;
type Stage = keyof typeof STAGES;

/**
 * Loads dataset records in `sql`'s transaction as `recordedBy`. The records are checked by their
 * mapper (src/import/datasets); what is left to check needs the database, and is found here.
 */
export async function loadDatasetRecords(
  sql: BulkSql,
  recordedBy: string,
  records: AsyncIterable<DatasetRecord>,
  options: {
    onStep?: (step: string, ms: number) => void;
    onProgress?: (done: number) => void;
    partRows?: number;
    /**
     * Given each part's differing rows once the part is written (to apply them as corrections),
     * in the load's transaction before the next part is written: only a part's records are held.
     */
    onDiffering?: (records: DatasetRecord[]) => Promise<void>;
    /**
     * With onDiffering: give it every row whose record is stored, its text changed or not, so that
     * a stored row's claims are derived again by this version of the mapping (`--remap`).
     */
    remapStored?: boolean;
    /**
     * Keep the id of every row of the file (new, stored before or differing) in `ds_file_records`
     * until the transaction ends, for absentDatasetRecords.
     */
    keepRecordIds?: boolean;
  } = {},
): Promise<DatasetLoadSummary> {
  const partRows = options.partRows ?? PART_ROWS;
  // Steps recur in every part: their times are summed and reported once, at the end.
  const stepTimes = new Map<string, number>();
  const timed = () => {
    let last = performance.now();
    return (name: string) => {
      const now = performance.now();
      stepTimes.set(name, (stepTimes.get(name) ?? 0) + now - last);
      last = now;
    };
  };
  for (const stage of Object.values(STAGES)) await sql.unsafe(`create temp table ${stage.name} (${stage.definition}) on commit drop`);
  // A part's rows by their number. Once earlier parts are written the planner's estimates of the
  // stored tables lag behind (their statistics predate the transaction's rows); it then took a
  // nested loop over the rows of a part (25 million comparisons, ~3 s a part). With these indexes
  // a misestimate costs a lookup.
  await sql.unsafe('create unique index on ds_sources (n)');
  await sql.unsafe('create index on ds_events (source_n)');
  const keepRecordIds = options.keepRecordIds ?? false;
  if (keepRecordIds) await sql.unsafe('create temp table ds_file_records (value text) on commit drop');
  const written: Omit<DatasetLoadSummary, 'rows'> = { created: 0, unchanged: 0, differing: [], createdEventIds: [] };
  const keepDiffering = options.onDiffering !== undefined;
  // With onDiffering, the records of the part being staged and of the part being written, by line:
  // a part's differing rows are known once it is written.
  let stagingRecords = new Map<number, DatasetRecord>();
  const writingRecords: Map<number, DatasetRecord>[] = [];
  // A part is written while Node maps and stages the next: the database works while Node parses.
  const batches = new CopyBatches<Stage>(sql, STAGES, Number.POSITIVE_INFINITY, async () => {
    const step = timed();
    const part = await writePart(sql, recordedBy, keepDiffering, keepDiffering && (options.remapStored ?? false), keepRecordIds, step);
    const records = writingRecords.shift();
    written.created += part.created;
    written.unchanged += part.unchanged;
    for (const line of part.differing) written.differing.push(line);
    for (const id of part.createdEventIds) written.createdEventIds.push(id);
    const differing = part.differing.map((line) => records?.get(line)).filter((r): r is DatasetRecord => r !== undefined);
    if (options.onDiffering && differing.length > 0) {
      await options.onDiffering(differing);
      step('apply corrections (one by one, through the domain services)');
    }
  });
  let rows = 0;
  // Rows staged in the parts sent so far, and the time Node spent waiting for the part before to be
  // written (not its own).
  let staged = 0;
  let waiting = 0;
  const flush = async () => {
    for (const { place: p, neededBy } of partPlaces.values()) {
      await add('places', [
        ++placeIdx, p.slug, p.name, p.kind, p.parent, p.country, p.countryCode, p.region,
        p.location?.latitude ?? null, p.location?.longitude ?? null, p.location?.geoPrecision ?? null, p.location?.gazetteer ?? null, neededBy.map(String),
      ]);
    }
    partPlaces.clear();
    const started = performance.now();
    staged = rows;
    if (keepDiffering) {
      writingRecords.push(stagingRecords);
      stagingRecords = new Map();
    }
    await batches.flush();
    waiting += performance.now() - started;
  };
  const add = (stage: Stage, values: CopyCell[]) => batches.add(stage, values);
  const loopStarted = performance.now();
  let claimN = 0;
  // The part's places by slug, parents first (a row lists its places so), with the rows naming them.
  const partPlaces = new Map<string, { place: DatasetPlace; neededBy: number[] }>();
  let placeIdx = 0;
  // The row's distinct spans, by `start:end`, with the profile claims quoting them (null once any
  // other claim does).
  const rowSpans = new Map<string, { span: Span; profileClaims: string[] | null }>();
  const addClaim = async (sourceN: number, key: string, kind: string, confidence: number, quotes: Span[]) => {
    const n = ++claimN;
    await add('claims', [n, sourceN, key, kind, confidence]);
    const quoted = new Set<string>();
    for (const span of quotes) {
      const at = `${span[0]}:${span[1]}`;
      if (quoted.has(at)) continue;
      quoted.add(at);
      await add('quotes', [n, sourceN, span[0], span[1]]);
      const seen = rowSpans.get(at);
      const profileClaims = kind === 'ACTOR_PROFILE' ? [String(n)] : null;
      if (!seen) rowSpans.set(at, { span, profileClaims });
      else if (seen.profileClaims) seen.profileClaims = profileClaims && [...seen.profileClaims, ...profileClaims];
    }
    return n;
  };
  try {
    for await (const r of records) {
      const n = ++rows;
      if (keepDiffering) stagingRecords.set(r.line, r);
      const s = r.source;
      await add('sources', [n, r.line, s.slug, s.title, s.publisher, s.dataset, s.text, sha256Hex(s.text), s.externalId.scheme, s.externalId.value]);
      const e = r.event;
      const eventClaim = await addClaim(n, `event:${e.slug}`, 'EVENT_REPORT', e.confidence, e.quotes);
      await add('events', [n, eventClaim, e.slug, e.title, e.kind, e.date.text, e.date.earliest, e.date.latest, e.date.precision, e.place,
        e.killed?.min ?? null, e.killed?.max ?? null, e.killed?.text ?? null, e.wounded?.min ?? null, e.wounded?.max ?? null, e.wounded?.text ?? null,
        ...stagedParts('killed', e.killed), ...stagedParts('wounded', e.wounded),
        e.externalId.scheme, e.externalId.value]);
      for (const p of r.places) {
        const seen = partPlaces.get(p.slug);
        if (!seen) partPlaces.set(p.slug, { place: p, neededBy: [n] });
        else {
          seen.neededBy.push(n);
          // An area first named as a row's province, then as another row's place with its coordinates.
          if (!seen.place.location && p.location) seen.place = p;
        }
      }
      for (const a of r.actors) {
        // Every mention stages the profile claim the actor would get if this row is where it is first met.
        const actorClaim = await addClaim(n, `actor:${a.slug}`, 'ACTOR_PROFILE', e.confidence, a.quotes);
        await add('actors', [n, actorClaim, a.slug, a.name, a.kind, a.externalId?.scheme ?? null, a.externalId?.value ?? null]);
      }
      for (const p of r.participations) {
        const claim = await addClaim(n, `${s.slug}:participation:${e.slug}:${p.actor}:${p.role}`, 'PARTICIPATION', p.confidence, p.quotes);
        await add('participations', [n, claim, e.slug, p.actor, p.role, p.side ?? null]);
      }
      const spans = [...rowSpans.values()];
      rowSpans.clear();
      for (const [i, a] of anchorSpans(s.text, spans.map((x) => x.span)).entries()) {
        await add('spans', [n, a.startOffset, a.endOffset, a.quote, a.prefix, a.suffix, spans[i]!.profileClaims]);
      }
      if (rows % 1000 === 0) options.onProgress?.(rows);
      // Mapping is CPU work between reads of the file: let the part being written hear back from
      // the database every few rows, or each of its statements waits for the next read.
      if (rows % 8 === 0) await setImmediate();
      // Parts end between rows: a row's claims, quotes and spans are written together.
      if (rows - staged === partRows) await flush();
    }
    if (rows > staged) await flush();
    const started = performance.now();
    await batches.settle();
    waiting += performance.now() - started;
  } finally {
    // A file that stops being readable ends the load here: the part being written must be done
    // before the transaction can end (its error, if any, is not the one to report).
    await batches.settle().catch(() => {});
  }
  options.onStep?.('map and check rows (Node, beside the writes)', performance.now() - loopStarted - waiting);
  for (const [name, ms] of stepTimes) options.onStep?.(name, ms);
  if (keepRecordIds) {
    await sql.unsafe('create index on ds_file_records (value)');
    await sql.unsafe('analyze ds_file_records');
  }
  return { ...written, rows };
}

/** What a file covers, for absentDatasetRecords: the countries its rows name (slugs) and the span of their dates. */
export interface DatasetCoverage {
  countries: string[];
  earliest: string | null;
  latest: string | null;
}

/** Stored records of a dataset that a file lacks: how many, and the first `shown` of them by date. */
export interface AbsentDatasetRecords {
  count: number;
  /** `UCDP GED 244657 (event "ucdp-ged-244657")`, earliest first. */
  records: string[];
}

/**
 * The stored records of `dataset` within the file's coverage (the event in one of the countries
 * its rows name, its dates within theirs) whose id no row of the file has: what a later release
 * dropped, in one statement against the ids loadDatasetRecords kept (`keepRecordIds`). A record is
 * its event, found by the dataset's id, so a record with later versions is one record; an event
 * whose report is retracted is left out, as reads leave it out. Only reads: nothing is retracted.
 */
export async function absentDatasetRecords(sql: BulkSql, dataset: DatasetRecord['source']['dataset'], scheme: ExternalIdScheme, coverage: DatasetCoverage, shown: number): Promise<AbsentDatasetRecords> {
  if (coverage.countries.length === 0 || coverage.earliest === null || coverage.latest === null) return { count: 0, records: [] };
  // The dataset's ids the file lacks first, then their events: joined the other way round, with the
  // statistics of a just-imported file, the plan looked up each event's id in the (scheme, value)
  // index, reading the whole scheme every time (12 s for 20,000 rows; 60 ms this way).
  const rows = await sql.unsafe<{ value: string; slug: string; total: string }[]>(`
    with missing as materialized (
      select x.value, x.event_id from external_ids x
       where x.scheme = $1::external_id_scheme and x.event_id is not null
         and not exists (select 1 from ds_file_records r where r.value = x.value))
    select m.value, e.slug, count(*) over () as total
      from missing m
      join events e on e.id = m.event_id
      join places p on p.id = e.place_id
     where p.country_id in (select id from places where slug = any($2::text[]))
       and e.date_earliest >= $3::date and e.date_latest <= $4::date
       and not exists (select 1 from claims c where c.id = e.claim_id and c.retracted_at is not null)
     order by e.date_earliest, m.value
     limit $5`, [scheme, coverage.countries, coverage.earliest, coverage.latest, shown]);
  return {
    count: Number(rows[0]?.total ?? 0),
    records: rows.map((r) => `${DATASET_NAMES[dataset]} ${r.value} (event "${r.slug}")`),
  };
}

/**
 * Writes the staged part (whole rows), then empties the staging tables for the next. Rows of a
 * part before are stored by then, so actors, places and repeated rows are found as if imported
 * by an earlier file in the same transaction.
 */
async function writePart(sql: BulkSql, recordedBy: string, keepDiffering: boolean, remapStored: boolean, keepRecordIds: boolean, step: (name: string) => void): Promise<Omit<DatasetLoadSummary, 'rows'>> {
  // Statistics only of the columns the writes join and filter on: a part's texts and quotes would
  // cost more to sample than the plans they could change.
  for (const stage of Object.values(STAGES)) await sql.unsafe(`analyze ${stage.name} (${stage.joinedOn.join(', ')})`);
  step('analyze staged rows');
  const summary = await write(sql, recordedBy, keepDiffering, remapStored, step);
  if (keepRecordIds) {
    await sql.unsafe('insert into ds_file_records (value) select value from ds_sources');
    step('keep the file\'s record ids');
  }
  await sql.unsafe(`truncate ${Object.values(STAGES).map((stage) => stage.name).join(', ')}`);
  await sql.unsafe('drop table ds_new, ds_differing, ds_source_ids, ds_actor_ids, ds_claim_ids, ds_citation_ids, ds_event_ids');
  return summary;
}

/**
 * Writes the staged part; with `keepDiffering`, the places of differing rows too (their corrections
 * need them); with `remapStored`, every row stored before counts as differing (to be mapped again).
 */
async function write(sql: BulkSql, recordedBy: string, keepDiffering: boolean, remapStored: boolean, step: (name: string) => void): Promise<Omit<DatasetLoadSummary, 'rows'>> {
  const count = async (query: string) => Number((await sql.unsafe<{ n: string }[]>(query))[0]?.n ?? 0);
  // Rows stored before (their source, or their event by its dataset id): left as they are.
  await sql.unsafe(`
    create temp table ds_new on commit drop as
    select b.n from ds_sources b join ds_events e on e.source_n = b.n
     where not exists (select 1 from sources s where s.slug = b.slug)
       and not exists (select 1 from external_ids x where x.scheme = e.scheme::external_id_scheme and x.value = e.value and x.event_id is not null)
       and not exists (select 1 from events ev where ev.slug = e.slug)`);
  await sql.unsafe('create unique index on ds_new (n)');
  await sql.unsafe('analyze ds_new');
  const total = await count('select count(*) as n from ds_sources');
  const fresh = await count('select count(*) as n from ds_new');
  const unchanged = total - fresh;
  // Of those, the rows whose record is stored with another text: a later version of the dataset
  // corrected them. They stay as stored (a stored record is never rewritten by an import) but are
  // named, so that "unchanged" does not hide that the file says something else. A row stored as a
  // later version of its record already (applyDatasetCorrections) differs no more.
  await sql.unsafe(`
    create temp table ds_differing on commit drop as
    select b.n, b.line from ds_sources b join sources s on s.slug = b.slug
     where ${remapStored ? 'true' : 'false'}
        or (s.text_sha256 <> b.text_sha256
            and not exists (select 1 from sources v where v.version_of_id = s.id and v.text_sha256 = b.text_sha256))`);
  const differing = (await sql.unsafe<{ line: number }[]>('select line from ds_differing order by line')).map((r) => r.line);
  step('find rows stored before');

  await sql.unsafe(`
    create temp table ds_source_ids on commit drop as
    with inserted as (
      insert into sources (slug, title, publisher, dataset, text, text_sha256)
      select b.slug, b.title, b.publisher, b.dataset::dataset, b.text, b.text_sha256 from ds_sources b join ds_new using (n) order by b.n
      returning id, slug)
    select b.n, i.id from inserted i join ds_sources b on b.slug = i.slug`);
  await sql.unsafe('create unique index on ds_source_ids (n)');
  await sql.unsafe('analyze ds_source_ids');
  step('write sources');

  // Provinces and districts the knowledge base has under another slug (the seed's, an analyst's;
  // stored_admin_area): the part's rows join them instead of adding a second area of that name.
  // Most parts name only areas stored by an earlier part: one look, and nothing to join.
  const [unstored] = await sql.unsafe<{ any: boolean }[]>(`
    select exists (select 1 from ds_places b where b.kind in ('ADMIN1', 'ADMIN2') and not exists (select 1 from places s where s.slug = b.slug)) as any`);
  for (const kind of unstored?.any ? ['ADMIN1', 'ADMIN2'] : []) {
    await sql.unsafe(`
      create temp table ds_area_aliases on commit drop as
      select * from (select b.slug as staged, stored_admin_area(b.kind::place_kind, b.name, b.country, b.parent) as stored
                       from ds_places b where b.kind = '${kind}' and not exists (select 1 from places s where s.slug = b.slug)) a
       where stored is not null`);
    await sql.unsafe('update ds_places b set parent = a.stored from ds_area_aliases a where b.parent = a.staged');
    await sql.unsafe('update ds_events e set place = a.stored from ds_area_aliases a where e.place = a.staged');
    await sql.unsafe('delete from ds_places b using ds_area_aliases a where b.slug = a.staged');
    await sql.unsafe('drop table ds_area_aliases');
  }

  // Places: reference data, brought in by the rows written (a row left as stored brings none);
  // parents first, a level per statement.
  const wanted = (rows: string) => `exists (select 1 from unnest(${rows}) as needing(n) join ds_new using (n))${keepDiffering ? ` or exists (select 1 from unnest(${rows}) as needing(n) join ds_differing using (n))` : ''}`;
  let places = 0;
  for (;;) {
    const level = await sql.unsafe(`
      insert into places (slug, name, kind, parent_id, country_id, country_code, region, latitude, longitude, geo_precision, gazetteer)
      select b.slug, b.name, b.kind::place_kind, parent.id, case when b.kind = 'COUNTRY' then null else parent.country_id end, b.country_code, b.region,
             b.latitude, b.longitude, b.geo_precision::geo_precision, b.gazetteer
        from ds_places b left join places parent on parent.slug = b.parent
       where not exists (select 1 from places p where p.slug = b.slug) and (b.parent is null or parent.id is not null)
         and (${wanted('b.needed_by')})
       order by b.idx`);
    places += level.count;
    if (level.count === 0) break;
  }
  step('write places');

  // Actors: found by their dataset id, else by slug; the rest are new, established by the profile
  // claim of the first new row that names them.
  await sql.unsafe(`
    create temp table ds_actor_ids on commit drop as
    select distinct on (m.slug) m.slug, coalesce(
             (select min(canonical_actor(x.actor_id, 'infinity')) from external_ids x where m.scheme is not null and x.scheme = m.scheme::external_id_scheme and x.value = m.value and x.actor_id is not null),
             (select canonical_actor(a.id, 'infinity') from actors a where a.slug = m.slug)) as id,
           m.claim_n, m.name, m.kind, m.scheme, m.value
      from ds_actors m join ds_new on ds_new.n = m.source_n order by m.slug, m.source_n`);
  const claimsWanted = `
    select c.* from ds_claims c join ds_new on ds_new.n = c.source_n
     where c.kind <> 'ACTOR_PROFILE' or c.n in (select claim_n from ds_actor_ids where id is null)`;
  // CREATE TABLE AS reports the rows it made: the claims written.
  const { count: claims } = await sql.unsafe(`
    create temp table ds_claim_ids on commit drop as
    with wanted as (${claimsWanted}),
    inserted as (
      insert into claims (key, kind, confidence, recorded_by)
      select key, kind::claim_kind, confidence, $1 from wanted order by n
      on conflict (key) do nothing returning id, key)
    select w.n, w.source_n, i.id from wanted w join inserted i on i.key = w.key`, [recordedBy]);
  await sql.unsafe('create unique index on ds_claim_ids (n)');
  await sql.unsafe('analyze ds_claim_ids');
  step('write claims');

  // Citations: a new row's spans quoted by a claim written (every span but those only the profile
  // claims of actors stored before quote).
  // Each statement below joins what the part wrote (its ids kept from RETURNING), never the stored
  // tables: those grow with every part, and a hash of all citations or events per part made the
  // import slower the further it got.
  const { count: citations } = await sql.unsafe(`
    create temp table ds_citation_ids on commit drop as
    with inserted as (
      insert into citations (source_id, quote, start_offset, end_offset, prefix, suffix)
      select si.id, s.quote, s.start_offset, s.end_offset, s.prefix, s.suffix
        from ds_spans s join ds_source_ids si on si.n = s.source_n
       where s.profile_claims is null or exists (select 1 from ds_claim_ids ci where ci.n = any (s.profile_claims))
      returning id, source_id, start_offset, end_offset)
    select * from inserted`);
  await sql.unsafe(`
    insert into claim_citations (claim_id, citation_id)
    select ci.id, cit.id
      from ds_quotes q join ds_claim_ids ci on ci.n = q.claim_n join ds_source_ids si on si.n = q.source_n
      join ds_citation_ids cit on cit.source_id = si.id and cit.start_offset = q.start_offset and cit.end_offset = q.end_offset`);
  step('write citations');

  const actors = await sql.unsafe(`
    insert into actors (slug, name, kind, claim_id)
    select a.slug, a.name, a.kind::actor_kind, ci.id from ds_actor_ids a join ds_claim_ids ci on ci.n = a.claim_n where a.id is null order by a.slug`);
  await sql.unsafe(`update ds_actor_ids a set id = n.id from actors n where a.id is null and n.slug = a.slug`);
  await sql.unsafe(`
    create temp table ds_event_ids on commit drop as
    with inserted as (
      insert into events (slug, title, kind, date_text, date_earliest, date_latest, date_precision, place_id,
                          killed_min, killed_max, killed_text, wounded_min, wounded_max, wounded_text,
                          killed_best, killed_parts, wounded_best, wounded_parts, claim_id)
      select e.slug, e.title, e.kind::event_kind, e.date_text, e.date_earliest, e.date_latest, e.date_precision::date_precision, pl.id,
             e.killed_min, e.killed_max, e.killed_text, e.wounded_min, e.wounded_max, e.wounded_text,
             e.killed_best, e.killed_parts, e.wounded_best, e.wounded_parts, ci.id
        from ds_events e join ds_claim_ids ci on ci.n = e.claim_n left join places pl on pl.slug = e.place order by e.source_n
      returning id, slug)
    select * from inserted`);
  const events = await sql.unsafe<{ id: number }[]>('select id from ds_event_ids order by id');
  const participations = await sql.unsafe(`
    insert into participations (claim_id, event_id, actor_id, role, side)
    select ci.id, ev.id, a.id, p.role::participation_role, p.side::dyad_side
      from ds_participations p join ds_claim_ids ci on ci.n = p.claim_n join ds_event_ids ev on ev.slug = p.event join ds_actor_ids a on a.slug = p.actor
     order by p.source_n, p.claim_n`);
  step('write actors, events, participations');

  // The row's id names its source and event; an actor's dataset id names it (stored ones keep theirs).
  const ids = await sql.unsafe(`
    insert into external_ids (scheme, value, actor_id, event_id, source_id, recorded_by)
    select b.scheme::external_id_scheme, b.value, null::integer, null::integer, si.id, $1 from ds_sources b join ds_source_ids si using (n)
    union all
    select e.scheme::external_id_scheme, e.value, null, ev.id, null, $1 from ds_events e join ds_event_ids ev using (slug)
    union all
    select a.scheme::external_id_scheme, a.value, a.id, null, null, $1 from ds_actor_ids a where a.scheme is not null
    on conflict do nothing`, [recordedBy]);
  step('write external ids');
  const created = fresh + places + claims + citations + actors.count + events.length + participations.count + ids.count;
  return { created, unchanged, differing, createdEventIds: events.map((e) => e.id) };
}
