/**
 * Scale-out: two instances on one database answer alike, and a client may switch between them
 * mid-walk (ids and cursors carry everything; no instance holds state another needs). With
 * DATABASE_READ_URL, queries read from the replica unless the client asks for the primary
 * (read-after-write). The "replica" here is a second database whose data differs on purpose,
 * so the test can see where each read went.
 */
import { sql as raw } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/server.ts';
import { loadSeed } from '../src/domain/knowledge/seed.ts';
import { scratchDatabase } from './helpers.ts';
import { graphql, serve } from './server-helpers.ts';

let primary: Awaited<ReturnType<typeof scratchDatabase>>;
let replica: Awaited<ReturnType<typeof scratchDatabase>>;
let a: RunningServer;
let b: RunningServer;
let routed: RunningServer;

beforeAll(async () => {
  [primary, replica] = await Promise.all([scratchDatabase(), scratchDatabase()]);
  await Promise.all([loadSeed(primary.handle.db), loadSeed(replica.handle.db)]);
  // Only the replica has this extra place.
  await replica.handle.db.execute(raw`insert into places (slug, name, kind) values ('replica-only', 'Replica-only place', 'COUNTRY')`);
  [a, b, routed] = await Promise.all([serve(primary.url), serve(primary.url), serve(primary.url, { databaseReadUrl: replica.url })]);
});
afterAll(async () => {
  await Promise.all([a?.shutdown(), b?.shutdown(), routed?.shutdown()]);
  await Promise.all([primary?.drop(), replica?.drop()]);
});

const PAGE = `query Page($after: String) {
  events(first: 4, after: $after, orderBy: DATE_DESC) { nodes { id title } pageInfo { hasNextPage endCursor } }
}`;

interface PageData {
  events: { nodes: { id: string; title: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

async function walk(servers: RunningServer[]): Promise<string[]> {
  const titles: string[] = [];
  let after: string | null = null;
  for (let i = 0; ; i += 1) {
    const answer = await graphql(servers[i % servers.length]!, PAGE, { variables: { after } });
    const data = answer.body.data as unknown as PageData;
    titles.push(...data.events.nodes.map((n) => n.title));
    if (!data.events.pageInfo.hasNextPage) return titles;
    after = data.events.pageInfo.endCursor;
  }
}

describe('two instances, one database', () => {
  it('give the same answers', async () => {
    const query = '{ actors(first: 50) { totalCount nodes { id name } } }';
    const [fromA, fromB] = await Promise.all([graphql(a, query), graphql(b, query)]);
    expect(fromA.status).toBe(200);
    expect(fromA.body).toEqual(fromB.body);
  });

  it('let a client alternate between them mid-walk, ids and cursors included', async () => {
    const alone = await walk([a]);
    expect(alone.length).toBeGreaterThan(8);
    expect(await walk([a, b])).toEqual(alone);
    const first = (await graphql(a, '{ actors(first: 1) { nodes { id name } } }')).body.data as { actors: { nodes: { id: string; name: string }[] } };
    const node = first.actors.nodes[0]!;
    const onB = await graphql(b, 'query($id: ID!) { node(id: $id) { ... on Actor { name } } }', { variables: { id: node.id } });
    expect(onB.body.data).toEqual({ node: { name: node.name } });
  });
});

describe('read replica (DATABASE_READ_URL)', () => {
  const count = '{ places(first: 100) { totalCount } }';
  const total = (answer: Awaited<ReturnType<typeof graphql>>) => (answer.body.data as { places: { totalCount: number } }).places.totalCount;

  it('reads from the replica by default and from the primary when asked', async () => {
    const onPrimary = total(await graphql(a, count));
    expect(total(await graphql(routed, count))).toBe(onPrimary + 1);
    expect(total(await graphql(routed, count, { headers: { 'x-read-consistency': 'primary' } }))).toBe(onPrimary);
  });
});
