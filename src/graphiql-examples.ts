/**
 * The queries GraphiQL opens with: what an analyst runs first. The test suite executes each one
 * against the seeded database, so they cannot silently rot as the schema changes.
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
    title: 'What changed, and how it read before',
    query: `# Every update of ISIS-K's profile: when, by whom, each field before and after, and the
# quote behind it. Add asOf: "<an earlier time>" to actor(...) to read the profile as it stood
# then; dashboards (eventStats, timeline, breakdown) take asOf the same way.
query ProfileHistory {
  actor(slug: "isis-k") {
    name
    aliases
    homeCountry { name }
    revisions(first: 10) {
      totalCount
      nodes {
        recordedAt
        recordedBy
        changes { field from to }
        update { confidence note citations { quote source { slug } } }
        merge { removedSlug reason }
      }
    }
  }
}`,
  },
];
