/**
 * Bulk import (`npm run import -- FILE`): a knowledge file in the seed's JSON format (one source
 * and everything drawn from it), or a CSV of events quoting a stored source. It reuses the seed
 * loader, so the write is one transaction, all or nothing, and re-importing changes nothing.
 * Unlike the seed, an import may refer to actors, places, doctrines and events already stored.
 * A dry run does the whole load inside a transaction and rolls it back: it reports every problem
 * and what a real run would create, and leaves the database as it was.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import type { KnowledgeFile } from '../domain/knowledge/format.ts';
import { checkKnowledgeFile, filePrincipal, KnowledgeFileError, writeKnowledgeFile, type KnownSlugs } from '../domain/knowledge/load.ts';
import { sha256Hex } from '../domain/sources/sources.ts';
import { eventKindValues, participationRoleValues } from '../domain/vocabulary.ts';
import { auditLog } from '../db/schema.ts';
import { CsvSyntaxError, parseCsv, type CsvRecord } from './csv.ts';
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
  /** Records in the file that were not written because the file was refused. */
  refused: number;
  createdEventIds: number[];
}

export interface ImportOptions {
  dryRun?: boolean;
  onProgress?: (done: number, total: number) => void;
}

class DryRunRollback extends Error {}

interface Prepared {
  raw: unknown;
  text: string;
  /** Turns `events[3]`-style paths into the CSV line they came from. */
  locate: (problem: string) => string;
}

function lineOf(text: string, position: number): number {
  return text.slice(0, position).split('\n').length;
}

async function prepareJson(path: string, content: string): Promise<Prepared> {
  let raw: unknown;
  try {
    raw = JSON.parse(content);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message)?.[1];
    throw new KnowledgeFileError(basename(path), [`${position ? `line ${lineOf(content, Number(position))}: ` : ''}not valid JSON (${message})`]);
  }
  const textFile = (raw as { source?: { textFile?: unknown } } | null)?.source?.textFile;
  if (typeof textFile !== 'string') throw new KnowledgeFileError(basename(path), ['source.textFile: missing']);
  // Beside the knowledge file, or in ../sources/ as in seed/.
  const candidates = [join(dirname(path), textFile), join(dirname(path), '..', 'sources', textFile)];
  for (const candidate of candidates) {
    const text = await readFile(candidate, 'utf8').catch(() => null);
    if (text !== null) return { raw, text, locate: (p) => p };
  }
  throw new KnowledgeFileError(basename(path), [`source.textFile: ${textFile} not found beside the file or in ../sources/`]);
}

const CSV_REQUIRED = ['source', 'slug', 'title', 'kind', 'date_precision', 'confidence', 'quote'] as const;
const CSV_OPTIONAL = [
  'description', 'date_text', 'date_earliest', 'date_latest', 'place', 'killed_min', 'killed_max', 'killed_text',
  'wounded_min', 'wounded_max', 'wounded_text', 'note', 'occurrence', 'actor', 'role', 'attributed_by',
] as const;

