/**
 * Keyset cursors: walking any connection page by page while writes insert rows (before and after
 * the cursor) repeats nothing and skips none of the rows that were there when the walk began; a
 * page from the end (`last`, with or without `before`) is the end of the list; forged cursors
 * are refused as bad input naming the argument.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixture, type WriteFixture } from './helpers.ts';

let f: WriteFixture;
let citation: string;
let written = 0;

interface Connection {
  edges: { cursor: string; node: Record<string, unknown> }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

async function write(name: string, input: Record<string, unknown>): Promise<void> {
  const type = `${name.charAt(0).toUpperCase()}${name.slice(1)}Input`;
  const response = await f.api.query<Record<string, { __typename: string }>>(
    `mutation($input: ${type}!) { ${name}(input: $input) { __typename ... on UserError { message path } } }`,
    { input },
    { token: f.tokens.admin },
  );
  expect(response.errors).toBeUndefined();
  expect(response.data?.[name]?.__typename, JSON.stringify(response.data)).toMatch(/Success$/);
}

const cite = () => [{ citation }];

/** A new event with a date anywhere (or none), a death toll or none, and ISIS-K taking part. */
async function insertEvent(): Promise<void> {
  written += 1;
  const n = written;
  const dated = n % 3 !== 0;
  const day = `${2000 + ((n * 7) % 30)}-0${1 + (n % 9)}-1${n % 10}`;
  await write('createEvent', {
    slug: `walk-event-${n}`,
    title: `${String.fromCharCode(65 + ((n * 11) % 26))} walk event ${n}`,
    kind: 'ATTACK',
    date: dated ? { text: day, earliest: day, latest: day, precision: 'DAY' } : { text: 'some time', precision: 'RANGE' },
    ...(n % 2 === 0 ? { killed: { min: n % 5, text: `${n % 5}` } } : {}),
    confidence: 50,
    citations: cite(),
    participants: [{ actor: 'isis-k', role: 'PERPETRATOR' }],
  });
}

interface Walk {
  name: string;
  /** A query taking $first, $after (or $last, $before) and giving the connection at `path`. */
  query: string;
  path: (data: Record<string, unknown>) => Connection;
  /** Writes that add rows to this list besides the event every step inserts. */
  insert?: () => Promise<void>;
  size: number;
  token?: boolean;
}

async function page(walk: Walk, variables: Record<string, unknown>): Promise<Connection> {
  const response = await f.api.query<Record<string, unknown>>(walk.query, variables, walk.token ? { token: f.tokens.analyst } : {});
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return walk.path(response.data ?? {});
}

const keyOf = (node: Record<string, unknown>) => String(node.id ?? JSON.stringify(node));

/** Walks forward (or backward) to the end, writing between pages; returns the keys in list order. */
async function walkAll(walk: Walk, backward = false): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 200; pages += 1) {
    const connection = await page(walk, backward ? { last: walk.size, before: cursor } : { first: walk.size, after: cursor });
    const nodes = connection.edges.map((e) => keyOf(e.node));
    if (backward) keys.unshift(...nodes);
    else keys.push(...nodes);
    const more = backward ? connection.pageInfo.hasPreviousPage : connection.pageInfo.hasNextPage;
    if (!more) return keys;
    cursor = backward ? connection.pageInfo.startCursor : connection.pageInfo.endCursor;
    await insertEvent();
    await walk.insert?.();
  }
  throw new Error(`${walk.name}: no end after 200 pages`);
}

/** The whole list, in pages of 100 with nothing written in between. */
async function everything(walk: Walk): Promise<string[]> {
  const keys: string[] = [];
  let after: string | null = null;
  for (;;) {
    const connection = await page(walk, { first: 100, after });
    keys.push(...connection.edges.map((e) => keyOf(e.node)));
    if (!connection.pageInfo.hasNextPage) return keys;
    after = connection.pageInfo.endCursor;
  }
}

