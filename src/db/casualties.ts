/**
 * Casualty estimates by category, and how the dashboard summaries sum them.
 *
 * An event's killed and wounded are each a total (low / best / high, the source's words) and,
 * where the source splits them, parts by category (UCDP GED keeps deaths per side and for
 * civilians; GTD splits perpetrator deaths). The parts live with the event (events.killed_parts,
 * events.wounded_parts, jsonb arrays of { category, low, best, high, text }), so an update's cited
 * claim changes them together with the total and the revision triggers keep what they were.
 *
 * The summaries sum a vector per event in a fixed layout (event_casualty_vector, generated from
 * this file into src/db/sql/summaries.sql): for killed then wounded, for the total then each
 * category, six numbers, ending after the last measure the event gives. Rollups add vectors
 * element by element, a missing number as zero, so every part is summed in the same statement
 * that counts the events.
 */

/** Who the casualties were, where the source says so (UCDP's sides and civilians, GTD's perpetrators). */
export const CASUALTY_CATEGORIES = ['CIVILIANS', 'PERPETRATORS', 'SECURITY_FORCES', 'UNKNOWN'] as const;
export type CasualtyCategory = (typeof CASUALTY_CATEGORIES)[number];

export const CASUALTY_MEASURES = ['killed', 'wounded'] as const;
export type CasualtyMeasure = (typeof CASUALTY_MEASURES)[number];

/** The groups of a measure in the vector: the total first, then each category. */
export const CASUALTY_GROUPS = ['TOTAL', ...CASUALTY_CATEGORIES] as const;
export type CasualtyGroup = (typeof CASUALTY_GROUPS)[number];

/**
 * The numbers kept per group: sums of the low, best and high estimates of the events that give a
 * figure, how many gave a best estimate, how many gave no upper bound ("over 100"), and how many
 * gave a figure at all.
 */
export const CASUALTY_FIELDS = ['low', 'best', 'bestReported', 'high', 'highOpen', 'reported'] as const;
export type CasualtyField = (typeof CASUALTY_FIELDS)[number];

export const CASUALTY_VECTOR_LENGTH = CASUALTY_MEASURES.length * CASUALTY_GROUPS.length * CASUALTY_FIELDS.length;

/** The 1-based position (PostgreSQL arrays) of a number in the vector. */
export function casualtySlot(measure: CasualtyMeasure, group: CasualtyGroup, field: CasualtyField): number {
  const m = CASUALTY_MEASURES.indexOf(measure);
  const g = CASUALTY_GROUPS.indexOf(group);
  const f = CASUALTY_FIELDS.indexOf(field);
  return 1 + (m * CASUALTY_GROUPS.length + g) * CASUALTY_FIELDS.length + f;
}

/** `ARRAY[sum(v[1]), …]`: the vectors of rows summed element by element, with native sums. */
export function casualtySumSql(element: (slot: number) => string): string {
  const sums = Array.from({ length: CASUALTY_VECTOR_LENGTH }, (_, i) => `coalesce(sum(${element(i + 1)}), 0)`);
  return `ARRAY[${sums.join(', ')}]::bigint[]`;
}

/**
 * The body of event_casualty_vector: each measure's total, then its parts in category order (zeros
 * for a measure without parts, most events: tested here, inlined, so that casualty_parts_slots, a
 * subquery PostgreSQL calls as a function, runs only for events that have parts).
 *
 * The vector stops after the last measure the event gives: no figure at all is the empty vector, a
 * killed total alone its first six numbers, killed parts without wounded the first thirty. Every
 * sum reads a missing number as zero (`coalesce(sum(v[i]), 0)`, casualty_vector_add,
 * casualtyVectorOf), and most events give no wounded figure and no parts: the per-event summary
 * rows (actor_event_links, event_rollup_members, event_doctrines) then carry 0–30 numbers instead
 * of sixty, 504 bytes each, most of those rows' width.
 */
function eventCasualtyVectorSql(): string {
  const zeros = Array.from({ length: CASUALTY_CATEGORIES.length * CASUALTY_FIELDS.length }, () => '0').join(', ');
  const total = (m: CasualtyMeasure) => `casualty_slot(${m}_min, ${m}_best, ${m}_max)`;
  const parts = (m: CasualtyMeasure) => `CASE WHEN ${m}_parts IS NULL THEN ARRAY[${zeros}]::bigint[] ELSE casualty_parts_slots(${m}_parts) END`;
  const whole = CASUALTY_MEASURES.map((m) => `${total(m)} || ${parts(m)}`).join(' || ');
  const [killed, wounded] = CASUALTY_MEASURES;
  return `CASE WHEN ${wounded}_min IS NOT NULL OR ${wounded}_parts IS NOT NULL THEN ${whole}
              WHEN ${killed}_parts IS NOT NULL THEN ${total(killed)} || casualty_parts_slots(${killed}_parts)
              WHEN ${killed}_min IS NOT NULL THEN ${total(killed)}
              ELSE '{}'::bigint[] END`;
}

