/**
 * Merges as jobs: startMergeActors queues a job, a runner takes it (as every server does), and the
 * client polls job(id:) for its status, progress and result; the merge loses nothing and leaves
 * the dashboard summaries caught up. On the seed data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_HANDLERS } from '../src/writes/job-handlers.ts';
import { runNextJob } from '../src/domain/jobs/jobs.ts';
import { writeFixture, type WriteFixture } from './helpers.ts';

let f: WriteFixture;
beforeAll(async () => {
  f = await writeFixture();
});
afterAll(() => f.close());

const START = `mutation($i: MergeActorsInput!) { startMergeActors(input: $i) {
  __typename ... on MutationStartMergeActorsSuccess { data { id kind status progress } } ... on UserError { message path }
} }`;
const JOB = `query($id: ID!) { job(id: $id) { kind status progress stage result error requestedBy startedAt finishedAt } }`;

type Started = { startMergeActors: { __typename: string; data?: { id: string; kind: string; status: string; progress: number }; message?: string; path?: string[] } };
type Polled = { job: { kind: string; status: string; progress: number; stage: string | null; result: Record<string, unknown> | null; error: string | null; requestedBy: string; startedAt: string | null; finishedAt: string | null } | null };

async function participationsOf(slug: string): Promise<number> {
  const [row] = await f.scratch.handle.sql<{ n: number }[]>`
    select count(*)::int as n from participations p join actors a on a.id = p.actor_id where a.slug = ${slug}`;
  return row?.n ?? 0;
}

describe('startMergeActors', () => {
  it('merges as a job the client polls, losing nothing and leaving the summaries caught up', async () => {
    const keep = await participationsOf('isis-k');
    const removed = await participationsOf('isis');
    expect(removed).toBeGreaterThan(0);
    const started = await f.api.query<Started>(START, { i: { keep: 'isis-k', remove: 'isis', reason: 'bench of the job path' } }, { token: f.tokens.admin });
    expect(started.data?.startMergeActors).toMatchObject({ __typename: 'MutationStartMergeActorsSuccess', data: { kind: 'mergeActors', status: 'QUEUED', progress: 0 } });
    const id = started.data!.startMergeActors.data!.id;
    // Nothing merged yet: the job is queued, not run.
    const queued = await f.api.query<Polled>(JOB, { id }, { token: f.tokens.analyst });
    expect(queued.data?.job).toMatchObject({ status: 'QUEUED', startedAt: null, result: null, requestedBy: 'token:test-admin' });
    const [merged] = await f.scratch.handle.sql`select count(*)::int as n from actor_merges`;
    expect(merged).toEqual({ n: 0 });

    expect(await runNextJob(f.scratch.handle.db, JOB_HANDLERS)).toBe(true);
    const done = await f.api.query<Polled>(JOB, { id }, { token: f.tokens.analyst });
    expect(done.data?.job).toMatchObject({ status: 'SUCCEEDED', progress: 1, stage: 'done', error: null });
    expect(done.data?.job?.result).toMatchObject({ kept: 'isis-k', removed: 'isis', participations: keep + removed });
    expect(done.data?.job?.finishedAt).not.toBeNull();
    // The merge is the same write as mergeActors: the old slug leads to the kept actor, audited.
    const actor = await f.api.query<{ actor: { slug: string } }>(`{ actor(slug: "isis") { slug } }`);
    expect(actor.data?.actor.slug).toBe('isis-k');
    const audit = await f.scratch.handle.sql`select principal, request_id from audit_log where operation = 'mergeActors'`;
    expect(audit).toEqual([{ principal: 'token:test-admin', request_id: `job:${(await f.scratch.handle.sql`select max(id) as id from jobs`)[0]!.id}` }]);
    const [queue] = await f.scratch.handle.sql`select count(*)::int as n from summary_queue`;
    expect(queue).toEqual({ n: 0 });
    // The dashboards count the removed actor's events as the kept actor's.
    const stats = await f.api.query<{ eventStats: { events: number } }>(`{ eventStats(filter: { actor: "isis-k" }) { events } }`);
    const [expected] = await f.scratch.handle.sql<{ n: number }[]>`
      select count(distinct p.event_id)::int as n from participations p join actors a on a.id = p.actor_id where a.slug in ('isis-k', 'isis')`;
    expect(stats.data?.eventStats.events).toBe(expected!.n);
    expect(await runNextJob(f.scratch.handle.db, JOB_HANDLERS)).toBe(false);
  }, 120_000);

  it('refuses at once what the merge would refuse, and queues nothing', async () => {
    const self = await f.api.query<Started>(START, { i: { keep: 'al-qaeda', remove: 'al-qaeda', reason: 'same group' } }, { token: f.tokens.admin });
    expect(self.data?.startMergeActors).toMatchObject({ __typename: 'ValidationError', path: ['input', 'remove'] });
    const missing = await f.api.query<Started>(START, { i: { keep: 'al-qaeda', remove: 'no-such-actor', reason: 'same group' } }, { token: f.tokens.admin });
    expect(missing.data?.startMergeActors).toMatchObject({ __typename: 'NotFoundError', path: ['input', 'remove'] });
    const analyst = await f.api.query<Started>(START, { i: { keep: 'al-qaeda', remove: 'china', reason: 'same group' } }, { token: f.tokens.analyst });
    expect(analyst.data?.startMergeActors).toMatchObject({ __typename: 'ForbiddenError' });
    const [jobs] = await f.scratch.handle.sql`select count(*)::int as n from jobs where status = 'QUEUED'`;
    expect(jobs).toEqual({ n: 0 });
  });

  it('fails a job whose merge became impossible after it was queued, with the reason, writing nothing', async () => {
    const first = await f.api.query<Started>(START, { i: { keep: 'india', remove: 'pakistani-taliban', reason: 'test: first' } }, { token: f.tokens.admin });
    const second = await f.api.query<Started>(START, { i: { keep: 'china', remove: 'pakistani-taliban', reason: 'test: second' } }, { token: f.tokens.admin });
    expect(await runNextJob(f.scratch.handle.db, JOB_HANDLERS)).toBe(true);
    expect(await runNextJob(f.scratch.handle.db, JOB_HANDLERS)).toBe(true);
    const a = await f.api.query<Polled>(JOB, { id: first.data!.startMergeActors.data!.id }, { token: f.tokens.analyst });
    const b = await f.api.query<Polled>(JOB, { id: second.data!.startMergeActors.data!.id }, { token: f.tokens.analyst });
    expect(a.data?.job?.status).toBe('SUCCEEDED');
    expect(b.data?.job).toMatchObject({ status: 'FAILED', error: '"pakistani-taliban" was already merged into another actor', result: null });
    const merges = await f.scratch.handle.sql`select k.slug from actor_merges m join actors r on r.id = m.removed_actor_id join actors k on k.id = m.kept_actor_id where r.slug = 'pakistani-taliban'`;
    expect(merges).toEqual([{ slug: 'india' }]);
  }, 120_000);
});

describe('a job whose server stopped running it', () => {
  const LEASE = { leaseMs: 1000, maxAttempts: 2 };
  async function abandonedMerge(keep: string, remove: string, attempts: number): Promise<string> {
    const started = await f.api.query<Started>(START, { i: { keep, remove, reason: 'test: abandoned' } }, { token: f.tokens.admin });
    const id = started.data!.startMergeActors.data!.id;
    // What a killed server leaves: the job RUNNING, its heartbeat stopped, its write rolled back.
    const [row] = await f.scratch.handle.sql<{ id: number }[]>`
      update jobs set status = 'RUNNING', attempts = ${attempts}, started_at = now() - interval '1 minute', heartbeat_at = now() - interval '1 minute'
       where id = (select max(id) from jobs) returning id`;
    expect(row).toBeDefined();
    return id;
  }

  it('is taken over by another runner and finished, once its lease has lapsed', async () => {
    const id = await abandonedMerge('afghan-taliban', 'hafiz-gul-bahadur-group', 1);
    // A job whose runner is alive (fresh heartbeat) is left alone.
    await f.scratch.handle.sql`update jobs set heartbeat_at = clock_timestamp() where id = (select max(id) from jobs)`;
    expect(await runNextJob(f.scratch.handle.db, JOB_HANDLERS, LEASE)).toBe(false);
    await new Promise((r) => setTimeout(r, 1200));
    expect(await runNextJob(f.scratch.handle.db, JOB_HANDLERS, LEASE)).toBe(true);
    const done = await f.api.query<Polled & { job: { attempts: number } }>(`query($id: ID!) { job(id: $id) { status attempts error } }`, { id }, { token: f.tokens.analyst });
    expect(done.data?.job).toMatchObject({ status: 'SUCCEEDED', attempts: 2, error: null });
  }, 120_000);

  it('fails with the reason after its last attempt, writing nothing', async () => {
    const id = await abandonedMerge('afghan-taliban', 'tehreek-e-taliban-pakistan', 2);
    const before = await participationsOf('tehreek-e-taliban-pakistan');
    expect(await runNextJob(f.scratch.handle.db, JOB_HANDLERS, LEASE)).toBe(false);
    const failed = await f.api.query<Polled & { job: { attempts: number } }>(`query($id: ID!) { job(id: $id) { status attempts error } }`, { id }, { token: f.tokens.analyst });
    expect(failed.data?.job).toMatchObject({ status: 'FAILED', attempts: 2, error: 'the server running it stopped 2 times before it finished' });
    expect(await participationsOf('tehreek-e-taliban-pakistan')).toBe(before);
  });
});
