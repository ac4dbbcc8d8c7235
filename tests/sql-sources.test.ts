/**
 * Every function, trigger and view the database holds after migrating is defined in exactly one
 * src/db/sql file (so its current body is in one place), and applying the files again changes
 * nothing. Their one-expression IMMUTABLE SQL functions are inlined where they are called.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applySqlSources, SQL_SOURCES, SQL_SOURCES_FOLDER } from '../src/db/migrate.ts';
import { scratchDatabase } from './helpers.ts';

let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
beforeAll(async () => {
  scratch = await scratchDatabase();
});
afterAll(() => scratch.drop());

/** Names each file defines, as `function name`, `view name` and `trigger name on table`. */
function definedInFiles(): Map<string, string[]> {
  const defined = new Map<string, string[]>();
  const add = (key: string, file: string) => defined.set(key, [...(defined.get(key) ?? []), file]);
  for (const file of SQL_SOURCES) {
    const text = readFileSync(`${SQL_SOURCES_FOLDER}/${file}.sql`, 'utf8').replace(/--[^\n]*/g, '');
    for (const m of text.matchAll(/create\s+or\s+replace\s+function\s+(\w+)\s*\(/gi)) add(`function ${m[1]}`, file);
    for (const m of text.matchAll(/create\s+or\s+replace\s+view\s+(\w+)/gi)) add(`view ${m[1]}`, file);
    for (const m of text.matchAll(/create\s+(?:constraint\s+)?trigger\s+(\w+)\s[\s\S]*?\son\s+(\w+)/gi)) add(`trigger ${m[1]} on ${m[2]}`, file);
    // Anything created without "or replace" (or a trigger not dropped first) would fail the second time.
    expect(text).not.toMatch(/create\s+(function|view)\s/i);
    for (const m of text.matchAll(/create\s+(?:constraint\s+)?trigger\s+(\w+)\s[\s\S]*?\son\s+(\w+)/gi)) {
      expect(text, `${file}.sql drops trigger ${m[1]} before creating it`).toContain(`DROP TRIGGER IF EXISTS ${m[1]} ON ${m[2]};`);
    }
  }
  return defined;
}

async function databaseObjects(): Promise<Map<string, string>> {
  const sql = scratch.handle.sql;
  const rows = await sql<{ key: string; definition: string }[]>`
    select 'function ' || p.proname as key, pg_get_functiondef(p.oid) as definition
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'public' and p.prokind = 'f'
       and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
    union all
    select 'view ' || c.relname, pg_get_viewdef(c.oid)
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind = 'v'
    union all
    select 'trigger ' || t.tgname || ' on ' || c.relname, pg_get_triggerdef(t.oid)
      from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and not t.tgisinternal`;
  const objects = new Map<string, string>();
  for (const row of rows) {
    // Overloads would share a key: keep both definitions so a stray old signature shows up.
    objects.set(row.key, objects.has(row.key) ? `${objects.get(row.key)}\n${row.definition}` : row.definition);
  }
  return objects;
}

describe('src/db/sql', () => {
  it('defines every function, trigger and view of the migrated database, each in exactly one file', async () => {
    const files = definedInFiles();
    const database = await databaseObjects();
    const notInFiles = [...database.keys()].filter((key) => !files.has(key));
    const inSeveral = [...files].filter(([, where]) => where.length > 1).map(([key, where]) => `${key}: ${where.join(', ')}`);
    const notInDatabase = [...files.keys()].filter((key) => !database.has(key));
    expect({ notInFiles, inSeveral, notInDatabase }).toEqual({ notInFiles: [], inSeveral: [], notInDatabase: [] });
    // One definition per name: no old signature left beside the current one.
    const overloaded = [...database].filter(([key, definition]) => key.startsWith('function ') && /\n.*CREATE OR REPLACE FUNCTION/s.test(definition));
    expect(overloaded.map(([key]) => key)).toEqual([]);
  });

  it('changes nothing when applied again', async () => {
    const before = await databaseObjects();
    expect(await applySqlSources(scratch.handle.sql)).toBe(false);
    expect(await applySqlSources(scratch.handle.sql, { force: true })).toBe(true);
    const after = await databaseObjects();
    expect(Object.fromEntries(after)).toEqual(Object.fromEntries(before));
  });

  // An IMMUTABLE SQL function that PostgreSQL cannot inline is called once per row: the drainer
  // and the dated reads call event_grain_of once per event, five times slower called than inlined
  // (it was not inlined while its CASE of text was cast to the enum, which calls enum_in, STABLE).
  // Those left out are called rarely, each for a reason given here.
  it('has its IMMUTABLE SQL functions inlined into the statements that call them', async () => {
    const calledAsFunctions: Record<string, string> = {
      actor_search_document: 'array_to_string is STABLE; once per actor written',
      casualty_parts_slots: 'a subquery over the parts; only for events whose casualties are split by category',
      casualty_vector_add: 'a subquery over vectors of any length; once per upserted rollup row',
      participation_roles_mask: 'a subquery over the roles; called once per statement, on a filter',
      source_text_map: 'a query over the chunks of a long text; once per long source written',
    };
    const sql = scratch.handle.sql;
    const functions = await sql<{ name: string; types: string[] }[]>`
      select p.proname as name, array(select format_type(t, null) from unnest(p.proargtypes) with ordinality u(t, i) order by i) as types
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_language l on l.oid = p.prolang
       where n.nspname = 'public' and l.lanname = 'sql' and p.prokind = 'f' and p.provolatile = 'i'
         and not p.proretset and p.pronargs > 0
       order by p.proname`;
    expect(functions.map((f) => f.name)).toContain('event_grain_of');
    const notInlined: string[] = [];
    for (const f of functions) {
      // Called on columns (a constant argument would be folded either way).
      const plan = await sql.begin(async (tx) => {
        await tx.unsafe(`create temp table inlining (${f.types.map((t, i) => `c${i} ${t}`).join(', ')}) on commit drop`);
        const rows = await tx.unsafe<{ 'QUERY PLAN': string }[]>(`explain verbose select ${f.name}(${f.types.map((_, i) => `c${i}`).join(', ')}) from inlining`);
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      });
      if (plan.includes(`${f.name}(`)) notInlined.push(f.name);
    }
    expect(notInlined).toEqual(Object.keys(calledAsFunctions).sort());
  });
});
