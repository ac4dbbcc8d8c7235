/**
 * Reading a knowledge file (the seed's JSON format, seed/format.ts) a record at a time, so that
 * memory stays flat however many records it holds: @streamparser/json emits each element of the
 * top-level arrays as it is completed, and nothing else is kept.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { TokenParser, Tokenizer, TokenType } from '@streamparser/json';
import type { ParsedElementInfo } from '@streamparser/json';

export const SECTIONS = ['places', 'doctrines', 'actors', 'events', 'adherences', 'relationships', 'participations'] as const;
export type Section = (typeof SECTIONS)[number];

/** One record of a knowledge file, as found: checked by the loader, not here. */
export interface KnowledgeRecord {
  section: Section;
  index: number;
  value: unknown;
  /** How problems name the record; default `${section}[${index}]` (a CSV row names its line). */
  label?: string;
}

/** A file that cannot be read as a knowledge file at all (not JSON, no object at the top). */
export class KnowledgeFileSyntaxError extends Error {}

const CHUNK_BYTES = 1 << 16;

interface Watched {
  /** Called with each top-level key of the root object as it is read. */
  onTopKey: (key: string) => void;
  onElement: (record: { section: string; index: number; value: unknown } | { key: string; value: unknown }) => void;
}

/**
 * A parser of the whole document that reports top-level keys and the values at `paths`: the
 * library's tokenizer feeding its token parser, with the top-level keys noted on the way.
 */
function parserFor(paths: string[], watched: Watched): { write: (chunk: Buffer) => void; end: () => void } {
  const tokenizer = new Tokenizer();
  const tokenParser = new TokenParser({ paths, keepStack: false });
  let depth = 0;
  let lastString: unknown;
  tokenizer.onToken = (info) => {
    const { token } = info;
    if (token === TokenType.LEFT_BRACE || token === TokenType.LEFT_BRACKET) depth++;
    else if (token === TokenType.RIGHT_BRACE || token === TokenType.RIGHT_BRACKET) depth--;
    else if (depth === 1 && token === TokenType.STRING) lastString = info.value;
    else if (depth === 1 && token === TokenType.COLON && typeof lastString === 'string') watched.onTopKey(lastString);
    tokenParser.write(info);
  };
  tokenizer.onEnd = () => {
    if (!tokenParser.isEnded) tokenParser.end();
  };
  tokenParser.onError = (error) => tokenizer.error(error);
  tokenParser.onValue = (info: ParsedElementInfo) => {
    const parent = info.stack[1];
    if (info.stack.length === 2 && typeof parent?.key === 'string' && typeof info.key === 'number') {
      watched.onElement({ section: parent.key, index: info.key, value: info.value });
    } else if (info.stack.length === 1 && typeof info.key === 'string') {
      watched.onElement({ key: info.key, value: info.value });
    }
  };
  return { write: (chunk) => tokenizer.write(chunk), end: () => tokenizer.end() };
}

function lineAt(lineStarts: { offset: number; line: number }, chunk: Buffer, position: number): number {
  let line = lineStarts.line;
  for (let i = 0; i < Math.min(chunk.length, position - lineStarts.offset); i++) if (chunk[i] === 10) line++;
  return line;
}

/**
 * Reads `path` a chunk at a time; after each chunk, yields (nothing but) control, the parser having
 * called `watched` for every value the chunk completed. Rejects with the line of a syntax error.
 */
async function* parse(path: string, paths: string[], watched: Watched): AsyncGenerator<number> {
  const parser = parserFor(paths, watched);
  const at = { offset: 0, line: 1 };
  const stream = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      try {
        parser.write(chunk);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const position = /position "?(\d+)"?/.exec(message)?.[1];
        const line = position === undefined ? null : lineAt(at, chunk, Number(position));
        throw new KnowledgeFileSyntaxError(`${line === null ? '' : `line ${line}: `}not valid JSON (${message})`);
      }
      at.line = lineAt(at, chunk, at.offset + chunk.length);
      at.offset += chunk.length;
      yield chunk.length;
    }
    try {
      parser.end();
    } catch (error) {
      throw new KnowledgeFileSyntaxError(`not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
  } finally {
    stream.destroy();
  }
}

/**
 * The first of `keys` found at the top level of a JSON file, with its value, reading only up to
 * it (a knowledge file starts with its `source`, a STIX bundle with its `type`); null when none is.
 */
export async function readFirstTopLevel(path: string, keys: string[]): Promise<{ key: string; value: unknown } | null> {
  let found: { key: string; value: unknown } | null = null;
  const watched: Watched = {
    onTopKey: () => {},
    onElement: (e) => {
      if (!found && 'key' in e) found = { key: e.key, value: e.value };
    },
  };
  for await (const _ of parse(path, keys.map((k) => `$.${k}`), watched)) if (found) break;
  return found;
}

export interface KnowledgeFileRecords {
  records: AsyncIterable<KnowledgeRecord>;
  /** How much of the file has been read, 0–1 (for progress estimates). */
  fractionRead: () => number;
  /** Problems with the file's top level (unknown keys), complete once `records` is exhausted. */
  topLevelProblems: string[];
}

/** The records of a knowledge file, read a chunk at a time as they are consumed. */
export async function readKnowledgeRecords(path: string): Promise<KnowledgeFileRecords> {
  const { size } = await stat(path);
  let read = 0;
  const topLevelProblems: string[] = [];
  const known = new Set<string>(['source', ...SECTIONS]);
  async function* records(): AsyncGenerator<KnowledgeRecord> {
    let pending: KnowledgeRecord[] = [];
    const watched: Watched = {
      onTopKey: (key) => {
        if (!known.has(key)) topLevelProblems.push(`${key}: not a part of a knowledge file (expected source, ${SECTIONS.join(', ')})`);
      },
      onElement: (e) => {
        if ('section' in e && (SECTIONS as readonly string[]).includes(e.section)) pending.push({ section: e.section as Section, index: e.index, value: e.value });
      },
    };
    for await (const bytes of parse(path, SECTIONS.map((s) => `$.${s}.*`), watched)) {
      read += bytes;
      const ready = pending;
      pending = [];
      yield* ready;
    }
    yield* pending;
  }
  return { records: records(), fractionRead: () => (size === 0 ? 1 : read / size), topLevelProblems };
}
