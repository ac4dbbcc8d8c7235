/**
 * Bulk import (`npm run import -- FILE`): a knowledge file in the seed's JSON format (one source
 * and everything drawn from it), or a CSV of events quoting a stored source. Both are streamed
 * into the set-based bulk loader (src/domain/bulk/load.ts), in one transaction: all or nothing,
 * and re-importing changes nothing.
 * Unlike the seed, an import may refer to actors, places, doctrines and events already stored.
 * A dry run does the whole load inside a transaction and rolls it back: it reports every problem
 * and what a real run would create, and leaves the database as it was.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, constants, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { sql } from 'drizzle-orm';
import { eventKindValues, participationRoleValues } from '../domain/vocabulary.ts';
import { TEXT_LIMITS, textProblem } from '../domain/limits.ts';
import { transactionAsTx, type Database } from '../db/client.ts';
import { applyKnowledgeCorrections, type DifferingRecord, type KnowledgeCorrection } from '../domain/bulk/knowledge-corrections.ts';
import { ValidationError } from '../domain/errors.ts';
import { KnowledgeFileSyntaxError, readFirstTopLevel, readKnowledgeRecords, type KnowledgeRecord } from '../domain/bulk/knowledge-file.ts';
import { loadKnowledge, type BulkLoadInput, type BulkLoadResult, type BulkSql, type DifferingEntity } from '../domain/bulk/load.ts';
import { CsvSyntaxError, readCsvFile, type CsvRecord } from './csv.ts';
import { importStixBundle } from './stix.ts';

export interface ImportReport {
  file: string;
  dryRun: boolean;
  /** False when the file was refused: then nothing was written. */
  ok: boolean;
  /** Every problem found, each naming its place (JSON path, or CSV line). */
  problems: string[];
  created: number;
  unchanged: number;
  /**
   * Records counted in `unchanged` although what is stored under their id differs from the file
   * (a later version of the file corrected them, or the stored record was edited since): left as
   * stored, each named by its place (a dataset's `line 3`, a knowledge file's `events[2] "slug"`).
   */
  differing: string[];
  /**
   * With `applyCorrections`: the records applied as corrections of what is stored, each named by
   * its place with what it changed (a dataset's rows: src/domain/bulk/dataset-corrections.ts; a
   * knowledge file's places, actors and events: src/domain/bulk/knowledge-corrections.ts).
   */
  corrected: string[];
  /** Records in the file that were not written because the file was refused. */
  refused: number;
  createdEventIds: number[];
  /**
   * With `reportAbsent` (dataset imports that are not refused): the stored records of the file's
   * coverage that it lacks (src/domain/bulk/dataset.ts, absentDatasetRecords). A report only.
   */
  absent?: AbsentRecordsReport;
}

/** Stored records of the dataset that the file does not contain, within what the file covers. */
export interface AbsentRecordsReport {
  /** The file's coverage: the countries its rows name (by name), and its rows' earliest and latest day. */
  countries: string[];
  earliest: string | null;
  latest: string | null;
  /** How many stored records of that coverage the file lacks. */
  count: number;
  /** The first of them by date (at most ABSENT_SHOWN), each `UCDP GED 244657 (event "ucdp-ged-244657")`. */
  records: string[];
}

export interface ImportOptions {
  dryRun?: boolean;
  onProgress?: (done: number, total: number) => void;
  /** Called with the time each step of the load took, ms. */
  onStep?: (step: string, ms: number) => void;
  /** Records (knowledge files) or dataset rows the loader stages per part (src/domain/bulk); tests make parts small. */
  partRows?: number;
  /** Apply the records that differ from what is stored under their id as corrections, rather than only name them. */
  applyCorrections?: boolean;
  /**
   * Dataset imports: also map every stored row again, text changed or not, and apply what this
   * version of the importer derives otherwise (a kind or role an earlier version did not give) as
   * cited corrections; implies applyCorrections.
   */
  remap?: boolean;
  /**
   * Dataset imports: report the stored records of the same dataset, in the countries the file's rows
   * name and within their dates, that the file does not contain (a later release dropped them).
   */
  reportAbsent?: boolean;
}

