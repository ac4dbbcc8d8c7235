/**
 * How clients name records: Relay global ids, base64 of "Type:id". The domain reads them where
 * an input names a record by id (a stored citation, a claim to retract); the GraphQL layer builds
 * its node ids from the same codec (src/graphql/global-id.ts).
 */

/** The largest PostgreSQL `integer`, the type of every id. */
const MAX_ID = 2_147_483_647;

export function encodeGlobalId(typename: string, id: bigint | number | string): string {
  return Buffer.from(`${typename}:${id}`, 'utf8').toString('base64');
}

/**
 * The type and id a global id names, or null when it is not one. Strict: re-encoding must give
 * the input back (so it was base64 of such a pair), and the id must fit a PostgreSQL integer.
 */
export function parseGlobalId(globalId: string): { typename: string; id: string } | null {
  const decoded = Buffer.from(globalId, 'base64').toString('utf8');
  const match = /^([A-Za-z][A-Za-z0-9]*):([1-9][0-9]{0,9})$/.exec(decoded);
  if (!match || encodeGlobalId(match[1] ?? '', match[2] ?? '') !== globalId || Number(match[2]) > MAX_ID) return null;
  return { typename: match[1] ?? '', id: match[2] ?? '' };
}
