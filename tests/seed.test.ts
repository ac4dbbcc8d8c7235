import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { anchorQuote } from '../src/citations/anchor.ts';
import type { KnowledgeFile } from '../src/domain/knowledge/format.ts';
import { checkKnowledgeFile, KnowledgeFileError, loadKnowledgeFile } from '../src/domain/knowledge/load.ts';
import { loadSeed, SEED_DATA_DIR, SEED_SOURCES_DIR } from '../src/domain/knowledge/seed.ts';
import { sha256Hex } from '../src/domain/sources/sources.ts';
import { scratchDatabase } from './helpers.ts';

const FILE = 'globely-news-isis-k-long-reach.json';
const text = await readFile(join(SEED_SOURCES_DIR, 'globely-news-isis-k-long-reach.txt'), 'utf8');
const original = JSON.parse(await readFile(join(SEED_DATA_DIR, FILE), 'utf8')) as KnowledgeFile;
const copy = (): KnowledgeFile => structuredClone(original);

async function tableCounts(sql: postgres.Sql): Promise<Record<string, number>> {
  const [row] = await sql<Record<string, number>[]>`
    select (select count(*)::int from sources) as sources, (select count(*)::int from citations) as citations,
           (select count(*)::int from claims) as claims, (select count(*)::int from claim_citations) as links,
           (select count(*)::int from actors) as actors, (select count(*)::int from events) as events,
           (select count(*)::int from places) as places, (select count(*)::int from doctrines) as doctrines,
           (select count(*)::int from relationships) as relationships,
           (select count(*)::int from participations) as participations,
           (select count(*)::int from adherences) as adherences`;
  return row ?? {};
}

describe('the source text', () => {
  it('is the article byte for byte, as its notes give the hash', () => {
    expect(sha256Hex(text)).toBe('5d5d402c037af33d0e943e1bf140b0053c6f656d43ea83fbbb0350a38fc18a68');
  });

  it('has offsets in code points that agree with PostgreSQL substr', async () => {
    const anchor = anchorQuote(text, 'Afghanistan’s neighbors');
    expect(anchor.ok).toBe(true);
    if (!anchor.ok) return;
    const sql = postgres(inject('databaseUrl'), { max: 1 });
    const [row] = await sql`select substr(text, ${anchor.anchor.startOffset + 1}, ${anchor.anchor.endOffset - anchor.anchor.startOffset}) as quote from sources limit 1`;
    await sql.end();
    expect(row?.quote).toBe('Afghanistan’s neighbors');
  });

  it('counts an astral character as one code point', () => {
    const result = anchorQuote('a😀b quote', 'quote');
    expect(result.ok && result.anchor.startOffset).toBe(4);
  });
});

