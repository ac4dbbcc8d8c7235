/**
 * Migrations 0015-0016 (entity revisions) on a database written before it: updates made then overwrote rows in place and
 * left the old values only in the audit log. Migrating turns those into revisions, so reads asOf
 * a time before such an update show the values of the time, as for updates made afterwards.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../src/db/client.ts';
import { MIGRATIONS_FOLDER, migrateDatabase } from '../src/db/migrate.ts';
import { databaseUrlFor } from './database-url.ts';
import { openApi, type TestApi } from './helpers.ts';

/** The last migration before revisions were kept. */
const BEFORE_REVISIONS = '0014_search_documents_backfill_and_triggers';

let admin: postgres.Sql;
let name: string;
let handle: DatabaseHandle;
let api: TestApi;
const times = { beforeUpdates: '', afterActorUpdate: '', afterMerge: '', end: '' };

async function mark(): Promise<string> {
  await sleep(20);
  const at = new Date().toISOString();
  await sleep(20);
  return at;
}

/** The checked-in migrations up to `last`, in a folder of their own. */
async function migrationsUpTo(last: string): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'migrations-'));
  await mkdir(join(folder, 'meta'));
  const journal = JSON.parse(await readFile(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  const upTo = journal.entries.findIndex((e) => e.tag === last);
  expect(upTo).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, upTo + 1);
  await writeFile(join(folder, 'meta', '_journal.json'), JSON.stringify(journal));
  for (const entry of journal.entries) await copyFile(join(MIGRATIONS_FOLDER, `${entry.tag}.sql`), join(folder, `${entry.tag}.sql`));
  return folder;
}

