/**
 * `npm run seed:synthetic -- --events 1000000 [--seed 42]`: a deterministic, ACLED-sized
 * synthetic dataset in its own database (see scripts/synthetic-db.ts), for benchmarks.
 *
 * Shape: ~150 real countries (UN M49 sub-regions) with cities; ~20,000 actors (states, their
 * agencies, armed groups, communities, leaders) with doctrines and ~40,000 relationships; events
 * over 30 years whose perpetrators follow a power law (a few groups are very active, most barely),
 * ~3 participations and 2 citations per event. Every fact is a claim citing sentences of generated
 * source texts, at the right code-point offsets: the database's integrity triggers stay on and
 * check every quote and that every claim is cited.
 *
 * Loading: rows are streamed with COPY into per-transaction staging tables and moved with one
 * INSERT … OVERRIDING SYSTEM VALUE per table (ids are assigned here, so rows can reference each
 * other before they exist), one transaction per batch of events.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { Faker, en } from '@faker-js/faker';
import cliProgress from 'cli-progress';
import postgres from 'postgres';
import type { Countries } from 'world-countries';
import { connectDatabase } from '../src/db/client.ts';
import { copyLine, copyLines, type CopyCell } from '../src/db/copy.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { SYNTHETIC_DATABASE, startSyntheticServer } from './synthetic-db.ts';
import { cityPoint, countryPoint } from './synthetic-geography.ts';

const { values: options } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '42' },
    batch: { type: 'string', default: '50000' },
  },
});
const EVENT_COUNT = Number(options.events);
const SEED = Number(options.seed);
const BATCH = Number(options.batch);
if (!Number.isInteger(EVENT_COUNT) || EVENT_COUNT < 1) throw new Error(`--events must be a positive integer, got ${options.events}`);
/** Events per generated report: short texts keep the citation trigger's per-quote work small. */
const EVENTS_PER_REPORT = 10;
if (!Number.isInteger(BATCH) || BATCH < EVENTS_PER_REPORT || BATCH % EVENTS_PER_REPORT !== 0) {
  throw new Error(`--batch must be a multiple of ${EVENTS_PER_REPORT}, got ${options.batch}`);
}

// The package is CommonJS whose typings declare an ES default export; require() sidesteps the mismatch.
const countries = createRequire(import.meta.url)('world-countries') as Countries;

const faker = new Faker({ locale: [en], seed: SEED });
const int = (min: number, max: number) => faker.number.int({ min, max });
const chance = (p: number) => faker.number.float() < p;
const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;

// Grades and periods draw from a generator of their own, so that adding them left every other
// generated value (and so earlier benchmark datasets) as it was.
const grading = new Faker({ locale: [en], seed: SEED + 1 });
const gradeChance = (p: number) => grading.number.float() < p;
const gradeInt = (min: number, max: number) => grading.number.int({ min, max });

/** Half the claims are graded, more credible the surer they are (Admiralty 1–6); the rest not. */
function credibilityFor(confidence: number): number | null {
  if (!gradeChance(0.5)) return null;
  if (confidence >= 90) return gradeInt(1, 2);
  if (confidence >= 60) return gradeInt(2, 3);
  if (confidence >= 50) return gradeInt(3, 4);
  return gradeInt(4, 6);
}

const RELIABILITY: [grade: string, weight: number][] = [['A', 5], ['B', 35], ['C', 30], ['D', 15], ['E', 5], ['F', 10]];
/** Seven sources in ten graded (mostly B and C, as wire services are), the rest not. */
function reliability(): string | null {
  if (!gradeChance(0.7)) return null;
  let r = grading.number.float() * RELIABILITY.reduce((n, [, w]) => n + w, 0);
  for (const [grade, weight] of RELIABILITY) if ((r -= weight) < 0) return grade;
  return 'F';
}

/** A period for a relationship or adherence: its words (which the cited sentence contains) and its bound columns. */
interface Period {
  words: string;
  cells: Cell[];
}

const NO_PERIOD: Cell[] = [null, null, null, null, null, null, null, null];

/** "since 2014", sometimes "since 2014 until 2019" (each a YEAR), or nothing, as a source might say. */
function period(sinceShare: number): Period | null {
  if (!gradeChance(sinceShare)) return null;
  const from = gradeInt(1995, 2023);
  const start = [`since ${from}`, `${from}-01-01`, `${from}-12-31`, 'YEAR'];
  if (!gradeChance(0.3)) return { words: `since ${from}`, cells: [...start, null, null, null, null] };
  const to = gradeInt(from, 2024);
  return { words: `since ${from} until ${to}`, cells: [...start, `until ${to}`, `${to}-01-01`, `${to}-12-31`, 'YEAR'] };
}