class Refusal extends Error {
  constructor(readonly problems: string[], readonly records: number) {
    super('refused');
  }
}

/** What a file is loaded from: its source, the source's text and its records, streamed. */
interface Prepared {
  source: unknown;
  text: string;
  records: AsyncIterable<KnowledgeRecord>;
  /** Problems of the file as a whole, complete once the records are read. */
  fileProblems: () => string[];
  /** Estimated records in all, from what has been read so far. */
  estimateTotal: (done: number) => number;
}

async function prepareJson(path: string, source: unknown): Promise<Prepared> {
  const textFile = (source as { textFile?: unknown } | null)?.textFile;
  if (typeof textFile !== 'string') throw new Refusal(['source.textFile: missing'], 0);
  // Beside the knowledge file, or in ../sources/ as in seed/.
  const candidates = [join(dirname(path), textFile), join(dirname(path), '..', 'sources', textFile)];
  for (const candidate of candidates) {
    const text = await readFile(candidate, 'utf8').catch(() => null);
    if (text === null) continue;
    // Stored verbatim or refused, as through the API (a NUL cannot be stored at all).
    const problem = textProblem(text, TEXT_LIMITS.sourceTextFile);
    if (problem) throw new Refusal([`source.textFile: ${textFile} ${problem}`], 0);
    const file = await readKnowledgeRecords(path);
    return {
      source,
      text,
      records: file.records,
      fileProblems: () => file.topLevelProblems,
      estimateTotal: (done) => Math.round(done / Math.max(file.fractionRead(), 1e-6)),
    };
  }
  throw new Refusal([`source.textFile: ${textFile} not found beside the file or in ../sources/`], 0);
}

const CSV_REQUIRED = ['source', 'slug', 'title', 'kind', 'date_precision', 'confidence', 'quote'] as const;
const CSV_OPTIONAL = [
  'description', 'date_text', 'date_earliest', 'date_latest', 'place', 'killed_min', 'killed_max', 'killed_text',
  'wounded_min', 'wounded_max', 'wounded_text', 'killed_best', 'killed_parts', 'wounded_best', 'wounded_parts',
  'note', 'occurrence', 'actor', 'role', 'attributed_by', 'side',
] as const;

type StoredSource = {
  title: string | null; publisher: string; author: string | null; url: string | null; text: string; text_sha256: string;
  published_text: string | null; published_earliest: string | null; published_latest: string | null; published_precision: 'DAY' | 'MONTH' | 'YEAR' | 'RANGE' | null;
};

/**
 * A CSV of events (one per row) is loaded as a knowledge file about the stored source the rows
 * quote: each row an event record, and a participation record when it names an actor or role.
 */