beforeAll(async () => {
  const serverUrl = inject('serverUrl');
  name = `backfill_${randomUUID().replaceAll('-', '')}`;
  admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = databaseUrlFor(serverUrl, name);
  handle = connectDatabase(url, { max: 2 });
  const old = await migrationsUpTo(BEFORE_REVISIONS);
  await migrate(handle.db, { migrationsFolder: old });
  await rm(old, { recursive: true });

  // What the API wrote before migration 0016_entity_revision_triggers, statement for statement: rows, then updates that
  // overwrote them, each with a claim and an audit entry holding the row before.
  const sql = handle.sql;
  const text = 'Alpha group was renamed Beta group. The raid was in May.';
  await sql`insert into sources (slug, publisher, text, text_sha256) values ('old-wire', 'Old Wire', ${text}, encode(sha256(convert_to(${text}, 'UTF8')), 'hex'))`;
  await sql`insert into citations (source_id, quote, start_offset, end_offset, prefix, suffix)
            values ((select id from sources), 'Alpha group', 0, 11, '', ' was renamed Beta group. The raid')`;
  // A claim and its citation in one transaction: the database checks at commit that it is cited.
  const claim = (kind: string) =>
    sql.begin(async (tx) => {
      const [row] = await tx<{ id: number }[]>`insert into claims (kind, confidence, recorded_by) values (${kind}, 80, 'token:old') returning id`;
      await tx`insert into claim_citations (claim_id, citation_id) values (${row?.id ?? 0}, (select id from citations))`;
      return row?.id ?? 0;
    });
  await sql.begin(async (tx) => {
    await tx`insert into places (slug, name, kind) values ('ruritania', 'Ruritania', 'COUNTRY')`;
    await tx`update places set country_id = id where slug = 'ruritania'`;
  });
  const alphaClaim = await claim('ACTOR_PROFILE');
  await sql`insert into actors (slug, name, aliases, kind, claim_id) values ('alpha', 'Alpha group', '{}', 'ARMED_ORGANIZATION', ${alphaClaim})`;
  const dupClaim = await claim('ACTOR_PROFILE');
  await sql`insert into actors (slug, name, aliases, kind, claim_id) values ('alpha-dup', 'Alpha Front', '{AF}', 'ARMED_ORGANIZATION', ${dupClaim})`;
  const raidClaim = await claim('EVENT_REPORT');
  await sql`insert into events (slug, title, kind, date_text, date_earliest, date_latest, date_precision, claim_id)
            values ('raid', 'The raid', 'ATTACK', 'in April', '2024-04-01', '2024-04-30', 'MONTH', ${raidClaim})`;
  times.beforeUpdates = await mark();

  // updateActor: renamed Beta group.
  await sql.begin(async (tx) => {
    const [row] = await tx<{ id: number }[]>`insert into claims (kind, confidence, recorded_by, note) values ('ACTOR_PROFILE', 80, 'token:old', 'update of actor alpha: name') returning id`;
    await tx`insert into claim_citations (claim_id, citation_id) values (${row?.id ?? 0}, (select id from citations))`;
    const [before] = await tx<{ snapshot: unknown }[]>`
      select jsonb_build_object('id', id, 'slug', slug, 'name', name, 'aliases', aliases, 'kind', kind, 'description', description,
                                'homeCountryId', home_country_id, 'claimId', claim_id) as snapshot from actors where slug = 'alpha'`;
    await tx`update actors set name = 'Beta group' where slug = 'alpha'`;
    await tx`insert into audit_log (principal, operation, details)
             values ('token:old', 'updateActor', jsonb_build_object('actor', jsonb_build_object('id', (select id from actors where slug = 'alpha'), 'slug', 'alpha'),
                     'claimId', ${row?.id ?? 0}::int, 'before', ${JSON.stringify(before?.snapshot)}::jsonb))`;
  });
  times.afterActorUpdate = await mark();

  // mergeActors: alpha-dup folded into alpha, which gains its name and aliases.
  await sql.begin(async (tx) => {
    await tx`insert into actor_merges (removed_actor_id, kept_actor_id, merged_by, reason)
             values ((select id from actors where slug = 'alpha-dup'), (select id from actors where slug = 'alpha'), 'token:old-admin', 'same group')`;
    await tx`update actors set aliases = '{Alpha Front,AF}' where slug = 'alpha'`;
    await tx`insert into audit_log (principal, operation, details)
             values ('token:old-admin', 'mergeActors', jsonb_build_object(
               'keep', jsonb_build_object('id', (select id from actors where slug = 'alpha'), 'slug', 'alpha'),
               'remove', jsonb_build_object('id', (select id from actors where slug = 'alpha-dup'), 'slug', 'alpha-dup'),
               'aliasesBefore', '[]'::jsonb, 'aliasesAfter', '["Alpha Front", "AF"]'::jsonb))`;
  });
  times.afterMerge = await mark();

  // updateEvent (the raid was in May, in Ruritania) and updatePlace (Ruritania renamed).
  await sql.begin(async (tx) => {
    const [row] = await tx<{ id: number }[]>`insert into claims (kind, confidence, recorded_by) values ('EVENT_REPORT', 70, 'token:old') returning id`;
    await tx`insert into claim_citations (claim_id, citation_id) values (${row?.id ?? 0}, (select id from citations))`;
    const [before] = await tx<{ snapshot: unknown }[]>`
      select jsonb_build_object('id', id, 'slug', slug, 'title', title, 'kind', kind, 'description', description,
        'dateText', date_text, 'dateEarliest', date_earliest, 'dateLatest', date_latest, 'datePrecision', date_precision,
        'placeId', place_id, 'killedMin', killed_min, 'killedMax', killed_max, 'killedText', killed_text,
        'woundedMin', wounded_min, 'woundedMax', wounded_max, 'woundedText', wounded_text, 'claimId', claim_id) as snapshot
        from events where slug = 'raid'`;
    await tx`update events set date_text = 'in May', date_earliest = '2024-05-01', date_latest = '2024-05-31',
             place_id = (select id from places where slug = 'ruritania') where slug = 'raid'`;
    await tx`insert into audit_log (principal, operation, details)
             values ('token:old', 'updateEvent', jsonb_build_object('event', jsonb_build_object('id', (select id from events where slug = 'raid'), 'slug', 'raid'),
                     'claimId', ${row?.id ?? 0}::int, 'before', ${JSON.stringify(before?.snapshot)}::jsonb))`;
  });
  await sql.begin(async (tx) => {
    await tx`update places set name = 'Ruritanian Republic' where slug = 'ruritania'`;
    await tx`insert into audit_log (principal, operation, details)
             values ('token:old', 'updatePlace', jsonb_build_object('place', jsonb_build_object('id', (select id from places where slug = 'ruritania'), 'slug', 'ruritania'),
                     'before', jsonb_build_object('id', (select id from places where slug = 'ruritania'), 'slug', 'ruritania', 'name', 'Ruritania',
                       'kind', 'COUNTRY', 'parentId', null, 'countryId', (select id from places where slug = 'ruritania'), 'countryCode', null, 'region', null)))`;
  });
  times.end = await mark();

  await migrateDatabase(handle.db);
  api = openApi(url);
});

