/**
 * Round trip: the seeded article exported as STIX 2.1 and imported (`npm run import`'s
 * importFile) into a fresh, migrated, empty database reproduces the claims and citations — the
 * same keys, kinds, confidences, notes, recorders, roles, quotes and offsets — and the records
 * they establish. Importing again changes nothing; a bundle whose quote was altered is refused
 * whole.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { importFile } from '../src/import/import.ts';
import type { RunningServer } from '../src/server.ts';
import { scratchDatabase, tableCounts } from './helpers.ts';
import { serve } from './server-helpers.ts';

let server: RunningServer;
let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
let dir: string;
let bundleText: string;
let seeded: postgres.Sql;
let imported: postgres.Sql;

beforeAll(async () => {
  server = await serve(inject('databaseUrl'));
  bundleText = await (await fetch(`${server.url}/export/stix`)).text();
  dir = await mkdtemp(join(tmpdir(), 'stix-round-trip-'));
  scratch = await scratchDatabase();
  seeded = postgres(inject('databaseUrl'), { max: 1, onnotice: () => {} });
  imported = postgres(scratch.url, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await server.shutdown();
  await seeded.end();
  await imported.end();
  await scratch.drop();
  await rm(dir, { recursive: true, force: true });
});

/** Every claim with what it is about and its citations, in a form that does not depend on ids. */
async function claimsOf(sql: postgres.Sql) {
  return sql`
    select c.key, c.kind, c.confidence, c.note, c.recorded_by, to_json(c.recorded_at) #>> '{}' as recorded_at,
           coalesce(d.slug, a.slug, e.slug) as establishes,
           p.role, pe.slug as event, pa.slug as participant, pb.slug as attributed_by,
           r.type, rf.slug as rel_from, rt.slug as rel_to, r.start_text, r.start_earliest::text, r.start_latest::text, r.start_precision, r.end_text, r.end_earliest::text, r.end_latest::text, r.end_precision,
           ad.start_text as adherence_start, ad.end_text as adherence_end, c.credibility,
           aa.slug as adherent, ad2.slug as doctrine,
           (select json_agg(json_build_object('source', s.slug, 'quote', ct.quote, 'start', ct.start_offset, 'end', ct.end_offset,
                                              'prefix', ct.prefix, 'suffix', ct.suffix) order by s.slug, ct.start_offset, ct.end_offset)
              from claim_citations cc join citations ct on ct.id = cc.citation_id join sources s on s.id = ct.source_id
             where cc.claim_id = c.id) as citations
      from claims c
      left join doctrines d on d.claim_id = c.id
      left join actors a on a.claim_id = c.id
      left join events e on e.claim_id = c.id
      left join participations p on p.claim_id = c.id
      left join events pe on pe.id = p.event_id
      left join actors pa on pa.id = p.actor_id
      left join actors pb on pb.id = p.attributed_by_id
      left join relationships r on r.claim_id = c.id
      left join actors rf on rf.id = r.from_actor_id
      left join actors rt on rt.id = r.to_actor_id
      left join adherences ad on ad.claim_id = c.id
      left join actors aa on aa.id = ad.actor_id
      left join doctrines ad2 on ad2.id = ad.doctrine_id
     order by c.key`;
}

async function recordsOf(sql: postgres.Sql) {
  return {
    sources: await sql`select slug, title, publisher, author, url, published_text, published_earliest::text, published_latest::text, published_precision, text_sha256 from sources order by slug`,
    places: await sql`select p.slug, p.name, p.kind, parent.slug as parent, country.slug as country, p.country_code, p.region
                        from places p left join places parent on parent.id = p.parent_id left join places country on country.id = p.country_id order by p.slug`,
    doctrines: await sql`select d.slug, d.name, d.description, parent.slug as parent from doctrines d left join doctrines parent on parent.id = d.parent_id order by d.slug`,
    actors: await sql`select a.slug, a.name, a.aliases, a.kind, a.description, hc.slug as home from actors a left join places hc on hc.id = a.home_country_id order by a.slug`,
    events: await sql`select e.slug, e.title, e.kind, e.description, e.date_text, e.date_earliest::text, e.date_latest::text, e.date_precision, pl.slug as place,
                             e.killed_min, e.killed_max, e.killed_text, e.wounded_min, e.wounded_max, e.wounded_text
                        from events e left join places pl on pl.id = e.place_id order by e.slug`,
  };
}

