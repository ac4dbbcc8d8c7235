/**
 * `npm run import -- --format ucdp-ged|acled|gtd FILE.csv`: a dataset's CSV, every row a
 * dataset-record source and the claims drawn from it, through the set-based loader
 * (src/domain/bulk/dataset.ts) in one transaction. A file with any bad row is refused whole, each
 * bad row named by its line; importing the same file again changes nothing. A row whose record is
 * stored with another text (a later version of the dataset) is left as stored and named by its line,
 * or with `applyCorrections` applied as a correction (src/domain/bulk/dataset-corrections.ts).
 */
import { basename } from 'node:path';
import { transactionAsTx, type Database } from '../../db/client.ts';
import { applyDatasetCorrections, type DatasetCorrection } from '../../domain/bulk/dataset-corrections.ts';
import { absentDatasetRecords, loadDatasetRecords, type DatasetRecord } from '../../domain/bulk/dataset.ts';
import { UserError } from '../../domain/errors.ts';
import type { BulkSql } from '../../domain/bulk/load.ts';
import { CsvSyntaxError, readCsvFile } from '../csv.ts';
import type { AbsentRecordsReport, ImportOptions, ImportReport } from '../import.ts';
import { DATASET_FORMATS } from './formats.ts';
import { DatasetRow } from './rows.ts';

class Refusal extends Error {
  constructor(readonly problems: string[], readonly rows: number) {
    super('refused');
  }
}

class DryRun extends Error {
  constructor(readonly created: number, readonly unchanged: number, readonly differing: string[], readonly corrected: string[], readonly absent: AbsentRecordsReport | undefined) {
    super('dry run');
  }
}

/** Absent records named in a report; its count says how many there are in all. */
export const ABSENT_SHOWN = 20;

/** A correction in the report's words: its line, where its text is stored, and what it changed. */
function describeCorrection(c: DatasetCorrection): string {
  const did = [
    c.event === null ? 'no event is stored under its id' : c.changed.length > 0 ? `event "${c.event}": ${c.changed.join(', ')}` : null,
    c.added.length > 0 ? `participation added: ${c.added.join(', ')}` : null,
    c.retracted.length > 0 ? `participation retracted: ${c.retracted.join(', ')}` : null,
  ].filter((d) => d !== null);
  if (c.remapped) return `line ${c.line}: mapped again (source "${c.source}"); ${did.join('; ')}`;
  return `line ${c.line}: stored as source "${c.source}"; ${did.length > 0 ? did.join('; ') : 'nothing else it maps changed'}`;
}

export const DATASET_FORMAT_NAMES = Object.keys(DATASET_FORMATS);

