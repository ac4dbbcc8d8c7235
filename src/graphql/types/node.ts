/**
 * `node(id:)` and `nodes(ids:)`, the relay plugin's refetch fields, defined here to take the view
 * arguments every other root read takes: a record comes back as the root field of its type shows
 * it in the same view (`event(slug:)`...). Without them an event whose report was retracted, or an
 * actor recorded after `asOf`, came back by id where its own field returned null.
 */
import { resolveNodes } from '@pothos/plugin-relay';
import { builder } from '../builder.ts';
import { useView, viewArgs } from '../view.ts';

/** A loaded record, or null when the view hides it: actors, events, doctrines, sources and quotes say so (`inView`); claims are loaded in the view already. */
function shownInView(node: unknown): unknown {
  if (typeof node === 'object' && node !== null && 'inView' in node && node.inView === false) return null;
  return node ?? null;
}

const VIEW_NOTE =
  'A record comes back as its own field (`actor(slug:)`, `source(slug:)`...) shows it in the same view: an actor, doctrine, event or other claim is null when its claim was recorded after `asOf` or is retracted (unless `includeRetracted`); a source or quote when it was stored after `asOf`. Places are not claims: they come back with the names and codes they had then.';

builder.queryFields((t) => ({
  node: t.field({
    type: builder.nodeInterfaceRef(),
    nullable: true,
    description: `The record with this global id, of whatever type; null when no record has that id. ${VIEW_NOTE}`,
    args: {
      id: t.arg.globalID({ required: true, description: 'A global id, as returned by any `id` field.', extensions: { relayGlobalIDAlwaysParse: true } }),
      ...viewArgs(t.arg),
    },
    resolve: async (_root, args, ctx, info) => {
      useView(ctx, args);
      const [node] = await resolveNodes(builder, ctx, info, [args.id]);
      return shownInView(await node);
    },
  }),
  nodes: t.field({
    type: [builder.nodeInterfaceRef()],
    nullable: { list: false, items: true },
    description: `The records with these global ids, in the order given; null in place of any id that names no record. Each id counts towards the operation's cost limit. ${VIEW_NOTE}`,
    args: {
      ids: t.arg.globalIDList({ required: true, description: 'Global ids, as returned by any `id` field.', extensions: { relayGlobalIDAlwaysParse: true } }),
      ...viewArgs(t.arg),
    },
    resolve: async (_root, args, ctx, info) => {
      useView(ctx, args);
      const nodes = await resolveNodes(builder, ctx, info, args.ids);
      return Promise.all(nodes.map(async (node) => shownInView(await node)));
    },
  }),
}));