/**
 * The body of casualty_parts_slots: each category's slot of a measure's parts. The parts are read
 * once, typed by jsonb_to_recordset, each category picked out by a filter (a category is given at
 * most once: casualty_parts_problem): a subquery per category over jsonb_array_elements cost twice
 * as much (27 against 13 µs an event, in every drain of a dataset's events).
 */
function casualtyPartsSlotsSql(): string {
  const slots = CASUALTY_CATEGORIES.map((c) => {
    const of = (field: string) => `max(p.${field}) FILTER (WHERE p.category = '${c}')`;
    return `casualty_slot(${of('low')}, ${of('best')}, ${of('high')})`;
  }).join(' || ');
  return `(SELECT ${slots} FROM jsonb_to_recordset(parts) AS p(category text, low integer, best integer, high integer))`;
}

/** A vector as read from PostgreSQL (bigint arrays arrive as text) into numbers, at its layout's length. */
export function casualtyVectorOf(values: readonly (string | number)[] | null | undefined): number[] {
  // A plain loop: every group of a breakdown and every summary row is read through here.
  const vector = new Array<number>(CASUALTY_VECTOR_LENGTH);
  for (let i = 0; i < CASUALTY_VECTOR_LENGTH; i++) vector[i] = Number(values?.[i] ?? 0);
  return vector;
}

/** A rollup's measures but the casualty vector, summed over signed delta rows `d`. */
const SIGNED_KILLED_SUMS_OF_D = [
  'sum(d.sign)',
  'coalesce(sum(d.sign * d.killed_min), 0)',
  'coalesce(sum(d.sign * d.killed_max), 0)',
  'coalesce(sum(d.sign) FILTER (WHERE d.killed_min IS NOT NULL AND d.killed_max IS NULL), 0)',
  'coalesce(sum(d.sign) FILTER (WHERE d.killed_min IS NOT NULL), 0)',
];

/** The names of those measures and the casualty vector in a rollup, in that order. */
const ROLLUP_MEASURES = ['events', 'killed_min', 'killed_max', 'killed_open', 'killed_reported', 'casualties'];
const KILLED_MEASURES = ROLLUP_MEASURES.slice(0, -1);

/** An upsert's SET items adding those measures to the stored ones (`r`). */
const KILLED_SUMS_PLUS_EXCLUDED = KILLED_MEASURES.map((m) => `${m} = r.${m} + excluded.${m}`);

/** What src/db/sql/summaries.sql and integrity.sql write as `{{casualty_…}}`. */
export function casualtySqlPlaceholders(): Record<string, string> {
  return {
    '{{casualty_vector_of_event}}': eventCasualtyVectorSql(),
    '{{casualty_parts_slots}}': casualtyPartsSlotsSql(),
    '{{casualty_vector_length}}': String(CASUALTY_VECTOR_LENGTH),
    '{{casualty_categories}}': `ARRAY[${CASUALTY_CATEGORIES.map((c) => `'${c}'`).join(', ')}]`,
    '{{casualty_sum_of_casualties}}': casualtySumSql((i) => `casualties[${i}]`),
    '{{casualty_sum_of_l_casualties}}': casualtySumSql((i) => `l.casualties[${i}]`),
    '{{casualty_sum_of_d_casualties}}': casualtySumSql((i) => `d.casualties[${i}]`),
    // The measures of a rollup (events, killed low and high, open-ended and reported counts, the
    // casualty vector) summed over delta rows `d`, each counted with its sign (1 added, -1 removed).
    '{{signed_sums_of_d}}': [...SIGNED_KILLED_SUMS_OF_D, casualtySumSql((i) => `d.sign * d.casualties[${i}]`)].join(', '),
    // An upsert's SET list adding a row's measures to the stored ones (`r`, the rollup's alias).
    '{{sums_plus_excluded}}': [...KILLED_SUMS_PLUS_EXCLUDED, 'casualties = casualty_vector_add(r.casualties, excluded.casualties)'].join(', '),
    // The measures but the casualty vector summed again over rows `d` that hold sums of the same names.
    '{{killed_sums_of_d}}': KILLED_MEASURES.map((m) => `sum(d.${m})`).join(', '),
    // The same without the casualty vector, for rollups that keep none (per place, per band).
    '{{signed_killed_sums_of_d}}': SIGNED_KILLED_SUMS_OF_D.join(', '),
    '{{killed_sums_plus_excluded}}': KILLED_SUMS_PLUS_EXCLUDED.join(', '),
    '{{casualty_sum_of_signed_r_casualties}}': casualtySumSql((i) => `c.sign * r.casualties[${i}]`),
  };
}
