/**
 * What the three dataset importers share: a row rendered as its source text (one `column: value`
 * line per column, in the file's order, values exactly as in the file), the span of each field in
 * it, and the checks and names every mapping uses.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Countries, Country } from 'world-countries';
import { DATE_RANGE } from '../../db/schema.ts';
import type { DatasetPlace, Span } from '../../domain/bulk/dataset.ts';
import { externalIdProblem, type ExternalIdScheme, type IdentifiedKind } from '../../domain/external-ids/external-ids.ts';
import { SLUG_PATTERN, TEXT_LIMITS } from '../../domain/limits.ts';

/** How sure a dataset's coders are of a row they published: stated as fact, short of the 90 a source's own plain statement gets. */
export const DATASET_CONFIDENCE = 80;

/** One row as read: its line, its cells by column, its text and where each field stands in it. */
export class DatasetRow {
  readonly text: string;
  private readonly spans = new Map<string, Span>();
  private readonly cells = new Map<string, string>();
  readonly problems: string[] = [];

  constructor(
    readonly line: number,
    columns: readonly string[],
    fields: readonly string[],
  ) {
    const parts: string[] = [];
    let offset = 0;
    columns.forEach((column, i) => {
      const value = fields[i] ?? '';
      const part = `${column}: ${value}`;
      const length = codePoints(part);
      this.cells.set(column, value);
      if (value.trim() !== '') this.spans.set(column, [offset, offset + length]);
      parts.push(part);
      offset += length + 1;
    });
    this.text = parts.join('\n');
  }

  /** The field's value (trimmed), or null when empty. */
  get(column: string): string | null {
    const value = this.cells.get(column)?.trim() ?? '';
    return value === '' ? null : value;
  }

  /** The field's value; a problem when it is empty. */
  need(column: string): string {
    const value = this.get(column);
    if (value === null) this.problem(column, 'is empty');
    return value ?? '';
  }

  /** The span of the field's line (`column: value`) in the text, for a claim to quote. */
  span(column: string): Span[] {
    const span = this.spans.get(column);
    return span ? [span] : [];
  }

  /**
   * The spans of the fields a claim rests on, in the text's order. Fields on consecutive lines are
   * one span (`date_start: …\ndate_end: …`): a passage quoted whole rather than line by line, so
   * the claim has one citation for it instead of one per line. A line in between that the claim
   * does not rest on (or an empty field) keeps the spans apart: a quote holds only quoted fields.
   */
  spansOf(...columns: string[]): Span[] {
    const lines = [...new Set(columns)].flatMap((c) => this.span(c)).sort((a, b) => a[0] - b[0]);
    const spans: Span[] = [];
    for (const line of lines) {
      const last = spans.at(-1);
      // Consecutive lines are one newline apart.
      if (last && line[0] === last[1] + 1) spans[spans.length - 1] = [last[0], line[1]];
      else spans.push(line);
    }
    return spans;
  }

  problem(column: string, message: string): void {
    this.problems.push(`line ${this.line}: ${column}: ${message}`);
  }

  /** A whole number ≥ 0, or null when empty. */
  count(column: string): number | null {
    const value = this.get(column);
    if (value === null) return null;
    // Some exports write counts as decimals ("3.0").
    if (!/^\d+(\.0+)?$/.test(value)) {
      this.problem(column, `must be a whole number ≥ 0, got "${value}"`);
      return null;
    }
    return Number.parseInt(value, 10);
  }

  /** One of `allowed`, or null when empty. */
  oneOf<T extends string>(column: string, allowed: readonly T[]): T | null {
    const value = this.get(column);
    if (value === null) return null;
    if (!(allowed as readonly string[]).includes(value)) {
      this.problem(column, `"${value}" is not one of ${allowed.join(', ')}`);
      return null;
    }
    return value as T;
  }

  /** A day as YYYY-MM-DD (a time after it is ignored), within the dates the database holds. */
  day(column: string): string | null {
    const value = this.get(column);
    if (value === null) return null;
    const day = /^(\d{4}-\d{2}-\d{2})(?:[ T][\d:.]+)?$/.exec(value)?.[1];
    if (!day || !isDay(day)) {
      this.problem(column, `must be a date (YYYY-MM-DD), got "${value}"`);
      return null;
    }
    return day;
  }

  /**
   * A point from two columns (decimal degrees, WGS84) with the dataset's precision code mapped by
   * `precisions`; null when either is empty or the code means "no coordinates".
   */
  location(latitude: string, longitude: string, precisionColumn: string, precisions: Record<string, string | null>): { latitude: number; longitude: number; geoPrecision: string } | null {
    const [lat, lon, code] = [this.get(latitude), this.get(longitude), this.get(precisionColumn)];
    if (lat === null || lon === null) return null;
    const point = { latitude: Number(lat), longitude: Number(lon) };
    if (!/^-?\d+(\.\d+)?$/.test(lat) || Math.abs(point.latitude) > 90) this.problem(latitude, `must be decimal degrees between -90 and 90, got "${lat}"`);
    if (!/^-?\d+(\.\d+)?$/.test(lon) || Math.abs(point.longitude) > 180) this.problem(longitude, `must be decimal degrees between -180 and 180, got "${lon}"`);
    if (code === null || !(code in precisions)) {
      this.problem(precisionColumn, `must be one of ${Object.keys(precisions).join(', ')}, got "${code ?? ''}"`);
      return null;
    }
    const geoPrecision = precisions[code];
    return geoPrecision ? { ...point, geoPrecision } : null;
  }

