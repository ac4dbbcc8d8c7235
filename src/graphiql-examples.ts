/**
 * The queries GraphiQL opens with: what an analyst runs first. The test suite executes each one
 * against the seeded database and requires data from every part of it (tests/examples.test.ts),
 * and clicks through them in a real browser (tests/browser/graphiql.test.ts), so they cannot
 * silently rot as the schema or the seed changes.
 */
export const exampleQueries: { title: string; query: string }[] = [
  {
    title: 'An actor with its doctrines and rivals',
    query: `# ISIS-K: what it follows, who it is fighting, and the quotes that say so.
query ActorProfile {
  actor(slug: "isis-k") {
    name
    aliases
    kind
    homeCountry { name }
    doctrines {
      doctrine { name parent { name } }
      confidence
      citations { quote }
    }
    rivals: relationships(type: [RIVAL_OF, AT_WAR_WITH]) {
      totalCount
      nodes {
        type
        from { name }
        to { name }
        confidence
        citations { quote startOffset endOffset }
      }
    }
  }
}`,
  },
  {
    title: 'Events linked to ISIS-K: who claimed, who attributed',
    query: `# Every event ISIS-K is tied to, latest first, with each participant's role.
# Claiming, attribution by a third party and carrying out are separate claims.
query IsisKEvents {
  events(filter: { actor: "isis-k" }, orderBy: DATE_DESC, first: 20) {
    totalCount
    nodes {
      title
      kind
      date { text earliest latest precision }
      place { name country { name } }
      killed { min max text }
      participants {
        role
        actor { name }
        attributedBy { name }
        confidence
        citations { quote }
      }
    }
  }
}`,
  },
  {
    title: 'A citation with its source',
    query: `# The quotes drawn from the founding article, with their exact offsets.
query SourceCitations {
  source(slug: "globely-news-isis-k-long-reach") {
    publisher
    author
    publishedOn { text earliest latest precision }
    textSha256
    citations(first: 5) {
      totalCount
      nodes {
        id
        quote
        startOffset
        endOffset
        prefix
        suffix
        source { slug }
      }
    }
  }
}`,
  },
  {
    title: 'A dashboard: where and when ISIS-K acts',
    query: `# Totals, countries, years and reach beyond its home region: one SQL statement each.
# Add asOf: "<an earlier time>" to any of them to see the dashboard as it stood then; once a
# profile has been updated, actor(...) { revisions { ... } } shows what changed and why.
query IsisKDashboard {
  eventStats(filter: { actor: "isis-k" }) {
    events
    firstDate
    lastDate
    killed { min max reported }
  }
  byCountry: breakdown(by: COUNTRY, filter: { actor: "isis-k" }, top: 5) {
    label
    events
    killed { min max }
  }
  timeline(filter: { actor: "isis-k" }, interval: YEAR) {
    buckets { start events }
    unplaced { events }
  }
  actor(slug: "isis-k") {
    name
    reach {
      homeRegion
      countries { country { name } role events extraRegional }
    }
  }
}`,
  },
];
