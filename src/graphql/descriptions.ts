/**
 * Descriptions for the types Pothos generates (connections, edges, mutation results, PageInfo,
 * Node, the root types), written from the role each plays, and for vocabulary and inputs whose
 * meaning is all in their name, and the `data` field of mutation results. Every type, field,
 * argument and enum value in the schema is described (the schema lint checks); the relay plugin's
 * fields and arguments are described through its options in builder.ts.
 * Kept in one place so each generated type's text follows one pattern; a description given where
 * a type is defined always wins.
 */
import { getNamedType, GraphQLObjectType, GraphQLUnionType, isNamedType, type GraphQLNamedType, type GraphQLSchema } from 'graphql';

const NAMED: Record<string, string> = {
  Query: 'Reads: the knowledge graph as it stands now, or as of a past time (`asOf`).',
  Mutation: 'Writes: sources, citations and cited claims, each one transaction recorded in the audit log. Every write needs an API token.',
  Subscription: 'Live updates, over Server-Sent Events.',
  Node: 'Anything with a global ID, which `node(id)` and `nodes(ids)` fetch.',
  PageInfo: 'Where a page lies in its list (Relay): the cursors of its first and last items and whether more lie before or after.',
  ActorFilter: 'Which actors to list; every field given must hold.',
  EventFilter: 'Which events to list or count; every field given must hold.',
  ActorKind: 'What kind of actor.',
  EventKind: 'What kind of event.',
  PlaceKind: 'What kind of place.',
  EventOrder: 'How to order events; ties are broken by id, so pages are stable.',
  BreakdownBy: 'What to group events by.',
  RelationshipDirection: 'Which relationships of an actor: those from it, to it, or either.',
  SearchKind: 'What search looks through.',
  TimelineInterval: 'The width of a timeline bucket.',
  Timeline: 'Events counted per calendar bucket; events known too coarsely for a bucket are counted apart.',
  TimelineBucket: 'One calendar bucket of a timeline: its events and their casualties.',
  NetworkNode: 'An actor in a network, with how many steps it lies from the actor asked about.',
  AddAdherenceInput: 'addAdherence: an actor, a doctrine it follows, and the quotes that say so.',
  AddCitationInput: 'addCitation: a quote the server finds in a stored source.',
  AddParticipationInput: 'addParticipation: an actor, an event, its role in it, and the quotes that say so.',
  AddRelationshipInput: 'addRelationship: two actors, how the first relates to the second, and the quotes that say so.',
  AddSourceInput: 'addSource: a source text and what is known of its publication.',
  CreateActorInput: 'createActor: a new actor and the quotes that establish it.',
  CreateEventInput: 'createEvent: a new event, its participants, and the quotes that report it.',
  CreatePlaceInput: 'createPlace: a new place in the gazetteer.',
  MergeActorsInput: 'mergeActors: the duplicate to fold into the actor to keep, and why.',
  RetractClaimInput: 'retractClaim: the claim, why it is wrong, and the quote that shows it.',
};

/** What a connection or edge lists: its edges' (or its own) `node` field's type. */
function nodeTypeOf(type: GraphQLObjectType): string | undefined {
  const { node, edges } = type.getFields();
  if (node) return getNamedType(node.type).name;
  const edge = edges ? getNamedType(edges.type) : undefined;
  return edge instanceof GraphQLObjectType ? nodeTypeOf(edge) : undefined;
}

/** The description a type without one gets, or undefined when nothing fits. */
function generated(type: GraphQLNamedType): string | undefined {
  const named = NAMED[type.name];
  if (named) return named;
  const mutation = /^Mutation(\w+?)(Result|Success)$/.exec(type.name);
  if (mutation) {
    const field = `${mutation[1]?.charAt(0).toLowerCase()}${mutation[1]?.slice(1)}`;
    return type instanceof GraphQLUnionType
      ? `What ${field} returns: \`data\` on success, else a typed error naming what was wrong and where in the input.`
      : `${field} succeeded; \`data\` is what it wrote (or, for a repeated idempotency key, what it wrote the first time).`;
  }
  if (type instanceof GraphQLObjectType && type.name.endsWith('Connection')) {
    return `A page of ${nodeTypeOf(type) ?? 'items'} (a Relay connection): \`edges\` with cursors or plain \`nodes\`, \`pageInfo\` and \`totalCount\`.`;
  }
  if (type instanceof GraphQLObjectType && type.name.endsWith('Edge')) {
    return `One ${nodeTypeOf(type) ?? 'item'} of a page, with the cursor that points at it (stable however the list changes).`;
  }
  return undefined;
}

/**
 * The errors plugin's success types carry the mutation's result in `data`, a field its options
 * cannot describe schema-wide.
 */
function describeSuccessData(type: GraphQLNamedType): void {
  const mutation = /^Mutation(\w+?)Success$/.exec(type.name);
  if (!mutation || !(type instanceof GraphQLObjectType)) return;
  const data = type.getFields().data;
  if (data && !data.description) {
    data.description = `The ${getNamedType(data.type).name} as it stands after the write (for a repeated idempotency key, the one the first request wrote).`;
  }
}

/** Gives every type still without a description the one `generated` writes for it. */
export function describeGeneratedTypes(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isNamedType(type) || type.name.startsWith('__')) continue;
    describeSuccessData(type);
    if (type.description) continue;
    const description = generated(type);
    if (description) type.description = description;
  }
}