// ---------------------------------------------------------------------------------------------
// COPY text format and the staging/insert machinery.

type Cell = CopyCell;

class Table {
  lines: string[] = [];
  constructor(
    readonly name: string,
    readonly columns: string[],
    /** Identity tables go through a staging table; the others are copied in directly. */
    readonly staged: boolean,
  ) {}
  add(...values: Cell[]) {
    this.lines.push(copyLine(values));
  }
}

/** Seconds spent loading each table (triggers and indexes included), reported at the end. */
const loadSeconds = new Map<string, number>();

async function flush(tx: postgres.TransactionSql, tables: Table[]) {
  for (const table of tables) {
    if (table.lines.length === 0) continue;
    const started = performance.now();
    const target = table.staged ? `stage_${table.name}` : table.name;
    if (table.staged) {
      await tx.unsafe(`create temp table if not exists ${target} (like ${table.name} including defaults) on commit delete rows`);
    }
    await copyLines(tx, target, table.columns, table.lines);
    if (table.staged) await tx.unsafe(`insert into ${table.name} overriding system value select * from ${target}`);
    table.lines = [];
    loadSeconds.set(table.name, (loadSeconds.get(table.name) ?? 0) + (performance.now() - started) / 1000);
  }
}

// ---------------------------------------------------------------------------------------------
// Ids and sources. Text is ASCII, so code units are code points (citation offsets).

const nextId = { source: 0, citation: 0, claim: 0, place: 0, doctrine: 0, actor: 0, event: 0 };
/** A relationship's or adherence's start and end columns (src/db/schema.ts validTimeColumns). */
const VALID_TIME = ['start_text', 'start_earliest', 'start_latest', 'start_precision', 'end_text', 'end_earliest', 'end_latest', 'end_precision'];

const T = {
  sources: new Table('sources', ['id', 'slug', 'title', 'publisher', 'published_text', 'published_earliest', 'published_latest', 'published_precision', 'reliability', 'text', 'text_sha256'], true),
  citations: new Table('citations', ['id', 'source_id', 'quote', 'start_offset', 'end_offset', 'prefix', 'suffix'], true),
  claims: new Table('claims', ['id', 'kind', 'confidence', 'credibility', 'recorded_by', 'source_reliability'], true),
  claimCitations: new Table('claim_citations', ['claim_id', 'citation_id'], false),
  places: new Table('places', ['id', 'slug', 'name', 'kind', 'parent_id', 'country_id', 'country_code', 'region', 'latitude', 'longitude', 'geo_precision', 'gazetteer'], true),
  doctrines: new Table('doctrines', ['id', 'slug', 'name', 'description', 'parent_id', 'claim_id'], true),
  actors: new Table('actors', ['id', 'slug', 'name', 'aliases', 'kind', 'description', 'home_country_id', 'claim_id'], true),
  adherences: new Table('adherences', ['claim_id', 'actor_id', 'doctrine_id', ...VALID_TIME], false),
  relationships: new Table('relationships', ['claim_id', 'type', 'from_actor_id', 'to_actor_id', ...VALID_TIME], false),
  events: new Table('events', ['id', 'slug', 'title', 'kind', 'description', 'date_text', 'date_earliest', 'date_latest', 'date_precision', 'place_id', 'killed_min', 'killed_max', 'killed_text', 'killed_best', 'killed_parts', 'wounded_min', 'wounded_max', 'wounded_text', 'wounded_best', 'claim_id'], true),
  participations: new Table('participations', ['claim_id', 'event_id', 'actor_id', 'role', 'attributed_by_id'], false),
};
const ORDER = [T.sources, T.citations, T.claims, T.claimCitations, T.places, T.doctrines, T.actors, T.adherences, T.relationships, T.events, T.participations];
const RECORDED_BY = `synthetic:seed-${SEED}`;

/** A source being written: sentences appended, each returned as a citation id. */
class SourceWriter {
  private text = '';
  private readonly id = ++nextId.source;
  // Drawn when the source opens, so that each claim citing it can be written with its grade.
  private readonly reliability = reliability();
  private readonly pending: [number, number, number][] = [];
  constructor(
    private readonly slug: string,
    private readonly title: string,
    private readonly publisher: string,
    private readonly published: string | null,
  ) {}
  /** Adds a sentence to the text and a citation quoting it. */
  cite(sentence: string): number {
    if (this.text.length > 0) this.text += ' ';
    const start = this.text.length;
    this.text += sentence;
    const id = ++nextId.citation;
    citationGrades[id] = this.reliability;
    this.pending.push([id, start, this.text.length]);
    return id;
  }
  close() {
    const text = this.text;
    const sha = createHash('sha256').update(text, 'utf8').digest('hex');
    const p = this.published;
    T.sources.add(this.id, this.slug, this.title, this.publisher, p, p, p, p ? 'DAY' : null, this.reliability, text, sha);
    for (const [id, start, end] of this.pending) {
      T.citations.add(id, this.id, text.slice(start, end), start, end, text.slice(Math.max(0, start - 32), start), text.slice(end, end + 32));
    }
  }
}

