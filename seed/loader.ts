/**
 * Loads knowledge files (seed/data/*.json) into the database. Everything is checked before
 * anything is written — the file's shape, the source text's hash, every slug reference and every
 * quote (found exactly once, or at the stated occurrence) — and the write is one transaction, so
 * a bad file leaves the database as it was. Loading the same file again changes nothing.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq, sql } from 'drizzle-orm';
import { drainSummaries } from '../src/db/summaries.ts';
import type { Database } from '../src/db/client.ts';
import {
  actors,
  adherences,
  citations,
  claimCitations,
  claims,
  doctrines,
  events,
  participations,
  places,
  relationships,
  sources,
} from '../src/db/schema.ts';
import { anchorQuote, describeAnchorFailure, type Anchor } from '../src/citations/anchor.ts';
import { knowledgeFileSchema, type KnowledgeFile, type Quote } from './format.ts';

/** Rows per bulk statement: well under PostgreSQL's 65,535 parameters for the widest table. */
const CHUNK = 500;

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
  /** Runs inside the load's transaction after everything is written (e.g. an audit-log row). */
  afterWrite?: (tx: Parameters<Parameters<Database['transaction']>[0]>[0], summary: LoadSummary) => Promise<void>;
  /** Slugs in the database the file may refer to (bulk imports); default: the file's own only. */
  known?: KnownSlugs;
}

type Kind = 'ACTOR_PROFILE' | 'EVENT_REPORT' | 'DOCTRINE_DEFINITION' | 'ADHERENCE' | 'RELATIONSHIP' | 'PARTICIPATION';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
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

/** Orders places so that every parent comes before its children. */
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

