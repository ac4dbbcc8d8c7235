/**
 * Where a result shows nothing: an empty list or a connection with totalCount 0 anywhere in it.
 * Nulls below the root are answers (no attributor, "over 100" has no upper bound); an empty list
 * in a GraphiQL example means the example shows nothing on the seed.
 */
export function emptyParts(value: unknown, path = '', out: string[] = []): string[] {
  if (Array.isArray(value)) {
    if (value.length === 0) out.push(`${path} is []`);
    value.forEach((item, i) => emptyParts(item, `${path}[${i}]`, out));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'totalCount' && item === 0) out.push(`${path}.totalCount is 0`);
      emptyParts(item, `${path}.${key}`, out);
    }
  }
  return out;
}

/** Root fields that are null: the example asked for something the seed does not have. */
export function nullRoots(data: Record<string, unknown>): string[] {
  return Object.entries(data)
    .filter(([, value]) => value === null)
    .map(([field]) => field);
}
