/**
 * Loading knowledge files (the seed, and `npm run import`). Everything is checked before anything
 * is written — the file's shape, the source text's hash, every slug reference and every quote
 * (found exactly once, or at the stated occurrence) — and the write is one transaction, so a bad
 * file leaves the database as it was. Claims are keyed, so loading the same file again changes
 * nothing.
 */
import { eq } from 'drizzle-orm';
import { anchorQuote, describeAnchorFailure, type Anchor } from '../../citations/anchor.ts';
import type { Database } from '../../db/client.ts';
import { actors, adherences, citations, doctrines, events, participations, places, relationships, sources } from '../../db/schema.ts';
import { recordKeyedClaim, recordKeyedClaims, type ClaimKind } from '../claims/record.ts';
import { eventDateColumns, periodColumns } from '../dates.ts';
import { casualtyColumns } from '../events/events.ts';
import { placeRow } from '../places/places.ts';
import { SELF_RELATIONSHIP } from '../relationships/relationships.ts';
import type { Principal, Tx } from '../service.ts';
import { sha256Hex, sourceRow } from '../sources/sources.ts';
import { knowledgeFileSchema, type KnowledgeFile, type Quote } from './format.ts';

/** Rows per bulk statement: well under PostgreSQL's 65,535 parameters for the widest table. */
const CHUNK = 500;

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

function spanKey(anchor: Pick<Anchor, 'startOffset' | 'endOffset'>): string {
  return `${anchor.startOffset}:${anchor.endOffset}`;
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

  if (problems.length > 0) throw new KnowledgeFileError(fileName, problems);
  return { file, anchors };
}

/** Orders records so that every parent comes before its children. */
function parentsFirst<T extends { slug: string; parent: string | null }>(items: T[]): T[] {
  const bySlug = new Map(items.map((item) => [item.slug, item]));
  const ordered: T[] = [];
  const seen = new Set<string>();
  const visit = (item: T) => {
    if (seen.has(item.slug)) return;
    seen.add(item.slug);
    const parent = item.parent ? bySlug.get(item.parent) : undefined;
    if (parent) visit(parent);
    ordered.push(item);
  };
  items.forEach(visit);
  return ordered;
}

/**
 * Checks a knowledge file and writes it in the caller's transaction; claims are recorded by
 * `principal`. Throws KnowledgeFileError, naming every problem, when the file cannot be loaded.
 */
