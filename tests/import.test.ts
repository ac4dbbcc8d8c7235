/**
 * Bulk import: the seed's format (and CSV for events), all or nothing in one transaction,
 * every problem named with its path or line, re-imports unchanged, dry runs write nothing.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainSummaries } from '../src/db/summaries.ts';
import { TEXT_LIMITS } from '../src/domain/limits.ts';
import { analyzeBulkLoadedTables } from '../src/db/statistics.ts';
import { importFile } from '../src/import/import.ts';
import { tableCounts, writeFixture, type WriteFixture } from './helpers.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const examples = fileURLToPath(new URL('../seed/examples/', import.meta.url));
let f: WriteFixture;
let dir: string;

beforeAll(async () => {
  f = await writeFixture();
  dir = mkdtempSync(join(tmpdir(), 'import-test-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await f.close();
});

/**
 * A knowledge file with `n` events, each quoting its own sentence and claimed by ISIS-K; `preamble`
 * comes before the sentences in the source's text.
 */
function bigFile(name: string, n: number, spoil?: number, preamble = '', reliability: string | null = null): string {
  const sentences = Array.from({ length: n }, (_, i) => `Incident ${i + 1} took place in Kabul.`);
  const text = preamble + sentences.join(' ');
  writeFileSync(join(dir, `${name}.txt`), text);
  const events = sentences.map((sentence, i) => ({
    slug: `${name}-incident-${i + 1}`,
    title: `Incident ${i + 1}`,
    kind: 'ATTACK',
    description: null,
    date: { text: null, earliest: '2023-01-01', latest: '2023-12-31', precision: 'YEAR' },
    place: 'kabul',
    killed: null,
    wounded: null,
    confidence: 50,
    quotes: [i === spoil ? `Incident ${i + 1} took place in Herat.` : sentence],
  }));
  const file = {
    source: {
      slug: name,
      title: null,
      publisher: 'Test',
      author: null,
      url: null,
      published: { text: null, earliest: null, latest: null, precision: 'RANGE' },
      textFile: `${name}.txt`,
      sha256: createHash('sha256').update(text).digest('hex'),
      ...(reliability ? { reliability } : {}),
    },
    places: [],
    doctrines: [],
    actors: [],
    events,
    adherences: [],
    relationships: [],
    participations: events.map((e) => ({ event: e.slug, actor: 'isis-k', role: 'PERPETRATOR', confidence: 50, quotes: e.quotes })),
  };
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(file, null, 2));
  return path;
}