/** Writes a checked knowledge file in one transaction. */
export async function loadKnowledgeFile(
  db: Database,
  fileName: string,
  raw: unknown,
  sourceText: string,
  options: LoadOptions = {},
): Promise<LoadSummary> {
  const { file, anchors } = checkKnowledgeFile(fileName, raw, sourceText, options.known);
  const recordedBy = options.recordedBy ?? `seed:${fileName}`;
  let created = 0;
  let unchanged = 0;
  const createdEventIds: number[] = [];
  const total =
    file.places.length + file.doctrines.length + file.actors.length + file.events.length +
    file.adherences.length + file.relationships.length + file.participations.length;
  let done = 0;
  const tick = (n = 1) => {
    done += n;
    options.onProgress?.(done, total);
  };

  await db.transaction(async (tx) => {
    // Source: new, or the same text as before (a different text under the same slug is refused).
    const [existingSource] = await tx
      .select({ id: sources.id, textSha256: sources.textSha256 })
      .from(sources)
      .where(eq(sources.slug, file.source.slug));
    let sourceId: number;
    if (existingSource) {
      if (existingSource.textSha256 !== file.source.sha256) {
        throw new SeedError(fileName, [
          `source "${file.source.slug}" is stored with a different text (sha256 ${existingSource.textSha256}); its citations would no longer match`,
        ]);
      }
      sourceId = existingSource.id;
      unchanged++;
    } else {
      const { published } = file.source;
      const [inserted] = await tx
        .insert(sources)
        .values({
          slug: file.source.slug,
          title: file.source.title,
          publisher: file.source.publisher,
          author: file.source.author,
          url: file.source.url,
          publishedText: published.text,
          publishedEarliest: published.earliest,
          publishedLatest: published.latest,
          publishedPrecision: published.precision,
          text: sourceText,
          textSha256: sha256Hex(sourceText),
        })
        .returning({ id: sources.id });
      if (!inserted) throw new Error('insert into sources returned no row');
      sourceId = inserted.id;
      created++;
    }

    // Citations: one row per distinct span of the text, shared by every claim that quotes it.
    const distinct = new Map<string, Anchor>();
    for (const anchor of anchors.values()) distinct.set(spanKey(anchor), anchor);
    const citationRows = [...distinct.values()].map((a) => ({ sourceId, ...a }));
    const newCitations = await tx
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

    /**
     * Records a claim under a stable key with its citations. Returns the new claim's id, or null
     * when the key exists already (then any new quotes are added to the existing claim).
     */
    const recordClaim = async (
      key: string,
      kind: Kind,
      claim: { confidence: number; note?: string | null | undefined; quotes: Quote[] },
    ): Promise<number | null> => {
      const [inserted] = await tx
        .insert(claims)
        .values({ key, kind, confidence: claim.confidence, note: claim.note ?? null, recordedBy })
        .onConflictDoNothing({ target: claims.key })
        .returning({ id: claims.id });
      const claimId =
        inserted?.id ??
        (await tx.select({ id: claims.id }).from(claims).where(eq(claims.key, key)))[0]?.id;
      if (claimId === undefined) throw new Error(`claim ${key} was neither inserted nor found`);
      const links = await tx
        .insert(claimCitations)
        .values(citationIds(claim.quotes).map((citationId) => ({ claimId, citationId })))
        .onConflictDoNothing()
        .returning({ citationId: claimCitations.citationId });
      if (inserted || links.length > 0) created++;
      else unchanged++;
      return inserted ? claimId : null;
    };

    /**
     * recordClaim for many claims at once, a few statements per chunk rather than per claim, so a
     * file of thousands of events loads in seconds. Returns each item's new claim id, or null when
     * its key existed already (or an earlier item of the same batch had the same key).
     */
    const recordClaims = async (
      items: { key: string; kind: Kind; claim: { confidence: number; note?: string | null | undefined; quotes: Quote[] } }[],
    ): Promise<(number | null)[]> => {
      const result: (number | null)[] = [];
      for (let start = 0; start < items.length; start += CHUNK) {
        const chunk = items.slice(start, start + CHUNK);
        const keys = chunk.map((i) => i.key);
        const inserted = await tx.execute<{ id: number; key: string }>(sql`
          insert into ${claims} (key, kind, confidence, note, recorded_by)
          select * from unnest(${sql.param(keys)}::text[], ${sql.param(chunk.map((i) => i.kind))}::text[]::claim_kind[],
                               ${sql.param(chunk.map((i) => i.claim.confidence))}::smallint[],
                               ${sql.param(chunk.map((i) => i.claim.note ?? null))}::text[],
                               ${sql.param(chunk.map(() => recordedBy))}::text[])
          on conflict (key) do nothing
          returning id, key`);
        const insertedKeys = new Set(inserted.map((r) => r.key));
        const idByKey = new Map(
          (await tx.select({ id: claims.id, key: claims.key }).from(claims).where(sql`${claims.key} = any(${sql.param(keys)}::text[])`)).map(
            (r) => [r.key ?? '', r.id],
          ),
        );
        const pairs = chunk.flatMap((i) => {
          const claimId = idByKey.get(i.key);
          if (claimId === undefined) throw new Error(`claim ${i.key} was neither inserted nor found`);
          return citationIds(i.claim.quotes).map((citationId) => [claimId, citationId] as const);
        });
        const linked = await tx.execute<{ claim_id: number }>(sql`
          insert into ${claimCitations} (claim_id, citation_id)
          select * from unnest(${sql.param(pairs.map((p) => p[0]))}::int[], ${sql.param(pairs.map((p) => p[1]))}::int[])
          on conflict do nothing
          returning claim_id`);
        const newLinks = new Set(linked.map((r) => r.claim_id));
        const seen = new Set<string>();
        for (const item of chunk) {
          const claimId = idByKey.get(item.key) ?? null;
          const first = !seen.has(item.key);
          seen.add(item.key);
          if (first && claimId !== null && (insertedKeys.has(item.key) || newLinks.has(claimId))) created++;
          else unchanged++;
          result.push(first && insertedKeys.has(item.key) ? claimId : null);
        }
        tick(chunk.length);
      }
      return result;
    };

    const idsBySlug = async (table: typeof places | typeof doctrines | typeof actors | typeof events) =>
      new Map((await tx.select({ id: table.id, slug: table.slug }).from(table)).map((r) => [r.slug, r.id]));

    // Places: gazetteer reference data, not claims.
    const placeIds = await idsBySlug(places);
    // Stored places too: a new place may lie in one loaded earlier (bulk imports refer to them).
    const placeCountry = new Map<string, number | null>(
      (await tx.select({ slug: places.slug, countryId: places.countryId }).from(places)).map((r) => [r.slug, r.countryId]),
    );
    for (const place of parentsFirst(file.places)) {
      tick();
      const parentId = place.parent ? (placeIds.get(place.parent) ?? null) : null;
      if (placeIds.has(place.slug)) {
        unchanged++;
        continue;
      }
      const countryId = place.kind === 'COUNTRY' ? null : place.parent ? (placeCountry.get(place.parent) ?? null) : null;
      const [row] = await tx
        .insert(places)
        .values({
          slug: place.slug,
          name: place.name,
          kind: place.kind,
          parentId,
          countryId,
          countryCode: place.countryCode,
          region: place.region,
        })
        .returning({ id: places.id });
      if (!row) throw new Error(`insert into places returned no row for ${place.slug}`);
      placeIds.set(place.slug, row.id);
      // A country is its own country (set by the database on insert); anything else inherits its parent's.
      placeCountry.set(place.slug, place.kind === 'COUNTRY' ? row.id : countryId);
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
              dateText: event.date.text,
              dateEarliest: event.date.earliest,
              dateLatest: event.date.latest,
              datePrecision: event.date.precision,
              placeId: placeId(event.place),
              killedMin: event.killed?.min ?? null,
              killedMax: event.killed?.max ?? null,
              killedText: event.killed?.text ?? null,
              woundedMin: event.wounded?.min ?? null,
              woundedMax: event.wounded?.max ?? null,
              woundedText: event.wounded?.text ?? null,
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
          : [
              {
                claimId,
                type: r.type,
                fromActorId: must(actorIds, r.from),
                toActorId: must(actorIds, r.to),
                periodText: r.period?.text ?? null,
                periodStart: r.period?.earliest ?? null,
                periodEnd: r.period?.latest ?? null,
                periodPrecision: r.period?.precision ?? null,
              },
            ];
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
    await options.afterWrite?.(tx, { file: fileName, created, unchanged, createdEventIds });
  });

  return { file: fileName, created, unchanged, createdEventIds };
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
