/**
 * Bulk updates as jobs: startUpdateEvents refuses at once what the job would refuse and queues the
 * rest; the job changes every event as updateEvent would (a cited claim and a revision each), skips
 * events that have the values already, writes all or nothing, and leaves the dashboard summaries
 * caught up. On the seed data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueJob, runNextJob } from '../src/domain/jobs/jobs.ts';
import { JOB_HANDLERS } from '../src/writes/job-handlers.ts';
import { UPDATE_EVENTS_JOB } from '../src/writes/update-events-job.ts';
import { writeFixture, type WriteFixture } from './helpers.ts';

let f: WriteFixture;
beforeAll(async () => {
  f = await writeFixture();
});
afterAll(() => f.close());

const SOURCE = 'globely-news-isis-k-long-reach';
const QUOTE = 'a suicide blast at a political rally in the Bajaur tribal area';
const START = `mutation($i: UpdateEventsInput!) { startUpdateEvents(input: $i) {
  __typename ... on MutationStartUpdateEventsSuccess { data { id kind status } } ... on UserError { message path }
} }`;
const JOB = `query($id: ID!) { job(id: $id) { kind status progress stage result error } }`;
const SUICIDE = ['bajaur-political-rally-bombing', 'southern-afghanistan-suicide-blast', 'kabul-airport-suicide-attack'];

type Started = { startUpdateEvents: { __typename: string; data?: { id: string; kind: string; status: string }; message?: string; path?: string[] } };
type Polled = { job: { kind: string; status: string; progress: number; stage: string; result: Record<string, unknown> | null; error: string | null } | null };

const start = (input: Record<string, unknown>, token = f.tokens.analyst) => f.api.query<Started>(START, { i: input }, { token });
const kinds = async (slugs: string[]) =>
  Object.fromEntries((await f.scratch.handle.sql<{ slug: string; kind: string }[]>`select slug, kind from events where slug = any(${slugs})`).map((r) => [r.slug, r.kind]));
const count = async (table: 'jobs' | 'citations' | 'claims') => (await f.scratch.handle.sql.unsafe<{ n: number }[]>(`select count(*)::int as n from ${table}`))[0]!.n;

describe('startUpdateEvents', () => {
  it('recodes events as a job: a cited claim and a revision for each event changed, the rest left as they are, the summaries caught up', async () => {
    const stats = async () => (await f.api.query<{ eventStats: { events: number } }>(`{ eventStats(filter: { kind: [SUICIDE_BOMBING] }) { events } }`)).data?.eventStats.events;
    const bombingsBefore = await stats();
    const claimsBefore = await count('claims');
    const started = await start({ events: SUICIDE, kind: 'SUICIDE_ATTACK', confidence: 60, note: 'recoded: suicide blasts as suicide attacks', citations: [{ source: SOURCE, quote: QUOTE }] });
    expect(started.data?.startUpdateEvents).toMatchObject({ __typename: 'MutationStartUpdateEventsSuccess', data: { kind: 'updateEvents', status: 'QUEUED' } });
    // Queued, not run: nothing changed yet.
    expect(await kinds(SUICIDE)).toEqual({ 'bajaur-political-rally-bombing': 'SUICIDE_BOMBING', 'southern-afghanistan-suicide-blast': 'SUICIDE_BOMBING', 'kabul-airport-suicide-attack': 'SUICIDE_ATTACK' });

    expect(await runNextJob(f.scratch.handle.db, JOB_HANDLERS)).toBe(true);
    const done = await f.api.query<Polled>(JOB, { id: started.data!.startUpdateEvents.data!.id }, { token: f.tokens.analyst });
    expect(done.data?.job).toMatchObject({ kind: 'updateEvents', status: 'SUCCEEDED', progress: 1, stage: 'done', error: null, result: { changed: 2, unchanged: 1 } });
    expect(Object.values(await kinds(SUICIDE))).toEqual(['SUICIDE_ATTACK', 'SUICIDE_ATTACK', 'SUICIDE_ATTACK']);

    // Each changed event: a revision backed by its own claim, which cites the quote; the event that
    // had the kind already gained nothing.
    type Revisions = { event: { revisions: { nodes: { recordedBy: string; changes: { field: string; from: unknown; to: unknown }[]; update: { note: string; citations: { quote: string }[] } }[] } } };
    const revisions = async (slug: string) =>
      (await f.api.query<Revisions>(`{ event(slug: "${slug}") { revisions(first: 5) { nodes { recordedBy changes { field from to } update { note citations { quote } } } } } }`)).data?.event.revisions.nodes;
    expect(await revisions('bajaur-political-rally-bombing')).toEqual([
      { recordedBy: 'token:test-analyst', changes: [{ field: 'kind', from: 'SUICIDE_BOMBING', to: 'SUICIDE_ATTACK' }], update: { note: 'recoded: suicide blasts as suicide attacks', citations: [{ quote: QUOTE }] } },
    ]);
    expect(await revisions('kabul-airport-suicide-attack')).toEqual([]);
    expect(await count('claims')).toBe(claimsBefore + 2);
    const audit = await f.scratch.handle.sql`select principal from audit_log where operation = 'updateEvents'`;
    expect(audit).toEqual([{ principal: 'token:test-analyst' }]);

    // The dashboards count them under their new kind.
    const [queue] = await f.scratch.handle.sql`select count(*)::int as n from summary_queue`;
    expect(queue).toEqual({ n: 0 });
    expect(await stats()).toBe(bombingsBefore! - 2);
    expect(await runNextJob(f.scratch.handle.db, JOB_HANDLERS)).toBe(false);
  }, 120_000);

  it('refuses at once, naming the input, what the job would refuse, and queues and stores nothing', async () => {
    const jobs = await count('jobs');
    const citations = await count('citations');
    const cite = [{ source: SOURCE, quote: 'ISIS-K has since continued its attack on Hazara Shias in Afghanistan.' }];
    const cases: [Record<string, unknown>, string, string[]][] = [
      [{ events: ['isis-k-founding', 'no-such-event'], kind: 'ATTACK', confidence: 50, citations: cite }, 'NotFoundError', ['input', 'events', '1']],
      [{ events: ['isis-k-founding'], place: 'atlantis', confidence: 50, citations: cite }, 'NotFoundError', ['input', 'place']],
      [{ events: ['isis-k-founding'], kind: 'ATTACK', confidence: 50, citations: [{ source: SOURCE, quote: 'words the article never printed' }] }, 'QuoteNotFoundError', ['input', 'citations', '0', 'quote']],
      [{ events: ['isis-k-founding'], confidence: 50, citations: cite }, 'ValidationError', ['input', 'kind']],
      [{ events: ['isis-k-founding', 'isis-k-founding'], kind: 'ATTACK', confidence: 50, citations: cite }, 'ValidationError', ['input', 'events']],
      [{ events: [], kind: 'ATTACK', confidence: 50, citations: cite }, 'ValidationError', ['input', 'events']],
      [{ events: Array.from({ length: 2001 }, (_, i) => `event-${i}`), kind: 'ATTACK', confidence: 50, citations: cite }, 'ValidationError', ['input', 'events']],
    ];
    for (const [input, typename, path] of cases) {
      const refused = await start(input);
      expect(refused.data?.startUpdateEvents, JSON.stringify(input).slice(0, 120)).toMatchObject({ __typename: typename, path });
    }
    // The quote that was found stored no citation while it was checked.
    const viewer = await start({ events: ['isis-k-founding'], kind: 'ATTACK', confidence: 50, citations: cite }, f.tokens.viewer);
    expect(viewer.data?.startUpdateEvents).toMatchObject({ __typename: 'ForbiddenError' });
    expect(await count('jobs')).toBe(jobs);
    expect(await count('citations')).toBe(citations);
  });

  it('fails a job whose event is gone by the time it runs, naming it, and changes none of the others', async () => {
    const events = ['isis-k-attacks-on-hazara-shias', 'isis-k-attacks-inside-pakistan', 'isis-k-gone-since'];
    const before = await kinds(events);
    const claims = await count('claims');
    // Queued as startUpdateEvents queues a checked job; its third event has since gone (no API
    // write removes an event, so the job row says so itself).
    const job = await enqueueJob(f.scratch.handle.db, 'token:test-analyst', UPDATE_EVENTS_JOB, {
      events, kind: 'ATTACK', confidence: 50, citations: [{ source: SOURCE, quote: 'The group has also conducted attacks inside Pakistan' }],
    });
    expect(await runNextJob(f.scratch.handle.db, JOB_HANDLERS)).toBe(true);
    const [failed] = await f.scratch.handle.sql<{ status: string; error: string; result: unknown }[]>`select status, error, result from jobs where id = ${job.id}`;
    expect(failed).toEqual({ status: 'FAILED', error: 'no event "isis-k-gone-since"', result: null });
    expect(await kinds(events)).toEqual(before);
    expect(await count('claims')).toBe(claims);
  });

  it('runs two jobs naming the same events in opposite orders side by side, one after the other, without a deadlock', async () => {
    const all = (await f.scratch.handle.sql<{ slug: string }[]>`select slug from events order by slug`).map((r) => r.slug);
    expect(all.length).toBeGreaterThan(15);
    const cite = [{ source: SOURCE, quote: 'The group has also conducted attacks inside Pakistan' }];
    const first = await start({ events: all, kind: 'ATTACK', confidence: 40, citations: cite });
    const second = await start({ events: [...all].reverse(), kind: 'CAMPAIGN', confidence: 40, citations: cite });
    expect([first.data?.startUpdateEvents.__typename, second.data?.startUpdateEvents.__typename]).toEqual(['MutationStartUpdateEventsSuccess', 'MutationStartUpdateEventsSuccess']);
    // Two runners, as two servers would be: each takes one job.
    expect(await Promise.all([runNextJob(f.scratch.handle.db, JOB_HANDLERS), runNextJob(f.scratch.handle.db, JOB_HANDLERS)])).toEqual([true, true]);
    const jobs = await f.scratch.handle.sql<{ status: string; error: string | null }[]>`select status, error from jobs where kind = 'updateEvents' order by id desc limit 2`;
    expect(jobs).toEqual([{ status: 'SUCCEEDED', error: null }, { status: 'SUCCEEDED', error: null }]);
    // The job that ran second had the last word on every event.
    const kindsNow = new Set(Object.values(await kinds(all)));
    expect(kindsNow.size).toBe(1);
  }, 120_000);

  it('takes the events a filter matches when the job starts, instead of their slugs', async () => {
    const linked = (await f.scratch.handle.sql<{ slug: string }[]>`
      select e.slug from events e where exists (select 1 from participations p join actors a on a.id = p.actor_id where p.event_id = e.id and a.slug = 'isis-k')
       order by e.id`).map((r) => r.slug);
    expect(linked.length).toBeGreaterThan(3);
    const cite = [{ source: SOURCE, quote: QUOTE }];
    const started = await start({ filter: { actor: 'isis-k' }, kind: 'PLOT', confidence: 60, citations: cite });
    expect(started.data?.startUpdateEvents.__typename).toBe('MutationStartUpdateEventsSuccess');
    const [job] = await f.scratch.handle.sql<{ input: { events: string[] } }[]>`select input from jobs order by id desc limit 1`;
    expect(job?.input.events).toEqual(linked);
    expect(await runNextJob(f.scratch.handle.db, JOB_HANDLERS)).toBe(true);
    expect(new Set(Object.values(await kinds(linked)))).toEqual(new Set(['PLOT']));
    // Refused, naming the filter: nothing matches, or both ways of naming the events are given.
    const none = await start({ filter: { actor: 'isis-k', kind: ['SUICIDE_BOMBING'] }, kind: 'ATTACK', confidence: 60, citations: cite });
    expect(none.data?.startUpdateEvents).toMatchObject({ __typename: 'ValidationError', path: ['input', 'filter'], message: 'the filter matches no event' });
    const both = await start({ events: ['isis-k-founding'], filter: { actor: 'isis-k' }, kind: 'CAMPAIGN', confidence: 60, citations: cite });
    expect(both.data?.startUpdateEvents).toMatchObject({ __typename: 'ValidationError', path: ['input', 'filter'] });
    const neither = await start({ kind: 'CAMPAIGN', confidence: 60, citations: cite });
    expect(neither.data?.startUpdateEvents).toMatchObject({ __typename: 'ValidationError', path: ['input', 'events'] });
  }, 120_000);
});