describe('importing 1,000 events', () => {
  it('loads them in one transaction, then reports a second import unchanged', async () => {
    const path = bigFile('big-report', 1000);
    const QUERY = `{ events(filter: { actor: "isis-k", from: "2023-01-01", to: "2023-12-31" }) { totalCount } }`;
    const countBefore = ((await f.api.query<{ events: { totalCount: number } }>(QUERY)).data?.events.totalCount) ?? 0;
    const progress: [number, number][] = [];
    const report = await importFile(f.scratch.handle.db, path, { onProgress: (done, total) => progress.push([done, total]) });
    expect(report).toMatchObject({ ok: true, problems: [], refused: 0 });
    // source + 1,000 citations + 1,000 event claims + 1,000 participation claims
    expect(report.created).toBe(3001);
    expect(report.createdEventIds).toHaveLength(1000);
    // Written a chunk at a time, the progress ends at every record of the file.
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toEqual([2000, 2000]);
    // now() is the transaction's start: one recorded_at for all 2,000 claims means one transaction.
    const [one] = await f.scratch.handle.sql`select count(*)::int as claims, count(distinct recorded_at)::int as times from claims where recorded_by = 'import:big-report.json'`;
    expect(one).toEqual({ claims: 2000, times: 1 });
    const listed = await f.api.query(QUERY);
    expect(listed.data).toEqual({ events: { totalCount: countBefore + 1000 } });

    const before = await tableCounts(f.scratch.handle.sql);
    const again = await importFile(f.scratch.handle.db, path);
    expect(again).toMatchObject({ ok: true, created: 0, unchanged: 3001, refused: 0, differing: [] });
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  }, 120_000);

  it('leaves a bulk part\'s search documents to the drain, and search finds its records once summaries catch up', async () => {
    // 1,500 events and quotes in one part: more records per statement than search_documents_inline_rows.
    const path = bigFile('bulk-searched', 1500);
    expect(await importFile(f.scratch.handle.db, path)).toMatchObject({ ok: true, refused: 0 });
    const FIND = `{ search(query: "Incident 1234", types: [EVENT, CITATION], first: 10) { kind event { slug } citation { quote } }
                    summaryStatus { caughtUp } }`;
    // Waiting: the events (as every new event is, for the summaries) and the quotes, by blocks of ids.
    const [queued] = await f.scratch.handle.sql<{ events: number; quotes: number }[]>`
      select (select count(*)::int from events e
               where e.slug like 'bulk-searched-%' and e.id in (select id from summary_queue where kind = 'event')) as events,
             (select count(*)::int from citations c join sources s on s.id = c.source_id and s.slug = 'bulk-searched'
               where citation_search_block(c.id) in (select id from summary_queue where kind = 'citation_search')) as quotes`;
    expect(queued).toEqual({ events: 1500, quotes: 1500 });
    expect((await f.api.query(FIND)).data).toEqual({ search: [], summaryStatus: { caughtUp: false } });

    await drainSummaries(f.scratch.handle.db);
    const found = await f.api.query<{ search: { kind: string; event: { slug: string } | null; citation: { quote: string } | null }[] }>(FIND);
    expect(found.data?.search.map((h) => h.event?.slug ?? h.citation?.quote).sort()).toEqual([
      'Incident 1234 took place in Kabul.', 'bulk-searched-incident-1234',
    ]);
    // Each document is the one its record gives, as if the statement had made it.
    const [stale] = await f.scratch.handle.sql<{ n: number }[]>`
      select (select count(*) from events e left join event_search_documents d on d.event_id = e.id
               where d.document is distinct from event_search_document(e.title, e.description))
           + (select count(*) from citations c left join citation_search_documents d on d.citation_id = c.id
               where d.document is distinct from citation_search_document(c.quote))
           + (select count(*) from summary_queue) as n`;
    expect(Number(stale?.n)).toBe(0);
  }, 120_000);

  it('gives the claims of a graded source its grade, which reliability floors then keep', async () => {
    const path = bigFile('graded-report', 20, undefined, '', 'C');
    expect(await importFile(f.scratch.handle.db, path)).toMatchObject({ ok: true, refused: 0 });
    const grades = await f.scratch.handle.sql`
      select source_reliability as grade, count(*)::int as claims from claims where recorded_by = 'import:graded-report.json' group by 1`;
    expect(grades).toEqual([{ grade: 'C', claims: 40 }]);
    // The seed's article is ungraded: only the graded report's events pass, by their own claim
    // and by ISIS-K's participation.
    const stats = (floor: string) => f.api.query<{ eventStats: { events: number } }>(`{ eventStats(filter: { actor: "isis-k", minReliability: ${floor} }) { events } }`);
    expect((await stats('C')).data?.eventStats.events).toBe(20);
    expect((await stats('B')).data?.eventStats.events).toBe(0);
  });

  it('links participations to stored events as well as to its own', async () => {
    const path = bigFile('stored-event-report', 3);
    const file = JSON.parse(readFileSync(path, 'utf8'));
    // The seed's Kabul airport attack, defined by the article and only referred to here.
    file.participations.push({ event: 'kabul-airport-suicide-attack', actor: 'isis-k', role: 'IMPLICATED', confidence: 40, quotes: [file.events[2].quotes[0]] });
    writeFileSync(path, JSON.stringify(file));
    const report = await importFile(f.scratch.handle.db, path);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, refused: 0 });
    const linked = await f.scratch.handle.sql<{ event: string; role: string }[]>`
      select e.slug as event, p.role from participations p join events e on e.id = p.event_id join claims c on c.id = p.claim_id
       where c.recorded_by = 'import:stored-event-report.json' order by e.slug, p.role`;
    expect(linked).toEqual([
      { event: 'kabul-airport-suicide-attack', role: 'IMPLICATED' },
      ...[1, 2, 3].map((i) => ({ event: `stored-event-report-incident-${i}`, role: 'PERPETRATOR' })),
    ]);
  }, 60_000);

  it('writes nothing from a file with one bad row, and names the row', async () => {
    const path = bigFile('spoiled-report', 1000, 517);
    const before = await tableCounts(f.scratch.handle.sql);
    const report = await importFile(f.scratch.handle.db, path);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      'events[517].quotes[0]: quote "Incident 518 took place in Herat." does not occur in source "spoiled-report"',
      'participations[517].quotes[0]: quote "Incident 518 took place in Herat." does not occur in source "spoiled-report"',
    ]);
    expect(report.refused).toBe(2001);
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  }, 120_000);
});

