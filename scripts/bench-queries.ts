/** The benchmark's nested list query, shared by scripts/bench.ts and scripts/bench-executor.ts. */
export const NESTED_QUERY = `query Nested {
  events(first: 100) { nodes {
    slug title date { earliest latest precision } killed { min max }
    participants { role
      actor { slug name doctrines { doctrine { slug name } } }
      citations { quote source { slug title } } } } } }`;
