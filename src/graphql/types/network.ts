/** Graph widgets: an actor's neighbourhood (`Actor.network`) and the shortest path between two actors. */
import { sql } from 'drizzle-orm';
import { actors } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { badInput } from '../errors.ts';
import { mergeTime, useView, viewArgs } from '../view.ts';
import type { RelationshipRow } from '../loaders/claims.ts';
import { neighbourhoods, shortestPath, type EdgeFilter } from '../loaders/network.ts';
import { Actor } from './actor.ts';
import { Relationship } from './relationship.ts';
import { RelationshipTypeEnum } from './vocabulary.ts';
import { claimFloor, claimFloorArgs, validTimeArgs, validTimeFilter } from '../claim-filters.ts';

export const MAX_NETWORK_DEPTH = 3;
export const MAX_NETWORK_NODES = 1000;
/** Relationships among those actors: dense groups can have many more edges than nodes. */
export const MAX_NETWORK_EDGES = 10_000;
export const MAX_PATH_DEPTH = 6;

interface NodeShape {
  actorId: number;
  depth: number;
}

interface NetworkShape {
  nodes: NodeShape[];
  /** Loaded with the graph: the Relationship loader is not needed for them. */
  edges: RelationshipRow[];
}

const NetworkNode = builder.objectRef<NodeShape>('NetworkNode').implement({
  fields: (t) => ({
    actor: t.field({ type: Actor, description: 'The actor at this point of the network.', resolve: (n) => n.actorId }),
    depth: t.exposeInt('depth', { description: 'Hops from the actor the network is centred on (0 for itself).' }),
  }),
});

const Network = builder.objectRef<NetworkShape>('Network').implement({
  description: 'A neighbourhood subgraph: actors within some hops, and every relationship between two of them.',
  fields: (t) => ({
    nodes: t.expose('nodes', { type: [NetworkNode], description: 'By depth, then id.' }),
    edges: t.field({
      type: [Relationship],
      description: 'Relationship claims between the nodes, each with its type and citations, by id.',
      resolve: (n) => n.edges,
    }),
  }),
});

function depthBetween(value: number, max: number, argument: string): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw badInput(`"${argument}" must be between 1 and ${max}, got ${value}`, argument);
  }
  return value;
}

builder.objectField(Actor, 'network', (t) =>
  t.loadable({
    type: Network,
    description: `The actor's neighbourhood for graph widgets, following relationships in either direction (only those that held at the time asked for with validOn/validDuring, and pass the confidence and grade floors): at most ${MAX_NETWORK_DEPTH} hops, ${MAX_NETWORK_NODES} actors and ${MAX_NETWORK_EDGES} relationships (beyond that the field errs; narrow types or since).`,
    byPath: true,
    args: {
      depth: t.arg.int({ required: true, defaultValue: 1, description: `Hops, 1 to ${MAX_NETWORK_DEPTH}.` }),
      types: t.arg({ type: [RelationshipTypeEnum], description: 'Only these relationship types (default: all).' }),
      since: t.arg({
        type: 'LocalDate',
        description: 'Only relationships that may have held on or after this day (those without a known end count).',
      }),
      ...validTimeArgs(t.arg),
      ...claimFloorArgs(t.arg),
    },
    load: async (actorIds: number[], ctx, args) => {
      const depth = depthBetween(args.depth, MAX_NETWORK_DEPTH, 'depth');
      const filter: EdgeFilter = { types: args.types ?? null, since: args.since ?? null, validTime: validTimeFilter(args), floor: claimFloor(args) };
      const rows = await neighbourhoods(ctx.db, ctx.view, actorIds, depth, filter, MAX_NETWORK_NODES);
      const sizes = new Map<number, number>();
      const networks = new Map<number, NetworkShape>(actorIds.map((id) => [id, { nodes: [], edges: [] }]));
      for (const row of rows) {
        const network = networks.get(row.root);
        if (!network) continue;
        if (row.kind === 'size') sizes.set(row.root, row.id);
        else if (row.kind === 'node') network.nodes.push({ actorId: row.id, depth: row.depth });
        else {
          const { kind: _kind, root: _root, ...edge } = row;
          network.edges.push(edge);
        }
      }
      return actorIds.map((id) => {
        const size = sizes.get(id) ?? 0;
        if (size > MAX_NETWORK_NODES) {
          return badInput(
            `the network within ${depth} hops has ${size} actors, more than ${MAX_NETWORK_NODES}; lower "depth" or narrow "types" or "since"`,
            'depth',
          );
        }
        const network = networks.get(id)!;
        if (network.edges.length > MAX_NETWORK_EDGES) {
          return badInput(
            `the network within ${depth} hops has ${network.edges.length} relationships, more than ${MAX_NETWORK_EDGES}; lower "depth" or narrow "types" or "since"`,
            'depth',
          );
        }
        return network;
      });
    },
    resolve: (actor) => actor.id,
  }),
);

