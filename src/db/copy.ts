/**
 * COPY … FROM STDIN in PostgreSQL's text format: the fastest way to move many rows into a table
 * (the synthetic-dataset generator and the bulk loader stage their rows this way).
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type postgres from 'postgres';

export type CopyCell = string | number | boolean | null | readonly string[];

const COPY_SPECIALS = /[\\\t\n\r]/;

/**
 * Text escaped for COPY. Most cells hold none of the four specials, and a test is cheaper than a
 * replace calling back per match: staging a dataset writes some ten million cells, many of them
 * quoted context spanning lines.
 */
function copyEscaped(text: string): string {
  if (!COPY_SPECIALS.test(text)) return text;
  // The backslash first, so that the escapes added after it are not doubled.
  return text.replaceAll('\\', '\\\\').replaceAll('\t', '\\t').replaceAll('\n', '\\n').replaceAll('\r', '\\r');
}

/** One value in COPY's text format: \N for null, arrays as array literals, specials escaped. */
export function copyCell(value: CopyCell): string {
  if (value === null) return '\\N';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object') return copyEscaped(`{${value.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`);
  return copyEscaped(value);
}

/** One row of COPY's text format (without the line end). */
export function copyLine(values: readonly CopyCell[]): string {
  return values.map(copyCell).join('\t');
}

function* joined(lines: readonly string[]): Generator<string> {
  for (let i = 0; i < lines.length; i += 5000) yield `${lines.slice(i, i + 5000).join('\n')}\n`;
}

/** Streams `lines` (made by copyLine) into `table (columns)` on the transaction's connection. */
export async function copyLines(sql: postgres.Sql | postgres.TransactionSql, table: string, columns: readonly string[], lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return;
  const writable = await sql.unsafe(`copy ${table} (${columns.join(', ')}) from stdin`).writable();
  await pipeline(Readable.from(joined(lines)), writable);
}

/**
 * One long text as the only row of `table (column)`, sent a piece at a time: as a query
 * parameter it is encoded whole, and an 8 MB report then held ~24 MB more until the next GC.
 */
export async function copyText(sql: postgres.Sql | postgres.TransactionSql, table: string, column: string, text: string): Promise<void> {
  const writable = await sql.unsafe(`copy ${table} (${column}) from stdin`).writable();
  await pipeline(Readable.from(textPieces(text)), writable);
}

function* textPieces(text: string): Generator<Buffer> {
  const PIECE = 1 << 16;
  for (let start = 0; start < text.length; ) {
    let end = Math.min(text.length, start + PIECE);
    // Never between the halves of a surrogate pair: each piece is encoded to UTF-8 on its own.
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    yield Buffer.from(copyCell(text.slice(start, end)));
    start = end;
  }
  yield Buffer.from('\n');
}

/**
 * Rows on their way to COPY, a batch at a time, per table: COPY text in a buffer per table, reused
 * from batch to batch. Kept as an array of strings, a batch lived through two young-generation
 * collections and was promoted, so the old generation grew by ~1 MB per 1,000 records of a bulk
 * load until a full collection (100+ MB of garbage at 100,000 events); off the heap, each line
 * dies young and the buffers stay the size of one batch.
 */
export class CopyBatches<Table extends string> {
  private readonly buffers = new Map<Table, { bytes: Buffer; used: number }>();
  private pending = 0;
  private working: Promise<void> | null = null;

  constructor(
    protected readonly sql: postgres.Sql | postgres.TransactionSql,
    private readonly tables: Record<Table, { name: string; columns: readonly string[] }>,
    /** Rows (over all tables) held before they are sent. */
    private readonly batchRows: number,
    /**
     * Work on each batch once it is COPYed (a bulk loader writes what the batch needs nothing else
     * for), left running while the caller stages the next batch: the database works while Node
     * parses. The next flush waits for it first, so its statements and the next batch's COPY never
     * interleave on the connection; settle() waits for the last.
     */
    private readonly afterBatch?: () => Promise<void>,
  ) {}

  async add(table: Table, values: readonly CopyCell[]): Promise<void> {
    const line = `${copyLine(values)}\n`;
    const length = Buffer.byteLength(line);
    let buffer = this.buffers.get(table);
    if (!buffer) this.buffers.set(table, (buffer = { bytes: Buffer.allocUnsafe(Math.max(1 << 16, length)), used: 0 }));
    if (buffer.used + length > buffer.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(buffer.bytes.length * 2, buffer.used + length));
      buffer.bytes.copy(grown, 0, 0, buffer.used);
      buffer.bytes = grown;
    }
    buffer.used += buffer.bytes.write(line, buffer.used);
    if (++this.pending >= this.batchRows) await this.flush();
  }

  async flush(): Promise<void> {
    await this.settle();
    for (const [table, buffer] of this.buffers) {
      if (buffer.used === 0) continue;
      const { name, columns } = this.tables[table];
      const writable = await this.sql.unsafe(`copy ${name} (${columns.join(', ')}) from stdin`).writable();
      // postgres.js copies each chunk into its message as it is written, so the buffer is free again once this resolves.
      await pipeline(Readable.from([buffer.bytes.subarray(0, buffer.used)]), writable);
      buffer.used = 0;
    }
    this.pending = 0;
    if (this.afterBatch) {
      const work = this.afterBatch();
      // Awaited by the next flush or settle(); until then a failure must not count as unhandled.
      work.catch(() => {});
      this.working = work;
    }
  }

  /** Work already under way on the connection (a loader's first write) that the next COPY must wait for. */
  track(work: Promise<void>): void {
    if (this.working) throw new Error('CopyBatches.track: work is under way already');
    work.catch(() => {});
    this.working = work;
  }

  /** Waits for the last batch's work, and throws its error: after this, nothing more is sent. */
  async settle(): Promise<void> {
    const work = this.working;
    this.working = null;
    if (work) await work;
  }
}