async function prepareCsv(db: Database, path: string): Promise<Prepared> {
  const rows = readCsvFile(path)[Symbol.asyncIterator]();
  const next = async () => {
    try {
      return await rows.next();
    } catch (error) {
      if (error instanceof CsvSyntaxError) throw new Refusal([error.message], 0);
      throw error;
    }
  };
  const first = await next();
  if (first.done) throw new Refusal(['the file is empty (expected a header line)'], 0);
  const columns = first.value.fields.map((f) => f.trim());
  const missing = CSV_REQUIRED.filter((c) => !columns.includes(c));
  const unknown = columns.filter((c) => !(CSV_REQUIRED as readonly string[]).includes(c) && !(CSV_OPTIONAL as readonly string[]).includes(c));
  const headerProblems = [...missing.map((c) => `line 1: missing column "${c}"`), ...unknown.map((c) => `line 1: unknown column "${c}"`)];
  if (headerProblems.length > 0) throw new Refusal(headerProblems, 0);
  const index = new Map(columns.map((c, i) => [c, i]));
  const cell = (row: CsvRecord, column: string): string | null => {
    const i = index.get(column);
    const value = i === undefined ? '' : (row.fields[i]?.trim() ?? '');
    return value === '' ? null : value;
  };
  const secondRow = await next();
  // A header alone is no row 2 to blame: say so rather than name a line the file does not have.
  if (secondRow.done) throw new Refusal(['the file has a header line but no rows (expected one event per line after it)'], 0);
  const sourceSlug = cell(secondRow.value, 'source');
  if (!sourceSlug) throw new Refusal([`line ${secondRow.value.line}: source is empty (the slug of a stored source)`], 0);
  const [stored] = await db.execute<StoredSource>(sql`
    select title, publisher, author, url, text, text_sha256, published_text, published_earliest::text, published_latest::text, published_precision
      from sources where slug = ${sourceSlug}`);
  if (!stored) throw new Refusal([`source "${sourceSlug}" is not stored: add it first (addSource, or a JSON import)`], 0);

  const problems: string[] = [];
  const otherSources = new Set<string>();
  let events = 0;
  let participations = 0;
  let bytesPerRow = 0;
  async function* records(): AsyncGenerator<KnowledgeRecord> {
    let current: IteratorResult<CsvRecord> = secondRow;
    for (; !current.done; current = await next()) {
      const row = current.value;
      const rowProblems: string[] = [];
      const int = (column: string): number | null => {
        const value = cell(row, column);
        if (value === null) return null;
        if (!/^-?\d+$/.test(value)) {
          rowProblems.push(`line ${row.line}: ${column} must be a whole number, got "${value}"`);
          return null;
        }
        return Number(value);
      };
      bytesPerRow = Math.max(bytesPerRow, row.fields.reduce((n, f) => n + f.length + 1, 0));
      if (row.fields.length !== columns.length) {
        problems.push(`line ${row.line}: ${row.fields.length} fields, the header has ${columns.length}`);
        continue;
      }
      const source = cell(row, 'source');
      if (source !== sourceSlug && source !== null && !otherSources.has(source)) {
        otherSources.add(source);
        rowProblems.push(`line ${row.line}: every row must quote the same source (one CSV per source), found "${source}" after "${sourceSlug}"`);
      }
      const kind = cell(row, 'kind');
      if (kind !== null && !(eventKindValues as readonly string[]).includes(kind)) rowProblems.push(`line ${row.line}: kind "${kind}" is not one of ${eventKindValues.join(', ')}`);
      // A figure's parts are JSON in their cell, as /export/events.csv writes them ([{category, low, best, high, text}]).
      const parts = (prefix: 'killed' | 'wounded'): unknown => {
        const json = cell(row, `${prefix}_parts`);
        if (json === null) return undefined;
        try {
          return JSON.parse(json);
        } catch {
          rowProblems.push(`line ${row.line}: ${prefix}_parts is not JSON (a list of {category, low, best, high, text})`);
          return undefined;
        }
      };
      const casualties = (prefix: 'killed' | 'wounded') => {
        const min = int(`${prefix}_min`);
        const given = parts(prefix);
        if (min === null && given === undefined) return null;
        return {
          ...(min === null ? {} : { min, max: int(`${prefix}_max`) }),
          best: int(`${prefix}_best`),
          text: cell(row, `${prefix}_text`) ?? String(min ?? ''),
          ...(given === undefined || (Array.isArray(given) && given.length === 0) ? {} : { parts: given }),
        };
      };
      const quote = cell(row, 'quote');
      const occurrence = int('occurrence');
      const quotes = quote === null ? [] : [occurrence === null ? quote : { text: quote, occurrence }];
      const confidence = int('confidence');
      const event = {
        slug: cell(row, 'slug'),
        title: cell(row, 'title'),
        kind,
        description: cell(row, 'description'),
        date: { text: cell(row, 'date_text'), earliest: cell(row, 'date_earliest'), latest: cell(row, 'date_latest'), precision: cell(row, 'date_precision') },
        place: cell(row, 'place'),
        killed: casualties('killed'),
        wounded: casualties('wounded'),
        confidence,
        note: cell(row, 'note'),
        quotes,
      };
      const actor = cell(row, 'actor');
      const role = cell(row, 'role');
      if (role !== null && !(participationRoleValues as readonly string[]).includes(role)) rowProblems.push(`line ${row.line}: role "${role}" is not one of ${participationRoleValues.join(', ')}`);
      // A row with problems of its own is reported as such, not checked further.
      if (rowProblems.length > 0) {
        problems.push(...rowProblems);
        continue;
      }
      yield { section: 'events', index: events, value: event, label: `line ${row.line} (events[${events}])` };
      events++;
      if (actor !== null || role !== null) {
        const participation = { event: cell(row, 'slug'), actor, role, attributedBy: cell(row, 'attributed_by'), side: cell(row, 'side'), confidence, quotes };
        yield { section: 'participations', index: participations, value: participation, label: `line ${row.line} (participations[${participations}])` };
        participations++;
      }
    }
  }
  const { size } = await stat(path);
  return {
    source: {
      slug: sourceSlug,
      title: stored.title,
      publisher: stored.publisher,
      author: stored.author,
      url: stored.url,
      published: stored.published_precision
        ? { text: stored.published_text, earliest: stored.published_earliest, latest: stored.published_latest, precision: stored.published_precision }
        : { text: null, earliest: null, latest: null, precision: 'RANGE' },
      textFile: '(stored)',
      sha256: stored.text_sha256,
    },
    text: stored.text,
    records: records(),
    fileProblems: () => problems,
    estimateTotal: (done) => (bytesPerRow === 0 ? done : Math.max(done, Math.round((size / bytesPerRow) * (done / Math.max(events, 1))))),
  };
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function importFile(db: Database, path: string, options: ImportOptions = {}): Promise<ImportReport> {
  const name = basename(path);
  const dryRun = options.dryRun ?? false;
  const refuse = (problems: string[], records: number): ImportReport => ({
    file: name, dryRun, ok: false, problems, created: 0, unchanged: 0, differing: [], corrected: [], refused: records, createdEventIds: [],
  });
  if (options.remap) {
    return refuse(['--remap applies to dataset imports (--format): a knowledge file says what it says, with no mapping to apply again'], 0);
  }
  if (options.reportAbsent) {
    return refuse(['--report-absent applies to dataset imports (--format): a knowledge file holds what one source says, not a release of records'], 0);
  }
  const readable = await access(path, constants.R_OK).then(() => true, () => false);
  if (!readable) return refuse([`cannot read ${path}`], 0);
  const extension = extname(path).toLowerCase();

  let prepared: Prepared;
  // The file's records again, for the corrections: read anew rather than held (a file may be large).
  let prepareAgain: () => Promise<Prepared>;
  try {
    if (extension === '.json') {
      const first = await readFirstTopLevel(path, ['type', 'source']);
      // A STIX 2.1 bundle from /export/stix is a .json too: its own importer (src/import/stix.ts).
      if (first?.key === 'type' && first.value === 'bundle') {
        if (options.applyCorrections) return refuse(['--apply-corrections applies to knowledge files and CSVs of events; a STIX bundle is another instance\'s knowledge, imported as it is'], 0);
        const report = await importStixBundle(db, name, parseBundle(await readFile(path, 'utf8')), { dryRun });
        return { file: name, dryRun, ok: report.ok, problems: report.problems, created: report.created, unchanged: report.unchanged, differing: [], corrected: [], refused: report.ok ? 0 : 1, createdEventIds: report.createdEventIds };
      }
      if (!first || first.key !== 'source') throw new Refusal(['source: missing'], 0);
      prepareAgain = () => prepareJson(path, first.value);
    } else if (extension === '.csv') prepareAgain = () => prepareCsv(db, path);
    else return refuse([`${name}: expected a .json knowledge file or a .csv of events`], 0);
    prepared = await prepareAgain();
  } catch (error) {
    if (error instanceof Refusal) return refuse(error.problems, error.records);
    if (error instanceof KnowledgeFileSyntaxError) return refuse([error.message], 0);
    throw error;
  }

  const principal = `import:${name}`;
  const input: BulkLoadInput = { name, source: prepared.source, text: prepared.text, records: prepared.records, refersToStored: true, fileProblems: prepared.fileProblems };
  const sha256 = dryRun ? null : await fileSha256(path);
  try {
    const result = await db.$client.begin(async (tx) => {
      const loaded: BulkLoadResult = await loadKnowledge(tx as BulkSql, principal, input, {
        estimateTotal: prepared.estimateTotal,
        ...(options.onStep ? { onStep: options.onStep } : {}),
        ...(options.partRows ? { partRows: options.partRows } : {}),
        ...(options.onProgress ? { onProgress: (done: number, total: number) => options.onProgress?.(done, total) } : {}),
      });
      if (!loaded.ok) throw new Refusal(loaded.problems, loaded.records);
      const corrected = options.applyCorrections && loaded.differingEntities.length > 0
        ? await applyCorrections(tx as BulkSql, principal, name, loaded.differingEntities, await prepareAgain())
        : [];
      // An applied record is no longer left as stored; one whose differences no service may change still is.
      const applied = corrected.filter((c) => c.changed.length > 0);
      const appliedLabels = new Set(applied.map((c) => `${c.label} "${c.slug}"`));
      const result = {
        ...loaded,
        differing: loaded.differing.filter((d) => !appliedLabels.has(d)),
        corrected: applied.map((c) => `${c.label} "${c.slug}": ${c.changed.join(', ')}`),
      };
      // Only a write that changed something is a write worth an audit entry.
      if (!dryRun && (loaded.created > 0 || result.corrected.length > 0)) {
        const details = { file: name, sha256, created: loaded.created, unchanged: loaded.unchanged, differing: result.differing.length, corrected: result.corrected.length, events: loaded.createdEventIds.length };
        await tx`insert into audit_log (principal, operation, details) values (${principal}, 'import', ${JSON.stringify(details)}::jsonb)`;
      }
      // A dry run does the whole load and then rolls it back.
      if (dryRun) throw new DryRun(loaded.created, loaded.unchanged, result.differing, result.corrected);
      // The deferred checks (every claim cited; the changes feed's commit position) run now, not at COMMIT, so their time is seen.
      const started = performance.now();
      await tx`set constraints all immediate`;
      options.onStep?.('deferred checks (every claim cited)', performance.now() - started);
      return result;
    });
    return { file: name, dryRun, ok: true, problems: [], created: result.created, unchanged: result.unchanged, differing: result.differing, corrected: result.corrected, refused: 0, createdEventIds: result.createdEventIds };
  } catch (error) {
    if (error instanceof DryRun) return { file: name, dryRun, ok: true, problems: [], created: error.created, unchanged: error.unchanged, differing: error.differing, corrected: error.corrected, refused: 0, createdEventIds: [] };
    if (error instanceof Refusal) return refuse(error.problems, error.records);
    if (error instanceof KnowledgeFileSyntaxError) return refuse([error.message], 0);
    throw error;
  }
}

/**
 * The stored places, actors and events the file gives otherwise, changed as it gives them
 * (src/domain/bulk/knowledge-corrections.ts): their records read from the file again.
 */
async function applyCorrections(tx: BulkSql, principal: string, file: string, entities: readonly DifferingEntity[], prepared: Prepared): Promise<KnowledgeCorrection[]> {
  const wanted = new Map(entities.map((e) => [`${e.section} ${e.slug}`, e]));
  const records: DifferingRecord[] = [];
  for await (const record of prepared.records) {
    if (record.section !== 'places' && record.section !== 'actors' && record.section !== 'events') continue;
    const slug = (record.value as { slug?: unknown } | null)?.slug;
    const entity = typeof slug === 'string' ? wanted.get(`${record.section} ${slug}`) : undefined;
    if (entity) records.push({ section: entity.section, label: entity.label, value: record.value });
  }
  const source = (prepared.source as { slug?: unknown } | null)?.slug;
  if (typeof source !== 'string') throw new Error('a knowledge file loaded without a source slug');
  try {
    return await applyKnowledgeCorrections(transactionAsTx(tx), { name: principal, role: 'analyst', tokenId: null }, source, file, records);
  } catch (error) {
    if (error instanceof ValidationError) throw new Refusal([error.message], 0);
    throw error;
  }
}

/** A STIX bundle's JSON: only its first key was read so far, so the rest may still be no JSON at all. */
function parseBundle(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new KnowledgeFileSyntaxError(`not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

class DryRun extends Error {
  constructor(readonly created: number, readonly unchanged: number, readonly differing: string[], readonly corrected: string[]) {
    super('dry run');
  }
}
