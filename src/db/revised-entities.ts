/**
 * The entities whose updates keep revisions, and which of their columns a revision copies: the one
 * list the revision triggers (src/db/sql/revisions.sql, through the placeholders below), the
 * revision tables (src/db/schema.ts) and the asOf loaders (src/graphql/view.ts reads every column
 * of the entity from its revision table) must agree with. tests/revised-entities.test.ts checks
 * the tables, the database and the triggers against it.
 */
export interface RevisedEntity {
  table: string;
  revisionTable: string;
  /** The revision's column naming the entity (the entity's id). */
  entityIdColumn: string;
  /** Every column of the entity but `id`, copied as it was into the revision. */
  copiedColumns: readonly string[];
  /** The revision's own columns: when and by what it was superseded. */
  supersededColumns: readonly string[];
}

export const REVISED_ENTITIES = {
  actor: {
    table: 'actors',
    revisionTable: 'actor_revisions',
    entityIdColumn: 'actor_id',
    copiedColumns: ['slug', 'name', 'aliases', 'kind', 'description', 'home_country_id', 'claim_id', 'revised_at', 'revision_claim_id'],
    supersededColumns: ['superseded_at', 'superseded_by', 'superseded_by_claim_id', 'superseded_by_merge_id'],
  },
  event: {
    table: 'events',
    revisionTable: 'event_revisions',
    entityIdColumn: 'event_id',
    copiedColumns: [
      'slug', 'title', 'kind', 'description', 'date_text', 'date_earliest', 'date_latest', 'date_precision', 'place_id',
      'killed_min', 'killed_max', 'killed_text', 'wounded_min', 'wounded_max', 'wounded_text', 'killed_best', 'wounded_best',
      'killed_parts', 'wounded_parts', 'claim_id', 'revised_at',
      'revision_claim_id',
    ],
    supersededColumns: ['superseded_at', 'superseded_by', 'superseded_by_claim_id'],
  },
  place: {
    table: 'places',
    revisionTable: 'place_revisions',
    entityIdColumn: 'place_id',
    copiedColumns: [
      'slug', 'name', 'kind', 'parent_id', 'country_id', 'country_code', 'region', 'latitude', 'longitude', 'geo_precision',
      'gazetteer', 'revised_at',
    ],
    supersededColumns: ['superseded_at', 'superseded_by'],
  },
} as const satisfies Record<string, RevisedEntity>;

export type RevisedEntityName = keyof typeof REVISED_ENTITIES;

/**
 * What revisions.sql writes as `{{actor_copied_columns}}` (the column list) and
 * `{{actor_copied_old_values}}` (`OLD.` each), for each entity.
 */
export function revisionSqlPlaceholders(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, entity] of Object.entries(REVISED_ENTITIES) as [RevisedEntityName, RevisedEntity][]) {
    out[`{{${name}_copied_columns}}`] = entity.copiedColumns.join(', ');
    out[`{{${name}_copied_old_values}}`] = entity.copiedColumns.map((c) => `OLD.${c}`).join(', ');
  }
  return out;
}
