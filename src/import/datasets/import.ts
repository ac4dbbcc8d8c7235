/**
 * `npm run import -- --format ucdp-ged|acled|gtd FILE.csv`: a dataset's CSV, every row a
 * dataset-record source and the claims drawn from it, through the set-based loader
 * (src/domain/bulk/dataset.ts) in one transaction. A file with any bad row is refused whole, each
 * bad row named by its line; importing the same file again changes nothing. A row whose record is
 * stored with another text (a later version of the dataset) is left as stored and named by its line.
 */
import { basename } from 'node:path';
import type { Database } from '../../db/client.ts';
import { loadDatasetRecords, type DatasetRecord } from '../../domain/bulk/dataset.ts';
import type { BulkSql } from '../../domain/bulk/load.ts';
import { CsvSyntaxError, readCsvFile } from '../csv.ts';
import type { ImportOptions, ImportReport } from '../import.ts';
import { DATASET_FORMATS } from './formats.ts';
import { DatasetRow } from './rows.ts';

class Refusal extends Error {
  constructor(readonly problems: string[], readonly rows: number) {
    super('refused');
  }
}

class DryRun extends Error {
  constructor(readonly created: number, readonly unchanged: number, readonly differing: string[]) {
    super('dry run');
  }
}

export const DATASET_FORMAT_NAMES = Object.keys(DATASET_FORMATS);

export async function importDataset(db: Database, path: string, formatName: string, options: ImportOptions = {}): Promise<ImportReport> {
  const file = basename(path);
  const dryRun = options.dryRun ?? false;
  const refuse = (problems: string[], refused: number): ImportReport => ({ file, dryRun, ok: false, problems, created: 0, unchanged: 0, differing: [], refused, createdEventIds: [] });
  const format = DATASET_FORMATS[formatName];
  if (!format) return refuse([`--format ${formatName}: not a dataset format (${DATASET_FORMAT_NAMES.join(', ')})`], 0);
  const principal = `import:${file}`;
  const problems: string[] = [];
  let rows = 0;

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
        // A bad row anywhere refuses the file: stop staging, keep reading for the other problems.
        if (problems.length === 0) yield record;
      }
    } catch (error) {
      if (error instanceof CsvSyntaxError) throw new Refusal([error.message], rows);
      throw error;
    }
    if (columns === null) throw new Refusal(['the file is empty (expected a header line)'], 0);
  }

  try {
    const result = await db.$client.begin(async (tx) => {
      const loaded = await loadDatasetRecords(tx as BulkSql, principal, records(), {
        ...(options.onStep ? { onStep: options.onStep } : {}),
        ...(options.onProgress ? { onProgress: (done: number) => options.onProgress?.(done, done) } : {}),
        ...(options.partRows ? { partRows: options.partRows } : {}),
      });
      if (problems.length > 0) throw new Refusal(problems, rows);
      if (!dryRun && loaded.created > 0) {
        const details = { file, format: format.name, created: loaded.created, unchanged: loaded.unchanged, differing: loaded.differing.length, events: loaded.createdEventIds.length };
        await tx`insert into audit_log (principal, operation, details) values (${principal}, 'import', ${JSON.stringify(details)}::jsonb)`;
      }
      if (dryRun) throw new DryRun(loaded.created, loaded.unchanged, loaded.differing.map((line) => `line ${line}`));
      const started = performance.now();
      await tx`set constraints all immediate`;
      options.onStep?.('deferred checks (every claim cited)', performance.now() - started);
      return loaded;
    });
    return { file, dryRun, ok: true, problems: [], created: result.created, unchanged: result.unchanged, differing: result.differing.map((line) => `line ${line}`), refused: 0, createdEventIds: result.createdEventIds };
  } catch (error) {
    if (error instanceof DryRun) return { file, dryRun, ok: true, problems: [], created: error.created, unchanged: error.unchanged, differing: error.differing, refused: 0, createdEventIds: [] };
    if (error instanceof Refusal) return refuse(error.problems, error.rows);
    throw error;
  }
}