/** A CSV of events (one per row) becomes a knowledge file about the stored source the rows quote. */
async function prepareCsv(db: Database, path: string, content: string): Promise<Prepared> {
  const name = basename(path);
  let records: CsvRecord[];
  try {
    records = parseCsv(content);
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new KnowledgeFileError(name, [error.message]);
    throw error;
  }
  const [header, ...rows] = records;
  if (!header) throw new KnowledgeFileError(name, ['the file is empty (expected a header line)']);
  const columns = header.fields.map((f) => f.trim());
  const missing = CSV_REQUIRED.filter((c) => !columns.includes(c));
  const unknown = columns.filter((c) => !(CSV_REQUIRED as readonly string[]).includes(c) && !(CSV_OPTIONAL as readonly string[]).includes(c));
  const headerProblems = [
    ...missing.map((c) => `line 1: missing column "${c}"`),
    ...unknown.map((c) => `line 1: unknown column "${c}"`),
  ];
  if (headerProblems.length > 0) throw new KnowledgeFileError(name, headerProblems);

  const problems: string[] = [];
  const cell = (row: CsvRecord, column: string): string | null => {
    const value = row.fields[columns.indexOf(column)]?.trim() ?? '';
    return value === '' ? null : value;
  };
  const int = (row: CsvRecord, column: string): number | null => {
    const value = cell(row, column);
    if (value === null) return null;
    if (!/^-?\d+$/.test(value)) {
      problems.push(`line ${row.line}: ${column} must be a whole number, got "${value}"`);
      return null;
    }
    return Number(value);
  };
  const sourceSlugs = new Set(rows.map((r) => cell(r, 'source')));
  if (sourceSlugs.size > 1) problems.push(`every row must quote the same source (one CSV per source), found ${[...sourceSlugs].join(', ')}`);
  const sourceSlug = [...sourceSlugs][0] ?? null;
  if (!sourceSlug) throw new KnowledgeFileError(name, [...problems, 'line 2: source is empty (the slug of a stored source)']);
  const [source] = await db.execute<{
    title: string | null; publisher: string; author: string | null; url: string | null; text: string; text_sha256: string;
    published_text: string | null; published_earliest: string | null; published_latest: string | null; published_precision: 'DAY' | 'MONTH' | 'YEAR' | 'RANGE' | null;
  }>(sql`select title, publisher, author, url, text, text_sha256, published_text, published_earliest::text, published_latest::text, published_precision from sources where slug = ${sourceSlug}`);
  if (!source) throw new KnowledgeFileError(name, [...problems, `source "${sourceSlug}" is not stored: add it first (addSource, or a JSON import)`]);

  const eventLines: number[] = [];
  const participationLines: number[] = [];
  const events: unknown[] = [];
  const participations: unknown[] = [];
  for (const row of rows) {
    if (row.fields.length !== columns.length) {
      problems.push(`line ${row.line}: ${row.fields.length} fields, the header has ${columns.length}`);
      continue;
    }
    const kind = cell(row, 'kind');
    if (kind !== null && !(eventKindValues as readonly string[]).includes(kind)) problems.push(`line ${row.line}: kind "${kind}" is not one of ${eventKindValues.join(', ')}`);
    const casualties = (prefix: 'killed' | 'wounded') => {
      const min = int(row, `${prefix}_min`);
      return min === null ? null : { min, max: int(row, `${prefix}_max`), text: cell(row, `${prefix}_text`) ?? String(min) };
    };
    const quote = cell(row, 'quote');
    const occurrence = int(row, 'occurrence');
    const quotes = quote === null ? [] : [occurrence === null ? quote : { text: quote, occurrence }];
    const confidence = int(row, 'confidence');
    events.push({
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
    });
    eventLines.push(row.line);
    const actor = cell(row, 'actor');
    const role = cell(row, 'role');
    if (actor !== null || role !== null) {
      if (role !== null && !(participationRoleValues as readonly string[]).includes(role)) problems.push(`line ${row.line}: role "${role}" is not one of ${participationRoleValues.join(', ')}`);
      participations.push({ event: cell(row, 'slug'), actor, role, attributedBy: cell(row, 'attributed_by'), confidence, quotes });
      participationLines.push(row.line);
    }
  }
  if (problems.length > 0) throw new KnowledgeFileError(name, problems);
  const raw = {
    source: {
      slug: sourceSlug,
      title: source.title,
      publisher: source.publisher,
      author: source.author,
      url: source.url,
      published: source.published_precision
        ? { text: source.published_text, earliest: source.published_earliest, latest: source.published_latest, precision: source.published_precision }
        : { text: null, earliest: null, latest: null, precision: 'RANGE' },
      textFile: '(stored)',
      sha256: source.text_sha256,
    },
    places: [],
    doctrines: [],
    actors: [],
    events,
    adherences: [],
    relationships: [],
    participations,
  };
  const locate = (problem: string) =>
    problem.replace(/^(events|participations)\[(\d+)\]/, (match, list: string, index: string) => {
      const line = (list === 'events' ? eventLines : participationLines)[Number(index)];
      return line === undefined ? match : `line ${line} (${match})`;
    });
  return { raw, text: source.text, locate };
}

async function knownSlugs(db: Database): Promise<KnownSlugs> {
  const slugs = async (table: string) =>
    new Set((await db.execute<{ slug: string }>(sql`select slug from ${sql.identifier(table)}`)).map((r) => r.slug));
  return { place: await slugs('places'), doctrine: await slugs('doctrines'), actor: await slugs('actors'), event: await slugs('events') };
}

/**
 * Problems only the database can show: a stored source with the same slug but another text, and
 * records the file defines that exist already but were not loaded from a knowledge file (added
 * through the API): the file must refer to those, not define them again.
 */