/**
 * A series of sources of at most `perSource` sentences each. Long texts would make the citation
 * trigger slow (it reads the text up to each quote's offsets), and real reports are short.
 */
class SourceSeries {
  private current: SourceWriter | null = null;
  private count = 0;
  private used = 0;
  constructor(
    private readonly slug: string,
    private readonly title: string,
    private readonly perSource = 40,
  ) {}
  cite(sentence: string): number {
    if (!this.current || this.used === this.perSource) {
      this.current?.close();
      this.count += 1;
      this.used = 0;
      this.current = new SourceWriter(`${this.slug}-${this.count}`, `${this.title}, part ${this.count}`, 'Synthetic Conflict Monitor', '2025-01-15');
    }
    this.used += 1;
    return this.current.cite(sentence);
  }
  close() {
    this.current?.close();
    this.current = null;
  }
}

/**
 * Each citation's source grade, by citation id: a claim is written with the best grade among its
 * sources, as claims_grade_from_sources would set it. Written without, every claim was updated
 * by claim_citations_grade_claims as its links were copied: 500 of the 1,110 s of a million events.
 */
const citationGrades: (string | null)[] = [];

function claim(kind: string, confidence: number, citationIds: number[]): number {
  const id = ++nextId.claim;
  // Grades A (best) to F sort as letters; null when no source is graded.
  const best = citationIds.map((c) => citationGrades[c] ?? null).filter((g) => g !== null).sort()[0] ?? null;
  T.claims.add(id, kind, confidence, credibilityFor(confidence), RECORDED_BY, best);
  for (const c of new Set(citationIds)) T.claimCitations.add(id, c);
  return id;
}

const ascii = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7e]/g, '');
const slugify = (s: string) => ascii(s).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

// ---------------------------------------------------------------------------------------------
// Reference data: places, doctrines, actors, adherences, relationships.

/** world-countries' sub-regions that differ from UN M49, mapped to M49. */
const M49_FIX: Record<string, string> = {
  AL: 'Southern Europe', BA: 'Southern Europe', HR: 'Southern Europe', MK: 'Southern Europe', ME: 'Southern Europe',
  RS: 'Southern Europe', SI: 'Southern Europe', BG: 'Eastern Europe', RO: 'Eastern Europe', CZ: 'Eastern Europe',
  HU: 'Eastern Europe', PL: 'Eastern Europe', SK: 'Eastern Europe', AT: 'Western Europe', CA: 'Northern America',
  US: 'Northern America', MX: 'Central America',
};

interface Country { id: number; name: string; region: string; cities: number[]; weight: number; stateId: number; agencyIds: number[]; civiliansId: number }
interface Armed { id: number; name: string; home: Country; areas: Country[] }

const DOCTRINES: [slug: string, name: string, parent: string | null][] = [
  ['islam', 'Islam', null], ['sunni-islam', 'Sunni Islam', 'islam'], ['shia-islam', 'Shia Islam', 'islam'],
  ['salafism', 'Salafism', 'sunni-islam'], ['salafi-jihadism', 'Salafi jihadism', 'salafism'], ['deobandi', 'Deobandi', 'sunni-islam'],
  ['khomeinism', 'Khomeinism', 'shia-islam'], ['marxism-leninism', 'Marxism-Leninism', null], ['maoism', 'Maoism', 'marxism-leninism'],
  ['ethno-nationalism', 'Ethno-nationalism', null], ['separatism', 'Separatism', 'ethno-nationalism'],
  ['far-right-extremism', 'Far-right extremism', null], ['anarchism', 'Anarchism', null], ['christian-militancy', 'Christian militancy', null],
];

const GROUP_WORDS = {
  head: ['Front', 'Army', 'Movement', 'Brigade', 'Council', 'Alliance', 'Forces', 'Battalion', 'Union', 'Party', 'Guard', 'Legion', 'Militia', 'Network', 'Committee'],
  quality: ['Revolutionary', 'Popular', 'Islamic', 'National', 'Democratic', 'United', 'Free', 'People\'s', 'Liberation', 'Patriotic', 'Holy', 'Red', 'Sovereign', 'Resistance', 'Armed'],
  aim: ['Liberation', 'Salvation', 'Defence', 'Unity', 'Justice', 'Renewal', 'Independence', 'Struggle', 'Victory', 'Dawn', 'Martyrs', 'Faithful', 'Homeland', 'Rising'],
};