async function expectStableWalk(walk: Walk, backward = false): Promise<void> {
  const before = await everything(walk);
  expect(before.length, `${walk.name} needs several pages`).toBeGreaterThan(walk.size * 2);
  const walked = await walkAll(walk, backward);
  expect(new Set(walked).size, `${walk.name}: a row came twice`).toBe(walked.length);
  const seen = new Set(walked);
  expect(before.filter((key) => !seen.has(key)), `${walk.name}: rows skipped`).toEqual([]);
  // The rows that were there keep their order.
  const position = new Map(walked.map((key, i) => [key, i]));
  const order = before.map((key) => position.get(key) ?? -1);
  expect(order).toEqual([...order].sort((a, b) => a - b));
}

const connectionArgs = '$first: Int, $after: String, $last: Int, $before: String';
const pageArgs = 'first: $first, after: $after, last: $last, before: $before';
const edges = (fields: string) => `edges { cursor node { ${fields} } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`;
const at = (...path: string[]) => (data: Record<string, unknown>): Connection =>
  path.reduce<unknown>((value, key) => (value as Record<string, unknown>)[key], data) as Connection;

let tick = 0;
const fresh = (prefix: string) => `${prefix}-${(tick += 1)}`;

const walks: Walk[] = [
  ...(['DATE_DESC', 'DATE_ASC', 'KILLED_DESC', 'TITLE_ASC'] as const).map((order) => ({
    name: `events(${order})`,
    query: `query(${connectionArgs}) { events(orderBy: ${order}, ${pageArgs}) { ${edges('id')} } }`,
    path: at('events'),
    size: 4,
  })),
  {
    name: 'actors',
    query: `query(${connectionArgs}) { actors(${pageArgs}) { ${edges('id')} } }`,
    path: at('actors'),
    size: 5,
    insert: () => write('createActor', { slug: fresh('walk-actor'), name: `${fresh('M')} walker`, kind: 'ARMED_ORGANIZATION', confidence: 50, citations: cite() }),
  },
  {
    name: 'places',
    query: `query(${connectionArgs}) { places(${pageArgs}) { ${edges('id')} } }`,
    path: at('places'),
    size: 4,
    insert: () => write('createPlace', { slug: fresh('walk-place'), name: `${fresh('K')} walk town`, kind: 'CITY', parent: 'afghanistan' }),
  },
  {
    name: 'doctrines',
    query: `query(${connectionArgs}) { doctrines(${pageArgs}) { ${edges('id')} } }`,
    path: at('doctrines'),
    size: 1,
  },
  {
    name: 'sources',
    query: `query(${connectionArgs}) { sources(${pageArgs}) { ${edges('id')} } }`,
    path: at('sources'),
    size: 1,
    insert: () => write('addSource', { slug: fresh('walk-source'), publisher: 'Walk', text: `Text ${tick}.` }),
  },
  {
    name: 'auditLog',
    query: `query(${connectionArgs}) { auditLog(${pageArgs}) { ${edges('id')} } }`,
    path: at('auditLog'),
    size: 3,
    token: true,
  },
  {
    name: 'Actor.participations',
    query: `query(${connectionArgs}) { actor(slug: "isis-k") { participations(${pageArgs}) { ${edges('id')} } } }`,
    path: at('actor', 'participations'),
    size: 3,
  },
  {
    name: 'Actor.relationships',
    query: `query(${connectionArgs}) { actor(slug: "isis-k") { relationships(${pageArgs}) { ${edges('id')} } } }`,
    path: at('actor', 'relationships'),
    size: 3,
    insert: () => write('addRelationship', { from: 'isis-k', to: 'isis', type: tick % 2 ? 'RIVAL_OF' : 'AFFILIATE_OF', confidence: 20 + (tick++ % 50), citations: cite() }),
  },
  {
    name: 'Doctrine.adherents',
    query: `query(${connectionArgs}) { doctrine(slug: "sunni-islam") { adherents(${pageArgs}) { ${edges('id')} } } }`,
    path: at('doctrine', 'adherents'),
    size: 1,
    insert: () => write('addAdherence', { actor: 'isis-k', doctrine: 'sunni-islam', confidence: 20 + (tick++ % 50), citations: cite() }),
  },
  {
    name: 'Source.citations',
    query: `query(${connectionArgs}) { source(slug: "globely-news-isis-k-long-reach") { citations(${pageArgs}) { ${edges('id')} } } }`,
    path: at('source', 'citations'),
    size: 20,
  },
  {
    name: 'Actor.revisions',
    query: `query(${connectionArgs}) { actor(slug: "isis") { revisions(${pageArgs}) { ${edges('id recordedAt changes { field to }')} } } }`,
    path: at('actor', 'revisions'),
    size: 2,
    insert: () => write('updateActor', { slug: 'isis', description: fresh('walked'), confidence: 50, citations: cite() }),
  },
  {
    name: 'Event.revisions',
    query: `query(${connectionArgs}) { event(slug: "moscow-concert-hall-attack") { revisions(${pageArgs}) { ${edges('id recordedAt changes { field to }')} } } }`,
    path: at('event', 'revisions'),
    size: 2,
    insert: () => write('updateEvent', { slug: 'moscow-concert-hall-attack', description: fresh('walked'), confidence: 50, citations: cite() }),
  },
  {
    name: 'Place.revisions',
    query: `query(${connectionArgs}) { place(slug: "kerman") { revisions(${pageArgs}) { ${edges('id recordedAt changes { field to }')} } } }`,
    path: at('place', 'revisions'),
    size: 2,
    insert: () => write('updatePlace', { slug: 'kerman', region: fresh('Region') }),
  },
];