describe('checking a knowledge file before loading', () => {
  it('accepts the seed', () => {
    expect(() => checkKnowledgeFile(FILE, original, text)).not.toThrow();
  });

  it('refuses a quote that is not in the text, naming the quote, the claim and the source', () => {
    const file = copy();
    file.relationships[0]!.quotes = ['ISIS-K is an ally of the Afghan Taliban'];
    expect(() => checkKnowledgeFile(FILE, file, text)).toThrow(
      /relationships\[0\]\.quotes\[0\]: quote "ISIS-K is an ally of the Afghan Taliban" does not occur in source "globely-news-isis-k-long-reach"/,
    );
  });

  it('refuses an ambiguous quote unless it names the occurrence', () => {
    const file = copy();
    file.actors[0]!.quotes = ['ISIS-K'];
    expect(() => checkKnowledgeFile(FILE, file, text)).toThrow(/quote "ISIS-K" occurs \d+ times .* say which occurrence/);
    file.actors[0]!.quotes = [{ text: 'ISIS-K', occurrence: 2 }];
    expect(() => checkKnowledgeFile(FILE, file, text)).not.toThrow();
  });

  it('refuses a reference to an unknown actor', () => {
    const file = copy();
    file.participations[0]!.actor = 'no-such-group';
    expect(() => checkKnowledgeFile(FILE, file, text)).toThrow(/participations\[0\]\.actor: unknown actor "no-such-group"/);
  });

  it('refuses a text whose hash is not the one the file was written against', () => {
    expect(() => checkKnowledgeFile(FILE, original, `${text} `)).toThrow(/has sha256 [0-9a-f]{64}, but the knowledge file was written against/);
  });

  it('refuses an uncited claim and an unknown enum value by their path', () => {
    const file = copy() as unknown as { adherences: { quotes: unknown[] }[]; events: { kind: string }[] };
    file.adherences[0]!.quotes = [];
    file.events[0]!.kind = 'MASSACRE';
    let error: unknown;
    try {
      checkKnowledgeFile(FILE, file, text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KnowledgeFileError);
    const problems = (error as KnowledgeFileError).problems.join('\n');
    expect(problems).toMatch(/adherences\.0\.quotes: every claim needs at least one quote/);
    expect(problems).toMatch(/events\.0\.kind/);
  });
});

describe('loading', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  beforeAll(async () => {
    scratch = await scratchDatabase();
  });
  afterAll(() => scratch.drop());

  it('writes nothing when a file has one bad quote', async () => {
    const file = copy();
    file.participations.at(-1)!.quotes = ['a quote the article never wrote'];
    await expect(loadKnowledgeFile(scratch.handle.db, FILE, file, text)).rejects.toThrow(/does not occur/);
    const counts = await tableCounts(scratch.handle.sql);
    expect(Object.values(counts).every((n) => n === 0)).toBe(true);
  });

  it('loads the seed, then changes nothing when loaded again', async () => {
    const [first] = await loadSeed(scratch.handle.db);
    const before = await tableCounts(scratch.handle.sql);
    const [second] = await loadSeed(scratch.handle.db);
    expect(first?.created).toBeGreaterThan(200);
    expect(second).toMatchObject({ created: 0, unchanged: first?.created });
    expect(await tableCounts(scratch.handle.sql)).toEqual(before);
    expect(before).toMatchObject({
      sources: 1,
      actors: original.actors.length,
      events: original.events.length,
      relationships: original.relationships.length,
      participations: original.participations.length,
      adherences: original.adherences.length,
    });
  });

  it('refuses a changed text under the same source slug', async () => {
    const file = copy();
    const changed = text.replace('Friday', 'Monday');
    file.source.sha256 = sha256Hex(changed);
    file.actors = file.actors.slice(0, 0);
    file.events = [];
    file.adherences = [];
    file.relationships = [];
    file.participations = [];
    file.doctrines = [];
    await expect(loadKnowledgeFile(scratch.handle.db, FILE, file, changed)).rejects.toThrow(
      /source "globely-news-isis-k-long-reach" is stored with a different text/,
    );
  });

  it('stores every citation as exactly the source text at its offsets, and no claim without one', async () => {
    const sql = scratch.handle.sql;
    const mismatched = await sql`
      select c.id from citations c join sources s on s.id = c.source_id
       where substr(s.text, c.start_offset + 1, c.end_offset - c.start_offset) <> c.quote`;
    const uncited = await sql`select id from claims where not exists (select 1 from claim_citations where claim_id = claims.id)`;
    expect(mismatched).toHaveLength(0);
    expect(uncited).toHaveLength(0);
  });
});

