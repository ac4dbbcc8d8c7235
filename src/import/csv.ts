/**
 * A small RFC 4180 CSV reader that remembers the line each record starts on, for error messages.
 * It reads incrementally (`CsvReader.push` a chunk at a time), so a file of any size is read
 * without holding it whole.
 */
import { createReadStream } from 'node:fs';

export interface CsvRecord {
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {}

export class CsvReader {
  private fields: string[] = [];
  private field = '';
  private quoted = false;
  /** The previous chunk ended on a quote inside a quoted field: an escaped quote or the closing one. */
  private pendingQuote = false;
  /** The previous chunk ended on \r: a \n opening this one belongs to the same line end. */
  private pendingReturn = false;
  private line = 1;
  private recordLine = 1;
  private started = false;

  /** The line the reader has reached (for a problem found between records). */
  get currentLine(): number {
    return this.line;
  }

  /** The records completed by this chunk. */
  push(text: string): CsvRecord[] {
    const records: CsvRecord[] = [];
    let i = 0;
    // PostgreSQL's text cannot hold a NUL: sent on, a COPY of it failed (and the import hung).
    const nul = text.indexOf('\u0000');
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) i = 1; // a byte-order mark is not data
    }
    if (this.pendingReturn) {
      this.pendingReturn = false;
      if (text[i] === '\n') i++;
    }
    for (; i < text.length; i++) {
      const c = text[i];
      if (i === nul) throw new CsvSyntaxError(`line ${this.line}: contains a NUL character (U+0000), which cannot be stored`);
      if (this.pendingQuote) {
        this.pendingQuote = false;
        if (c === '"') {
          this.field += '"';
          continue;
        }
        this.quoted = false;
      }
      if (this.quoted) {
        if (c === '"') {
          if (i + 1 === text.length) this.pendingQuote = true;
          else if (text[i + 1] === '"') {
            this.field += '"';
            i++;
          } else this.quoted = false;
        } else {
          if (c === '\n') this.line++;
          this.field += c;
        }
      } else if (c === '"') {
        if (this.field !== '') throw new CsvSyntaxError(`line ${this.line}: a quote (") may only open a field`);
        this.quoted = true;
      } else if (c === ',') {
        this.fields.push(this.field);
        this.field = '';
      } else if (c === '\n' || c === '\r') {
        if (c === '\r') {
          if (i + 1 === text.length) this.pendingReturn = true;
          else if (text[i + 1] === '\n') i++;
        }
        this.endRecord(records);
        this.line++;
        this.recordLine = this.line;
      } else this.field += c;
    }
    return records;
  }

  /** The last record, if the text did not end with a line end. */
  end(): CsvRecord[] {
    if (this.pendingQuote) {
      this.pendingQuote = false;
      this.quoted = false;
    }
    if (this.quoted) throw new CsvSyntaxError(`line ${this.recordLine}: a quoted field is not closed`);
    const records: CsvRecord[] = [];
    if (this.field !== '' || this.fields.length > 0) this.endRecord(records);
    return records;
  }

  private endRecord(records: CsvRecord[]) {
    this.fields.push(this.field);
    // A blank line is no record.
    if (!(this.fields.length === 1 && this.fields[0] === '')) records.push({ line: this.recordLine, fields: this.fields });
    this.fields = [];
    this.field = '';
  }
}

export function parseCsv(text: string): CsvRecord[] {
  const reader = new CsvReader();
  return [...reader.push(text), ...reader.end()];
}

/**
 * The records of a CSV file, read a chunk at a time. Bytes that are not UTF-8 are refused with
 * their line: decoded leniently they became U+FFFD, and a row would be stored other than given.
 */
export async function* readCsvFile(path: string): AsyncGenerator<CsvRecord> {
  const reader = new CsvReader();
  // ignoreBOM: the reader drops a leading byte-order mark itself.
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 16 })) {
    const bytes = chunk as Buffer;
    let text: string;
    try {
      text = decoder.decode(bytes, { stream: true });
    } catch {
      throw notUtf8(reader, bytes);
    }
    yield* reader.push(text);
  }
  let rest: string;
  try {
    rest = decoder.decode();
  } catch {
    throw new CsvSyntaxError(`line ${reader.currentLine}: the file ends inside a UTF-8 character (it is not valid UTF-8)`);
  }
  yield* reader.push(rest);
  yield* reader.end();
}

/** The refusal of a chunk that is not UTF-8, naming the line of its first bad byte. */
function notUtf8(reader: CsvReader, bytes: Buffer): CsvSyntaxError {
  // The longest prefix that decodes (an unfinished character at its end is not yet an error).
  let good = 0;
  let bad = bytes.length;
  while (good < bad) {
    const mid = Math.ceil((good + bad) / 2);
    try {
      new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(0, mid), { stream: true });
      good = mid;
    } catch {
      bad = mid - 1;
    }
  }
  try {
    reader.push(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.subarray(0, good), { stream: true }));
  } catch (error) {
    // A syntax problem before the bad byte is named instead.
    if (error instanceof CsvSyntaxError) return error;
  }
  return new CsvSyntaxError(`line ${reader.currentLine}: not valid UTF-8 (save the file as UTF-8)`);
}