beforeAll(async () => {
  f = await writeFixture();
  const first = await f.api.query<{ source: { citations: { nodes: { id: string }[] } } }>(
    `{ source(slug: "globely-news-isis-k-long-reach") { citations(first: 1) { nodes { id } } } }`,
  );
  citation = first.data?.source.citations.nodes[0]?.id ?? '';
  // Enough of everything for several pages: sources, revisions, adherents, writes in the log.
  for (let i = 0; i < 6; i += 1) {
    await write('addSource', { slug: fresh('seed-source'), publisher: 'Walk', text: `Seed text ${i}.` });
    await write('updateActor', { slug: 'isis', description: fresh('before the walk'), confidence: 50, citations: cite() });
    await write('updateEvent', { slug: 'moscow-concert-hall-attack', description: fresh('before the walk'), confidence: 50, citations: cite() });
    await write('updatePlace', { slug: 'kerman', region: fresh('Region') });
    await write('addAdherence', { actor: 'isis', doctrine: 'sunni-islam', confidence: 30 + i, citations: cite() });
  }
  for (let i = 0; i < 6; i += 1) await insertEvent();
}, 120_000);
afterAll(() => f.close());

describe('keyset cursors', () => {
  for (const walk of walks) {
    it(`walks ${walk.name} while rows are inserted: nothing twice, nothing that was there skipped`, async () => {
      await expectStableWalk(walk);
    }, 120_000);
  }

  it('walks events backwards with last/before just as stably', async () => {
    const walk = walks[0];
    if (!walk) throw new Error('no walk');
    await expectStableWalk({ ...walk, size: 12 }, true);
  }, 120_000);

  it('gives the end of the list for `last` alone, in list order', async () => {
    const query = (args: string) => `{ events(orderBy: DATE_DESC, ${args}) { ${edges('id')} } }`;
    const walk = walks[0];
    if (!walk) throw new Error('no walk');
    const all = await everything(walk);
    const tail = (await f.api.query<{ events: Connection }>(query('last: 3'))).data?.events;
    expect(tail?.edges.map((e) => e.node.id)).toEqual(all.slice(-3));
    expect(tail?.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    // And the page before it, from its start cursor.
    const before = (await f.api.query<{ events: Connection }>(query(`last: 2, before: "${tail?.pageInfo.startCursor}"`))).data?.events;
    expect(before?.edges.map((e) => e.node.id)).toEqual(all.slice(-5, -3));
    expect(before?.pageInfo.hasNextPage).toBe(true);
  });

  it('pages between two cursors', async () => {
    const all = (await f.api.query<{ actors: Connection }>(`{ actors(first: 10) { ${edges('id')} } }`)).data?.actors.edges ?? [];
    const between = await f.api.query<{ actors: Connection }>(`query($a: String, $b: String) { actors(first: 10, after: $a, before: $b) { ${edges('id')} } }`, {
      a: all[1]?.cursor,
      b: all[6]?.cursor,
    });
    expect(between.data?.actors.edges.map((e) => e.node.id)).toEqual(all.slice(2, 6).map((e) => e.node.id));
  });

  it('refuses forged cursors as bad input naming the argument, never an internal error', async () => {
    const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');
    const dateDesc = (await f.api.query<{ events: Connection }>(`{ events(first: 1) { ${edges('id')} } }`)).data?.events.pageInfo.endCursor;
    const forged: [string, string, RegExp][] = [
      ['after', 'not base64 at all!', /not one this server gave out/],
      ['after', cursor({ a: 1 }), /not one this server gave out/],
      ['before', dateDesc ?? '', /another list or order/], // a DATE_DESC cursor on TITLE_ASC
      ['after', cursor(['events:TITLE_ASC', 'x']), /malformed/],
      ['after', cursor(['events:TITLE_ASC', 'x', 2 ** 40]), /malformed/],
      ['after', cursor(['events:TITLE_ASC', 'x\u0000y', 1]), /malformed/],
      ['after', cursor(['events:TITLE_ASC', 7, 1]), /malformed/],
      ['after', cursor(['events:TITLE_ASC', null, 1]), /malformed/],
    ];
    for (const [argument, value, message] of forged) {
      const response = await f.api.query(`query($c: String) { events(orderBy: TITLE_ASC, first: 2, ${argument}: $c) { totalCount } }`, { c: value });
      expect(response.errors?.[0]).toMatchObject({ message: expect.stringMatching(message), extensions: { code: 'BAD_USER_INPUT', argument } });
    }
    const dates = [cursor(['events:DATE_DESC', '2024-02-30', 1]), cursor(['events:DATE_DESC', '2024-1-01', 1])];
    for (const c of dates) {
      const response = await f.api.query(`query($c: String) { events(first: 2, after: $c) { totalCount } }`, { c });
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
    }
    const audit = await f.api.query(`query($c: String) { auditLog(first: 2, after: $c) { totalCount } }`, { c: cursor(['auditLog', '2024-13-01T00:00:00Z', 1]) }, { token: f.tokens.analyst });
    expect(audit.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
    const both = await f.api.query(`{ events(first: 2, last: 2) { totalCount } }`);
    expect(both.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('fetches revisions and audit entries by their global ids, the audit log for analysts only', async () => {
    const listed = await f.api.query<{ event: { revisions: { nodes: { id: string; changes: unknown[] }[] } } }>(
      '{ event(slug: "moscow-concert-hall-attack") { revisions(first: 1) { nodes { id changes { field from to } } } } }',
    );
    const revision = listed.data?.event.revisions.nodes[0];
    const fetched = await f.api.query<{ node: { __typename: string; changes: unknown[] } }>(
      'query($id: ID!) { node(id: $id) { __typename ... on EventRevision { changes { field from to } } } }',
      { id: revision?.id },
    );
    expect(fetched.data?.node).toEqual({ __typename: 'EventRevision', changes: revision?.changes });

    const audit = await f.api.query<{ auditLog: { nodes: { id: string; sequence: number }[] } }>('{ auditLog(first: 1) { nodes { id sequence } } }', {}, { token: f.tokens.analyst });
    const entry = audit.data?.auditLog.nodes[0];
    const byId = 'query($id: ID!) { node(id: $id) { ... on AuditEntry { sequence operation } } }';
    expect((await f.api.query<{ node: { sequence: number } }>(byId, { id: entry?.id }, { token: f.tokens.analyst })).data?.node.sequence).toBe(entry?.sequence);
    const anonymous = await f.api.query(byId, { id: entry?.id });
    expect(anonymous.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
  });
});
