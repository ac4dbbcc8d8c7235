/**
 * eventAdded over Server-Sent Events: a running subscription sees events as they are written,
 * filtered like `events`; with a shared (Redis) event target, across server instances.
 */
import RedisMock from 'ioredis-mock';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisPubSub, type SharedPubSub } from '../src/pubsub-redis.ts';
import { openApi, writeFixture, type TestApi, type WriteFixture } from './helpers.ts';

let f: WriteFixture;
const SOURCE = 'test-live';
const TEXT = 'A bomb exploded in Kabul. Another exploded in Herat. ISIS-K claimed the Kabul bombing.';

beforeAll(async () => {
  f = await writeFixture();
  await f.api.query(`mutation($i: AddSourceInput!) { addSource(input: $i) { __typename } }`, { i: { slug: SOURCE, publisher: 'Test', text: TEXT } }, { token: f.tokens.analyst });
});
afterAll(() => f.close());

/** Opens a subscription over SSE and returns a reader of its `next` payloads. */
async function subscribe(api: TestApi, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const abort = new AbortController();
  const response = await api.app.fetch('http://test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
  const reader = response.body?.getReader();
  if (!reader) throw new Error('no response body');
  const decoder = new TextDecoder();
  let buffer = '';
  const waiter: { wake?: () => void } = {};
  // Read continuously: yoga only subscribes to the pub/sub once the stream is being pulled.
  void (async () => {
    try {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        buffer += decoder.decode(chunk.value, { stream: true });
        waiter.wake?.();
      }
    } catch {
      // aborted by close()
    }
  })();
  // Let the subscription reach the pub/sub before the test writes anything.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return {
    /** The next `data:` payload, or null when none comes within `ms`. */
    next: async (ms = 2000): Promise<Record<string, unknown> | null> => {
      const deadline = Date.now() + ms;
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end !== -1) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = message.split('\n').find((line) => line.startsWith('data:'));
          if (data && data.slice(5).trim() !== '') return JSON.parse(data.slice(5)) as Record<string, unknown>;
          continue;
        }
        const left = deadline - Date.now();
        if (left <= 0) return null;
        await new Promise<void>((resolve) => {
          waiter.wake = resolve;
          setTimeout(resolve, left);
        });
      }
    },
    close: () => abort.abort(),
  };
}

const SUBSCRIPTION = `subscription($filter: EventFilter) { eventAdded(filter: $filter) { slug title participants { role actor { slug } } } }`;
const CREATE = `mutation($i: CreateEventInput!) { createEvent(input: $i) { __typename ... on UserError { message } } }`;

function event(slug: string, place: string, quote: string, participants: unknown[] = []) {
  return { slug, title: slug, kind: 'SUICIDE_BOMBING', place, date: { precision: 'YEAR', earliest: '2025-01-01', latest: '2025-12-31' }, confidence: 60, citations: [{ source: SOURCE, quote }], participants };
}

describe('eventAdded', () => {
  it('streams a new event to a running subscription, filtered like `events`', async () => {
    const all = await subscribe(f.api, SUBSCRIPTION);
    const byIsisK = await subscribe(f.api, SUBSCRIPTION, { filter: { actor: 'isis-k' } });
    try {
      const created = await f.api.query(CREATE, { i: event('kabul-bombing', 'kabul', 'A bomb exploded in Kabul.', [{ actor: 'isis-k', role: 'CLAIMED_RESPONSIBILITY', citations: [{ source: SOURCE, quote: 'ISIS-K claimed the Kabul bombing.' }] }]) }, { token: f.tokens.analyst });
      expect(created.data).toEqual({ createEvent: { __typename: 'MutationCreateEventSuccess' } });
      await f.api.query(CREATE, { i: event('herat-bombing', 'afghanistan', 'Another exploded in Herat.') }, { token: f.tokens.analyst });

      expect(await all.next()).toEqual({ data: { eventAdded: { slug: 'kabul-bombing', title: 'kabul-bombing', participants: [{ role: 'CLAIMED_RESPONSIBILITY', actor: { slug: 'isis-k' } }] } } });
      expect(await all.next()).toMatchObject({ data: { eventAdded: { slug: 'herat-bombing' } } });
      expect(await byIsisK.next()).toMatchObject({ data: { eventAdded: { slug: 'kabul-bombing' } } });
      // The Herat bombing has no ISIS-K participant: nothing more for this subscriber.
      expect(await byIsisK.next(300)).toBeNull();
      // The same event is in `events` and in the audit log.
      const listed = await f.api.query(`{ events(filter: { actor: "isis-k", from: "2025-01-01" }) { nodes { slug } } }`);
      expect(listed.data).toEqual({ events: { nodes: [{ slug: 'kabul-bombing' }] } });
      const audit = await f.api.query<{ auditLog: { nodes: { details: { event?: { slug: string } } }[] } }>(
        `{ auditLog(operation: "createEvent") { nodes { details } } }`, {}, { token: f.tokens.analyst },
      );
      expect(audit.data?.auditLog.nodes.map((n) => n.details.event?.slug)).toContain('kabul-bombing');
    } finally {
      all.close();
      byIsisK.close();
    }
  });

  it('is served over SSE for a GET request too (curl, EventSource)', async () => {
    const abort = new AbortController();
    const query = encodeURIComponent('subscription { eventAdded { slug } }');
    const response = await f.api.app.fetch(`http://test/graphql?query=${query}`, { headers: { accept: 'text/event-stream' }, signal: abort.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    abort.abort();
  });

  it('is refused when reads require a token and none is sent', async () => {
    const closed = openApi(f.scratch.url, { anonymousReads: false });
    try {
      const response = await closed.app.fetch('http://test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: SUBSCRIPTION }),
      });
      expect(response.status).toBe(401);
    } finally {
      await closed.close();
    }
  });
});

/** Two app instances on one database, sharing events through Redis-protocol clients. */
async function acrossInstances(makeClient: () => Redis) {
  const shared: SharedPubSub[] = [redisPubSub(makeClient(), makeClient()), redisPubSub(makeClient(), makeClient())];
  const [one, two] = shared.map((s) => openApi(f.scratch.url, { pubsub: s.pubsub })) as [TestApi, TestApi];
  const onTwo = await subscribe(two, SUBSCRIPTION);
  try {
    // Give the subscribing connection time to register with Redis before publishing.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const slug = `cross-instance-${Date.now()}`;
    const created = await one.query(CREATE, { i: event(slug, 'kabul', 'A bomb exploded in Kabul.') }, { token: f.tokens.analyst });
    expect(created.data).toEqual({ createEvent: { __typename: 'MutationCreateEventSuccess' } });
    expect(await onTwo.next()).toMatchObject({ data: { eventAdded: { slug } } });
  } finally {
    onTwo.close();
    await Promise.all([one.close(), two.close(), ...shared.map((s) => s.close())]);
  }
}

describe('eventAdded across server instances', () => {
  it('reaches a subscriber on another instance through the Redis event target (in-memory Redis)', async () => {
    // ioredis-mock shares one in-memory Redis between clients, so this runs without a server.
    await acrossInstances(() => new RedisMock() as unknown as Redis);
  });

  // With REDIS_URL set (CI or a developer with Redis), the same path runs against a real server.
  const redisUrl = process.env.REDIS_URL;
  if (redisUrl) {
    it('reaches a subscriber on another instance through a real Redis (REDIS_URL)', async () => {
      await acrossInstances(() => new Redis(redisUrl));
    });
  }
});
