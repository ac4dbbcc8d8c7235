/** Actor.network and relationshipPath on the seeded article's relationships. */
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSeed } from '../src/domain/knowledge/seed.ts';
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
    // actors page, networks (edges included), node actors, edge citations
    expect(api.statements).toHaveLength(4);
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

  it('follows the relationships as they stood at asOf: none were recorded in 2000', async () => {
    const r = await api.query<{ relationshipPath: Path | null }>(
      `{ relationshipPath(from: "isis-k", to: "al-qaeda", asOf: "2000-01-01T00:00:00Z") { length } }`,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.relationshipPath).toBeNull();
    // One operation reads as of one time.
    const mixed = await api.query(`{ relationshipPath(from: "isis-k", to: "al-qaeda", asOf: "2000-01-01T00:00:00Z") { length } actor(slug: "isis-k") { slug } }`);
    expect(mixed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'asOf' });
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

/**
 * The networks and paths the API gives, against a breadth-first search written plainly here over
 * the raw rows, on a generated graph with what makes traversal hard: hubs, cycles, relationships
 * in both directions, retracted claims, ended relationships, and merges (a chain of two, and one
 * that turns a relationship into a loop on one actor), read now and as of before the later merge.
 */
describe('Actor.network and relationshipPath on a generated graph', () => {
  /** Times in ms since the epoch. */
  interface Row { claimId: number; type: string; from: number; to: number; periodEnd: string | null; recordedAt: number; retractedAt: number | null }
  interface Merge { removed: number; kept: number; mergedAt: Date }
  interface View { asOf: Date | null; includeRetracted?: boolean; types: string[] | null; since: string | null }

  function canonical(id: number, merges: Merge[], at: Date | null): number {
    for (let steps = 0; steps < 32; steps++) {
      const merge = merges.find((m) => m.removed === id && (at === null || m.mergedAt <= at));
      if (!merge) break;
      id = merge.kept;
    }
    return id;
  }

  /** The graph as the view sees it: visible relationships between canonical actors, loops left out. */
  function graphOf(rows: Row[], merges: Merge[], view: View) {
    return rows
      .filter((r) => {
        const asOf = view.asOf?.getTime();
        const retracted = asOf === undefined ? r.retractedAt !== null : r.retractedAt !== null && r.retractedAt <= asOf;
        return (asOf === undefined || r.recordedAt <= asOf) && (view.includeRetracted || !retracted);
      })
      .filter((r) => !view.types || view.types.includes(r.type))
      .filter((r) => !view.since || r.periodEnd === null || r.periodEnd >= view.since)
      .map((r) => ({ claimId: r.claimId, from: canonical(r.from, merges, view.asOf), to: canonical(r.to, merges, view.asOf) }))
      .filter((e) => e.from !== e.to);
  }

  function expectedNetwork(edges: ReturnType<typeof graphOf>, root: number, depth: number) {
    const distance = new Map([[root, 0]]);
    let frontier = [root];
    for (let d = 1; d <= depth; d++) {
      const next: number[] = [];
      for (const e of edges) {
        for (const [here, there] of [[e.from, e.to], [e.to, e.from]] as const) {
          if (frontier.includes(here) && !distance.has(there)) {
            distance.set(there, d);
            next.push(there);
          }
        }
      }
      frontier = next;
    }
    const nodes = [...distance].sort((a, b) => a[1] - b[1] || a[0] - b[0]).map(([id, d]) => ({ id, depth: d }));
    const among = edges.filter((e) => distance.has(e.from) && distance.has(e.to)).map((e) => e.claimId).sort((a, b) => a - b);
    return { nodes, edges: among };
  }

  function shortestLength(edges: ReturnType<typeof graphOf>, from: number, to: number, maxDepth: number): number | null {
    const seen = new Set([from]);
    let frontier = [from];
    for (let d = 0; d <= maxDepth; d++) {
      if (frontier.includes(to)) return d;
      const next: number[] = [];
      for (const e of edges) {
        for (const [here, there] of [[e.from, e.to], [e.to, e.from]] as const) {
          if (frontier.includes(here) && !seen.has(there)) { seen.add(there); next.push(there); }
        }
      }
      frontier = next;
    }
    return null;
  }

  it('gives exactly the breadth-first answer for every actor, depth, filter and view', async () => {
    const scratch = await scratchDatabase();
    try {
      const db = scratch.handle.sql;
      await loadSeed(scratch.handle.db);
      // A fixed pseudo-random graph: 40 actors, 3 of them hubs that a third of the relationships touch.
      let seed = 7;
      const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      const pairs: { from: number; to: number; type: string; periodEnd: string | null }[] = [];
      const types = ['ALLIED_WITH', 'RIVAL_OF', 'AT_WAR_WITH', 'SUPPORTS', 'MEMBER_OF'];
      for (let i = 0; i < 110; i++) {
        const from = Math.floor(random() * 40);
        let to = random() < 0.35 ? Math.floor(random() * 3) : Math.floor(random() * 40);
        if (to === from) to = (from + 1) % 40;
        pairs.push({
          from, to,
          type: types[Math.floor(random() * types.length)]!,
          periodEnd: random() < 0.3 ? `20${10 + Math.floor(random() * 14)}-06-30` : null,
        });
      }
      await scratch.handle.db.transaction(async (tx) => {
        await tx.execute(sql`
          with quote as (select min(id) as id from citations),
          profiles as (
            insert into claims (kind, confidence, recorded_by, recorded_at)
            select 'ACTOR_PROFILE', 50, 'test', '2019-01-01' from generate_series(0, 39) returning id),
          cited as (insert into claim_citations select p.id, quote.id from profiles p, quote returning claim_id)
          insert into actors (slug, name, kind, claim_id)
          select 'generated-' || (row_number() over (order by p.id) - 1), 'Generated ' || p.id, 'ARMED_ORGANIZATION', p.id from profiles p`);
        for (const p of pairs) {
          await tx.execute(sql`
            with quote as (select min(id) as id from citations),
            claim as (
              insert into claims (kind, confidence, recorded_by, recorded_at)
              values ('RELATIONSHIP', 50, 'test', '2019-01-01') returning id),
            cited as (insert into claim_citations select claim.id, quote.id from claim, quote returning claim_id)
            insert into relationships (claim_id, type, from_actor_id, to_actor_id, end_latest, end_precision)
            select claim.id, ${p.type}::relationship_type,
                   (select id from actors where slug = ${`generated-${p.from}`}), (select id from actors where slug = ${`generated-${p.to}`}),
                   ${p.periodEnd}::date, case when ${p.periodEnd}::date is null then null else 'RANGE' end::date_precision
              from claim`);
        }
      });
      const ids = new Map((await db<{ id: number; slug: string }[]>`select id, slug from actors where slug like 'generated-%'`).map((a) => [a.slug, a.id]));
      const id = (n: number) => ids.get(`generated-${n}`)!;
      // Retract every tenth relationship, in claim order.
      await db`update claims set retracted_at = '2020-01-01', retraction_reason = 'test'
                where id in (select claim_id from (select r.claim_id, row_number() over (order by r.claim_id) as n
                                                     from relationships r join actors a on a.id = r.from_actor_id
                                                    where a.slug like 'generated-%') x where n % 10 = 0)`;
      // Actor 5 into hub 1 in 2020; hub 1 into actor 7 in 2022 (a chain); and 9 into 8, which some relationship links.
      const link = pairs.find((p) => (p.from === 9 && p.to === 8) || (p.from === 8 && p.to === 9));
      const merges: Merge[] = [
        { removed: id(5), kept: id(1), mergedAt: new Date('2020-06-01T00:00:00Z') },
        { removed: id(1), kept: id(7), mergedAt: new Date('2022-06-01T00:00:00Z') },
        { removed: id(link ? 9 : 10), kept: id(link ? 8 : 11), mergedAt: new Date('2020-06-01T00:00:00Z') },
      ];
      for (const m of merges) {
        await db`insert into actor_merges (removed_actor_id, kept_actor_id, merged_at, merged_by, reason)
                 values (${m.removed}, ${m.kept}, ${m.mergedAt.toISOString()}::timestamptz, 'test', 'test')`;
      }
      const rows = [...await db<Row[]>`
        select r.claim_id as "claimId", r.type::text as type, r.from_actor_id as "from", r.to_actor_id as "to",
               r.end_latest::text as "periodEnd", (extract(epoch from c.recorded_at) * 1000)::float8 as "recordedAt",
               (extract(epoch from c.retracted_at) * 1000)::float8 as "retractedAt"
          from relationships r join claims c on c.id = r.claim_id`];
      const slugOf = new Map((await db<{ id: number; slug: string }[]>`select id, slug from actors`).map((a) => [a.id, a.slug]));
      expect(rows.filter((r) => slugOf.get(r.from)?.startsWith('generated-')).length).toBe(110);

      const api = openApi(scratch.url);
      try {
        const views: View[] = [
          { asOf: null, types: null, since: null },
          { asOf: new Date('2021-01-01T00:00:00Z'), types: null, since: null },
          { asOf: null, includeRetracted: true, types: null, since: null },
          { asOf: null, types: ['ALLIED_WITH', 'SUPPORTS'], since: null },
          { asOf: null, types: null, since: '2018-01-01' },
        ];
        let compared = 0;
        for (const view of views) {
          const edges = graphOf(rows, merges, view);
          for (const depth of [1, 2, 3]) {
            const args = [`depth: ${depth}`, view.types ? `types: [${view.types.join(', ')}]` : '', view.since ? `since: "${view.since}"` : ''].filter(Boolean).join(', ');
            const r = await api.query<{ actors: { nodes: { slug: string; network: { nodes: { actor: { slug: string }; depth: number }[]; edges: { id: string }[] } | null }[] } }>(
              `query($asOf: DateTime, $retracted: Boolean!) { actors(first: 100, asOf: $asOf, includeRetracted: $retracted) {
                nodes { slug network(${args}) { nodes { actor { slug } depth } edges { id } } } } }`,
              { asOf: view.asOf?.toISOString() ?? null, retracted: view.includeRetracted ?? false },
            );
            expect(r.errors).toBeUndefined();
            for (const actor of r.data!.actors.nodes.filter((a) => a.slug.startsWith('generated-'))) {
              const expected = expectedNetwork(edges, ids.get(actor.slug)!, depth);
              expect({ root: actor.slug, depth, view, nodes: actor.network!.nodes.map((n) => `${n.actor.slug}@${n.depth}`) })
                .toEqual({ root: actor.slug, depth, view, nodes: expected.nodes.map((n) => `${slugOf.get(n.id)}@${n.depth}`) });
              const claimIds = actor.network!.edges.map((e) => Number(Buffer.from(e.id, 'base64').toString('utf8').replace('Relationship:', '')));
              expect({ root: actor.slug, depth, view, edges: claimIds }).toEqual({ root: actor.slug, depth, view, edges: expected.edges });
              compared += 1;
            }
          }
          // Shortest paths (relationshipPath reads the live view, without "since") between a spread
          // of pairs, by length: among equally short paths either may be given.
          if (view.asOf || view.includeRetracted || view.since) continue;
          for (let a = 0; a < 40; a += 3) {
            for (let b = 1; b < 40; b += 7) {
              const from = canonical(id(a), merges, view.asOf);
              const to = canonical(id(b), merges, view.asOf);
              const r = await api.query<{ relationshipPath: { length: number } | null }>(
                `{ relationshipPath(from: "${slugOf.get(id(a))}", to: "${slugOf.get(id(b))}", maxDepth: 6${view.types ? `, types: [${view.types.join(', ')}]` : ''}) { length } }`,
              );
              expect(r.errors).toBeUndefined();
              expect({ a, b, view, length: r.data!.relationshipPath?.length ?? null }).toEqual({ a, b, view, length: shortestLength(edges, from, to, 6) });
            }
          }
        }
        expect(compared).toBeGreaterThan(400);
      } finally {
        await api.close();
      }
    } finally {
      await scratch.drop();
    }
  }, 120_000);
});