async function databaseProblems(db: Database, file: KnowledgeFile): Promise<string[]> {
  const problems: string[] = [];
  const [stored] = await db.execute<{ text_sha256: string }>(sql`select text_sha256 from sources where slug = ${file.source.slug}`);
  if (stored && stored.text_sha256 !== file.source.sha256) {
    problems.push(`source: "${file.source.slug}" is stored with another text (sha256 ${stored.text_sha256}); its citations would no longer match`);
  }
  const defined = [
    ['actors', 'actor', file.actors],
    ['doctrines', 'doctrine', file.doctrines],
    ['events', 'event', file.events],
  ] as const;
  for (const [table, kind, list] of defined) {
    if (list.length === 0) continue;
    const rows = await db.execute<{ slug: string }>(sql`
      select t.slug from ${sql.identifier(table)} t join claims c on c.id = t.claim_id
       where t.slug = any(${sql.param(list.map((x) => x.slug))}::text[]) and c.key is distinct from ${`${kind}:`} || t.slug`);
    const clash = new Set(rows.map((r) => r.slug));
    list.forEach((item, i) => {
      if (clash.has(item.slug)) problems.push(`${table}[${i}]: ${kind} "${item.slug}" exists already (added through the API); refer to it instead of defining it`);
    });
  }
  return problems;
}

function recordCount(raw: unknown): number {
  if (raw === null || typeof raw !== 'object') return 0;
  let n = 1; // the source
  for (const list of ['places', 'doctrines', 'actors', 'events', 'adherences', 'relationships', 'participations']) {
    const value = (raw as Record<string, unknown>)[list];
    if (Array.isArray(value)) n += value.length;
  }
  return n;
}

function isStixBundle(content: string): boolean {
  try {
    return (JSON.parse(content) as { type?: unknown } | null)?.type === 'bundle';
  } catch {
    return false;
  }
}

export async function importFile(db: Database, path: string, options: ImportOptions = {}): Promise<ImportReport> {
  const name = basename(path);
  const dryRun = options.dryRun ?? false;
  const refuse = (problems: string[], records: number): ImportReport => ({
    file: name, dryRun, ok: false, problems, created: 0, unchanged: 0, refused: records, createdEventIds: [],
  });
  const content = await readFile(path, 'utf8').catch(() => null);
  if (content === null) return refuse([`cannot read ${path}`], 0);

  // A STIX 2.1 bundle from /export/stix is a .json too: its own importer (src/import/stix.ts).
  if (extname(path).toLowerCase() === '.json' && isStixBundle(content)) {
    const report = await importStixBundle(db, name, JSON.parse(content), { dryRun });
    return { file: name, dryRun, ok: report.ok, problems: report.problems, created: report.created, unchanged: report.unchanged, refused: report.ok ? 0 : 1, createdEventIds: report.createdEventIds };
  }

  let prepared: Prepared;
  try {
    const extension = extname(path).toLowerCase();
    if (extension === '.json') prepared = await prepareJson(path, content);
    else if (extension === '.csv') prepared = await prepareCsv(db, path, content);
    else return refuse([`${name}: expected a .json knowledge file or a .csv of events`], 0);
  } catch (error) {
    if (error instanceof KnowledgeFileError) return refuse(error.problems, 0);
    throw error;
  }
  const records = recordCount(prepared.raw);
  const known = await knownSlugs(db);
  const problems: string[] = [];
  try {
    const { file } = checkKnowledgeFile(name, prepared.raw, prepared.text, known);
    problems.push(...(await databaseProblems(db, file)));
  } catch (error) {
    if (!(error instanceof KnowledgeFileError)) throw error;
    problems.push(...error.problems);
  }
  // Checking the file does not stop at the first problem: all of them are reported, then nothing is written.
  if (problems.length > 0) return refuse(problems.map(prepared.locate), records);

  const principal = filePrincipal(`import:${name}`);
  try {
    const summary = await db.transaction(async (tx) => {
      const s = await writeKnowledgeFile(tx, principal, { fileName: name, raw: prepared.raw, sourceText: prepared.text, known, onProgress: options.onProgress });
      // Only a write that changed something is a write worth an audit entry.
      if (!dryRun && s.created > 0) {
        await tx.insert(auditLog).values({
          principal: principal.name,
          operation: 'import',
          details: { file: name, sha256: sha256Hex(content), created: s.created, unchanged: s.unchanged, events: s.createdEventIds.length },
        });
      }
      if (dryRun) throw new DryRunRollback(JSON.stringify(s));
      return s;
    });
    return { file: name, dryRun, ok: true, problems: [], created: summary.created, unchanged: summary.unchanged, refused: 0, createdEventIds: summary.createdEventIds };
  } catch (error) {
    if (error instanceof DryRunRollback) {
      const s = JSON.parse(error.message) as { created: number; unchanged: number };
      return { file: name, dryRun, ok: true, problems: [], created: s.created, unchanged: s.unchanged, refused: 0, createdEventIds: [] };
    }
    if (error instanceof KnowledgeFileError) return refuse(error.problems.map(prepared.locate), records);
    throw error;
  }
}
