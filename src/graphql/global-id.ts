/**
 * Relay global IDs: base64 of "Type:id". Decoding is strict so that a mistyped or truncated ID
 * gets an error naming it instead of a confusing null.
 */
import { encodeGlobalId, parseGlobalId } from '../domain/global-ids.ts';
import { badInput } from './errors.ts';

export { encodeGlobalId };

/** The types a global id may name (every Node type of the schema); set once the schema is built. */
let nodeTypeNames: ReadonlySet<string> | null = null;

export function setNodeTypeNames(names: Iterable<string>): void {
  nodeTypeNames = new Set(names);
}

export function decodeGlobalId(globalId: string): { typename: string; id: string } {
  const parsed = parseGlobalId(globalId);
  if (!parsed) throw badInput(`"${globalId}" is not a valid global ID (expected base64 of "Type:number")`, 'id');
  const { typename, id } = parsed;
  // Otherwise the relay plugin answers with its own words and no code ("Nope has not been implemented").
  if (nodeTypeNames && !nodeTypeNames.has(typename)) {
    throw badInput(`"${globalId}" names a ${typename}, which is not a kind of record with an id`, 'id');
  }
  return { typename, id };
}

/** Node ids are positive integers in the database. */
export function parseNumericId(id: string): number {
  return Number.parseInt(id, 10);
}