export async function writeKnowledgeFile(tx: Tx, principal: Principal, input: KnowledgeFileInput): Promise<LoadSummary> {
  const { fileName, sourceText } = input;
  const { file, anchors } = checkKnowledgeFile(fileName, input.raw, sourceText, input.known);
  const recordedBy = principal.name;
  let created = 0;
  let unchanged = 0;
  const createdEventIds: number[] = [];
  const total =
    file.places.length + file.doctrines.length + file.actors.length + file.events.length +
    file.adherences.length + file.relationships.length + file.participations.length;
  let done = 0;
  const tick = (n = 1) => {
    done += n;
    input.onProgress?.(done, total);
  };

  // Source: new, or the same text as before (a different text under the same slug is refused).
  const [existingSource] = await tx
    .select({ id: sources.id, textSha256: sources.textSha256 })
    .from(sources)
    .where(eq(sources.slug, file.source.slug));
  let sourceId: number;
  if (existingSource) {
    if (existingSource.textSha256 !== file.source.sha256) {
      throw new KnowledgeFileError(fileName, [
        `source "${file.source.slug}" is stored with a different text (sha256 ${existingSource.textSha256}); its citations would no longer match`,
      ]);
    }
    sourceId = existingSource.id;
    unchanged++;
  } else {
    const [inserted] = await tx
      .insert(sources)
      .values(sourceRow({ ...file.source, text: sourceText }))
      .returning({ id: sources.id });
    if (!inserted) throw new Error('insert into sources returned no row');
    sourceId = inserted.id;
    created++;
  }

  // Citations: one row per distinct span of the text, shared by every claim that quotes it.
  const distinct = new Map<string, Anchor>();
  for (const anchor of anchors.values()) distinct.set(spanKey(anchor), anchor);
  const citationRows = [...distinct.values()].map((a) => ({ sourceId, ...a }));
  const newCitations =
    citationRows.length === 0
      ? []
      : await tx
          .insert(citations)
          .values(citationRows)
          .onConflictDoNothing({ target: [citations.sourceId, citations.startOffset, citations.endOffset] })
          .returning({ id: citations.id });
  created += newCitations.length;
  unchanged += citationRows.length - newCitations.length;
  const citationIdBySpan = new Map(
    (
      await tx
        .select({ id: citations.id, startOffset: citations.startOffset, endOffset: citations.endOffset })
        .from(citations)
        .where(eq(citations.sourceId, sourceId))
    ).map((c) => [spanKey(c), c.id]),
  );
  const citationIds = (quotes: Quote[]) =>
    quotes.map((q) => {
      const anchor = anchors.get(q);
      const id = anchor && citationIdBySpan.get(spanKey(anchor));
      if (id === undefined) throw new Error(`citation for quote "${quoteText(q)}" was not stored`);
      return id;
    });

  /** One keyed claim: its id when new (the caller writes its record), null when stored before. */
  const recordClaim = async (key: string, kind: ClaimKind, claim: { confidence: number; note?: string | null | undefined; quotes: Quote[] }) => {
    const recorded = await recordKeyedClaim(tx, key, { kind, confidence: claim.confidence, note: claim.note, recordedBy, citationIds: citationIds(claim.quotes) });
    if (recorded.changed) created++;
    else unchanged++;
    return recorded.inserted ? recorded.claimId : null;
  };

  /** Keyed claims in batches: each item's new claim id, or null. */
  const recordClaims = async (items: { key: string; kind: ClaimKind; claim: { confidence: number; note?: string | null | undefined; quotes: Quote[] } }[]) => {
    const recorded = await recordKeyedClaims(
      tx,
      items.map((i) => ({ key: i.key, kind: i.kind, confidence: i.claim.confidence, note: i.claim.note, citationIds: citationIds(i.claim.quotes) })),
      recordedBy,
      tick,
    );
    for (const r of recorded) {
      if (r.changed) created++;
      else unchanged++;
    }
    return recorded.map((r) => r.insertedId);
  };

  const idsBySlug = async (table: typeof places | typeof doctrines | typeof actors | typeof events) =>
    new Map((await tx.select({ id: table.id, slug: table.slug }).from(table)).map((r) => [r.slug, r.id]));

  // Places: gazetteer reference data, not claims.
  const placeIds = await idsBySlug(places);
  // Stored places too: a new place may lie in one loaded earlier (imports refer to them).
  const placeCountry = new Map<string, number | null>(
    (await tx.select({ slug: places.slug, countryId: places.countryId }).from(places)).map((r) => [r.slug, r.countryId]),
  );
  for (const place of parentsFirst(file.places)) {
    tick();
    if (placeIds.has(place.slug)) {
      unchanged++;
      continue;
    }
    const parentId = place.parent ? (placeIds.get(place.parent) ?? null) : null;
    const parent = parentId === null || !place.parent ? null : { id: parentId, countryId: placeCountry.get(place.parent) ?? null };
    const [row] = await tx.insert(places).values(placeRow(place, parent)).returning({ id: places.id });
    if (!row) throw new Error(`insert into places returned no row for ${place.slug}`);
    placeIds.set(place.slug, row.id);
    // A country is its own country (set by the database on insert); anything else inherits its parent's.
    placeCountry.set(place.slug, place.kind === 'COUNTRY' ? row.id : (parent?.countryId ?? null));
    created++;
  }
  const placeId = (slug: string | null) => (slug ? (placeIds.get(slug) ?? null) : null);

  const doctrineIds = await idsBySlug(doctrines);
  for (const doctrine of parentsFirst(file.doctrines)) {
    tick();
    const claimId = await recordClaim(`doctrine:${doctrine.slug}`, 'DOCTRINE_DEFINITION', doctrine);
    if (claimId === null) continue;
    const [row] = await tx
      .insert(doctrines)
      .values({
        slug: doctrine.slug,
        name: doctrine.name,
        description: doctrine.description,
        parentId: doctrine.parent ? (doctrineIds.get(doctrine.parent) ?? null) : null,
        claimId,
      })
      .returning({ id: doctrines.id });
    if (row) doctrineIds.set(doctrine.slug, row.id);
  }

  const actorIds = await idsBySlug(actors);
  for (const actor of file.actors) {
    tick();
    const claimId = await recordClaim(`actor:${actor.slug}`, 'ACTOR_PROFILE', actor);
    if (claimId === null) continue;
    const [row] = await tx
      .insert(actors)
      .values({
        slug: actor.slug,
        name: actor.name,
        aliases: actor.aliases,
        kind: actor.kind,
        description: actor.description,
        homeCountryId: placeId(actor.homeCountry),
        claimId,
      })
      .returning({ id: actors.id });
    if (row) actorIds.set(actor.slug, row.id);
  }

  const eventIds = await idsBySlug(events);
  const eventClaims = await recordClaims(file.events.map((event) => ({ key: `event:${event.slug}`, kind: 'EVENT_REPORT', claim: event })));
  const newEvents = file.events.flatMap((event, i) => {
    const claimId = eventClaims[i];
    return claimId == null
      ? []
      : [
          {
            slug: event.slug,
            title: event.title,
            kind: event.kind,
            description: event.description,
            ...eventDateColumns(event.date),
            placeId: placeId(event.place),
            ...casualtyColumns('killed', event.killed),
            ...casualtyColumns('wounded', event.wounded),
            claimId,
          },
        ];
  });
  for (let start = 0; start < newEvents.length; start += CHUNK) {
    const rows = await tx.insert(events).values(newEvents.slice(start, start + CHUNK)).returning({ id: events.id, slug: events.slug });
    for (const row of rows) {
      eventIds.set(row.slug, row.id);
      createdEventIds.push(row.id);
    }
  }

  const must = (ids: Map<string, number>, slug: string) => {
    const id = ids.get(slug);
    if (id === undefined) throw new Error(`"${slug}" was not stored`);
    return id;
  };
  // Claims drawn from a source are keyed by it: another source making the same claim is a
  // separate (possibly disputing) claim, not a silent merge.
  const scope = file.source.slug;
  /** Writes rows a chunk per statement. */
  const inChunks = async <T,>(rows: T[], write: (chunk: T[]) => Promise<unknown>) => {
    for (let start = 0; start < rows.length; start += CHUNK) await write(rows.slice(start, start + CHUNK));
  };

  const adherenceClaims = await recordClaims(
    file.adherences.map((a) => ({ key: `${scope}:adherence:${a.actor}:${a.doctrine}`, kind: 'ADHERENCE', claim: a })),
  );
  await inChunks(
    file.adherences.flatMap((a, i) => {
      const claimId = adherenceClaims[i];
      return claimId == null ? [] : [{ claimId, actorId: must(actorIds, a.actor), doctrineId: must(doctrineIds, a.doctrine) }];
    }),
    (chunk) => tx.insert(adherences).values(chunk),
  );

  const relationshipClaims = await recordClaims(
    file.relationships.map((r) => ({ key: `${scope}:relationship:${r.from}:${r.type}:${r.to}`, kind: 'RELATIONSHIP', claim: r })),
  );
  await inChunks(
    file.relationships.flatMap((r, i) => {
      const claimId = relationshipClaims[i];
      return claimId == null
        ? []
        : [{ claimId, type: r.type, fromActorId: must(actorIds, r.from), toActorId: must(actorIds, r.to), ...periodColumns(r.period) }];
    }),
    (chunk) => tx.insert(relationships).values(chunk),
  );

  const participationClaims = await recordClaims(
    file.participations.map((p) => {
      const by = p.attributedBy ? `:${p.attributedBy}` : '';
      return { key: `${scope}:participation:${p.event}:${p.actor}:${p.role}${by}`, kind: 'PARTICIPATION', claim: p };
    }),
  );
  await inChunks(
    file.participations.flatMap((p, i) => {
      const claimId = participationClaims[i];
      return claimId == null
        ? []
        : [
            {
              claimId,
              eventId: must(eventIds, p.event),
              actorId: must(actorIds, p.actor),
              role: p.role,
              attributedById: p.attributedBy ? must(actorIds, p.attributedBy) : null,
            },
          ];
    }),
    (chunk) => tx.insert(participations).values(chunk),
  );
  return { file: fileName, created, unchanged, createdEventIds };
}

/** The principal a knowledge file is loaded as when none is named: `seed:<file>`. */
export function filePrincipal(name: string): Principal {
  return { name, role: 'admin', tokenId: null };
}

/** Checks and writes a knowledge file in a transaction of its own (the seed, tests). */
export async function loadKnowledgeFile(
  db: Database,
  fileName: string,
  raw: unknown,
  sourceText: string,
  options: { recordedBy?: string; known?: KnownSlugs; onProgress?: (done: number, total: number) => void } = {},
): Promise<LoadSummary> {
  const principal = filePrincipal(options.recordedBy ?? `seed:${fileName}`);
  return db.transaction((tx) => writeKnowledgeFile(tx, principal, { fileName, raw, sourceText, known: options.known, onProgress: options.onProgress }));
}
