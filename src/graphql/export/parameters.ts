/**
 * The query parameters of the export endpoints (/export/events.csv, /export/events.geojson,
 * /export/stix): the `events` filter (actor, role, between, country, kind, from, to, bbox, within,
 * maxPrecision), plus minConfidence
 * and the knowledge view (asOf, includeRetracted). Checked here, before anything reaches
 * PostgreSQL, so that a bad value is a 400 naming the parameter; the filter itself is then
 * applied by the same eventConditions the `events` field uses.
 */
import { eventKind, geoPrecision, participationRole } from '../../db/schema.ts';
import { parseBoundingBox, type BoundingBox } from '../loaders/geography.ts';
import { SLUG_PATTERN, dateProblem } from '../../domain/limits.ts';
import type { KnowledgeView } from '../context.ts';
import type { EventFilterInput } from '../types/event.ts';

export class ExportParameterError extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
    this.name = 'ExportParameterError';
  }
}

export interface ExportQuery {
  filter: EventFilterInput;
  /** Only events whose report's confidence is at least this (0–100); null: all. */
  minConfidence: number | null;
  view: KnowledgeView;
  /** Whether any parameter narrows the events (the STIX bundle then carries only what they reference). */
  filtered: boolean;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
// RFC 3339 date-time with a zone, as the GraphQL DateTime scalar takes it.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;
const KNOWN = ['actor', 'role', 'between', 'country', 'kind', 'from', 'to', 'bbox', 'within', 'maxPrecision', 'minConfidence', 'asOf', 'includeRetracted'] as const;
/** Longest value accepted for any parameter: slugs and dates are short; a huge one is junk. */
const MAX_VALUE_LENGTH = 200;

function single(params: URLSearchParams, name: string): string | null {
  const values = params.getAll(name);
  if (values.length === 0) return null;
  if (values.length > 1) throw new ExportParameterError(name, `"${name}" may be given once, got ${values.length} values`);
  return values[0] ?? null;
}

function slug(params: URLSearchParams, name: string): string | null {
  const value = single(params, name);
  if (value === null) return null;
  if (!SLUG_PATTERN.test(value)) throw new ExportParameterError(name, `"${name}" must be a slug (lowercase letters, digits, single hyphens), got ${JSON.stringify(value)}`);
  return value;
}

/** A parameter's values, repeated (`role=A&role=B`) or comma-separated (`role=A,B`). */
const listed = (params: URLSearchParams, name: string): string[] => params.getAll(name).flatMap((v) => v.split(',')).map((v) => v.trim());

/** A list parameter (listed) from a vocabulary. */
function list<T extends string>(params: URLSearchParams, name: string, vocabulary: readonly T[]): T[] | null {
  const values = listed(params, name);
  if (values.length === 0) return null;
  const allowed = new Set<string>(vocabulary);
  for (const value of values) {
    if (!allowed.has(value)) {
      throw new ExportParameterError(name, `"${name}" has an unknown value ${JSON.stringify(value)}; expected one of ${vocabulary.join(', ')}`);
    }
  }
  return [...new Set(values)] as T[];
}

/** A single-valued parameter from a vocabulary. */
function oneOf<T extends string>(params: URLSearchParams, name: string, vocabulary: readonly T[]): T | null {
  const value = single(params, name);
  if (value === null) return null;
  if (!(vocabulary as readonly string[]).includes(value)) {
    throw new ExportParameterError(name, `"${name}" has an unknown value ${JSON.stringify(value)}; expected one of ${vocabulary.join(', ')}`);
  }
  return value as T;
}

/** Whether YYYY-MM-DD names a real day: Date rolls 2023-02-30 over to March; a real day survives the round trip. */
function isCalendarDay(value: string): boolean {
  const date = DAY.test(value) ? new Date(`${value}T00:00:00Z`) : null;
  return date !== null && !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

function day(params: URLSearchParams, name: string): string | null {
  const value = single(params, name);
  if (value === null) return null;
  if (!isCalendarDay(value)) {
    throw new ExportParameterError(name, `"${name}" must be a calendar day as YYYY-MM-DD, got ${JSON.stringify(value)}`);
  }
  // The documented range, as GraphQL's Date: year 0000 is no date PostgreSQL stores.
  const problem = dateProblem(value);
  if (problem) throw new ExportParameterError(name, `"${name}" ${problem}, got ${JSON.stringify(value)}`);
  return value;
}

/** bbox=west,south,east,north (WGS84 degrees), as map libraries write a box. */
function boundingBox(params: URLSearchParams, name: string): BoundingBox | null {
  const value = single(params, name);
  if (value === null) return null;
  try {
    return parseBoundingBox(value, name);
  } catch (error) {
    throw new ExportParameterError(name, error instanceof Error ? error.message : String(error));
  }
}

function confidence(params: URLSearchParams, name: string): number | null {
  const value = single(params, name);
  if (value === null) return null;
  const n = /^\d{1,3}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > 100) {
    throw new ExportParameterError(name, `"${name}" must be a whole number from 0 to 100, got ${JSON.stringify(value)}`);
  }
  return n;
}

function dateTime(params: URLSearchParams, name: string): Date | null {
  const value = single(params, name);
  if (value === null) return null;
  const date = DATE_TIME.test(value) ? new Date(value) : null;
  // Date rolls 2024-02-30 or 24:00 over to the next day: a real day and hour are asked for, as the DateTime scalar does.
  const hour = Number(value.slice(11, 13));
  if (!date || Number.isNaN(date.getTime()) || !isCalendarDay(value.slice(0, 10)) || hour > 23) {
    throw new ExportParameterError(name, `"${name}" must be an RFC 3339 date-time with a zone (e.g. 2024-04-01T00:00:00Z), got ${JSON.stringify(value)}`);
  }
  // The range is checked on the instant in UTC, as PostgreSQL will read it.
  const problem = dateProblem(date.toISOString());
  if (problem) throw new ExportParameterError(name, `"${name}" ${problem}, got ${JSON.stringify(value)}`);
  return date;
}

/** Two actor slugs (listed: `between=a,b`): the events with one on each side. */
function pair(params: URLSearchParams, name: string): [string, string] | null {
  const values = listed(params, name);
  if (values.length === 0) return null;
  const [first, second] = values;
  if (values.length !== 2 || first === undefined || second === undefined) {
    throw new ExportParameterError(name, `"${name}" takes exactly two actor slugs (${name}=isis-k,afghan-taliban), got ${values.length}`);
  }
  for (const value of values) {
    if (!SLUG_PATTERN.test(value)) throw new ExportParameterError(name, `"${name}" must be two slugs (lowercase letters, digits, single hyphens), got ${JSON.stringify(value)}`);
  }
  return [first, second];
}

function flag(params: URLSearchParams, name: string): boolean {
  const value = single(params, name);
  if (value === null) return false;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ExportParameterError(name, `"${name}" must be true or false, got ${JSON.stringify(value)}`);
}

export function parseExportQuery(params: URLSearchParams): ExportQuery {
  for (const [name, value] of params) {
    if (!(KNOWN as readonly string[]).includes(name)) {
      throw new ExportParameterError(name, `unknown parameter "${name}"; the exports take ${KNOWN.join(', ')}`);
    }
    if (value.length > MAX_VALUE_LENGTH) throw new ExportParameterError(name, `"${name}" is longer than ${MAX_VALUE_LENGTH} characters`);
  }
  const filter: EventFilterInput = {
    actor: slug(params, 'actor'),
    role: list(params, 'role', participationRole.enumValues),
    between: pair(params, 'between'),
    country: slug(params, 'country'),
    kind: list(params, 'kind', eventKind.enumValues),
    from: day(params, 'from'),
    to: day(params, 'to'),
    bbox: boundingBox(params, 'bbox'),
    within: slug(params, 'within'),
    maxPrecision: oneOf(params, 'maxPrecision', geoPrecision.enumValues),
  };
  if (filter.from != null && filter.to != null && filter.from > filter.to) {
    throw new ExportParameterError('from', `"from" (${filter.from}) is after "to" (${filter.to})`);
  }
  const minConfidence = confidence(params, 'minConfidence');
  const view: KnowledgeView = { asOf: dateTime(params, 'asOf'), includeRetracted: flag(params, 'includeRetracted') };
  const filtered = Object.values(filter).some((v) => v != null) || minConfidence !== null;
  return { filter, minConfidence, view, filtered };
}