export async function importDataset(db: Database, path: string, formatName: string, options: ImportOptions = {}): Promise<ImportReport> {
  const file = basename(path);
  const dryRun = options.dryRun ?? false;
  const remap = options.remap ?? false;
  const applyCorrections = (options.applyCorrections ?? false) || remap;
  const refuse = (problems: string[], refused: number): ImportReport => ({ file, dryRun, ok: false, problems, created: 0, unchanged: 0, differing: [], corrected: [], refused, createdEventIds: [] });
  const format = DATASET_FORMATS[formatName];
  if (!format) return refuse([`--format ${formatName}: not a dataset format (${DATASET_FORMAT_NAMES.join(', ')})`], 0);
  const principal = `import:${file}`;
  const problems: string[] = [];
  let rows = 0;
  const reportAbsent = options.reportAbsent ?? false;
  // With reportAbsent, what the file covers: its rows' countries (slug → name) and the span of their dates.
  const countries = new Map<string, string>();
  let earliest: string | null = null;
  let latest: string | null = null;
  const cover = (record: DatasetRecord) => {
    for (const p of record.places) if (p.kind === 'COUNTRY') countries.set(p.slug, p.name);
    const { earliest: from, latest: to } = record.event.date;
    if (from !== null && (earliest === null || from < earliest)) earliest = from;
    if (to !== null && (latest === null || to > latest)) latest = to;
  };

  async function* records(): AsyncGenerator<DatasetRecord> {
    let columns: string[] | null = null;
    const seen = new Map<string, number>();
    try {
      for await (const csv of readCsvFile(path)) {
        if (columns === null) {
          columns = csv.fields.map((f) => f.trim());
          const missing = format!.required.filter((c) => !columns!.includes(c));
          if (missing.length > 0) throw new Refusal(missing.map((c) => `line ${csv.line}: missing column "${c}" (a ${format!.name} file has ${format!.required.join(', ')})`), 0);
          continue;
        }
        rows++;
        if (csv.fields.length !== columns.length) {
          problems.push(`line ${csv.line}: ${csv.fields.length} fields, the header has ${columns.length}`);
          continue;
        }
        const row = new DatasetRow(csv.line, columns, csv.fields);
        const record = format!.map(row);
        if (!record) {
          problems.push(...row.problems);
          continue;
        }
        const first = seen.get(record.source.slug);
        if (first !== undefined) {
          problems.push(`line ${csv.line}: ${record.source.externalId.scheme} ${record.source.externalId.value} repeats line ${first}`);
          continue;
        }
        seen.set(record.source.slug, csv.line);
        if (reportAbsent) cover(record);
        // A bad row anywhere refuses the file: stop staging, keep reading for the other problems.
        if (problems.length === 0) yield record;
      }
    } catch (error) {
      if (error instanceof CsvSyntaxError) throw new Refusal([...problems, error.message], rows);
      throw error;
    }
    if (columns === null) throw new Refusal(['the file is empty (expected a header line)'], 0);
  }

  /** The stored records of the file's coverage it lacks, from the ids the loader kept. */
  async function absentReport(sql: BulkSql): Promise<AbsentRecordsReport> {
    const started = performance.now();
    const coverage = { countries: [...countries.keys()], earliest, latest };
    const found = await absentDatasetRecords(sql, format!.dataset, format!.eventScheme, coverage, ABSENT_SHOWN);
    options.onStep?.('find stored records the file lacks', performance.now() - started);
    return { countries: [...countries.values()], earliest, latest, ...found };
  }

  try {
    const result = await db.$client.begin(async (tx) => {
      // With applyCorrections, each part's differing rows are applied once the part is written.
      const corrections: DatasetCorrection[] = [];
      const correct = async (differing: DatasetRecord[]) => {
        try {
          corrections.push(...(await applyDatasetCorrections(transactionAsTx(tx as BulkSql), { name: principal, role: 'analyst', tokenId: null }, differing, file)));
        } catch (error) {
          if (error instanceof UserError) throw new Refusal([error.message], rows);
          throw error;
        }
      };
      const loaded = await loadDatasetRecords(tx as BulkSql, principal, records(), {
        ...(options.onStep ? { onStep: options.onStep } : {}),
        ...(options.onProgress ? { onProgress: (done: number) => options.onProgress?.(done, done) } : {}),
        ...(options.partRows ? { partRows: options.partRows } : {}),
        ...(applyCorrections ? { onDiffering: correct, remapStored: remap } : {}),
        ...(reportAbsent ? { keepRecordIds: true } : {}),
      });
      if (problems.length > 0) throw new Refusal(problems, rows);
      // In the transaction: the file's ids are kept in a temporary table that ends with it (a dry run's too).
      const absent = reportAbsent ? await absentReport(tx as BulkSql) : undefined;
      // Applied corrections are no longer rows left as stored.
      const differing = applyCorrections ? [] : loaded.differing.map((line) => `line ${line}`);
      const corrected = corrections.map(describeCorrection);
      if (!dryRun && (loaded.created > 0 || corrections.length > 0)) {
        const details = { file, format: format.name, created: loaded.created, unchanged: loaded.unchanged, differing: differing.length, corrected: corrections.length, events: loaded.createdEventIds.length };
        await tx`insert into audit_log (principal, operation, details) values (${principal}, 'import', ${JSON.stringify(details)}::jsonb)`;
      }
      if (dryRun) throw new DryRun(loaded.created, loaded.unchanged, differing, corrected, absent);
      const started = performance.now();
      await tx`set constraints all immediate`;
      options.onStep?.('deferred checks (every claim cited)', performance.now() - started);
      return { ...loaded, differing, corrected, absent };
    });
    return {
      file, dryRun, ok: true, problems: [], created: result.created, unchanged: result.unchanged, differing: result.differing, corrected: result.corrected, refused: 0,
      createdEventIds: result.createdEventIds, ...(result.absent ? { absent: result.absent } : {}),
    };
  } catch (error) {
    if (error instanceof DryRun) {
      return {
        file, dryRun, ok: true, problems: [], created: error.created, unchanged: error.unchanged, differing: error.differing, corrected: error.corrected, refused: 0,
        createdEventIds: [], ...(error.absent ? { absent: error.absent } : {}),
      };
    }
    if (error instanceof Refusal) return refuse(error.problems, error.rows);
    throw error;
  }
}