  /** An external id checked against its scheme. */
  externalId(column: string, scheme: ExternalIdScheme, kind: IdentifiedKind): { scheme: ExternalIdScheme; value: string } | null {
    const value = this.get(column);
    if (value === null) return null;
    const problem = externalIdProblem(scheme, value, kind);
    if (problem) {
      this.problem(column, problem);
      return null;
    }
    return { scheme, value };
  }
}

export function codePoints(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
}

export function isDay(day: string): boolean {
  const date = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === day && day >= DATE_RANGE.earliest && day <= DATE_RANGE.latest;
}

/**
 * One part of a slug: its ASCII letters and digits joined by single hyphens. A name with none (in
 * Arabic or Cyrillic script) is named by a hash of its text instead, so that two such names never
 * share a slug and the same name always gets the same one.
 */
function slugPart(part: string): string {
  const slug = part
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug !== '' || part.trim() === '') return slug;
  return `x${createHash('sha256').update(part.trim()).digest('hex').slice(0, 10)}`;
}

/** A slug from a name: ASCII letters and digits joined by single hyphens, cut to the slug limit. */
export function slugOf(...parts: string[]): string {
  const slug = parts
    .map(slugPart)
    .filter((part) => part !== '')
    .join('-')
    .slice(0, TEXT_LIMITS.slug)
    .replace(/-+$/, '');
  return SLUG_PATTERN.test(slug) ? slug : 'unnamed';
}

/** A name or title cut to the name limit. */
export function nameOf(text: string): string {
  // Cut as the API measures names (UTF-16 units), never inside a character, and without the spaces
  // a cut can leave at the end, which a name may not have.
  let cut = '';
  for (const character of text) {
    if (cut.length + character.length > TEXT_LIMITS.name) break;
    cut += character;
  }
  return cut.trimEnd();
}

const countries = createRequire(import.meta.url)('world-countries') as Countries;
const byNumeric = new Map<string, Country>(countries.map((c) => [c.ccn3, c]));
const byName = new Map<string, Country>();
for (const c of countries) for (const n of [c.name.common, c.name.official, ...c.altSpellings]) byName.set(n.toLowerCase(), c);

/**
 * The country place a dataset names (by name, and by ISO 3166-1 numeric code where the dataset
 * gives it), with its ISO alpha-2 code and UN sub-region from `world-countries` (reference data).
 * Its slug is the name's (the seed's countries are slugged the same way, so rows join them).
 */
export function countryPlace(name: string, numericCode?: string | null): DatasetPlace {
  // Datasets add former names in parentheses: "Russia (Soviet Union)", "Yemen (North Yemen)".
  const plain = name.replace(/\s*\(.*\)\s*$/, '').trim() || name;
  const found = (numericCode ? byNumeric.get(numericCode.padStart(3, '0')) : undefined) ?? byName.get(plain.toLowerCase());
  const common = found?.name.common ?? plain;
  const slug = slugOf(common);
  return { slug, name: nameOf(common), kind: 'COUNTRY', parent: null, country: slug, countryCode: found?.cca2 ?? null, region: found?.subregion || null };
}

/**
 * The province (ADMIN1) and district (ADMIN2) a row names, the district under its province (or
 * under the country when the row names no province). Slugged apart from towns of the same name:
 * `afghanistan-admin1-nangarhar`, `afghanistan-admin1-nangarhar-admin2-achin`. The loader joins
 * them to an area of the same kind and name the knowledge base has in that country (the seed's
 * `khyber-pakhtunkhwa`), so rows of every dataset meet there.
 */
export function adminPlaces(country: DatasetPlace, admin1: string | null, admin2: string | null): { admin1: DatasetPlace | null; admin2: DatasetPlace | null } {
  const area = (kind: 'ADMIN1' | 'ADMIN2', name: string, parent: DatasetPlace): DatasetPlace => ({
    slug: slugOf(parent.slug, kind.toLowerCase(), name), name: nameOf(name), kind, parent: parent.slug, country: country.slug, countryCode: null, region: null,
  });
  const province = admin1 ? area('ADMIN1', admin1, country) : null;
  return { admin1: province, admin2: admin2 ? area('ADMIN2', admin2, province ?? country) : null };
}

/**
 * A named location inside a country (a town, village or site as the dataset names it), in the
 * smallest administrative area the row names. Its slug is the country's and its name's, whatever
 * area it lies in, so rows imported before admin areas were join it.
 */
export function locationPlace(country: DatasetPlace, name: string, location: DatasetPlace['location'] = null, within: DatasetPlace = country): DatasetPlace {
  return { slug: slugOf(country.slug, name), name: nameOf(name), kind: 'CITY', parent: within.slug, country: country.slug, countryCode: null, region: null, location };
}

/**
 * The row's places, parents first: the country, its areas, the location. A place listed twice
 * (an area that is also the event's place) is listed once, where it comes first, with the
 * coordinates if either has them.
 */
export function placesOf(...places: (DatasetPlace | null)[]): DatasetPlace[] {
  const bySlug = new Map<string, DatasetPlace>();
  for (const p of places) {
    if (!p) continue;
    const seen = bySlug.get(p.slug);
    if (!seen || (!seen.location && p.location)) bySlug.set(p.slug, p);
  }
  return [...bySlug.values()];
}
