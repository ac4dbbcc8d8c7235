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
  {
    title: 'Casualties by category, ACLED/GTD types, two sides',
    query: `# The Kabul airport attack as UCDP, ACLED and GTD would code it: killed by category (in the
# article's words), the kind's standard types, and its two sides (each a cited participation).
query FieldStandards {
  event(slug: "kabul-airport-suicide-attack") {
    title
    killed { low best high text parts { category low high text } }
    standardTypes { acledEventTypeLabel acledSubEventTypeLabel gtdAttackType gtdAttackTypeCode gtdSuicide }
    dyad {
      sideA { role actor { name } citations { quote } }
      sideB { role actor { name } }
      acledInteraction
    }
  }
  # Events with ISIS-K on one side and the Afghan Taliban on the other.
  between: events(filter: { between: ["isis-k", "afghan-taliban"] }) {
    totalCount
    nodes { title }
  }
  suicideAttacks: eventStats(filter: { gtdSuicide: true }) {
    events
    casualties { killed { total { low high } civilians { low high } securityForces { low high } } }
  }
  byAcledType: breakdown(by: ACLED_EVENT_TYPE) { label events }
}`,
  },
];