afterAll(async () => {
  await api?.close();
  await handle?.close();
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.end();
});

describe('migrating a database with updates made before revisions were kept', () => {
  const ACTOR = `query($asOf: DateTime) { actor(slug: "alpha", asOf: $asOf) {
    name aliases revisions { nodes { recordedBy changes { field from to } update { note citations { quote } } merge { removedSlug } } } } }`;
  const EVENT = `query($asOf: DateTime) { event(slug: "raid", asOf: $asOf) { date { text earliest } place { name } revisions { totalCount } } }`;

  it('rebuilds an actor’s updates and merges from the audit log', async () => {
    expect((await api.query(ACTOR, { asOf: times.beforeUpdates })).data).toEqual({ actor: { name: 'Alpha group', aliases: [], revisions: { nodes: [] } } });
    expect((await api.query(ACTOR, { asOf: times.afterActorUpdate })).data).toMatchObject({ actor: { name: 'Beta group', aliases: [] } });
    const now = await api.query(ACTOR);
    expect(now.data).toEqual({
      actor: {
        name: 'Beta group',
        aliases: ['Alpha Front', 'AF'],
        revisions: {
          nodes: [
            { recordedBy: 'token:old-admin', changes: [{ field: 'aliases', from: [], to: ['Alpha Front', 'AF'] }], update: null, merge: { removedSlug: 'alpha-dup' } },
            {
              recordedBy: 'token:old',
              changes: [{ field: 'name', from: 'Alpha group', to: 'Beta group' }],
              update: { note: 'update of actor alpha: name', citations: [{ quote: 'Alpha group' }] },
              merge: null,
            },
          ],
        },
      },
    });
  });

  it('rebuilds event and place updates, so earlier dashboards read as they did', async () => {
    expect((await api.query(EVENT, { asOf: times.afterMerge })).data).toEqual({
      event: { date: { text: 'in April', earliest: '2024-04-01' }, place: null, revisions: { totalCount: 0 } },
    });
    expect((await api.query(EVENT)).data).toEqual({
      event: { date: { text: 'in May', earliest: '2024-05-01' }, place: { name: 'Ruritanian Republic' }, revisions: { totalCount: 1 } },
    });
    const place = `query($asOf: DateTime) { place(slug: "ruritania", asOf: $asOf) { name revisions { totalCount } } }`;
    expect((await api.query(place, { asOf: times.afterMerge })).data).toEqual({ place: { name: 'Ruritania', revisions: { totalCount: 0 } } });
    expect((await api.query(place)).data).toEqual({ place: { name: 'Ruritanian Republic', revisions: { totalCount: 1 } } });
  });

  it('guards the rows from then on like any other', async () => {
    await expect(handle.sql`update actors set name = 'Gamma group' where slug = 'alpha'`).rejects.toThrow(/cannot be changed without a cited claim/);
  });
});
