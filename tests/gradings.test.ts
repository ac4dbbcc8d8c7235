/**
 * Grading anew (gradeSource, gradeClaim): a source's reliability or a claim's credibility changed
 * after it was recorded, with the reason kept; floors, the changes feed and the audit log follow,
 * and the database refuses a grade changed any other way.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainSummaries } from '../src/db/summaries.ts';
import { runNextJob } from '../src/domain/jobs/jobs.ts';
import { importDataset } from '../src/import/datasets/import.ts';
import { JOB_HANDLERS } from '../src/writes/job-handlers.ts';
import { writeFixture, type WriteFixture } from './helpers.ts';

const UCDP_SAMPLE = fileURLToPath(new URL('../seed/examples/datasets/ucdp-ged-sample.csv', import.meta.url));

const SOURCE = 'globely-news-isis-k-long-reach';

interface Grading { previous: string | number | null; reason: string; gradedBy: string; gradedAt: string }
type Outcome = { __typename: string; message?: string; path?: string[]; reliability?: string | null; credibility?: number | null } & Partial<Grading>;

describe('grading sources and claims anew', () => {
  let f: WriteFixture;
  const as = <T>(query: string, variables: Record<string, unknown>, role: 'viewer' | 'analyst' | 'admin' = 'analyst') =>
    f.api.query<T>(query, variables, { token: f.tokens[role] });
  const GRADE_SOURCE = `mutation($i: GradeSourceInput!) { gradeSource(input: $i) { __typename
    ... on MutationGradeSourceSuccess { data { previous reliability reason gradedBy gradedAt source { slug reliability } } }
    ... on UserError { message path } } }`;
  const GRADE_CLAIM = `mutation($i: GradeClaimInput!) { gradeClaim(input: $i) { __typename
    ... on MutationGradeClaimSuccess { data { previous credibility reason gradedBy } }
    ... on UserError { message path } } }`;
  const gradeSource = async (input: Record<string, unknown>, role: 'viewer' | 'analyst' = 'analyst') => {
    const r = await as<{ gradeSource: { __typename: string; data?: Outcome } & Outcome }>(GRADE_SOURCE, { i: input }, role);
    return r;
  };
  const gradeClaim = async (input: Record<string, unknown>) => {
    const r = await as<{ gradeClaim: { __typename: string; data?: Outcome } & Outcome }>(GRADE_CLAIM, { i: input });
    expect(r.errors).toBeUndefined();
    return r.data!.gradeClaim;
  };
  /** The Taliban–al-Qaeda alliance, a relationship the seeded article states. */
  const alliance = async () => {
    const r = await f.api.query<{ actor: { relationships: { nodes: { id: string; to: { slug: string }; credibility: number | null; confidence: number; gradings: (Grading & { credibility: number | null })[] }[] } } }>(
      `{ actor(slug: "afghan-taliban") { relationships(type: [ALLIED_WITH], direction: OUTGOING) { nodes { id to { slug } credibility confidence gradings { previous credibility reason gradedBy gradedAt } } } } }`,
    );
    expect(r.errors).toBeUndefined();
    return r.data!.actor.relationships.nodes.find((n) => n.to.slug === 'al-qaeda')!;
  };
  /**
   * The changes recorded after change `after`, as the feed will list them (global ids as the API
   * gives them). Read from the table: the feed itself serves a change only once every older
   * transaction on the server has ended, other test files' included (tests/changes.test.ts).
   */
  const lastChange = async () => (await f.scratch.handle.sql<{ id: number }[]>`select coalesce(max(id), 0)::int as id from changes`)[0]!.id;
  const changesAfter = async (after: number) =>
    (await f.scratch.handle.sql<{ kind: string; entityType: string; entityId: number; claimId: number | null; principal: string }[]>`
      select kind::text, entity_type as "entityType", entity_id as "entityId", claim_id as "claimId", principal from changes where id > ${after} order by id`)
      .map(({ entityId, ...c }) => ({ ...c, entity: Buffer.from(`${c.entityType}:${entityId}`).toString('base64') }));

  beforeAll(async () => {
    f = await writeFixture();
  });
  afterAll(() => f.close());

  it('grades a source anew: its claims and the reliability floor follow, the grading is kept, the feed and the audit log list it', async () => {
    const end = await lastChange();
    const floored = async () =>
      (await f.api.query<{ actor: { relationships: { totalCount: number } } }>(`{ actor(slug: "isis-k") { relationships(minReliability: B) { totalCount } } }`)).data!.actor.relationships.totalCount;
    // The seeded article is ungraded: none of its claims passes a B floor.
    expect(await floored()).toBe(0);
    const r = await gradeSource({ source: SOURCE, reliability: 'B', reason: 'a specialist outlet with a sound record on the region' });
    expect(r.errors).toBeUndefined();
    expect(r.data!.gradeSource).toMatchObject({
      __typename: 'MutationGradeSourceSuccess',
      data: { previous: null, reliability: 'B', reason: 'a specialist outlet with a sound record on the region', gradedBy: 'token:test-analyst', source: { slug: SOURCE, reliability: 'B' } },
    });
    expect(await floored()).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const whileB = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await gradeSource({ source: SOURCE, reliability: 'C', reason: 'one of its figures proved inflated' });
    expect(second.data!.gradeSource.__typename).toBe('MutationGradeSourceSuccess');
    expect(await floored()).toBe(0);
    // The sources graded B or better: the article, while it was graded B; not now.
    const graded = async (asOf?: string) => {
      const r = await f.api.query<{ sources: { nodes: { slug: string; reliability: string }[] } }>(
        `query($a: DateTime) { sources(first: 100, minReliability: B, asOf: $a) { nodes { slug reliability } } }`, { a: asOf },
      );
      expect(r.errors).toBeUndefined();
      return r.data!.sources.nodes.filter((n) => n.slug === SOURCE);
    };
    expect(await graded(whileB)).toEqual([{ slug: SOURCE, reliability: 'B' }]);
    expect(await graded()).toEqual([]);
    expect(await graded('2000-01-01T00:00:00Z')).toEqual([]);
    const source = await f.api.query<{ source: { reliability: string; gradings: (Grading & { reliability: string })[] } }>(
      `{ source(slug: "${SOURCE}") { reliability gradings { previous reliability reason gradedBy } } }`,
    );
    expect(source.data!.source).toEqual({
      reliability: 'C',
      gradings: [
        { previous: 'B', reliability: 'C', reason: 'one of its figures proved inflated', gradedBy: 'token:test-analyst' },
        { previous: null, reliability: 'B', reason: 'a specialist outlet with a sound record on the region', gradedBy: 'token:test-analyst' },
      ],
    });
    // Every claim cited only from the article carries its grade.
    const [claims] = await f.scratch.handle.sql<{ graded: number; other: number }[]>`
      select count(*) filter (where c.source_reliability = 'C')::int as graded, count(*) filter (where c.source_reliability is distinct from 'C')::int as other
        from claims c where exists (select 1 from claim_citations cc join citations ct on ct.id = cc.citation_id join sources s on s.id = ct.source_id where cc.claim_id = c.id and s.slug = ${SOURCE})`;
    expect(claims!.graded).toBeGreaterThan(0);
    expect(claims!.other).toBe(0);
    // The feed lists each grading once as GRADED (not also as an update of the source).
    const nodes = await changesAfter(end);
    expect(nodes.map((n) => `${n.kind} ${n.entityType} ${n.principal}`)).toEqual(['GRADED Source token:test-analyst', 'GRADED Source token:test-analyst']);
    const audit = await f.scratch.handle.sql<{ operation: string }[]>`select operation from audit_log where operation = 'gradeSource'`;
    expect(audit).toHaveLength(2);
  });

  it('refuses a grade that changes nothing, an unknown source, a missing grade and a viewer, and writes nothing', async () => {
    const before = await f.scratch.handle.sql`select count(*)::int as n from source_gradings`;
    const same = await gradeSource({ source: SOURCE, reliability: 'C', reason: 'checked again' });
    expect(same.data!.gradeSource).toEqual({ __typename: 'ValidationError', message: `source "${SOURCE}" is already graded C`, path: ['input', 'reliability'] });
    const unknown = await gradeSource({ source: 'no-such-source', reliability: 'A', reason: 'checked again' });
    expect(unknown.data!.gradeSource).toMatchObject({ __typename: 'NotFoundError', path: ['input', 'source'] });
    const missing = await gradeSource({ source: SOURCE, reason: 'checked again' });
    expect(missing.data!.gradeSource).toEqual({ __typename: 'ValidationError', message: 'input.reliability: required: a grade A–F, or null to withdraw the grade', path: ['input', 'reliability'] });
    const noReason = await gradeSource({ source: SOURCE, reliability: 'A', reason: '' });
    expect(noReason.data!.gradeSource).toMatchObject({ __typename: 'ValidationError', path: ['input', 'reason'] });
    const viewer = await gradeSource({ source: SOURCE, reliability: 'A', reason: 'checked again' }, 'viewer');
    expect(viewer.data!.gradeSource).toMatchObject({ __typename: 'ForbiddenError' });
    const after = await f.scratch.handle.sql`select count(*)::int as n from source_gradings`;
    expect(after[0]!.n).toBe(before[0]!.n);
    const [source] = await f.scratch.handle.sql<{ reliability: string }[]>`select reliability from sources where slug = ${SOURCE}`;
    expect(source!.reliability).toBe('C');
  });

  it('grades a claim anew: its credibility and the floor follow, what it states stays, the feed names the record', async () => {
    const end = await lastChange();
    const before = await alliance();
    const floored = async () =>
      (await f.api.query<{ actor: { relationships: { nodes: { to: { slug: string } }[] } } }>(
        `{ actor(slug: "afghan-taliban") { relationships(type: [ALLIED_WITH], direction: OUTGOING, minCredibility: 2) { nodes { to { slug } } } } }`,
      )).data!.actor.relationships.nodes.map((n) => n.to.slug);
    expect(await floored()).not.toContain('al-qaeda');
    const graded = await gradeClaim({ claim: before.id, credibility: 2, reason: 'the UN monitoring team reports the same ties' });
    expect(graded).toEqual({
      __typename: 'MutationGradeClaimSuccess',
      data: { previous: before.credibility, credibility: 2, reason: 'the UN monitoring team reports the same ties', gradedBy: 'token:test-analyst' },
    });
    const after = await alliance();
    expect(after).toMatchObject({ id: before.id, credibility: 2, confidence: before.confidence });
    expect(after.gradings).toEqual([expect.objectContaining({ previous: before.credibility, credibility: 2, reason: 'the UN monitoring team reports the same ties' })]);
    expect(await floored()).toContain('al-qaeda');
    // Withdrawn (a grade given by mistake): ungraded again, and out of the floor.
    const withdrawn = await gradeClaim({ claim: before.id, credibility: null, reason: 'graded the wrong relationship' });
    expect(withdrawn).toMatchObject({ __typename: 'MutationGradeClaimSuccess', data: { previous: 2, credibility: null } });
    expect((await alliance()).gradings.map((g) => g.credibility)).toEqual([null, 2]);
    expect(await floored()).not.toContain('al-qaeda');
    const nodes = await changesAfter(end);
    expect(nodes).toEqual([
      expect.objectContaining({ kind: 'GRADED', entityType: 'Relationship', entity: before.id, principal: 'token:test-analyst' }),
      expect.objectContaining({ kind: 'GRADED', entityType: 'Relationship', entity: before.id }),
    ]);
    expect(nodes[0]!.claimId).not.toBeNull();
  });

  it('answers asOf a time before a grading with the grades as they stood then: fields and floors alike', async () => {
    const sql = f.scratch.handle.sql;
    const at = async () => (await sql<{ t: string }[]>`select to_json(clock_timestamp()) #>> '{}' as t`)[0]!.t;
    const { id } = await alliance();
    const beforeGrading = await at();
    expect((await gradeClaim({ claim: id, credibility: 1, reason: 'confirmed by a second source' })).__typename).toBe('MutationGradeClaimSuccess');
    const sourceBefore = await at();
    const previousGrade = (await sql<{ reliability: string | null }[]>`select reliability from sources where slug = ${SOURCE}`)[0]!.reliability;
    const next = previousGrade === 'E' ? 'D' : 'E';
    expect((await gradeSource({ source: SOURCE, reliability: next, reason: 'its record worsened' })).data!.gradeSource.__typename).toBe('MutationGradeSourceSuccess');
    type R = { actor: { relationships: { nodes: { id: string; credibility: number | null; sourceReliability: string | null; citations: { source: { reliability: string | null } }[] }[] } } };
    const read = async (asOf: string | null, floor = '') =>
      (await f.api.query<R>(`query($asOf: DateTime) { actor(slug: "afghan-taliban", asOf: $asOf) { relationships(type: [ALLIED_WITH], direction: OUTGOING${floor}) { nodes { id credibility sourceReliability citations { source { reliability } } } } } }`, { asOf }))
        .data!.actor.relationships.nodes.find((n) => n.id === id);
    // Live: the new grades.
    expect(await read(null)).toMatchObject({ credibility: 1, sourceReliability: next });
    expect(await read(null, ', minCredibility: 1')).toBeDefined();
    // Before the source's grading: the claim's new credibility, the source's old grade.
    expect(await read(sourceBefore)).toMatchObject({ credibility: 1, sourceReliability: previousGrade, citations: [{ source: { reliability: previousGrade } }] });
    expect((await read(null))?.citations[0]?.source.reliability).toBe(next);
    expect(await read(sourceBefore, `, minReliability: ${previousGrade ?? 'F'}`)).toBeDefined();
    expect(await read(null, `, minReliability: ${previousGrade ?? 'F'}`)).toBeUndefined();
    // Before the claim's grading: its old credibility, and out of the 1 floor.
    expect(await read(beforeGrading)).toMatchObject({ credibility: null });
    expect(await read(beforeGrading, ', minCredibility: 1')).toBeUndefined();
  });

  it('lists an event report’s and an actor profile’s gradings on the event and the actor', async () => {
    type R = { event: { id: string; credibility: number | null; gradings: { credibility: number | null; reason: string }[] }; actor: { id: string; gradings: { credibility: number | null }[] } };
    const read = async () => (await f.api.query<R>(`{ event(slug: "kabul-airport-suicide-attack") { id credibility gradings { credibility reason } } actor(slug: "isis-k") { id gradings { credibility } } }`)).data!;
    const before = await read();
    expect(before.event.gradings).toEqual([]);
    expect((await gradeClaim({ claim: before.event.id, credibility: 1, reason: 'confirmed by official statements' })).__typename).toBe('MutationGradeClaimSuccess');
    expect((await gradeClaim({ claim: before.actor.id, credibility: 2, reason: 'profile borne out by UN reporting' })).__typename).toBe('MutationGradeClaimSuccess');
    const after = await read();
    expect(after.event).toMatchObject({ credibility: 1, gradings: [{ credibility: 1, reason: 'confirmed by official statements' }] });
    expect(after.actor.gradings).toEqual([{ credibility: 2 }]);
  });

  it('refuses a credibility of 7, an unknown claim and a retracted claim, naming the input path', async () => {
    const { id } = await alliance();
    expect(await gradeClaim({ claim: id, credibility: 7, reason: 'checked again' })).toMatchObject({ __typename: 'ValidationError', path: ['input', 'credibility'] });
    expect(await gradeClaim({ claim: Buffer.from('Relationship:999999').toString('base64'), credibility: 1, reason: 'checked again' })).toEqual({
      __typename: 'NotFoundError', message: `no Relationship ${Buffer.from('Relationship:999999').toString('base64')}`, path: ['input', 'claim'],
    });
    // A retracted claim is final.
    const [retracted] = await f.scratch.handle.sql<{ id: number }[]>`
      select r.claim_id as id from relationships r join claims c on c.id = r.claim_id where r.type = 'RIVAL_OF' order by r.claim_id limit 1`;
    const globalId = Buffer.from(`Relationship:${retracted!.id}`).toString('base64');
    const retract = await as<{ retractClaim: { __typename: string } }>(
      `mutation($i: RetractClaimInput!) { retractClaim(input: $i) { __typename ... on UserError { message } } }`,
      { i: { claim: globalId, reason: 'test retraction', citation: { source: SOURCE, quote: 'ISIS-K' , occurrence: 1 } } },
      'admin',
    );
    expect(retract.data?.retractClaim.__typename, JSON.stringify(retract)).toBe('MutationRetractClaimSuccess');
    expect(await gradeClaim({ claim: globalId, credibility: 1, reason: 'checked again' })).toMatchObject({ __typename: 'ConflictError', path: ['input', 'claim'] });
  });

  it('keeps grades to gradings in the database too: plain SQL cannot change a grade without one, nor edit or delete one', async () => {
    const sql = f.scratch.handle.sql;
    await expect(sql`update sources set reliability = 'A' where slug = ${SOURCE}`).rejects.toThrow(/changes by a grading with its reason/);
    await expect(sql`update claims set credibility = 1 where id = (select min(id) from claims where retracted_at is null)`).rejects.toThrow(/changes by a grading with its reason/);
    await expect(sql`update source_gradings set reason = 'rewritten'`).rejects.toThrow(/append-only/);
    await expect(sql`delete from claim_gradings`).rejects.toThrow(/append-only/);
    // A grading inserted in SQL applies like the API's, keeping the grade before.
    const [stored] = await sql<{ reliability: string }[]>`select reliability from sources where slug = ${SOURCE}`;
    expect(stored!.reliability).not.toBe('A');
    const [row] = await sql<{ previous: string | null }[]>`
      insert into source_gradings (source_id, reliability, reason, graded_by) select id, 'A', 'reviewed in SQL', 'psql' from sources where slug = ${SOURCE} returning previous`;
    expect(row!.previous).toBe(stored!.reliability);
    const [source] = await sql<{ reliability: string }[]>`select reliability from sources where slug = ${SOURCE}`;
    expect(source!.reliability).toBe('A');
    await expect(sql`insert into source_gradings (source_id, reliability, reason, graded_by) select id, 'A', 'again', 'psql' from sources where slug = ${SOURCE}`).rejects.toThrow(/already graded A/);
  });

  it('lists gradings for many sources in as many statements as for two', async () => {
    const statementsFor = async (first: number) => {
      f.api.resetStatements();
      const r = await f.api.query(`{ sources(first: ${first}) { nodes { slug gradings { reliability source { slug } } } } }`);
      expect(r.errors).toBeUndefined();
      return f.api.statements.length;
    };
    expect(await statementsFor(20)).toBe(await statementsFor(2));
  });

  it('grades every row of a dataset as a job: a grading each, the rest left alone, the floors and summaries following', async () => {
    expect((await importDataset(f.scratch.handle.db, UCDP_SAMPLE, 'ucdp-ged')).ok).toBe(true);
    await drainSummaries(f.api.database.db);
    const START = `mutation($i: GradeSourcesInput!) { startGradeSources(input: $i) { __typename
      ... on MutationStartGradeSourcesSuccess { data { id kind status } } ... on UserError { message path } } }`;
    const start = (i: Record<string, unknown>) => as<{ startGradeSources: { __typename: string; data?: { id: string; kind: string; status: string }; message?: string; path?: string[] } }>(START, { i });
    const rows = (await f.scratch.handle.sql<{ rows: number }[]>`select count(*)::int as rows from sources where dataset = 'UCDP_GED'`)[0]!.rows;
    expect(rows).toBeGreaterThan(1);
    const ucdpEvents = async (floor: string) =>
      (await f.api.query<{ eventStats: { events: number } }>(`{ eventStats(filter: { ${floor} }) { events } }`)).data!.eventStats.events;
    const before = await ucdpEvents('minReliability: B');
    // One row graded by hand first: the job leaves it as it is.
    const [one] = await f.scratch.handle.sql<{ slug: string }[]>`select slug from sources where dataset = 'UCDP_GED' order by id limit 1`;
    expect((await gradeSource({ source: one!.slug, reliability: 'B', reason: 'checked against the codebook' })).data!.gradeSource.__typename).toBe('MutationGradeSourceSuccess');
    const started = await start({ dataset: 'UCDP_GED', reliability: 'B', reason: 'UCDP GED: coded from several reports, usually reliable' });
    expect(started.data!.startGradeSources).toMatchObject({ __typename: 'MutationStartGradeSourcesSuccess', data: { kind: 'gradeSources', status: 'QUEUED' } });
    expect(await runNextJob(f.scratch.handle.db, JOB_HANDLERS)).toBe(true);
    const done = await as<{ job: { status: string; progress: number; result: Record<string, number>; error: string | null } }>(
      `query($id: ID!) { job(id: $id) { status progress result error } }`, { id: started.data!.startGradeSources.data!.id });
    expect(done.data!.job).toMatchObject({ status: 'SUCCEEDED', progress: 1, error: null, result: { graded: rows - 1, unchanged: 1 } });
    const [graded] = await f.scratch.handle.sql<{ b: number; gradings: number }[]>`
      select count(*) filter (where s.reliability = 'B')::int as b, (select count(*)::int from source_gradings g join sources s2 on s2.id = g.source_id where s2.dataset = 'UCDP_GED') as gradings
        from sources s where s.dataset = 'UCDP_GED'`;
    expect(graded).toEqual({ b: rows, gradings: rows });
    // The dashboards count the dataset's events under a B floor now (the job drained the summaries).
    expect(await ucdpEvents('minReliability: B')).toBeGreaterThan(before);
    // Refused at once: nothing named, nothing to change, no selector.
    expect((await start({ dataset: 'ACLED', reliability: 'B', reason: 'usually reliable' })).data!.startGradeSources).toMatchObject({ __typename: 'ValidationError', message: 'no source matches: check the dataset and publisher', path: ['input', 'dataset'] });
    expect((await start({ dataset: 'UCDP_GED', reliability: 'B', reason: 'usually reliable' })).data!.startGradeSources).toMatchObject({ __typename: 'ValidationError', message: `all ${rows} sources that match are graded B already`, path: ['input', 'reliability'] });
    expect((await start({ reliability: 'B', reason: 'usually reliable' })).data!.startGradeSources).toMatchObject({ __typename: 'ValidationError', path: ['input', 'dataset'] });
    const [jobs] = await f.scratch.handle.sql<{ n: number }[]>`select count(*)::int as n from jobs where kind = 'gradeSources'`;
    expect(jobs!.n).toBe(1);
  });
});
