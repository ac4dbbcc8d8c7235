/**
 * Names and identifiers: an actor's names in other languages and scripts (cited, found by search,
 * withdrawn by retraction), external ids checked per scheme with lookups by them, and the
 * duplicate warnings creates answer with.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableCounts, writeFixture, type WriteFixture } from './helpers.ts';

let f: WriteFixture;
const SOURCE = 'test-names-dispatch';
const TEXT =
  'The group, also known as Wilayat Khorasan, claimed the attack. ' +
  'Российские СМИ называют группировку ИГИЛ. ' +
  'Its Wikidata item is Q19827219.';

async function as<T = Record<string, unknown>>(role: 'analyst' | 'admin' | 'viewer', query: string, variables: Record<string, unknown> = {}) {
  return f.api.query<T>(query, variables, { token: f.tokens[role] });
}

const ADD_NAME = `mutation($i: AddActorNameInput!) { addActorName(input: $i) {
  __typename
  ... on MutationAddActorNameSuccess { data { id name language script actor { slug } citations { quote } } }
  ... on UserError { message path } } }`;
const ADD_ID = `mutation($i: AddExternalIdInput!) { addExternalId(input: $i) {
  __typename
  ... on MutationAddExternalIdSuccess { data { added scheme value recordKind } }
  ... on UserError { message path } } }`;
const SEARCH = `query($q: String!) { search(query: $q, types: [ACTOR]) { snippet actor { slug } } }`;

type SearchResult = { search: { snippet: string; actor: { slug: string } }[] };

beforeAll(async () => {
  f = await writeFixture();
  const added = await as('analyst', `mutation($i: AddSourceInput!) { addSource(input: $i) { __typename } }`, { i: { slug: SOURCE, publisher: 'Test Dispatch', text: TEXT } });
  expect(added.data).toEqual({ addSource: { __typename: 'MutationAddSourceSuccess' } });
});
afterAll(() => f.close());

describe('names in other languages and scripts', () => {
  it('the seed names ISIS-K only as the article does, in English and Latin script, cited', async () => {
    const res = await f.api.query<{ actor: { names: { name: string; language: string; script: string; citations: { quote: string }[] }[] } }>(
      `{ actor(slug: "isis-k") { names { name language script citations { quote } } } }`,
    );
    expect(res.data?.actor.names).toEqual([
      { name: 'ISIS-K', language: 'en', script: 'Latn', citations: [{ quote: 'The Islamic State-Khorasan (ISIS-K), as it is known' }] },
    ]);
    // The article never says "ISKP" or "Daesh": search finds nothing by them.
    for (const q of ['ISKP', 'Daesh']) {
      const found = await f.api.query<SearchResult>(SEARCH, { q });
      expect(found.data?.search).toEqual([]);
    }
  });

  it('a cited name in Cyrillic is found by search, and withdrawn by retracting its claim', async () => {
    const before = await f.api.query<SearchResult>(SEARCH, { q: 'ИГИЛ' });
    expect(before.data?.search).toEqual([]);
    const added = await as<{ addActorName: { data: { id: string; name: string; language: string; script: string; actor: { slug: string }; citations: { quote: string }[] } } }>('analyst', ADD_NAME, {
      i: { actor: 'isis', name: 'ИГИЛ', language: 'ru', script: 'Cyrl', confidence: 80, citations: [{ source: SOURCE, quote: 'называют группировку ИГИЛ' }] },
    });
    expect(added.data?.addActorName.data).toMatchObject({ name: 'ИГИЛ', language: 'ru', script: 'Cyrl', actor: { slug: 'isis' }, citations: [{ quote: 'называют группировку ИГИЛ' }] });
    const found = await f.api.query<SearchResult>(SEARCH, { q: 'ИГИЛ' });
    expect(found.data?.search.map((n) => n.actor.slug)).toEqual(['isis']);
    expect(found.data?.search[0]?.snippet).toContain('<mark>ИГИЛ</mark>');

    const retracted = await as('admin', `mutation($i: RetractClaimInput!) { retractClaim(input: $i) { __typename } }`, {
      i: { claim: added.data?.addActorName.data.id, reason: 'test: the name is the media’s, not the group’s', citation: { source: SOURCE, quote: 'Российские СМИ' } },
    });
    expect(retracted.data).toEqual({ retractClaim: { __typename: 'MutationRetractClaimSuccess' } });
    const after = await f.api.query<SearchResult>(SEARCH, { q: 'ИГИЛ' });
    expect(after.data?.search).toEqual([]);
  });

  it('a transliterated Arabic name is found by search under its words', async () => {
    await as('analyst', ADD_NAME, { i: { actor: 'isis-k', name: 'Wilayat Khorasan', language: 'ar', script: 'Latn', confidence: 90, citations: [{ source: SOURCE, quote: 'also known as Wilayat Khorasan' }] } });
    const found = await f.api.query<SearchResult>(SEARCH, { q: 'wilayat khorasan' });
    expect(found.data?.search.map((n) => n.actor.slug)).toEqual(['isis-k']);
  });

  it('refuses a language that is no BCP 47 tag and a script that is no ISO 15924 code, naming the field, writing nothing', async () => {
    const counts = await tableCounts(f.scratch.handle.sql);
    const badLanguage = await as<{ addActorName: { message: string; path: string[] } }>('analyst', ADD_NAME, {
      i: { actor: 'isis', name: 'Daesh', language: 'english', confidence: 80, citations: [{ source: SOURCE, quote: 'ИГИЛ' }] },
    });
    expect(badLanguage.data?.addActorName).toMatchObject({ path: ['input', 'language'] });
    expect(badLanguage.data?.addActorName.message).toContain('BCP 47');
    const badScript = await as<{ addActorName: { message: string; path: string[] } }>('analyst', ADD_NAME, {
      i: { actor: 'isis', name: 'Daesh', language: 'ar', script: 'latin', confidence: 80, citations: [{ source: SOURCE, quote: 'ИГИЛ' }] },
    });
    expect(badScript.data?.addActorName).toMatchObject({ path: ['input', 'script'] });
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(counts);
  });
});

describe('external ids', () => {
  it('finds an actor by its Wikidata id, and lists it on the actor', async () => {
    const added = await as('analyst', ADD_ID, { i: { actor: 'isis-k', scheme: 'WIKIDATA', value: 'Q19827219' } });
    expect(added.data).toEqual({ addExternalId: { __typename: 'MutationAddExternalIdSuccess', data: { added: true, scheme: 'WIKIDATA', value: 'Q19827219', recordKind: 'actor' } } });
    const again = await as<{ addExternalId: { data: { added: boolean } } }>('analyst', ADD_ID, { i: { actor: 'isis-k', scheme: 'WIKIDATA', value: 'Q19827219', idempotencyKey: 'again' } });
    expect(again.data?.addExternalId.data.added).toBe(false);
    const found = await f.api.query<{ actorByExternalId: { slug: string; externalIds: { scheme: string; value: string }[] } | null; none: null }>(
      `{ actorByExternalId(scheme: WIKIDATA, value: "Q19827219") { slug externalIds { scheme value } }
         none: actorByExternalId(scheme: WIKIDATA, value: "Q1") { slug } }`,
    );
    expect(found.data).toEqual({ actorByExternalId: { slug: 'isis-k', externalIds: [{ scheme: 'WIKIDATA', value: 'Q19827219' }] }, none: null });
  });

  it('checks each id against its scheme and the kinds it identifies', async () => {
    const counts = await tableCounts(f.scratch.handle.sql);
    const cases: [Record<string, string>, string][] = [
      [{ actor: 'isis', scheme: 'WIKIDATA', value: '19827219' }, 'is not a WIKIDATA id'],
      [{ event: 'moscow-concert-hall-attack', scheme: 'GTD_EVENTID', value: '2024032201' }, 'is not a GTD_EVENTID id'],
      [{ event: 'moscow-concert-hall-attack', scheme: 'ACLED_EVENT_ID', value: 'rus123' }, 'is not a ACLED_EVENT_ID id'],
      [{ actor: 'isis', scheme: 'UCDP_GED_ID', value: '12' }, 'identifies event or source records, not actors'],
    ];
    for (const [input, message] of cases) {
      const res = await as<{ addExternalId: { message: string; path: string[] } }>('analyst', ADD_ID, { i: input });
      expect(res.data?.addExternalId.path).toEqual(['input', 'value']);
      expect(res.data?.addExternalId.message).toContain(message);
    }
    expect(await tableCounts(f.scratch.handle.sql)).toEqual(counts);
  });

  it('finds events, places and sources by theirs', async () => {
    await as('analyst', ADD_ID, { i: { event: 'moscow-concert-hall-attack', scheme: 'WIKIDATA', value: 'Q125147016' } });
    await as('analyst', ADD_ID, { i: { place: 'moscow', scheme: 'WIKIDATA', value: 'Q649' } });
    await as('analyst', ADD_ID, { i: { source: SOURCE, scheme: 'WIKIDATA', value: 'Q4' } });
    const found = await f.api.query(`{
      eventByExternalId(scheme: WIKIDATA, value: "Q125147016") { slug }
      placeByExternalId(scheme: WIKIDATA, value: "Q649") { slug }
      sourceByExternalId(scheme: WIKIDATA, value: "Q4") { slug externalIds { value } } }`);
    expect(found.data).toEqual({
      eventByExternalId: { slug: 'moscow-concert-hall-attack' },
      placeByExternalId: { slug: 'moscow' },
      sourceByExternalId: { slug: SOURCE, externalIds: [{ value: 'Q4' }] },
    });
  });
});

describe('duplicate warnings', () => {
  const CREATE_ACTOR = `mutation($i: CreateActorInput!) { createActor(input: $i) {
    __typename ... on MutationCreateActorSuccess { data { slug } possibleDuplicates { slug reasons existing { name } } } ... on UserError { message path } } }`;

  it('creating an actor under a name another actor goes by is answered with a warning, not refused', async () => {
    const res = await as<{ createActor: { data: { slug: string }; possibleDuplicates: unknown[] } }>('analyst', CREATE_ACTOR, {
      i: { slug: 'wilayat-khorasan', name: 'Wilayat  Khorasan', aliases: ['isis-k'], kind: 'ARMED_ORGANIZATION', confidence: 90, citations: [{ source: SOURCE, quote: 'Wilayat Khorasan' }] },
    });
    expect(res.data?.createActor.data).toEqual({ slug: 'wilayat-khorasan' });
    expect(res.data?.createActor.possibleDuplicates).toEqual([{ slug: 'isis-k', reasons: ['SAME_NAME'], existing: { name: 'Islamic State-Khorasan' } }]);
  });

  it('an actor created with an external id another actor carries is warned of it', async () => {
    const res = await as<{ createActor: { possibleDuplicates: { slug: string; reasons: string[] }[] } }>('analyst', CREATE_ACTOR, {
      i: { slug: 'iskp-entry', name: 'Khorasan branch', aliases: [], kind: 'ARMED_ORGANIZATION', externalIds: [{ scheme: 'WIKIDATA', value: 'Q19827219' }], confidence: 90, citations: [{ source: SOURCE, quote: 'Q19827219' }] },
    });
    expect(res.data?.createActor.possibleDuplicates).toEqual([{ slug: 'isis-k', reasons: ['SAME_EXTERNAL_ID'], existing: { name: 'Islamic State-Khorasan' } }]);
  });

  it('an unrelated actor gets no warning', async () => {
    const res = await as<{ createActor: { possibleDuplicates: unknown[] } }>('analyst', CREATE_ACTOR, {
      i: { slug: 'russian-media', name: 'Russian media', aliases: [], kind: 'COMMUNITY', confidence: 90, citations: [{ source: SOURCE, quote: 'Российские СМИ' }] },
    });
    expect(res.data?.createActor.possibleDuplicates).toEqual([]);
  });

  it('an event at the same place, of the same kind, on days that may overlap is warned of', async () => {
    const res = await as<{ createEvent: { data: { slug: string }; possibleDuplicates: { slug: string; reasons: string[] }[] } }>('analyst', `mutation($i: CreateEventInput!) { createEvent(input: $i) {
      ... on MutationCreateEventSuccess { data { slug } possibleDuplicates { slug reasons } } ... on UserError { message path } } }`, {
      i: { slug: 'moscow-attack-again', title: 'Attack in Moscow', kind: 'ATTACK', place: 'moscow', date: { text: '22 March 2024', earliest: '2024-03-22', latest: '2024-03-22', precision: 'DAY' },
        confidence: 80, citations: [{ source: SOURCE, quote: 'claimed the attack' }] },
    });
    expect(res.data?.createEvent.data).toEqual({ slug: 'moscow-attack-again' });
    expect(res.data?.createEvent.possibleDuplicates).toEqual([{ slug: 'moscow-concert-hall-attack', reasons: ['SAME_PLACE_DATE_AND_KIND'] }]);
  });

  it('a source added again with the same text is warned of', async () => {
    const res = await as<{ addSource: { possibleDuplicates: { slug: string; reasons: string[] }[] } }>('analyst', `mutation($i: AddSourceInput!) { addSource(input: $i) {
      ... on MutationAddSourceSuccess { possibleDuplicates { slug reasons } } } }`, { i: { slug: 'test-names-dispatch-copy', publisher: 'Test Dispatch', text: TEXT } });
    expect(res.data?.addSource.possibleDuplicates).toEqual([{ slug: SOURCE, reasons: ['SAME_TEXT'] }]);
  });
});