describe('STIX export → import into an empty instance', () => {
  it('reproduces the claims and citations (counts, quotes, offsets, confidences, roles) and the records', async () => {
    const path = join(dir, 'bundle.json');
    await writeFile(path, bundleText);
    const report = await importFile(scratch.handle.db, path);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.created).toBeGreaterThan(100);

    const before = await claimsOf(seeded);
    const after = await claimsOf(imported);
    expect(after.length).toBe(before.length);
    expect(after).toEqual(before);
    expect(await recordsOf(imported)).toEqual(await recordsOf(seeded));

    const counts = await tableCounts(imported);
    const original = await tableCounts(seeded);
    for (const table of ['sources', 'citations', 'claims', 'claim_citations', 'places', 'doctrines', 'actors', 'events', 'adherences', 'relationships', 'participations']) {
      expect(counts[table], table).toBe(original[table]);
    }
    // Participation roles survive, e.g. the three of the Moscow attack.
    const moscow = after.filter((c) => c.event === 'moscow-concert-hall-attack').map((c) => `${c.role}:${c.participant}:${c.confidence}`);
    expect(moscow).toEqual(expect.arrayContaining(['CLAIMED_RESPONSIBILITY:isis:90', 'ATTRIBUTED:isis-k:90', 'IMPLICATED:isis-k:40']));
  });

  it('importing the same bundle again changes nothing', async () => {
    const path = join(dir, 'bundle.json');
    const counts = await tableCounts(imported);
    const again = await importFile(scratch.handle.db, path);
    expect(again.ok).toBe(true);
    expect(again.created).toBe(0);
    expect(again.unchanged).toBeGreaterThan(100);
    expect(await tableCounts(imported)).toEqual(counts);
  });

  it('the imported instance exports the same bundle', async () => {
    const copy = await serve(scratch.url);
    try {
      const text = await (await fetch(`${copy.url}/export/stix`)).text();
      expect(text).toBe(bundleText);
    } finally {
      await copy.shutdown();
    }
  });

  it('refuses a bundle whose quote is not its source text at its offsets, and writes nothing', async () => {
    const empty = await scratchDatabase();
    try {
      const bundle = JSON.parse(bundleText) as { objects: { type: string; extensions?: Record<string, { citations?: { quote: string }[] }> }[] };
      const incident = bundle.objects.find((o) => o.type === 'incident');
      const citation = Object.values(incident?.extensions ?? {})[0]?.citations?.[0];
      if (!citation) throw new Error('no citation to alter');
      citation.quote = `${citation.quote.slice(0, -1)}X`;
      const path = join(dir, 'altered.json');
      await writeFile(path, JSON.stringify(bundle));
      const before = await tableCounts(empty.handle.sql);
      const report = await importFile(empty.handle.db, path);
      expect(report.ok).toBe(false);
      expect(report.problems.join('\n')).toMatch(/objects\[\d+\]: citations\[0\]: the quote is not the text of "globely-news-isis-k-long-reach"/);
      expect(await tableCounts(empty.handle.sql)).toEqual(before);
    } finally {
      await empty.drop();
    }
  });
});

describe('a bundle whose place lies where its kind cannot', () => {
  it('is refused by the rule createPlace holds, naming the object, and writes nothing', async () => {
    const empty = await scratchDatabase();
    try {
      type Place = { type: string; extensions?: Record<string, { record?: string; slug?: string; parent?: string | null }> };
      const bundle = JSON.parse(bundleText) as { objects: Place[] };
      const placeOf = (slug: string) => bundle.objects.find((o) => Object.values(o.extensions ?? {}).some((x) => x.record === 'place' && x.slug === slug));
      const district = Object.values(placeOf('bajaur-tribal-area')?.extensions ?? {})[0];
      if (!district || !placeOf('kabul')) throw new Error('the seed\'s district or city is not in the bundle');
      district.parent = 'kabul';
      const path = join(dir, 'misplaced.json');
      await writeFile(path, JSON.stringify(bundle));
      const before = await tableCounts(empty.handle.sql);
      const report = await importFile(empty.handle.db, path);
      expect(report.ok).toBe(false);
      expect(report.problems.join('\n')).toMatch(/objects\[\d+\]: parent: an ADMIN2 lies in an ADMIN1 or a COUNTRY, not in a CITY \("kabul"\)/);
      expect(await tableCounts(empty.handle.sql)).toEqual(before);
    } finally {
      await empty.drop();
    }
  });
});
