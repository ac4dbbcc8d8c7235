/**
 * Duplicate warnings: a create is not refused when it resembles a stored record — two reports of
 * one attack, or a group entered under a second name, are for an analyst to judge (and merge) —
 * but its answer names the records it resembles and why. One statement per check, on indexes.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import type { Tx } from '../service.ts';

export type DuplicateReason = 'SAME_EXTERNAL_ID' | 'SAME_NAME' | 'SAME_PLACE_DATE_AND_KIND' | 'SAME_TEXT' | 'SAME_URL';

export interface PossibleDuplicate {
  id: number;
  slug: string;
  reasons: DuplicateReason[];
}

type Reader = Tx | Database;

/** At most this many resembling records are named: a warning, not a listing. */
const LIMIT = 10;

async function rows(db: Reader, query: ReturnType<typeof sql>): Promise<PossibleDuplicate[]> {
  const found = await db.execute<{ id: number; slug: string; reasons: DuplicateReason[] }>(query);
  return found.map((r) => ({ id: r.id, slug: r.slug, reasons: r.reasons }));
}

/** Same external id, or a name or alias (any language) of one is a name or alias of the other. */
export function actorDuplicates(db: Reader, actorId: number): Promise<PossibleDuplicate[]> {
  return rows(db, sql`
    with names as (
      select normalized_name(a.name) as n from actors a where a.id = ${actorId}
      union select normalized_name(x) from actors a, unnest(a.aliases) x where a.id = ${actorId}
      union select normalized_name(an.name) from actor_names an join claims c on c.id = an.claim_id and c.retracted_at is null where an.actor_id = ${actorId}),
    by_name as (
      select a.id from actors a where normalized_name(a.name) in (select n from names)
      union select an.actor_id from actor_names an join claims c on c.id = an.claim_id and c.retracted_at is null
       where normalized_name(an.name) in (select n from names)
      -- Aliases are a short array per actor, and actors are few (thousands), so they are read, not indexed.
      union select a.id from actors a where exists (select 1 from unnest(a.aliases) x where normalized_name(x) in (select n from names))),
    by_id as (
      select o.actor_id as id from external_ids mine join external_ids o on o.scheme = mine.scheme and o.value = mine.value and o.actor_id is not null
       where mine.actor_id = ${actorId})
    select a.id, a.slug,
           array_remove(array[case when a.id in (select id from by_id) then 'SAME_EXTERNAL_ID' end,
                              case when a.id in (select id from by_name) then 'SAME_NAME' end], null) as reasons
      from actors a
     where a.id <> ${actorId} and (a.id in (select id from by_name) or a.id in (select id from by_id))
       and not exists (select 1 from actor_merges m where m.removed_actor_id = a.id)
     order by a.id limit ${LIMIT}`);
}

/** Same external id, or at the same place, of the same kind, on days that may overlap. */
export function eventDuplicates(db: Reader, eventId: number): Promise<PossibleDuplicate[]> {
  return rows(db, sql`
    with mine as (select * from events where id = ${eventId}),
    by_time as (
      select o.id from mine e join events o on o.place_id = e.place_id and o.kind = e.kind and o.id <> e.id
       where e.place_id is not null
         and coalesce(o.date_earliest, '-infinity'::date) <= coalesce(e.date_latest, 'infinity'::date)
         and coalesce(e.date_earliest, '-infinity'::date) <= coalesce(o.date_latest, 'infinity'::date)
       limit ${LIMIT}),
    by_id as (
      select o.event_id as id from external_ids m join external_ids o on o.scheme = m.scheme and o.value = m.value and o.event_id is not null
       where m.event_id = ${eventId} and o.event_id <> ${eventId})
    select ev.id, ev.slug,
           array_remove(array[case when ev.id in (select id from by_id) then 'SAME_EXTERNAL_ID' end,
                              case when ev.id in (select id from by_time) then 'SAME_PLACE_DATE_AND_KIND' end], null) as reasons
      from events ev where ev.id in (select id from by_time union select id from by_id)
     order by ev.id limit ${LIMIT}`);
}

/** Same external id, or the same name in the same country (or, for countries, anywhere). */
export function placeDuplicates(db: Reader, placeId: number): Promise<PossibleDuplicate[]> {
  return rows(db, sql`
    with mine as (select * from places where id = ${placeId}),
    by_name as (
      select o.id from mine p join places o on normalized_name(o.name) = normalized_name(p.name) and o.id <> p.id
       and o.country_id is not distinct from p.country_id),
    by_id as (
      select o.place_id as id from external_ids m join external_ids o on o.scheme = m.scheme and o.value = m.value and o.place_id is not null
       where m.place_id = ${placeId} and o.place_id <> ${placeId})
    select pl.id, pl.slug,
           array_remove(array[case when pl.id in (select id from by_id) then 'SAME_EXTERNAL_ID' end,
                              case when pl.id in (select id from by_name) then 'SAME_NAME' end], null) as reasons
      from places pl where pl.id in (select id from by_name union select id from by_id)
     order by pl.id limit ${LIMIT}`);
}

/** Same external id, the same text (by its hash), or the same URL. */
export function sourceDuplicates(db: Reader, sourceId: number): Promise<PossibleDuplicate[]> {
  return rows(db, sql`
    with mine as (select * from sources where id = ${sourceId}),
    by_text as (select o.id from mine s join sources o on o.text_sha256 = s.text_sha256 and o.id <> s.id),
    by_url as (select o.id from mine s join sources o on o.url = s.url and o.id <> s.id),
    by_id as (
      select o.source_id as id from external_ids m join external_ids o on o.scheme = m.scheme and o.value = m.value and o.source_id is not null
       where m.source_id = ${sourceId} and o.source_id <> ${sourceId})
    select so.id, so.slug,
           array_remove(array[case when so.id in (select id from by_id) then 'SAME_EXTERNAL_ID' end,
                              case when so.id in (select id from by_text) then 'SAME_TEXT' end,
                              case when so.id in (select id from by_url) then 'SAME_URL' end], null) as reasons
      from sources so where so.id in (select id from by_text union select id from by_url union select id from by_id)
     order by so.id limit ${LIMIT}`);
}