describe('the database itself', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  beforeAll(async () => {
    scratch = await scratchDatabase();
    await loadSeed(scratch.handle.db);
  });
  afterAll(() => scratch.drop());

  it('refuses a citation whose quote is not the text at its offsets', async () => {
    await expect(scratch.handle.sql`
      insert into citations (source_id, quote, start_offset, end_offset, prefix, suffix)
      values ((select id from sources limit 1), 'The massacre on Monday', 0, 22, '', '')`).rejects.toThrow(
      /is not the text of source/,
    );
  });

  it('refuses a citation with made-up context', async () => {
    await expect(scratch.handle.sql`
      insert into citations (source_id, quote, start_offset, end_offset, prefix, suffix)
      values ((select id from sources limit 1), 'massacre', 4, 12, 'Tha ', ' on Friday')`).rejects.toThrow(
      /prefix\/suffix/,
    );
  });

  it('refuses a claim without a citation at commit', async () => {
    await expect(
      scratch.handle.sql.begin((tx) => tx`insert into claims (kind, confidence, recorded_by) values ('RELATIONSHIP', 50, 'test')`),
    ).rejects.toThrow(/has no citation/);
  });

  it('checks every claim a transaction adds, whichever is uncited and however the transaction runs', async () => {
    const sql = scratch.handle.sql;
    const cited = async (tx: postgres.TransactionSql) => {
      const [claim] = await tx<{ id: number }[]>`insert into claims (kind, confidence, recorded_by) values ('RELATIONSHIP', 50, 'test') returning id`;
      await tx`insert into claim_citations (claim_id, citation_id) values (${claim!.id}, (select min(id) from citations))`;
      return claim!.id;
    };
    const uncited = async (tx: postgres.TransactionSql, id?: number) =>
      id === undefined
        ? (await tx<{ id: number }[]>`insert into claims (kind, confidence, recorded_by) values ('RELATIONSHIP', 50, 'test') returning id`)[0]!.id
        : (await tx<{ id: number }[]>`insert into claims (id, kind, confidence, recorded_by) overriding system value values (${id}, 'RELATIONSHIP', 50, 'test') returning id`)[0]!.id;
    const count = async () => (await sql<{ n: number }[]>`select count(*)::int as n from claims`)[0]!.n;
    const before = await count();
    // The uncited claim after a cited one, in another statement: named at commit.
    let second = 0;
    const refused = await sql.begin(async (tx) => { await cited(tx); second = await uncited(tx); }).then(() => null, (e: Error) => e);
    expect(refused?.message).toBe(`claim ${second} has no citation; every claim must cite at least one quote`);
    // An explicit id below the transaction's first claim.
    await expect(sql.begin(async (tx) => { await cited(tx); await uncited(tx, -7); })).rejects.toThrow(/claim -7 has no citation/);
    // Checked early (SET CONSTRAINTS ALL IMMEDIATE, as the bulk loader does), then another claim: checked again.
    await expect(sql.begin(async (tx) => {
      await cited(tx);
      await tx`set constraints all immediate`;
      await tx`set constraints all deferred`;
      await uncited(tx);
    })).rejects.toThrow(/has no citation/);
    // The first claim in a savepoint rolled back: the claim after it still queues the check.
    await expect(sql.begin(async (tx) => {
      await tx.savepoint(async (sp) => { await cited(sp); throw new Error('undo'); }).catch(() => undefined);
      await uncited(tx);
    })).rejects.toThrow(/has no citation/);
    // Cited claims commit.
    await sql.begin(async (tx) => { await cited(tx); await cited(tx); });
    expect(await count()).toBe(before + 2);
  });

  it('refuses removing the last citation of a claim', async () => {
    await expect(
      scratch.handle.sql.begin((tx) => tx`
        delete from claim_citations where claim_id = (
          select claim_id from claim_citations group by claim_id having count(*) = 1 limit 1)`),
    ).rejects.toThrow(/has no citation/);
  });

  it('refuses rewording a cited source, and a hash that does not match the text', async () => {
    await expect(scratch.handle.sql`update sources set text = text || ' '`).rejects.toThrow(/sha256|cannot change/);
    await expect(
      scratch.handle.sql`insert into sources (slug, publisher, text, text_sha256) values ('x', 'p', 'abc', ${'0'.repeat(64)})`,
    ).rejects.toThrow(/text_sha256 is not the sha256 of its text/);
  });
});