describe('importing a part at a time', () => {
  // Each part's claims and citations are written while the next part is read; 300 staged rows make
  // a part of ~100 records here, so these files cross many part boundaries.
  const PARTS = { partRows: 300 };

  it('writes and reports in parts what it does in one, the source\'s external ids included', async () => {
    const path = bigFile('parted-report', 300);
    const file = JSON.parse(readFileSync(path, 'utf8'));
    file.source.externalIds = [{ scheme: 'WIKIDATA', value: 'Q4242421' }];
    // The same participation again, far from the first and quoting another sentence: one claim, two quotes.
    file.participations.push({ ...file.participations[0], quotes: [file.events[1].quotes[0]] });
    writeFileSync(path, JSON.stringify(file));
    const before = await tableCounts(f.scratch.handle.sql);
    const whole = await importFile(f.scratch.handle.db, path, { dryRun: true });
    const parted = await importFile(f.scratch.handle.db, path, { dryRun: true, ...PARTS });
    expect(parted).toEqual(whole);
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);

    const report = await importFile(f.scratch.handle.db, path, PARTS);
    // source + its external id + 300 citations + 300 event claims + 300 participation claims; the
    // repeated participation is the same claim, unchanged as a record
    expect(report).toMatchObject({ ok: true, created: 902, unchanged: 1, refused: 0 });
    expect(report.created).toBe(whole.created);
    const after = await tableCounts(f.scratch.handle.sql);
    const added = Object.fromEntries(['claims', 'citations', 'claim_citations', 'events', 'participations'].map((t) => [t, (after[t] ?? 0) - (before[t] ?? 0)]));
    expect(added).toEqual({ claims: 600, citations: 300, claim_citations: 601, events: 300, participations: 300 });
    const found = await f.api.query(`{ sourceByExternalId(scheme: WIKIDATA, value: "Q4242421") { slug } }`);
    expect(found.data).toEqual({ sourceByExternalId: { slug: 'parted-report' } });
    expect(await importFile(f.scratch.handle.db, path, PARTS)).toMatchObject({ ok: true, created: 0, unchanged: 902 });
  }, 120_000);

  it('writes nothing when a late part has a bad quote, though earlier parts were written', async () => {
    const path = bigFile('spoiled-late', 1000, 900);
    const before = await tableCounts(f.scratch.handle.sql);
    const report = await importFile(f.scratch.handle.db, path, PARTS);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      'events[900].quotes[0]: quote "Incident 901 took place in Herat." does not occur in source "spoiled-late"',
      'participations[900].quotes[0]: quote "Incident 901 took place in Herat." does not occur in source "spoiled-late"',
    ]);
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  }, 120_000);

  it('writes nothing from a file that breaks off while a part is being written', async () => {
    const path = bigFile('broken-off', 1000);
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.slice(0, Math.floor(text.length * 0.8)));
    const before = await tableCounts(f.scratch.handle.sql);
    const report = await importFile(f.scratch.handle.db, path, PARTS);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.stringMatching(/not valid JSON/)]);
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
    // The connection is usable again: the part under way finished before the transaction ended.
    expect(await importFile(f.scratch.handle.db, bigFile('after-broken-off', 10), PARTS)).toMatchObject({ ok: true, created: 31 });
  }, 120_000);
});

