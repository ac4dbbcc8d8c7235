/** Actor.network and relationshipPath on the seeded article's relationships. */
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSeed } from '../seed/loader.ts';
import { openApi, scratchDatabase } from './helpers.ts';

const api = openApi();
afterAll(() => api.close());

interface Edge { type: string; from: { slug: string }; to: { slug: string }; citations: { quote: string }[] }
interface Network { nodes: { actor: { slug: string }; depth: number }[]; edges: Edge[] }

const NETWORK = `nodes { actor { slug } depth } edges { type from { slug } to { slug } citations { quote } }`;

async function networkOf(slug: string, args = ''): Promise<Network> {
  const r = await api.query<{ actor: { network: Network } }>(`{ actor(slug: "${slug}") { network${args} { ${NETWORK} } } }`);
  expect(r.errors).toBeUndefined();
  return r.data!.actor.network;
}

describe('Actor.network', () => {
  it('gives ISIS-K’s direct neighbours with typed, cited edges', async () => {
    const network = await networkOf('isis-k');
    expect(network.nodes[0]).toEqual({ actor: { slug: 'isis-k' }, depth: 0 });
    const neighbours = network.nodes.filter((n) => n.depth === 1).map((n) => n.actor.slug).sort();
    expect(neighbours).toEqual([
      'afghan-taliban', 'foreign-intelligence-organizations', 'isis', 'pakistani-taliban', 'sanaullah-ghafari', 'tajiks',
    ]);
    // Edges among the nodes: ISIS-K's own seven, plus Taliban–Pakistani Taliban and Tajiks–Taliban
    // and Ghafari's membership of the Tajiks, which join two neighbours.
    const described = network.edges.map((e) => `${e.from.slug} ${e.type} ${e.to.slug}`);
    expect(described).toContain('isis-k RIVAL_OF afghan-taliban');
    expect(described).toContain('sanaullah-ghafari LEADS isis-k');
    expect(described).toContain('afghan-taliban ALLIED_WITH pakistani-taliban');
    expect(described).toContain('tajiks AT_ODDS_WITH afghan-taliban');
    expect(described).not.toContain('afghan-taliban ALLIED_WITH al-qaeda'); // al-Qaeda is two hops away
    expect(network.edges.every((e) => e.citations.length > 0)).toBe(true);
  });

  it('reaches further with depth and narrows with types', async () => {
    const two = await networkOf('isis-k', '(depth: 2)');
    const al = two.nodes.find((n) => n.actor.slug === 'al-qaeda');
    expect(al?.depth).toBe(2);
    expect(two.edges.map((e) => `${e.from.slug} ${e.type} ${e.to.slug}`)).toContain('afghan-taliban ALLIED_WITH al-qaeda');
    const hostile = await networkOf('isis-k', '(depth: 2, types: [AT_WAR_WITH, RIVAL_OF])');
    expect(hostile.nodes.map((n) => n.actor.slug).sort()).toEqual(['afghan-taliban', 'isis-k']);
    expect(hostile.edges.map((e) => e.type).sort()).toEqual(['AT_WAR_WITH', 'RIVAL_OF']);
  });

  it('refuses a depth beyond the bound, naming the argument', async () => {
    const r = await api.query(`{ actor(slug: "isis-k") { network(depth: 4) { nodes { depth } } } }`);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'depth' });
  });

  it('batches the networks of a page of actors', async () => {
    api.resetStatements();
    const r = await api.query(`{ actors(first: 40) { nodes { network { nodes { actor { slug } } edges { type citations { quote } } } } } }`);
    expect(r.errors).toBeUndefined();
    // actors page, networks, node actors, edges, edge citations
    expect(api.statements).toHaveLength(5);
  });
});

interface Path { length: number; actors: { slug: string }[]; edges: Edge[] }

