/**
 * Revisions copy an entity's columns: the list in src/db/revised-entities.ts, the entity and
 * revision tables (drizzle and the migrated database), and the asOf loaders (src/graphql/view.ts
 * reads every column of the entity from its revision table) must agree, or an update would lose a
 * value, or a read as of a past time would fail.
 */
import { getTableColumns } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REVISED_ENTITIES } from '../src/db/revised-entities.ts';
import { actorRevisions, actors, eventRevisions, events, placeRevisions, places } from '../src/db/schema.ts';
import { sqlSourceText } from '../src/db/migrate.ts';
import { scratchDatabase } from './helpers.ts';

const drizzleTables: Record<keyof typeof REVISED_ENTITIES, { entity: PgTable; revisions: PgTable }> = {
  actor: { entity: actors, revisions: actorRevisions },
  event: { entity: events, revisions: eventRevisions },
  place: { entity: places, revisions: placeRevisions },
};

const columnsOf = (table: PgTable) => Object.values(getTableColumns(table)).map((c) => c.name).sort();

let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
beforeAll(async () => {
  scratch = await scratchDatabase();
});
afterAll(() => scratch.drop());

describe.each(Object.entries(REVISED_ENTITIES))('%s revisions', (name, entity) => {
  const tables = drizzleTables[name as keyof typeof REVISED_ENTITIES];

  it('copy every column of the entity but its id (drizzle)', () => {
    expect(columnsOf(tables.entity)).toEqual(['id', ...entity.copiedColumns].sort());
  });

  it('have a revision table of the copied columns, the entity id and what superseded them (drizzle)', () => {
    expect(columnsOf(tables.revisions)).toEqual(['id', entity.entityIdColumn, ...entity.copiedColumns, ...entity.supersededColumns].sort());
  });

  it('agree with the migrated database', async () => {
    const rows = await scratch.handle.sql<{ table_name: string; column_name: string }[]>`
      select table_name, column_name from information_schema.columns
       where table_schema = 'public' and table_name in (${entity.table}, ${entity.revisionTable})`;
    const of = (table: string) => rows.filter((r) => r.table_name === table).map((r) => r.column_name).sort();
    expect(of(entity.table)).toEqual(columnsOf(tables.entity));
    expect(of(entity.revisionTable)).toEqual(columnsOf(tables.revisions));
  });

  it('are written by a trigger that copies exactly those columns', () => {
    const text = sqlSourceText('revisions');
    const insert = new RegExp(`INSERT INTO ${entity.revisionTable} \\(([^)]*)\\)\\s*VALUES \\(([^;]*)\\);`).exec(text);
    expect(insert).not.toBeNull();
    const columns = insert![1]!.split(',').map((c) => c.trim());
    expect(columns.sort()).toEqual([entity.entityIdColumn, ...entity.copiedColumns, ...entity.supersededColumns].sort());
    for (const column of entity.copiedColumns) expect(insert![2]).toContain(`OLD.${column}`);
  });
});
