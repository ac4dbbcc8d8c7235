/** Full-text search over the seeded article. */
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSeed } from '../src/domain/knowledge/seed.ts';
import { CANDIDATES } from '../src/graphql/loaders/search.ts';
import { openApi, scratchDatabase, writeFixture } from './helpers.ts';

const api = openApi();
afterAll(() => api.close());

interface Hit {
  kind: string;
  rank: number;
  snippet: string;
  actor: { slug: string } | null;
  event: { slug: string } | null;
  source: { slug: string } | null;
  citation: { quote: string } | null;
}

const HIT = `kind rank snippet actor { slug } event { slug } source { slug } citation { quote }`;

async function search(args: string): Promise<Hit[]> {
  const r = await api.query<{ search: Hit[] }>(`{ search(${args}) { ${HIT} } }`);
  expect(r.errors).toBeUndefined();
  return r.data!.search;
}

describe('search', () => {
  it('finds actors by alias, with the match highlighted', async () => {
    const hits = await search(`query: "ISIS-K", types: [ACTOR]`);
    expect(hits[0]).toMatchObject({ kind: 'ACTOR', actor: { slug: 'isis-k' }, event: null, source: null, citation: null });
    expect(hits[0]?.snippet).toContain('<mark>ISIS</mark>');
  });

  it('ranks across kinds, typed hits, best first, with stemming', async () => {
    const hits = await search(`query: "Kerman", first: 50`);
    const kinds = new Set(hits.map((h) => h.kind));
    expect(kinds).toContain('EVENT');
    expect(kinds).toContain('CITATION');
    expect(kinds).toContain('SOURCE');
    expect(hits.find((h) => h.kind === 'EVENT')?.event?.slug).toBe('kerman-memorial-bombings');
    for (const hit of hits.filter((h) => h.kind === 'CITATION')) {
      expect(hit.citation?.quote).toMatch(/Kerman/);
      expect(hit.snippet).toMatch(/<mark>Kerman<\/mark>/);
    }
    const ranks = hits.map((h) => h.rank);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    // "blast" finds the article's "suicide blasts" (stemming); both words must match.
    const stemmed = await search(`query: "blast Kerman", types: [CITATION]`);
    expect(stemmed.length).toBeGreaterThan(0);
    expect(stemmed.every((h) => /blasts in Kerman/.test(h.citation?.quote ?? ''))).toBe(true);
    expect(stemmed[0]?.snippet).toContain('<mark>blasts</mark>');
  });

  it('honours types and first, and finds nothing for words the article lacks', async () => {
    const hits = await search(`query: "Taliban", types: [CITATION], first: 3`);
    expect(hits).toHaveLength(3);
    expect(hits.every((h) => h.kind === 'CITATION' && /Taliban/i.test(h.citation?.quote ?? ''))).toBe(true);
    expect(await search(`query: "xylophone"`)).toEqual([]);
  });

  it('escapes the text around the highlights', async () => {
    const hits = await search(`query: "Moscow", types: [SOURCE]`);
    expect(hits[0]?.source?.slug).toBe('globely-news-isis-k-long-reach');
    expect(hits[0]?.snippet.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
  });

  it('refuses a blank query, a bad first and an empty type list', async () => {
    for (const [args, argument] of [
      ['query: "  "', 'query'],
      ['query: "isis", first: 51', 'first'],
      ['query: "isis", types: []', 'types'],
    ] as const) {
      const r = await api.query(`{ search(${args}) { kind } }`);
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    }
  });

  it('costs one statement, plus one per kind of record shown', async () => {
    api.resetStatements();
    const hits = await search(`query: "Kerman OR ISIS-K", first: 50`);
    expect(new Set(hits.map((h) => h.kind)).size).toBe(4);
    expect(api.statements).toHaveLength(1 + 4);
  });
});

describe('search over many matches', () => {
  it(`ranks the ${CANDIDATES} newest matches of a kind, however they are found`, async () => {
    const scratch = await scratchDatabase();
    const db = scratch.handle.db;
    const big = openApi(scratch.url);
    try {
      await loadSeed(db);
      /** `count` cited events titled `title`, slugs `${prefix}-${from}`…, added in slug order. */
      const addEvents = (prefix: string, from: number, count: number, title: string, description: string | null = null) =>
        db.transaction((tx) => tx.execute(sql`
          with quote as (select min(id) as id from citations),
          reports as (
            insert into claims (kind, confidence, recorded_by)
            select 'EVENT_REPORT', 50, 'test' from generate_series(1, ${count}) returning id),
          cited as (insert into claim_citations select r.id, quote.id from reports r, quote returning claim_id)
          insert into events (slug, title, description, kind, date_precision, claim_id)
          select ${prefix} || '-' || (${from} - 1 + row_number() over (order by r.id)), ${title}, ${description}, 'ATTACK', 'YEAR', r.id
            from reports r order by r.id`));
      const hits = async () => {
        const r = await big.query<{ search: { event: { slug: string }; rank: number }[] }>(
          `{ search(query: "zebrafinch", types: [EVENT], first: 50) { rank event { slug } } }`,
        );
        expect(r.errors).toBeUndefined();
        return r.data!.search.map((h) => h.event.slug);
      };
      const slugs = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `zebrafinch-${from + i}`);

      // The 100 oldest would rank highest (the word in their titles), but they are not among the
      // newest matches; the other 200 tie, and ties go by id.
      await addEvents('zebrafinch', 1, 100, 'Zebrafinch raid');
      await addEvents('zebrafinch', 101, 200, 'Raid', 'A zebrafinch raid.');
      const newest = slugs(101, 150);
      expect(await hits()).toEqual(newest); // the newest rows hold the matches
      await addEvents('quiet', 1, 1_000, 'Quiet day');
      expect(await hits()).toEqual(newest); // none among the newest rows: through the index
      // Enough among the newest rows to try reading on, too few behind them: the probe comes up short.
      await addEvents('quiet', 1_001, 13_000, 'Quiet day');
      await addEvents('zebrafinch', 301, 30, 'Raid', 'A zebrafinch raid.');
      expect(await hits()).toEqual(slugs(131, 180));
    } finally {
      await big.close();
      await scratch.drop();
    }
  }, 120_000);

  it('finds what writers add and change: sources, quotes, events and their edits', async () => {
    const f = await writeFixture();
    try {
      const as = (query: string, variables: Record<string, unknown>) => f.api.query(query, variables, { token: f.tokens.analyst });
      const find = async (query: string) => {
        const r = await f.api.query<{ search: Hit[] }>(`{ search(query: "${query}", first: 50) { ${HIT} } }`);
        expect(r.errors).toBeUndefined();
        return r.data!.search.map((h) => `${h.kind} ${h.source?.slug ?? h.event?.slug ?? h.citation?.quote ?? h.actor?.slug}`).sort();
      };
      const text = 'Okapi rebels shelled the ridge at dawn. Nobody claimed it.';
      expect(await as(`mutation($i: AddSourceInput!) { addSource(input: $i) { __typename } }`, {
        i: { slug: 'test-okapi-bulletin', title: 'Ridge bulletin', publisher: 'Test', text },
      })).toMatchObject({ data: { addSource: { __typename: 'MutationAddSourceSuccess' } } });
      expect(await find('okapi')).toEqual(['SOURCE test-okapi-bulletin']);
      expect(await as(`mutation($i: CreateEventInput!) { createEvent(input: $i) { __typename } }`, {
        i: {
          slug: 'test-ridge-shelling', title: 'Shelling of the ridge', description: 'Okapi rebels shelled it.', kind: 'ATTACK',
          date: { precision: 'YEAR', earliest: '2024-01-01', latest: '2024-12-31' }, confidence: 50,
          citations: [{ source: 'test-okapi-bulletin', quote: 'Okapi rebels shelled the ridge at dawn.' }],
        },
      })).toMatchObject({ data: { createEvent: { __typename: 'MutationCreateEventSuccess' } } });
      expect(await find('okapi')).toEqual([
        'CITATION Okapi rebels shelled the ridge at dawn.', 'EVENT test-ridge-shelling', 'SOURCE test-okapi-bulletin',
      ]);
      expect(await as(`mutation($i: UpdateEventInput!) { updateEvent(input: $i) { __typename } }`, {
        i: { slug: 'test-ridge-shelling', title: 'Shelling of the pangolin ridge', description: 'Rebels shelled it.', confidence: 50,
             citations: [{ source: 'test-okapi-bulletin', quote: 'Nobody claimed it.' }] },
      })).toMatchObject({ data: { updateEvent: { __typename: 'MutationUpdateEventSuccess' } } });
      expect(await find('pangolin')).toEqual(['EVENT test-ridge-shelling']);
      expect(await find('okapi')).toEqual(['CITATION Okapi rebels shelled the ridge at dawn.', 'SOURCE test-okapi-bulletin']);
      // Every stored document is the one its record gives now.
      const [stale] = await f.scratch.handle.sql<{ n: number }[]>`
        select (select count(*) from events e left join event_search_documents d on d.event_id = e.id
                 where d.document is distinct from event_search_document(e.title, e.description))
             + (select count(*) from sources s left join source_search_documents d on d.source_id = s.id
                 where d.document is distinct from source_search_document(s.title, s.text))
             + (select count(*) from citations c left join citation_search_documents d on d.citation_id = c.id
                 where d.document is distinct from citation_search_document(c.quote)) as n`;
      expect(Number(stale?.n)).toBe(0);
    } finally {
      await f.close();
    }
  }, 60_000);

  it('finds what the view holds: nothing retracted, and as of a time only what was stored then, as it was', async () => {
    const f = await writeFixture();
    try {
      const as = (query: string, variables: Record<string, unknown>) => f.api.query(query, variables, { token: f.tokens.analyst });
      const find = async (view: { asOf?: string; includeRetracted?: boolean } = {}) => {
        const r = await f.api.query<{ search: Hit[] }>(
          `query($at: DateTime, $retracted: Boolean!) { search(query: "quokka", first: 50, asOf: $at, includeRetracted: $retracted) { ${HIT} } }`,
          { at: view.asOf ?? null, retracted: view.includeRetracted ?? false });
        expect(r.errors).toBeUndefined();
        return r.data!.search.map((h) => `${h.kind} ${h.source?.slug ?? h.event?.slug ?? h.citation?.quote ?? h.actor?.slug}`).sort();
      };
      const tick = () => new Promise((resolve) => setTimeout(resolve, 20));
      const beforeAll = new Date().toISOString();
      await tick();
      const text = 'Quokka militants raided the depot at night. Nobody claimed it.';
      expect(await as(`mutation($i: AddSourceInput!) { addSource(input: $i) { __typename } }`, {
        i: { slug: 'test-quokka-bulletin', title: 'Depot bulletin', publisher: 'Test', text },
      })).toMatchObject({ data: { addSource: { __typename: 'MutationAddSourceSuccess' } } });
      expect(await as(`mutation($i: CreateEventInput!) { createEvent(input: $i) { __typename } }`, {
        i: {
          slug: 'test-depot-raid', title: 'Raid on the quokka depot', kind: 'ATTACK',
          date: { precision: 'YEAR', earliest: '2024-01-01', latest: '2024-12-31' }, confidence: 50,
          citations: [{ source: 'test-quokka-bulletin', quote: 'Quokka militants raided the depot at night.' }],
        },
      })).toMatchObject({ data: { createEvent: { __typename: 'MutationCreateEventSuccess' } } });
      await tick();
      const created = new Date().toISOString();
      await tick();
      expect(await as(`mutation($i: UpdateEventInput!) { updateEvent(input: $i) { __typename } }`, {
        i: { slug: 'test-depot-raid', title: 'Quokka depot ambush, retold', confidence: 50, citations: [{ source: 'test-quokka-bulletin', quote: 'Nobody claimed it.' }] },
      })).toMatchObject({ data: { updateEvent: { __typename: 'MutationUpdateEventSuccess' } } });
      const all = ['CITATION Quokka militants raided the depot at night.', 'EVENT test-depot-raid', 'SOURCE test-quokka-bulletin'];
      expect(await find()).toEqual(all);
      // Before anything was stored, nothing; once it was, all of it, the event shown as it was then.
      expect(await find({ asOf: beforeAll })).toEqual([]);
      expect(await find({ asOf: created })).toEqual(all);
      const snippet = async (asOf?: string) => {
        const r = await f.api.query<{ search: Hit[] }>(`query($at: DateTime) { search(query: "quokka", types: [EVENT], asOf: $at) { ${HIT} } }`, { at: asOf ?? null });
        return r.data!.search[0]?.snippet;
      };
      expect(await snippet(created)).toMatch(/^Raid on the <mark>quokka<\/mark> depot/);
      expect(await snippet()).toMatch(/retold/);
      // Matched on the words it had then: "raid" only in the first title, "retold" only in the second.
      const events = async (query: string, asOf?: string) => {
        const r = await f.api.query<{ search: Hit[] }>(`query($q: String!, $at: DateTime) { search(query: $q, types: [EVENT], asOf: $at) { ${HIT} } }`, { q: query, at: asOf ?? null });
        expect(r.errors).toBeUndefined();
        return r.data!.search.map((h) => h.event?.slug);
      };
      expect(await events('raid', created)).toEqual(['test-depot-raid']);
      expect(await events('raid')).toEqual([]);
      expect(await events('retold', created)).toEqual([]);
      expect(await events('retold')).toEqual(['test-depot-raid']);
      // An actor merged into another: the name becomes the kept actor's alias from the merge on, and not before.
      const actors = async (query: string, asOf?: string) => {
        const r = await f.api.query<{ search: Hit[] }>(`query($q: String!, $at: DateTime) { search(query: $q, types: [ACTOR], asOf: $at) { ${HIT} } }`, { q: query, at: asOf ?? null });
        expect(r.errors).toBeUndefined();
        return r.data!.search.map((h) => h.actor?.slug);
      };
      for (const [slug, name, quote] of [['test-bilby-front', 'Bilby Front', 'Nobody claimed it.'], ['test-depot-raiders', 'Depot Raiders', 'raided the depot']]) {
        expect(await as(`mutation($i: CreateActorInput!) { createActor(input: $i) { __typename } }`, {
          i: { slug, name, kind: 'ARMED_ORGANIZATION', confidence: 60, citations: [{ source: 'test-quokka-bulletin', quote }] },
        })).toMatchObject({ data: { createActor: { __typename: 'MutationCreateActorSuccess' } } });
      }
      await tick();
      const beforeMerge = new Date().toISOString();
      await tick();
      expect(await f.api.query(`mutation($i: MergeActorsInput!) { mergeActors(input: $i) { __typename } }`, { i: { keep: 'test-bilby-front', remove: 'test-depot-raiders', reason: 'one group' } }, { token: f.tokens.admin }))
        .toMatchObject({ data: { mergeActors: { __typename: 'MutationMergeActorsSuccess' } } });
      expect(await actors('"depot raiders"', beforeMerge)).toEqual(['test-depot-raiders']);
      expect(await actors('"depot raiders"')).toEqual(['test-bilby-front']);
      // The event's report retracted: not found live, found with retracted claims and before the retraction.
      await tick();
      await f.scratch.handle.sql`update claims set retracted_at = now(), retracted_by = 'test', retraction_reason = 'test: the raid was not reported'
        where id = (select claim_id from events where slug = 'test-depot-raid')`;
      expect(await find()).toEqual(['CITATION Quokka militants raided the depot at night.', 'SOURCE test-quokka-bulletin']);
      expect(await find({ includeRetracted: true })).toEqual(all);
      expect(await find({ asOf: created })).toEqual(all);
    } finally {
      await f.close();
    }
  }, 60_000);

  it('drops a record\'s document when the record is deleted', async () => {
    const f = await writeFixture();
    try {
      const documents = async (sql: Pick<typeof f.scratch.handle.sql, 'unsafe'>, ids: { source: number; citation: number; event: number }) => (await sql.unsafe<{ n: number }[]>(`
        select (select count(*) from source_search_documents where source_id = $1)
             + (select count(*) from citation_search_documents where citation_id = $2)
             + (select count(*) from event_search_documents where event_id = $3) as n`, [ids.source, ids.citation, ids.event]))[0]!.n;
      // Rolled back: the deferred "every claim cited" check never runs.
      await f.scratch.handle.sql.begin(async (tx) => {
        const text = 'The wombat front held the pass.';
        const [source] = await tx<{ id: number }[]>`
          insert into sources (slug, title, publisher, text, text_sha256)
          values ('test-wombat-notes', 'Wombat notes', 'Test', ${text}, encode(sha256(convert_to(${text}, 'UTF8')), 'hex')) returning id`;
        const [citation] = await tx<{ id: number }[]>`
          insert into citations (source_id, quote, start_offset, end_offset, prefix, suffix)
          values (${source!.id}, 'wombat front', 4, 16, 'The ', ' held the pass.') returning id`;
        const [claim] = await tx<{ id: number }[]>`insert into claims (key, kind, confidence, recorded_by) values ('test:wombat', 'EVENT_REPORT', 50, 'test') returning id`;
        const [event] = await tx<{ id: number }[]>`
          insert into events (slug, title, kind, date_text, date_precision, claim_id)
          values ('test-wombat-pass', 'Wombat pass held', 'ATTACK', '2024', 'YEAR', ${claim!.id}) returning id`;
        const ids = { source: source!.id, citation: citation!.id, event: event!.id };
        expect(Number(await documents(tx, ids))).toBe(3);
        await tx`delete from events where id = ${ids.event}`;
        await tx`delete from citations where id = ${ids.citation}`;
        await tx`delete from sources where id = ${ids.source}`;
        expect(Number(await documents(tx, ids))).toBe(0);
        throw new Error('roll back');
      }).catch((e: unknown) => {
        if (!(e instanceof Error && e.message === 'roll back')) throw e;
      });
    } finally {
      await f.close();
    }
  }, 60_000);
});