describe('relationshipPath', () => {
  it('links ISIS-K to al-Qaeda through the Taliban', async () => {
    const r = await api.query<{ relationshipPath: Path }>(
      `{ relationshipPath(from: "isis-k", to: "al-qaeda") { length actors { slug } edges { type from { slug } to { slug } } } }`,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.relationshipPath).toEqual({
      length: 2,
      actors: [{ slug: 'isis-k' }, { slug: 'afghan-taliban' }, { slug: 'al-qaeda' }],
      edges: [
        { type: 'RIVAL_OF', from: { slug: 'isis-k' }, to: { slug: 'afghan-taliban' } },
        { type: 'ALLIED_WITH', from: { slug: 'afghan-taliban' }, to: { slug: 'al-qaeda' } },
      ],
    });
  });

  it('follows edges against their direction and respects types and maxDepth', async () => {
    const r = await api.query<{ a: Path | null; b: Path | null; c: Path | null }>(`{
      a: relationshipPath(from: "hibatullah-akhundzada", to: "tom-west") { length actors { slug } }
      b: relationshipPath(from: "isis-k", to: "al-qaeda", types: [AT_WAR_WITH]) { length }
      c: relationshipPath(from: "hibatullah-akhundzada", to: "tom-west", maxDepth: 2) { length }
    }`);
    expect(r.errors).toBeUndefined();
    // Akhundzada LEADS Taliban, Taliban ENGAGES/TACIT_COOPERATION United States, Tom West MEMBER_OF United States.
    expect(r.data?.a).toEqual({
      length: 3,
      actors: [{ slug: 'hibatullah-akhundzada' }, { slug: 'afghan-taliban' }, { slug: 'united-states' }, { slug: 'tom-west' }],
    });
    expect(r.data?.b).toBeNull();
    expect(r.data?.c).toBeNull();
  });

  it('refuses unknown actors and out-of-range depths', async () => {
    const unknown = await api.query(`{ relationshipPath(from: "isis-k", to: "nobody") { length } }`);
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'to' });
    const deep = await api.query(`{ relationshipPath(from: "isis-k", to: "isis", maxDepth: 7) { length } }`);
    expect(deep.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'maxDepth' });
  });
});

describe('Actor.network size bound', () => {
  it('refuses a neighbourhood of more than 1,000 actors with an error naming depth', async () => {
    const scratch = await scratchDatabase();
    try {
      const db = scratch.handle.db;
      await loadSeed(db);
      // 1,001 new actors, each an ally of ISIS-K; every claim cites an existing quote of the article.
      await db.transaction(async (tx) => {
        await tx.execute(sql`
          with quote as (select min(id) as id from citations),
          profiles as (
            insert into claims (kind, confidence, recorded_by)
            select 'ACTOR_PROFILE', 50, 'test' from generate_series(1, 1001) returning id),
          cited_profiles as (insert into claim_citations select p.id, quote.id from profiles p, quote returning claim_id),
          new_actors as (
            insert into actors (slug, name, kind, claim_id)
            select 'cell-' || p.id, 'Cell ' || p.id, 'ARMED_ORGANIZATION', p.id from profiles p returning id),
          links as (
            insert into claims (kind, confidence, recorded_by)
            select 'RELATIONSHIP', 50, 'test' from generate_series(1, 1001) returning id),
          cited_links as (insert into claim_citations select l.id, quote.id from links l, quote returning claim_id),
          pairs as (
            select l.id as claim_id, a.id as actor_id
              from (select id, row_number() over (order by id) as n from links) l
              join (select id, row_number() over (order by id) as n from new_actors) a using (n))
          insert into relationships (claim_id, type, from_actor_id, to_actor_id)
          select claim_id, 'ALLIED_WITH', actor_id, (select id from actors where slug = 'isis-k') from pairs`);
      });
      const big = openApi(scratch.url);
      try {
        const r = await big.query(`{ actor(slug: "isis-k") { network { nodes { depth } } } }`);
        expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'depth' });
        expect(r.errors?.[0]?.message).toMatch(/more than 1000/);
        // Narrowing the types brings it back within the bound.
        const narrow = await big.query<{ actor: { network: { nodes: unknown[] } } }>(
          `{ actor(slug: "isis-k") { network(types: [RIVAL_OF]) { nodes { depth } } } }`,
        );
        expect(narrow.errors).toBeUndefined();
        expect(narrow.data?.actor.network.nodes).toHaveLength(2);
      } finally {
        await big.close();
      }
    } finally {
      await scratch.drop();
    }
  });
});