interface PathShape {
  actorIds: number[];
  edges: number[];
}

const RelationshipPath = builder.objectRef<PathShape>('RelationshipPath').implement({
  description: 'A shortest chain of relationships linking two actors (directions ignored; each edge keeps its own).',
  fields: (t) => ({
    length: t.int({ description: 'Number of relationships.', resolve: (p) => p.edges.length }),
    actors: t.field({ type: [Actor], description: 'From the first actor to the second.', resolve: (p) => p.actorIds }),
    edges: t.field({ type: [Relationship], description: 'edges[i] links actors[i] and actors[i + 1].', resolve: (p) => p.edges }),
  }),
});

builder.queryFields((t) => ({
  relationshipPath: t.field({
    type: RelationshipPath,
    nullable: true,
    description: `The shortest path between two actors over relationship claims, of at most \`maxDepth\` (up to ${MAX_PATH_DEPTH}) steps; null when there is none that short.`,
    args: {
      from: t.arg.string({ required: true, description: 'Slug of the first actor.' }),
      to: t.arg.string({ required: true, description: 'Slug of the second actor.' }),
      types: t.arg({ type: [RelationshipTypeEnum], description: 'Only these relationship types (default: all).' }),
      maxDepth: t.arg.int({ required: true, defaultValue: 4, description: `1 to ${MAX_PATH_DEPTH}.` }),
      ...validTimeArgs(t.arg),
      ...claimFloorArgs(t.arg),
      ...viewArgs(t.arg),
    },
    resolve: async (_root, args, ctx) => {
      // The operation's view is chosen here, as by the other root fields: without it the path
      // followed whatever asOf another root field of the operation had set, or none.
      const view = useView(ctx, args);
      const maxDepth = depthBetween(args.maxDepth, MAX_PATH_DEPTH, 'maxDepth');
      const found = await ctx.db.execute<{ id: number; slug: string }>(
        // A slug merged away names the actor it was folded into.
        sql`select canonical_actor(${actors.id}, ${mergeTime(view)}) as id, ${actors.slug} as slug from ${actors} where ${actors.slug} = any(${sql.param([args.from, args.to])}::text[])`,
      );
      const idOf = new Map(found.map((row) => [row.slug, row.id]));
      const from = idOf.get(args.from);
      const to = idOf.get(args.to);
      if (from === undefined) throw badInput(`no actor has the slug "${args.from}"`, 'from');
      if (to === undefined) throw badInput(`no actor has the slug "${args.to}"`, 'to');
      const steps = await shortestPath(ctx.db, view, from, to, maxDepth, {
        types: args.types ?? null,
        since: null,
        validTime: validTimeFilter(args),
        floor: claimFloor(args),
      });
      if (!steps) return null;
      return {
        actorIds: steps.map((s) => s.actorId),
        edges: steps.flatMap((s) => (s.claimId === null ? [] : [s.claimId])),
      };
    },
  }),
}));
