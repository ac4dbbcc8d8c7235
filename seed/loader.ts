/**
 * Loads knowledge files (seed/data/*.json) into the database. Everything is checked before
 * anything is written — the file's shape, the source text's hash, every slug reference and every
 * quote (found exactly once, or at the stated occurrence) — and the write is one transaction, so
 * a bad file leaves the database as it was. Loading the same file again changes nothing.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { drainSummaries } from '../src/db/summaries.ts';
import type { Database } from '../src/db/client.ts';
import { sources } from '../src/db/schema.ts';
import { anchorQuote, describeAnchorFailure, type Anchor } from '../src/citations/anchor.ts';
import { SECTIONS, type KnowledgeRecord } from '../src/domain/bulk/knowledge-file.ts';
import { loadKnowledge, sha256Hex, type BulkSql } from '../src/domain/bulk/load.ts';
import { knowledgeFileSchema, type KnowledgeFile, type Quote } from './format.ts';

export const SEED_DATA_DIR = fileURLToPath(new URL('./data', import.meta.url));
export const SEED_SOURCES_DIR = fileURLToPath(new URL('./sources', import.meta.url));

/** A knowledge file that cannot be loaded; `problems` lists every reason, each naming its place. */
export class SeedError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`cannot load ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SeedError';
  }
}

export interface LoadSummary {
  file: string;
  created: number;
  unchanged: number;
  /** Ids of the events this load inserted (for live-update announcements). */
  createdEventIds: number[];
}

/** Slugs already in the database, which a file may refer to without defining them. */
export interface KnownSlugs {
  place: ReadonlySet<string>;
  doctrine: ReadonlySet<string>;
  actor: ReadonlySet<string>;
  event: ReadonlySet<string>;
}

export interface LoadOptions {
  /** Written as the claims' recorded_by; default `seed:<file>`. */
  recordedBy?: string;
  /** Called as records are written: (done, total). */
  onProgress?: (done: number, total: number) => void;
  /** Slugs in the database the file may refer to (bulk imports); default: the file's own only. */
  known?: KnownSlugs;
}

export { sha256Hex };

function quoteText(quote: Quote): string {
  return typeof quote === 'string' ? quote : quote.text;
}


/** Parses and checks a knowledge file against its source text without touching the database. */
export function checkKnowledgeFile(
  fileName: string,
  raw: unknown,
  sourceText: string,
  known?: KnownSlugs,
): { file: KnowledgeFile; anchors: Map<Quote, Anchor> } {
  const parsed = knowledgeFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new SeedError(
      fileName,
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  const file = parsed.data;
  const problems: string[] = [];
  const sourceSlug = file.source.slug;

  const actualHash = sha256Hex(sourceText);
  if (actualHash !== file.source.sha256) {
    problems.push(
      `source "${sourceSlug}": text file ${file.source.textFile} has sha256 ${actualHash}, but the knowledge file was written against ${file.source.sha256}`,
    );
  }

  const slugSets = {
    place: new Set<string>(),
    doctrine: new Set<string>(),
    actor: new Set<string>(),
    event: new Set<string>(),
  };
  const collect = (kind: keyof typeof slugSets, list: { slug: string }[]) => {
    list.forEach((item, i) => {
      if (slugSets[kind].has(item.slug)) problems.push(`${kind}s[${i}]: duplicate slug "${item.slug}"`);
      slugSets[kind].add(item.slug);
    });
  };
  collect('place', file.places);
  collect('doctrine', file.doctrines);
  collect('actor', file.actors);
  collect('event', file.events);

  const refer = (kind: keyof typeof slugSets, slug: string | null | undefined, where: string) => {
    if (slug != null && !slugSets[kind].has(slug) && !known?.[kind].has(slug)) problems.push(`${where}: unknown ${kind} "${slug}"`);
  };
  file.places.forEach((p, i) => refer('place', p.parent, `places[${i}].parent`));
  file.doctrines.forEach((d, i) => refer('doctrine', d.parent, `doctrines[${i}].parent`));
  file.actors.forEach((a, i) => refer('place', a.homeCountry, `actors[${i}].homeCountry`));
  file.events.forEach((e, i) => refer('place', e.place, `events[${i}].place`));
  file.adherences.forEach((a, i) => {
    refer('actor', a.actor, `adherences[${i}].actor`);
    refer('doctrine', a.doctrine, `adherences[${i}].doctrine`);
  });
  file.relationships.forEach((r, i) => {
    refer('actor', r.from, `relationships[${i}].from`);
    refer('actor', r.to, `relationships[${i}].to`);
    if (r.from === r.to) problems.push(`relationships[${i}]: an actor cannot relate to itself`);
  });
  file.participations.forEach((p, i) => {
    refer('event', p.event, `participations[${i}].event`);
    refer('actor', p.actor, `participations[${i}].actor`);
    refer('actor', p.attributedBy, `participations[${i}].attributedBy`);
  });

  const anchors = new Map<Quote, Anchor>();
  const anchorAll = (list: { quotes: Quote[] }[], name: string) => {
    list.forEach((item, i) => {
      item.quotes.forEach((quote, j) => {
        const occurrence = typeof quote === 'string' ? undefined : quote.occurrence;
        const result = anchorQuote(sourceText, quoteText(quote), occurrence);
        if (result.ok) anchors.set(quote, result.anchor);
        else problems.push(`${name}[${i}].quotes[${j}]: ${describeAnchorFailure(result, quoteText(quote), sourceSlug)}`);
      });
    });
  };
  anchorAll(file.doctrines, 'doctrines');
  anchorAll(file.actors, 'actors');
  anchorAll(file.events, 'events');
  anchorAll(file.adherences, 'adherences');
  anchorAll(file.relationships, 'relationships');
  anchorAll(file.participations, 'participations');

  if (problems.length > 0) throw new SeedError(fileName, problems);
  return { file, anchors };
}

/**
 * Writes a knowledge file in one transaction through the set-based bulk loader
 * (src/domain/bulk/load.ts), which checks it as checkKnowledgeFile does, and the database besides.
 */
export async function loadKnowledgeFile(
  db: Database,
  fileName: string,
  raw: unknown,
  sourceText: string,
  options: LoadOptions = {},
): Promise<LoadSummary> {
  const file = (raw ?? {}) as Record<string, unknown>;
  const topLevel = Object.keys(file)
    .filter((key) => key !== 'source' && !(SECTIONS as readonly string[]).includes(key))
    .map((key) => `${key}: not a part of a knowledge file (expected source, ${SECTIONS.join(', ')})`);
  async function* records(): AsyncGenerator<KnowledgeRecord> {
    for (const section of SECTIONS) {
      const list = file[section];
      if (Array.isArray(list)) for (let index = 0; index < list.length; index++) yield { section, index, value: list[index] as unknown };
    }
  }
  const recordedBy = options.recordedBy ?? `seed:${fileName}`;
  const result = await db.$client.begin(async (tx) => {
    const loaded = await loadKnowledge(
      tx as BulkSql,
      recordedBy,
      { name: fileName, source: file.source, text: sourceText, records: records(), refersToStored: options.known !== undefined, fileProblems: () => topLevel },
      options.onProgress ? { onProgress: (done, total) => options.onProgress?.(done, total) } : {},
    );
    if (!loaded.ok) throw new SeedError(fileName, loaded.problems);
    return loaded;
  });
  return { file: fileName, created: result.created, unchanged: result.unchanged, createdEventIds: result.createdEventIds };
}

/** Loads every knowledge file in seed/data, in name order. */
export async function loadSeed(
  db: Database,
  dataDir = SEED_DATA_DIR,
  sourcesDir = SEED_SOURCES_DIR,
): Promise<LoadSummary[]> {
  const names = (await readdir(dataDir)).filter((n) => n.endsWith('.json')).sort();
  const summaries: LoadSummary[] = [];
  for (const name of names) {
    const raw: unknown = JSON.parse(await readFile(join(dataDir, name), 'utf8'));
    const textFile = (raw as { source?: { textFile?: unknown } }).source?.textFile;
    if (typeof textFile !== 'string') throw new SeedError(name, ['source.textFile: missing']);
    const text = await readFile(join(sourcesDir, textFile), 'utf8').catch(() => {
      throw new SeedError(name, [`source.textFile: ${textFile} not found in ${sourcesDir}`]);
    });
    summaries.push(await loadKnowledgeFile(db, name, raw, text));
  }
  // The dashboard summaries are brought up to date off the write path: here, in one pass.
  await drainSummaries(db);
  return summaries;
}

/** True when nothing has been loaded yet (the server seeds an empty database on start). */
export async function isDatabaseEmpty(db: Database): Promise<boolean> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(sources);
  return (row?.n ?? 0) === 0;
}
