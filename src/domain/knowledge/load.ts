/**
 * Knowledge files held in memory (the seed, tests): checkKnowledgeFile checks one without the
 * database; loadKnowledgeFile writes one through the bulk loader (src/domain/bulk/load.ts), which
 * `npm run import` streams files into. Everything is checked before anything is written — the
 * file's shape, the source text's hash, every slug reference and every quote (found exactly once,
 * or at the stated occurrence) — and the write is one transaction, so a bad file leaves the
 * database as it was. Claims are keyed, so loading the same file again changes nothing.
 */
import { anchorQuote, describeAnchorFailure, type Anchor } from '../../citations/anchor.ts';
import type { Database } from '../../db/client.ts';
import { SECTIONS, type KnowledgeRecord } from '../bulk/knowledge-file.ts';
import { loadKnowledge, type BulkSql } from '../bulk/load.ts';
import { SELF_RELATIONSHIP } from '../relationships/relationships.ts';
import type { Principal } from '../service.ts';
import { sha256Hex } from '../sources/sources.ts';
import { knowledgeFileSchema, type KnowledgeFile, type Quote } from './format.ts';

/** A knowledge file that cannot be loaded; `problems` lists every reason, each naming its place. */
export class KnowledgeFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`cannot load ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'KnowledgeFileError';
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

export interface KnowledgeFileInput {
  fileName: string;
  /** The file's parsed JSON, checked here. */
  raw: unknown;
  /** The source's verbatim text. */
  sourceText: string;
  /** Slugs in the database the file may refer to (imports); default: the file's own only. */
  known?: KnownSlugs | undefined;
  /** Called as records are written: (done, total). */
  onProgress?: ((done: number, total: number) => void) | undefined;
}

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
    throw new KnowledgeFileError(
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
    if (r.from === r.to) problems.push(`relationships[${i}]: ${SELF_RELATIONSHIP}`);
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
  file.actors.forEach((a, i) => anchorAll(a.names ?? [], `actors[${i}].names`));

  if (problems.length > 0) throw new KnowledgeFileError(fileName, problems);
  return { file, anchors };
}

/** The principal a knowledge file is loaded as when none is named: `seed:<file>`. */
export function filePrincipal(name: string): Principal {
  return { name, role: 'admin', tokenId: null };
}

/**
 * Writes a knowledge file held in memory (the seed, tests) in a transaction of its own, through
 * the set-based bulk loader (src/domain/bulk/load.ts) that `npm run import` streams files into: it
 * checks what checkKnowledgeFile checks, and the database besides. Throws KnowledgeFileError,
 * naming every problem, when the file cannot be loaded; then nothing is written.
 */
export async function loadKnowledgeFile(
  db: Database,
  fileName: string,
  raw: unknown,
  sourceText: string,
  options: { recordedBy?: string; known?: KnownSlugs; onProgress?: (done: number, total: number) => void } = {},
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
  const principal = filePrincipal(options.recordedBy ?? `seed:${fileName}`);
  const result = await db.$client.begin(async (tx) => {
    const loaded = await loadKnowledge(
      tx as BulkSql,
      principal.name,
      { name: fileName, source: file.source, text: sourceText, records: records(), refersToStored: options.known !== undefined, fileProblems: () => topLevel },
      options.onProgress ? { onProgress: (done, total) => options.onProgress?.(done, total) } : {},
    );
    if (!loaded.ok) throw new KnowledgeFileError(fileName, loaded.problems);
    return loaded;
  });
  return { file: fileName, created: result.created, unchanged: result.unchanged, createdEventIds: result.createdEventIds };
}