const REL_TYPES: [type: string, weight: number, phrase: string][] = [
  ['ALLIED_WITH', 25, 'is allied with'], ['RIVAL_OF', 15, 'is a rival of'], ['AT_WAR_WITH', 20, 'is at war with'],
  ['AFFILIATE_OF', 8, 'is an affiliate of'], ['SUPPORTS', 8, 'supports'], ['SUSPECTED_TIES_WITH', 8, 'is suspected of ties with'],
  ['FORMED_FROM', 4, 'was formed from'], ['AT_ODDS_WITH', 7, 'is at odds with'], ['SHELTERS', 3, 'shelters'], ['TACIT_COOPERATION_WITH', 2, 'cooperates tacitly with'],
];

/** Cumulative weights for sampling by binary search. */
function cumulative(weights: number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  weights.forEach((w, i) => (out[i] = sum += w));
  return out;
}
function sample(cum: Float64Array): number {
  const x = faker.number.float() * cum[cum.length - 1]!;
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function buildReference() {
  const profiles = new SourceSeries('synthetic-actor-profiles', 'Actor profiles');

  // Countries: 150 UN members, conflict intensity skewed (a few countries see most events).
  const members = countries.filter((c) => c.unMember).sort((a, b) => a.cca2.localeCompare(b.cca2));
  const chosen = faker.helpers.shuffle(members).slice(0, 150).sort((a, b) => a.cca2.localeCompare(b.cca2));
  const world: Country[] = [];
  for (const [rank, c] of faker.helpers.shuffle(chosen).entries()) {
    const name = ascii(c.name.common);
    const region = M49_FIX[c.cca2] ?? c.subregion;
    const id = ++nextId.place;
    const point = countryPoint(c.cca2);
    T.places.add(id, slugify(name), name, 'COUNTRY', null, id, c.cca2, region, point?.latitude ?? null, point?.longitude ?? null, point?.precision ?? null, point?.gazetteer ?? null);
    const country: Country = { id, name, region, cities: [], weight: 1 / (rank + 1) ** 1.1, stateId: 0, agencyIds: [], civiliansId: 0 };
    const cityNames = new Set<string>([ascii(c.capital?.[0] ?? `${name} City`)]);
    while (cityNames.size < 6) cityNames.add(ascii(faker.location.city()));
    for (const city of cityNames) {
      const cityId = ++nextId.place;
      const citySlug = `${slugify(city)}-${c.cca2.toLowerCase()}`;
      const cityAt = cityPoint(c.cca2, citySlug);
      T.places.add(cityId, citySlug, city, 'CITY', id, id, c.cca2, region, cityAt?.latitude ?? null, cityAt?.longitude ?? null, cityAt?.precision ?? null, null);
      country.cities.push(cityId);
    }
    world.push(country);
  }
  const countryCum = cumulative(world.map((c) => c.weight));
  const byRegion = new Map<string, Country[]>();
  for (const c of world) byRegion.set(c.region, [...(byRegion.get(c.region) ?? []), c]);

  const doctrineSource = new SourceWriter('synthetic-doctrines', 'A glossary of doctrines', 'Synthetic Conflict Monitor', '2025-01-10');
  const doctrineIds = new Map<string, number>();
  for (const [slug, name, parent] of DOCTRINES) {
    const id = ++nextId.doctrine;
    doctrineIds.set(slug, id);
    const citation = doctrineSource.cite(parent ? `${name} is a current within ${DOCTRINES.find((d) => d[0] === parent)![1]}.` : `${name} is a doctrine of its own.`);
    T.doctrines.add(id, slug, name, null, parent ? doctrineIds.get(parent)! : null, claim('DOCTRINE_DEFINITION', 90, [citation]));
  }
  doctrineSource.close();
  const militantDoctrines = ['salafi-jihadism', 'salafism', 'deobandi', 'khomeinism', 'maoism', 'marxism-leninism', 'separatism', 'ethno-nationalism', 'far-right-extremism', 'anarchism', 'christian-militancy'];
  const doctrineCum = cumulative(militantDoctrines.map((_, i) => 1 / (i + 1)));

  const usedSlugs = new Set<string>();
  const addActor = (name: string, kind: string, home: Country | null, aliases: string[], sentence: string): number => {
    const id = ++nextId.actor;
    let slug = slugify(name);
    if (usedSlugs.has(slug)) slug = `${slug}-${id}`;
    usedSlugs.add(slug);
    const citation = profiles.cite(sentence);
    T.actors.add(id, slug, name, aliases, kind, null, home?.id ?? null, claim('ACTOR_PROFILE', 90, [citation]));
    return id;
  };

  for (const c of world) {
    c.stateId = addActor(c.name, 'STATE', c, [], `${c.name} is a sovereign state.`);
    for (const agency of [`Armed Forces of ${c.name}`, `${c.name} National Police`]) {
      c.agencyIds.push(addActor(agency, 'STATE_AGENCY', c, [], `The ${agency} serve the state of ${c.name}.`));
    }
    c.civiliansId = addActor(`Civilians (${c.name})`, 'COMMUNITY', c, [], `Civilians in ${c.name} bear the brunt of the violence.`);
  }
  const membership = new SourceSeries('synthetic-state-organs', 'Organs of state');
  for (const c of world) {
    for (const agencyId of c.agencyIds) {
      const citation = membership.cite(`Agency ${agencyId} is an organ of ${c.name}.`);
      T.relationships.add(claim('RELATIONSHIP', 90, [citation]), 'MEMBER_OF', agencyId, c.stateId, ...NO_PERIOD);
    }
  }
  membership.close();

  // Armed groups: the bulk of the actors. Each operates in its home country and a few others,
  // mostly in the same region.
  const armed: Armed[] = [];
  const adherenceSource = new SourceSeries('synthetic-doctrinal-affiliations', 'Who follows what');
  const armedCount = 14000;
  for (let i = 0; i < armedCount; i++) {
    const home = world[sample(countryCum)]!;
    const base = `${pick(GROUP_WORDS.quality)} ${pick(GROUP_WORDS.head)} of ${pick(GROUP_WORDS.aim)}`;
    const name = chance(0.5) ? `${base} (${home.name})` : `${base} ${i}`;
    const acronym = name.split(/\s+/).filter((w) => /^[A-Z]/.test(w)).map((w) => w[0]).join('');
    const aliases = chance(0.6) ? [`${acronym}-${i}`] : [];
    const id = addActor(name, 'ARMED_ORGANIZATION', home, aliases, `${name}${aliases.length ? `, also known as ${aliases[0]},` : ''} is an armed group based in ${home.name}.`);
    const neighbours = byRegion.get(home.region)!;
    const areas = [home, ...Array.from({ length: int(0, 3) }, () => (chance(0.8) ? pick(neighbours) : world[sample(countryCum)]!))];
    armed.push({ id, name, home, areas });
    const doctrines = new Set([militantDoctrines[sample(doctrineCum)]!]);
    if (chance(0.1)) doctrines.add(militantDoctrines[sample(doctrineCum)]!);
    if (chance(0.85)) {
      for (const d of doctrines) {
        const held = period(0.4);
        const citation = adherenceSource.cite(`${name} follows ${DOCTRINES.find((x) => x[0] === d)![1]}${held ? ` ${held.words}` : ''}.`);
        T.adherences.add(claim('ADHERENCE', chance(0.7) ? 90 : 60, [citation]), id, doctrineIds.get(d)!, ...(held?.cells ?? NO_PERIOD));
      }
    }
  }
  adherenceSource.close();

  // Communities and leaders fill the actor count to ~20,000.
  for (let i = 0; i < 2900; i++) {
    const c = world[sample(countryCum)]!;
    const name = `${faker.word.adjective({ length: { min: 4, max: 9 } }).replace(/^./, (x) => x.toUpperCase())} community of ${faker.location.city()} ${i}`;
    addActor(ascii(name), 'COMMUNITY', c, [], `The ${ascii(name)} lives in ${c.name}.`);
  }
  const leaderSource = new SourceSeries('synthetic-leaders', 'Commanders and leaders');
  for (let i = 0; i < 2500; i++) {
    const group = armed[i * 5]!;
    const name = ascii(`${faker.person.firstName()} ${faker.person.lastName()}`);
    const id = addActor(name, 'PERSON', group.home, [], `${name} is a militant commander from ${group.home.name}.`);
    const citation = leaderSource.cite(`${name} leads the ${group.name}.`);
    T.relationships.add(claim('RELATIONSHIP', 90, [citation]), 'LEADS', id, group.id, ...NO_PERIOD);
  }
  leaderSource.close();
  profiles.close();

  // Relationships between groups: degree falls with activity rank (power law), capped so even
  // the busiest group's 2-hop neighbourhood stays a readable graph.
  const relSources = new SourceSeries('synthetic-relationships', 'Alliances and enmities');
  const relTypeCum = cumulative(REL_TYPES.map((r) => r[1]));
  let relCount = 0;
  for (const [rank, group] of armed.entries()) {
    const degree = Math.min(40, Math.round(30 / Math.sqrt(rank + 1))) + int(1, 3);
    for (let k = 0; k < degree; k++) {
      const sameRegion = chance(0.7);
      const other = sameRegion
        ? armed[int(0, armed.length - 1)]!
        : chance(0.5) ? { id: group.areas.at(-1)!.stateId, name: group.areas.at(-1)!.name } : armed[int(0, armed.length - 1)]!;
      if (other.id === group.id) continue;
      relCount += 1;
      const [type, , phrase] = REL_TYPES[sample(relTypeCum)]!;
      const held = period(0.6);
      const citation = relSources.cite(`${group.name} ${phrase} ${other.name}${held ? ` ${held.words}` : ''} (${relCount}).`);
      T.relationships.add(claim('RELATIONSHIP', chance(0.8) ? 90 : 50, [citation]), type, group.id, other.id, ...(held?.cells ?? NO_PERIOD));
    }
  }
  relSources.close();
  return { world, countryCum, armed };
}

// ---------------------------------------------------------------------------------------------
// Events.

const KINDS: [kind: string, weight: number, title: string, verb: string][] = [
  ['ATTACK', 40, 'Attack', 'attacked'], ['SUICIDE_BOMBING', 6, 'Suicide bombing', 'carried out a suicide bombing'],
  ['SUICIDE_ATTACK', 3, 'Suicide attack', 'carried out a suicide attack'], ['MASS_SHOOTING', 6, 'Mass shooting', 'opened fire'],
  ['STORMING', 5, 'Storming', 'stormed a compound'], ['ASSASSINATION_ATTEMPT', 5, 'Assassination attempt', 'tried to assassinate an official'],
  ['PLOT', 4, 'Foiled plot', 'plotted an attack'], ['MILITARY_OPERATION', 20, 'Military operation', 'conducted operations'],
  ['CAMPAIGN', 3, 'Campaign', 'waged a campaign'], ['TAKEOVER', 2, 'Takeover', 'seized control'],
];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const START_DAY = Date.UTC(1995, 0, 1) / 86_400_000;
const END_DAY = Date.UTC(2024, 11, 31) / 86_400_000;
const iso = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

interface DateShape { earliest: string; latest: string; precision: string; text: string }

function dateOf(day: number): DateShape {
  const d = new Date(day * 86_400_000);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const roll = faker.number.float();
  if (roll < 0.8) return { earliest: iso(day), latest: iso(day), precision: 'DAY', text: `on ${d.getUTCDate()} ${MONTHS[m]} ${y}` };
  if (roll < 0.92) {
    return { earliest: iso(Date.UTC(y, m, 1) / 86_400_000), latest: iso(Date.UTC(y, m + 1, 0) / 86_400_000), precision: 'MONTH', text: `in ${MONTHS[m]} ${y}` };
  }
  if (roll < 0.98) return { earliest: `${y}-01-01`, latest: `${y}-12-31`, precision: 'YEAR', text: `in ${y}` };
  const end = Math.min(END_DAY, day + int(2, 12));
  return { earliest: iso(day), latest: iso(end), precision: 'RANGE', text: `between ${iso(day)} and ${iso(end)}` };
}

interface Figure { min: number; best: number | null; max: number | null; text: string; parts: string | null }

/**
 * A casualty figure as a report words it: exact (its own best), a range (half of them with a
 * best estimate), or open ("over 40"). A third of the exact figures of two or more are split by
 * category in the words ("12 civilians and 3 soldiers", perpetrators "including 1 attacker"), as
 * UCDP and GTD split them.
 */
function figureOf(noun: string, probability: number): Figure | null {
  if (!chance(probability)) return null;
  const min = Math.floor(1 / (1 - faker.number.float() * 0.999) ** 0.9) - 1; // Pareto-like tail
  const roll = faker.number.float();
  if (roll < 0.8) {
    if (min >= 2 && chance(0.35)) {
      const civilians = int(0, min);
      const perpetrators = chance(0.3) ? Math.min(int(1, 3), min - civilians) : 0;
      const security = min - civilians - perpetrators;
      const parts = [
        ['CIVILIANS', civilians, `${civilians} civilians`],
        ['SECURITY_FORCES', security, `${security} soldiers`],
        ['PERPETRATORS', perpetrators, `${perpetrators} attackers`],
      ].filter(([, n]) => (n as number) > 0) as [string, number, string][];
      return {
        min, best: min, max: min, text: parts.map(([, , words]) => words).join(' and '),
        parts: JSON.stringify(parts.map(([category, n, words]) => ({ category, low: n, best: n, high: n, text: words }))),
      };
    }
    return { min, best: min, max: min, text: `${min} ${noun}`, parts: null };
  }
  if (roll < 0.95) {
    const best = chance(0.5) ? min + Math.floor((min + 1) / 2) : null;
    return { min, best, max: min * 2 + 1, text: `between ${min} and ${min * 2 + 1} ${noun}${best === null ? '' : `, most likely ${best}`}`, parts: null };
  }
  return { min: min + 1, best: null, max: null, text: `over ${min} ${noun}`, parts: null };
}

/** Commits a batch; the deferred "every claim is cited" trigger runs at commit. */
async function commitBatch(sql: postgres.Sql) {
  await sql.begin(async (tx) => {
    await flush(tx, ORDER);
    const started = performance.now();
    await tx.unsafe('set constraints all immediate');
    loadSeconds.set('(claims cited check)', (loadSeconds.get('(claims cited check)') ?? 0) + (performance.now() - started) / 1000);
  });
}

async function main() {
  const started = Date.now();
  const server = await startSyntheticServer();
  console.log(`synthetic database: ${server.embedded ? 'embedded server in .data/synthetic-postgres' : 'SYNTHETIC_DATABASE_URL'}`);
  const databaseName = new URL(server.databaseUrl).pathname.slice(1) || SYNTHETIC_DATABASE;
  const admin = postgres(server.serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${databaseName}" with (force)`);
  await admin.unsafe(`create database "${databaseName}"`);
  // JIT compilation costs 50-200 ms on large aggregates, more than it saves at this size.
  await admin.unsafe(`alter database "${databaseName}" set jit = off`);
  await admin.end();
  const handle = connectDatabase(server.databaseUrl, { max: 1 });
  await migrateDatabase(handle.db);
  await handle.close();
  const sql = postgres(server.databaseUrl, { max: 1, onnotice: () => {} });

  const bars = new cliProgress.MultiBar(
    {
      format: ' {phase} |{bar}| {value}/{total} {unit} | {duration_formatted} elapsed, eta {eta_formatted}',
      hideCursor: true,
      // Also report (every 10 s) when the output is a log file rather than a terminal.
      noTTYOutput: true,
      notTTYSchedule: 10_000,
    },
    cliProgress.Presets.shades_classic,
  );
  const reference = bars.create(1, 0, { phase: 'reference', unit: 'steps' });
  const { world, countryCum, armed } = buildReference();
  await commitBatch(sql);
  reference.increment();

  // Perpetrators by activity rank: share ∝ 1/(rank+1)^0.9, so the busiest group has a few per
  // cent of all events and most groups a handful.
  const activityCum = cumulative(armed.map((_, rank) => 1 / (rank + 1) ** 0.9));
  // Event days, sorted so that each report covers consecutive events.
  const days = new Float64Array(EVENT_COUNT);
  for (let i = 0; i < EVENT_COUNT; i++) {
    // Activity grows over the 30 years, as in real conflict datasets.
    days[i] = Math.floor(START_DAY + (END_DAY - START_DAY) * Math.sqrt(faker.number.float()));
  }
  days.sort();
  const kindCum = cumulative(KINDS.map((k) => k[1]));
  const eventsBar = bars.create(EVENT_COUNT, 0, { phase: 'events   ', unit: 'events' });

  let source: SourceWriter | null = null;
  for (let start = 0; start < EVENT_COUNT; start += BATCH) {
    const end = Math.min(EVENT_COUNT, start + BATCH);
    for (let i = start; i < end; i++) {
      if (i % EVENTS_PER_REPORT === 0) {
        source?.close();
        const day = days[Math.min(EVENT_COUNT - 1, i + EVENTS_PER_REPORT - 1)]!;
        const n = i / EVENTS_PER_REPORT + 1;
        source = new SourceWriter(`synthetic-report-${n}`, `Conflict report ${n}`, pick(['Synthetic Conflict Monitor', 'Field Desk', 'Regional Observer']), iso(day + 3));
      }
      const date = dateOf(days[i]!);
      const perpetrator = faker.number.float() < 0.85 ? armed[sample(activityCum)]! : null;
      const country = perpetrator
        ? chance(0.7) ? perpetrator.home : chance(0.85) ? pick(perpetrator.areas) : world[sample(countryCum)]!
        : world[sample(countryCum)]!;
      const doer = perpetrator ?? { id: pick(country.agencyIds), name: `The armed forces of ${country.name}` };
      const [kind, , title, verb] = perpetrator ? KINDS[sample(kindCum)]! : KINDS[7]!;
      const cityIndex = int(0, country.cities.length);
      const placeId = cityIndex === country.cities.length ? country.id : country.cities[cityIndex]!;
      const killed = figureOf('people', 0.55);
      const wounded = figureOf('people', 0.3);
      const id = ++nextId.event;
      const where = `${placeId === country.id ? '' : `city ${cityIndex + 1} of `}${country.name}`;
      const main = source!.cite(`${date.text.replace(/^./, (c) => c.toUpperCase())}, ${doer.name} ${verb} in ${where}${killed ? `, killing ${killed.text}` : ''}${wounded ? ` and wounding ${wounded.text}` : ''} (event ${id}).`);
      const target = chance(0.5) ? country.civiliansId : perpetrator ? pick(country.agencyIds) : armed[sample(activityCum)]!.id;
      const claimed = perpetrator !== null && chance(0.35);
      const attributed = perpetrator !== null && chance(0.08) ? armed[sample(activityCum)]! : null;
      const implicated = chance(0.1) ? armed[int(0, armed.length - 1)]! : null;
      const others = [
        `${target === country.civiliansId ? 'Civilians were the victims' : `Actor ${target} was the target`}`,
        claimed ? `${doer.name} claimed responsibility` : null,
        attributed && attributed.id !== doer.id ? `the government attributed it to ${attributed.name}` : null,
        implicated && implicated.id !== doer.id ? `${implicated.name} was implicated` : null,
      ].filter((s) => s !== null);
      const second = source!.cite(`${others.join('; ')}.`);
      const description = `${doer.name} ${verb} in ${where}.`;
      T.events.add(id, `event-${id}`, `${title} in ${where}`, kind, description, date.text, date.earliest, date.latest, date.precision, placeId,
        killed?.min ?? null, killed?.max ?? null, killed?.text ?? null, killed?.best ?? null, killed?.parts ?? null,
        wounded?.min ?? null, wounded?.max ?? null, wounded?.text ?? null, wounded?.best ?? null, claim('EVENT_REPORT', chance(0.8) ? 90 : 60, [main, second]));
      T.participations.add(claim('PARTICIPATION', 90, [main]), id, doer.id, 'PERPETRATOR', null);
      T.participations.add(claim('PARTICIPATION', 90, [second]), id, target, target === country.civiliansId ? 'VICTIM' : 'TARGET', null);
      if (claimed) T.participations.add(claim('PARTICIPATION', 90, [second]), id, doer.id, 'CLAIMED_RESPONSIBILITY', null);
      if (attributed && attributed.id !== doer.id) T.participations.add(claim('PARTICIPATION', 60, [second]), id, attributed.id, 'ATTRIBUTED', country.stateId);
      if (implicated && implicated.id !== doer.id) T.participations.add(claim('PARTICIPATION', 40, [second]), id, implicated.id, 'IMPLICATED', null);
    }
    // Batches hold whole reports (BATCH is a multiple of EVENTS_PER_REPORT), so each report is complete here.
    source?.close();
    source = null;
    await commitBatch(sql);
    eventsBar.update(end);
  }
  const finish = bars.create(3, 0, { phase: 'finish   ', unit: 'steps' });
  for (const table of ['sources', 'citations', 'claims', 'places', 'doctrines', 'actors', 'events']) {
    await sql.unsafe(`select setval(pg_get_serial_sequence('${table}', 'id'), (select max(id) from ${table}))`);
  }
  // The load queued every event for the dashboard summaries: build them set-based instead.
  await sql.unsafe('select summaries_rebuild()');
  finish.increment();
  // Set hint bits and the visibility map now (index-only scans), not on the first queries.
  await sql.unsafe('vacuum (analyze)');
  finish.increment(2);
  bars.stop();
  const [counts] = await sql`select (select count(*) from events)::int as events, (select count(*) from actors)::int as actors,
    (select count(*) from participations)::int as participations, (select count(*) from citations)::int as citations,
    (select count(*) from claims)::int as claims, (select count(*) from relationships)::int as relationships,
    pg_size_pretty(pg_database_size(current_database())) as size`;
  console.log(`loaded in ${((Date.now() - started) / 1000).toFixed(0)} s:`, counts);
  console.log('seconds per table:', Object.fromEntries([...loadSeconds].map(([k, v]) => [k, Math.round(v)])));
  await sql.end();
  await server.stop();
}

await main();