describe('a source too long to index whole', () => {
  it('is imported, its quotes checked against the whole text, and searchable by the beginning that fits once drained', async () => {
    // 150,000 distinct tokens: a search document of the whole text would exceed PostgreSQL's
    // 1 MB tsvector limit, which used to refuse the source (and so the whole file).
    const preamble = Array.from({ length: 150_000 }, (_, i) => `tok${i}`).join(' ') + ' ';
    const path = bigFile('long-report', 3, undefined, preamble);
    const report = await importFile(f.scratch.handle.db, path);
    expect(report).toMatchObject({ ok: true, problems: [], refused: 0, created: 10 });
    const [stored] = await f.scratch.handle.sql`select length(text)::int as length from sources where slug = 'long-report'`;
    expect(stored?.length).toBe(preamble.length + 'Incident 1 took place in Kabul. Incident 2 took place in Kabul. Incident 3 took place in Kabul.'.length);
    // The quotes sit past the indexed beginning, at their offsets in the whole text.
    const quoted = await f.scratch.handle.sql`
      select c.start_offset::int as start from citations c join sources s on s.id = c.source_id where s.slug = 'long-report' order by 1`;
    expect(quoted.length).toBeGreaterThan(0);
    expect(Math.min(...quoted.map((row) => row.start as number))).toBeGreaterThanOrEqual(preamble.length);
    const found = async (word: string) => (await f.scratch.handle.sql`
      select count(*)::int as n from source_search_documents d join sources s on s.id = d.source_id
       where s.slug = 'long-report' and d.document @@ plainto_tsquery('english', ${word})`)[0]?.n;
    // Over a megabyte, the text is indexed by the drainer after the commit, not by the import's transaction.
    expect(await found('tok10')).toBe(0);
    await drainSummaries(f.scratch.handle.db);
    expect(await found('tok10')).toBe(1);
    expect(await found('tok149999')).toBe(0);
  }, 120_000);
});

describe("a source text's length", () => {
  it('may exceed what one API request takes when read from a file, up to the import limit, and is refused past it, naming the file', async () => {
    // A report of 100,000 cited sentences (the write benchmark's) is ~8 million characters.
    const preamble = 'x'.repeat(TEXT_LIMITS.sourceText) + ' ';
    const path = bigFile('book-length-report', 2, undefined, preamble);
    expect(await importFile(f.scratch.handle.db, path)).toMatchObject({ ok: true, problems: [], created: 7 });
    const [stored] = await f.scratch.handle.sql`select length(text)::int as length from sources where slug = 'book-length-report'`;
    expect(stored?.length).toBeGreaterThan(TEXT_LIMITS.sourceText);

    const before = await tableCounts(f.scratch.handle.sql);
    const tooLong = bigFile('too-long-report', 2, undefined, 'x'.repeat(TEXT_LIMITS.sourceTextFile) + ' ');
    const report = await importFile(f.scratch.handle.db, tooLong);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.stringMatching(/^source\.textFile: too-long-report\.txt is \d+ characters long, more than the limit of 20000000$/)]);
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  }, 120_000);
});

