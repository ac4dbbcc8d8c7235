/**
 * Relay global IDs: base64 of "Type:id". Decoding is strict so that a mistyped or truncated ID
 * gets an error naming it instead of a confusing null.
 */
import { badInput } from './errors.ts';

/** The largest PostgreSQL `integer`, the type of every id. */
const MAX_ID = 2_147_483_647;

export function encodeGlobalId(typename: string, id: bigint | number | string): string {
  return Buffer.from(`${typename}:${id}`, 'utf8').toString('base64');
}

/** The types a global id may name (every Node type of the schema); set once the schema is built. */
let nodeTypeNames: ReadonlySet<string> | null = null;

export function setNodeTypeNames(names: Iterable<string>): void {
  nodeTypeNames = new Set(names);
}

export function decodeGlobalId(globalId: string): { typename: string; id: string } {
  const decoded = Buffer.from(globalId, 'base64').toString('utf8');
  const match = /^([A-Za-z][A-Za-z0-9]*):([1-9][0-9]{0,9})$/.exec(decoded);
  // Re-encoding must give the input back, otherwise it was not base64 of such a pair; and ids
  // are PostgreSQL integers, so a larger number cannot name anything.
  if (!match || encodeGlobalId(match[1] ?? '', match[2] ?? '') !== globalId || Number(match[2]) > MAX_ID) {
    throw badInput(`"${globalId}" is not a valid global ID (expected base64 of "Type:number")`, 'id');
  }
  const typename = match[1] ?? '';
  // Otherwise the relay plugin answers with its own words and no code ("Nope has not been implemented").
  if (nodeTypeNames && !nodeTypeNames.has(typename)) {
    throw badInput(`"${globalId}" names a ${typename}, which is not a kind of record with an id`, 'id');
  }
  return { typename, id: match[2] ?? '' };
}

/** Node ids are positive integers in the database. */
export function parseNumericId(id: string): number {
  return Number.parseInt(id, 10);
}
