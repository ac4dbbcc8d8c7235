/**
 * Updates keep history: the database stores a row's values before every update as a revision
 * (the entity revision triggers), so reads `asOf` an earlier time show them and `revisions` lists
 * the changes. An update names what it changes; one that would change nothing is refused rather
 * than recorded as a claim with no revision behind it.
 */
import stableStringify from 'safe-stable-stringify';
import { ValidationError } from '../errors.ts';
import type { Json } from '../service.ts';

/** Plain JSON of a row, for the audit log's before/after (dates as ISO strings). */
export function snapshot(row: Record<string, unknown>): Json {
  return JSON.parse(JSON.stringify(row)) as Json;
}

/** Refuses an update that gives no field besides the record's slug. */
export function requireSomeChange(given: Record<string, unknown>): void {
  if (Object.keys(given).length === 0) throw new ValidationError('nothing to change: give at least one field besides slug', ['input']);
}

/** An update whose every value is the current one: refused alone, skipped in a bulk update (updateEvents). */
export class NothingToChangeError extends ValidationError {}

/**
 * The given values that differ from the row's; refuses an update that would change nothing.
 * Compared with their keys sorted: a jsonb column (casualty parts) reads back with its keys in
 * PostgreSQL's order, not the input's, and the same parts must not count as a change (the
 * database refuses a revision that changes nothing).
 */
export function actualChanges<T extends Record<string, unknown>>(before: T, given: Partial<T>): Partial<T> {
  requireSomeChange(given);
  const changed: Partial<T> = {};
  for (const [key, value] of Object.entries(given) as [keyof T, T[keyof T]][]) {
    if (stableStringify(value) !== stableStringify(before[key])) changed[key] = value;
  }
  if (Object.keys(changed).length === 0) {
    throw new NothingToChangeError('nothing to change: every value given is the current one', ['input']);
  }
  return changed;
}

/**
 * The fields an update changed, by the names a report gives them (`names`: a snapshot's column
 * to its field, several columns to one field, as an event's date), compared as actualChanges does.
 */
export function changedFields(before: Json, after: Json, names: Record<string, string>): string[] {
  const [was, is] = [before as Record<string, unknown>, after as Record<string, unknown>];
  return [...new Set(Object.keys(names).filter((k) => stableStringify(was[k]) !== stableStringify(is[k])).map((k) => names[k]!))];
}

/** The note of an update claim given none: which record and which fields it changed. */
export function updateNote(record: string, changes: Record<string, unknown>): string {
  return `update of ${record}: ${Object.keys(changes).join(', ')}`;
}
