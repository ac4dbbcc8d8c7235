/** The benchmark's nested list query, shared by scripts/bench.ts and scripts/bench-executor.ts. */
export const NESTED_QUERY = `query Nested {
  events(first: 100) { nodes {
    slug title date { earliest latest precision } killed { min max }
    participants { role
      actor { slug name doctrines { doctrine { slug name } } }
      citations { quote source { slug title } } } } } }`;

/**
 * Dashboard queries of scripts/bench.ts's scenarios, for scripts/bench-writes.ts to run beside its
 * writers (the actor is the busiest one).
 */
export function dashboardQueries(actor: string): { name: string; query: string; variables?: Record<string, unknown> }[] {
  return [
    { name: 'eventStats (all events)', query: '{ eventStats { events killed { min max reported } firstDate lastDate } }' },
    { name: 'eventStats (busiest actor, PERPETRATOR)', query: 'query($a: String!) { eventStats(filter: { actor: $a, role: [PERPETRATOR] }) { events killed { min max } } }', variables: { a: actor } },
    { name: 'timeline MONTH (all events)', query: '{ timeline(interval: MONTH) { buckets { start events killed { min max } } unplaced { events } } }' },
    { name: 'breakdown COUNTRY top 10', query: '{ breakdown(by: COUNTRY) { key label events killed { min max } } }' },
    { name: 'breakdown ACTOR (PERPETRATOR) top 10', query: '{ breakdown(by: ACTOR, filter: { role: [PERPETRATOR] }) { key label events } }' },
    { name: 'breakdown ROLE', query: '{ breakdown(by: ROLE) { key events } }' },
    { name: 'breakdown DOCTRINE', query: '{ breakdown(by: DOCTRINE) { key label events killed { min max } } }' },
    { name: 'reach (busiest actor)', query: 'query($a: String!) { actor(slug: $a) { reach { homeRegion countries { country { name } role events firstDate lastDate extraRegional } regions { region role events } } } }', variables: { a: actor } },
  ];
}