describe('the example files', () => {
  it('dry-runs, imports (JSON, then CSV quoting the same source) and re-imports unchanged', async () => {
    const json = join(examples, 'example-wire-report.json');
    const csv = join(examples, 'example-events.csv');
    const before = await tableCounts(f.scratch.handle.sql);
    const dry = await importFile(f.scratch.handle.db, json, { dryRun: true });
    expect(dry).toMatchObject({ ok: true, dryRun: true, problems: [] });
    expect(dry.created).toBeGreaterThan(0);
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);

    const real = await importFile(f.scratch.handle.db, json);
    expect(real).toMatchObject({ ok: true, created: dry.created });
    const fromCsv = await importFile(f.scratch.handle.db, csv);
    expect(fromCsv).toMatchObject({ ok: true, problems: [] });
    const event = await f.api.query(`{ event(slug: "jalalabad-police-post-attack-2024") { place { slug country { slug } } citations { quote } } }`);
    expect(event.data).toEqual({
      event: { place: { slug: 'jalalabad', country: { slug: 'afghanistan' } }, citations: [{ quote: 'gunmen attacked a police post in Jalalabad' }] },
    });
    expect(real.differing).toEqual([]);
    const after = await tableCounts(f.scratch.handle.sql);
    expect(await importFile(f.scratch.handle.db, json)).toMatchObject({ created: 0, differing: [] });
    expect(await importFile(f.scratch.handle.db, csv)).toMatchObject({ created: 0, differing: [] });
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(after);
    const audit = await f.scratch.handle.sql`select principal from audit_log where operation = 'import' and principal like 'import:example%' order by id`;
    expect(audit.map((r) => r.principal)).toEqual(['import:example-wire-report.json', 'import:example-events.csv']);
  });

  it('names the stored records a corrected file says otherwise about, and leaves them as stored', async () => {
    const json = join(examples, 'example-wire-report.json');
    expect((await importFile(f.scratch.handle.db, json)).ok).toBe(true);
    const file = JSON.parse(readFileSync(json, 'utf8')) as {
      source: { slug: string; textFile: string; reliability?: string };
      places: { slug: string; name: string }[];
      events: { slug: string; title: string }[];
      participations: { event: string; actor: string; role: string; confidence: number }[];
      relationships: { from: string; type: string; to: string; start: unknown }[];
    };
    writeFileSync(join(dir, file.source.textFile), readFileSync(join(examples, file.source.textFile)));
    const [place] = file.places;
    const [event] = file.events;
    const [participation] = file.participations;
    const [relationship] = file.relationships;
    place!.name = `${place!.name} (corrected)`;
    event!.title = `${event!.title} (corrected)`;
    // A claim graded otherwise, and a relationship given a period: claims are never edited either.
    participation!.confidence = 60;
    // The source graded otherwise: a grade changes by a grading with its reason (gradeSource).
    file.source.reliability = file.source.reliability === 'A' ? 'B' : 'A';
    relationship!.start = { text: 'since 2021', earliest: '2021-01-01', latest: null, precision: 'YEAR' };
    const path = join(dir, 'corrected-wire-report.json');
    writeFileSync(path, JSON.stringify(file));
    const read = () => f.scratch.handle.sql`
      select (select title from events where slug = ${event!.slug}) as title, (select name from places where slug = ${place!.slug}) as name`;
    const stored = await read();
    const before = await tableCounts(f.scratch.handle.sql);

    const dry = await importFile(f.scratch.handle.db, path, { dryRun: true });
    const report = await importFile(f.scratch.handle.db, path);
    for (const r of [dry, report]) {
      expect(r).toMatchObject({
        ok: true,
        created: 0,
        differing: [
          `source "${file.source.slug}"`,
          `places[0] "${place!.slug}"`,
          `events[0] "${event!.slug}"`,
          `relationships[0] "${relationship!.from} ${relationship!.type} ${relationship!.to}"`,
          `participations[0] "participation:${participation!.event}:${participation!.actor}:${participation!.role}"`,
        ],
      });
    }
    expect(await read()).toEqual(stored);
    const { audit_log: _a, ...rest } = await tableCounts(f.scratch.handle.sql);
    const { audit_log: _b, ...expected } = before;
    expect(rest).toEqual(expected);
  });

  it('with applyCorrections, changes the stored place and event as the corrected file gives them, by cited updates', async () => {
    const json = join(examples, 'example-wire-report.json');
    expect((await importFile(f.scratch.handle.db, json)).ok).toBe(true);
    const file = JSON.parse(readFileSync(json, 'utf8')) as {
      source: { slug: string; textFile: string };
      places: { slug: string; name: string }[];
      events: { slug: string; title: string; killed: { min: number; max: number | null; text: string }; quotes: string[] }[];
      participations: { confidence: number }[];
    };
    writeFileSync(join(dir, file.source.textFile), readFileSync(join(examples, file.source.textFile)));
    const [place] = file.places;
    const [event] = file.events;
    const originalTitle = event!.title;
    place!.name = `${place!.name} (renamed)`;
    event!.title = `${originalTitle} (retitled)`;
    event!.killed = { min: 14, max: 14, text: '14 people' };
    // A claim graded otherwise stays as stored: claims are never edited.
    file.participations[0]!.confidence = 55;
    const path = join(dir, 'wire-report-to-apply.json');
    writeFileSync(path, JSON.stringify(file));
    const read = async () => (await f.scratch.handle.sql<{ title: string; killed_min: number; name: string }[]>`
      select e.title, e.killed_min, p.name from events e, places p where e.slug = ${event!.slug} and p.slug = ${place!.slug}`)[0];
    const stored = await read();
    const startedAt = new Date();

    const dry = await importFile(f.scratch.handle.db, path, { dryRun: true, applyCorrections: true });
    expect(dry).toMatchObject({ ok: true, corrected: [`places[0] "${place!.slug}": name`, `events[0] "${event!.slug}": title, killed`] });
    expect(await read()).toEqual(stored);

    const report = await importFile(f.scratch.handle.db, path, { applyCorrections: true });
    expect(report).toMatchObject({ ok: true, created: 0, corrected: [`places[0] "${place!.slug}": name`, `events[0] "${event!.slug}": title, killed`] });
    // What no service may change is still named, left as stored.
    expect(report.differing).toEqual([expect.stringMatching(/^participations\[0\] "participation:/)]);
    expect(await read()).toEqual({ title: event!.title, killed_min: 14, name: place!.name });
    // The event's change is an update claim quoting the file's sentence; the old title is its revision, read asOf before.
    const [update] = await f.scratch.handle.sql<{ note: string; quotes: string[] }[]>`
      select c.note, array_agg(ct.quote) as quotes from events e join claims c on c.id = e.revision_claim_id
        join claim_citations cc on cc.claim_id = c.id join citations ct on ct.id = cc.citation_id
       where e.slug = ${event!.slug} group by c.note`;
    expect(update).toEqual({ note: 'corrected as wire-report-to-apply.json gives it', quotes: event!.quotes });
    const then = await f.api.query<{ event: { title: string } }>(`{ event(slug: "${event!.slug}", asOf: "${startedAt.toISOString()}") { title } }`);
    expect(then.data?.event.title).toBe(originalTitle);
    expect(await f.scratch.handle.sql`select 1 from claims c where c.id not in (select claim_id from claim_citations)`).toHaveLength(0);

    // Imported again: nothing left to apply.
    expect(await importFile(f.scratch.handle.db, path, { applyCorrections: true })).toMatchObject({ ok: true, created: 0, corrected: [] });
  });

  it('with applyCorrections, changes an event a corrected CSV row gives otherwise', async () => {
    expect((await importFile(f.scratch.handle.db, join(examples, 'example-wire-report.json'))).ok).toBe(true);
    expect((await importFile(f.scratch.handle.db, join(examples, 'example-events.csv'))).ok).toBe(true);
    const csv = readFileSync(join(examples, 'example-events.csv'), 'utf8');
    const corrected = csv.replace('Attack on a police post in Jalalabad', 'Gun attack on a police post in Jalalabad');
    expect(corrected).not.toBe(csv);
    const path = join(dir, 'events-corrected.csv');
    writeFileSync(path, corrected);
    const report = await importFile(f.scratch.handle.db, path, { applyCorrections: true });
    expect(report).toMatchObject({ ok: true, created: 0, differing: [], corrected: [expect.stringMatching(/^line 2 \(events\[0\]\) "jalalabad-police-post-attack-2024": title$/)] });
    expect((await f.scratch.handle.sql`select title from events where slug = 'jalalabad-police-post-attack-2024'`)[0]?.title).toBe('Gun attack on a police post in Jalalabad');
  });

  it('refuses a place where its kind cannot lie, as the API does, following the file\'s own places up to a country', async () => {
    const json = join(examples, 'example-wire-report.json');
    const file = JSON.parse(readFileSync(json, 'utf8')) as { source: { textFile: string }; places: Record<string, unknown>[] };
    writeFileSync(join(dir, file.source.textFile), readFileSync(join(examples, file.source.textFile)));
    const place = (slug: string, kind: string, parent: string | null) => ({ slug, name: slug, kind, parent, countryCode: null, region: null });
    const at = file.places.length;
    file.places.push(
      place('kabul-ward-9', 'ADMIN2', 'kabul'),
      place('test-steppe', 'REGION', null),
      place('test-town', 'CITY', 'test-steppe'),
      place('test-south', 'REGION', 'afghanistan'),
      place('test-town-2', 'CITY', 'test-south'),
      place('test-nowhere', 'SITE', null),
    );
    const path = join(dir, 'wire-report-places.json');
    writeFileSync(path, JSON.stringify(file));
    const before = await tableCounts(f.scratch.handle.sql);
    const report = await importFile(f.scratch.handle.db, path);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      `places[${at}].parent: an ADMIN2 lies in an ADMIN1 or a COUNTRY, not in a CITY ("kabul")`,
      `places[${at + 2}].parent: a CITY lies in a country, and the region "test-steppe" lies in none`,
      `places[${at + 5}].parent: a SITE lies in another place: give its parent`,
    ]);
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  });

  it('refuses an actor whose home country is not a country, as the API does, and writes nothing', async () => {
    const article = fileURLToPath(new URL('../seed/data/globely-news-isis-k-long-reach.json', import.meta.url));
    const file = JSON.parse(readFileSync(article, 'utf8')) as { source: { textFile: string }; places: { slug: string; kind: string }[]; actors: { homeCountry: string | null }[] };
    writeFileSync(join(dir, file.source.textFile), readFileSync(fileURLToPath(new URL(`../seed/sources/${file.source.textFile}`, import.meta.url))));
    const city = file.places.find((p) => p.kind === 'CITY')!;
    const actor = file.actors.findIndex((a) => a.homeCountry !== null);
    file.actors[actor]!.homeCountry = city.slug;
    const path = join(dir, 'article-city-home.json');
    writeFileSync(path, JSON.stringify(file));
    const before = await tableCounts(f.scratch.handle.sql);
    const report = await importFile(f.scratch.handle.db, path, { applyCorrections: true });
    expect(report).toMatchObject({ ok: false, problems: [`actors[${actor}].homeCountry: "${city.slug}" is a city, not a country`] });
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  });

  it('finds the seeded article as stored: every record unchanged, none differing', async () => {
    const article = fileURLToPath(new URL('../seed/data/globely-news-isis-k-long-reach.json', import.meta.url));
    const report = await importFile(f.scratch.handle.db, article, { dryRun: true });
    expect(report).toMatchObject({ ok: true, problems: [], created: 0, differing: [] });
    expect(report.unchanged).toBeGreaterThan(100);
  });

  it('names the CSV line of every bad row', async () => {
    const path = join(dir, 'bad-events.csv');
    writeFileSync(
      path,
      [
        'source,slug,title,kind,date_precision,confidence,quote',
        'example-wire-report,ok-row,Fine,ATTACK,YEAR,50,gunmen attacked a police post in Jalalabad',
        'example-wire-report,bad-kind,Bad,MASSACRE,YEAR,50,gunmen attacked a police post in Jalalabad',
        'example-wire-report,bad-quote,Bad,ATTACK,YEAR,fifty,a sentence not in the text',
      ].join('\n'),
    );
    const before = await tableCounts(f.scratch.handle.sql);
    const report = await importFile(f.scratch.handle.db, path, { dryRun: true });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      'line 3: kind "MASSACRE" is not one of ATTACK, SUICIDE_ATTACK, SUICIDE_BOMBING, MASS_SHOOTING, STORMING, ASSASSINATION_ATTEMPT, PLOT, ATTACKS_AND_PLOTS, CAMPAIGN, INSURGENCY, MILITARY_OPERATION, WITHDRAWAL, TAKEOVER, FOUNDING, ARMED_CLASH',
      'line 4: confidence must be a whole number, got "fifty"',
    ]);
    writeFileSync(path, ['source,slug,title,kind,date_precision,confidence,quote', 'example-wire-report,bad-quote,Bad,ATTACK,YEAR,50,a sentence not in the text'].join('\n'));
    const quote = await importFile(f.scratch.handle.db, path);
    expect(quote.problems).toEqual(['line 2 (events[0]).quotes[0]: quote "a sentence not in the text" does not occur in source "example-wire-report"']);
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(before);
  });

  it('refuses to redefine a record added through the API', async () => {
    const created = await f.api.query(
      `mutation($i: CreateEventInput!) { createEvent(input: $i) { __typename } }`,
      { i: { slug: 'api-event', title: 'API event', kind: 'ATTACK', date: { precision: 'YEAR', earliest: '2024-01-01', latest: '2024-12-31' }, confidence: 50, citations: [{ source: 'example-wire-report', quote: 'No group claimed that attack.' }] } },
      { token: f.tokens.analyst },
    );
    expect(created.data).toEqual({ createEvent: { __typename: 'MutationCreateEventSuccess' } });
    const path = join(dir, 'redefine.csv');
    writeFileSync(path, ['source,slug,title,kind,date_precision,confidence,quote', 'example-wire-report,api-event,Again,ATTACK,YEAR,50,No group claimed that attack.'].join('\n'));
    const report = await importFile(f.scratch.handle.db, path);
    expect(report.problems).toEqual(['line 2 (events[0]): event "api-event" exists already (added through the API); refer to it instead of defining it']);
  });
});

describe('npm run import', () => {
  it('prints problems and a summary, and exits 1 for a refused file', async () => {
    const path = bigFile('cli-report', 3, 1);
    const env = { ...process.env, DATABASE_URL: f.scratch.url };
    const refused = await run('node_modules/.bin/tsx', ['src/cli/import.ts', path, '--dry-run'], { cwd: root, env }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect('code' in refused ? refused.code : 0).toBe(1);
    expect(refused.stderr).toContain('events[1].quotes[0]: quote "Incident 2 took place in Herat." does not occur');
    expect(refused.stdout).toContain('cli-report.json (dry run, nothing written): 0 would be created, 0 unchanged, 7 refused (2 problem(s); nothing written)');
    const good = bigFile('cli-good', 3);
    const ok = await run('node_modules/.bin/tsx', ['src/cli/import.ts', good], { cwd: root, env });
    expect(ok.stdout).toContain('cli-good.json: 10 created, 0 unchanged, 0 refused');
    // It leaves the summaries up to date (its own drain, two loops), not to a server's drainer.
    expect(ok.stderr).toMatch(/summaries up to date: \d+ keys/);
    expect(await f.scratch.handle.sql`select 1 from summary_queue limit 1`).toHaveLength(0);
    // The same file corrected: what it says otherwise is named, and left as stored.
    const file = JSON.parse(readFileSync(good, 'utf8')) as { events: { title: string }[] };
    file.events[1]!.title = 'Incident 2, corrected';
    writeFileSync(good, JSON.stringify(file));
    const corrected = await run('node_modules/.bin/tsx', ['src/cli/import.ts', good], { cwd: root, env });
    expect(corrected.stdout).toContain('cli-good.json: 0 created, 10 unchanged, 0 refused');
    expect(corrected.stdout).toContain('1 unchanged record differs from what is stored under the same id, left as stored: events[1] "cli-good-incident-2"');
    expect(corrected.stdout).toContain('--apply-corrections changes each stored place, actor and event as the file gives it');
    // Applied on request, as a cited update.
    const applied = await run('node_modules/.bin/tsx', ['src/cli/import.ts', good, '--apply-corrections'], { cwd: root, env });
    expect(applied.stdout).toContain('1 record applied as corrections of the stored record:\n    events[1] "cli-good-incident-2": title');
    expect(applied.stdout).not.toContain('left as stored');
    expect((await f.scratch.handle.sql`select title from events where slug = 'cli-good-incident-2'`)[0]?.title).toBe('Incident 2, corrected');
  }, 120_000);
});

describe('statistics after an import', () => {
  it('refreshes the statistics of the tables an import grew by more than a tenth, and only those', async () => {
    const sql = f.scratch.handle.sql;
    const analyzedAt = async () =>
      Object.fromEntries((await sql<{ name: string; at: string | null }[]>`
        select relname as name, last_analyze::text as at from pg_stat_user_tables where relname in ('events', 'claims', 'actors', 'places')`).map((r) => [r.name, r.at]));
    await sql`analyze`;
    // Nothing grew since: only the queue, which a load fills from empty, is measured again.
    expect(await analyzeBulkLoadedTables(f.scratch.handle.db)).not.toEqual(expect.arrayContaining(['events']));
    const before = await analyzedAt();
    expect(await importFile(f.scratch.handle.db, bigFile('statistics-report', 2000))).toMatchObject({ ok: true, refused: 0 });
    const refreshed = await analyzeBulkLoadedTables(f.scratch.handle.db);
    // 2,000 events and 4,000 claims more than doubled those tables; no actor or place was added.
    expect(refreshed).toEqual(expect.arrayContaining(['claims', 'events', 'participations', 'summary_queue']));
    expect(refreshed).not.toContain('actors');
    expect(refreshed).not.toContain('places');
    // PostgreSQL's own record agrees (its statistics reach pg_stat_user_tables once flushed).
    await sql`select pg_stat_clear_snapshot()`;
    const after = await analyzedAt();
    expect(after.actors).toBe(before.actors);
    expect(after.events).not.toBe(before.events);
  });
});
