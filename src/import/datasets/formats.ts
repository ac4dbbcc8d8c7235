/**
 * The three dataset formats and how each row maps onto the knowledge base (docs/datasets.md has
 * the column-by-column table). A mapping reads one row and returns the record to load, or leaves
 * its problems on the row.
 */
import type { DatasetRecord } from '../../domain/bulk/dataset.ts';
import type { CasualtyCategory } from '../../db/casualties.ts';
import { DATE_RANGE } from '../../db/schema.ts';
import type { ExternalIdScheme } from '../../domain/external-ids/external-ids.ts';
import type { actorKindValues } from '../../domain/vocabulary.ts';
import { rowCasualties, type ColumnPart } from './casualties.ts';
import { adminPlaces, countryPlace, DATASET_CONFIDENCE, isDay, locationPlace, nameOf, placesOf, slugOf, type DatasetRow } from './rows.ts';

export interface DatasetFormat {
  name: string;
  /** The dataset its rows' sources are records of. */
  dataset: DatasetRecord['source']['dataset'];
  /** Who publishes the dataset: the sources' publisher. */
  publisher: string;
  /** The scheme of the dataset's row ids, which name each row's source and event. */
  eventScheme: ExternalIdScheme;
  /** Columns every file must have (others are kept in the text, unmapped). */
  required: readonly string[];
  map: (row: DatasetRow) => DatasetRecord | null;
}

/** The actor kind a UCDP side's name says: governments, the "Civilians" of one-sided violence, else an armed group. */
function ucdpSideKind(name: string): string {
  return name.startsWith('Government of') ? 'GOVERNMENT' : name === 'Civilians' ? 'COMMUNITY' : 'ARMED_ORGANIZATION';
}

/**
 * The category of a side's deaths (deaths_a, deaths_b): a government's are its security forces';
 * an armed group's are the perpetrators' when it is the only armed group in the row (state-based
 * and one-sided violence). Between two armed groups (non-state conflict) neither is told apart as
 * the perpetrator, and the "Civilians" side's deaths are counted in deaths_civilians: null, the
 * column stays in the text only.
 */
function ucdpSideCategory(kind: string, kinds: string[]): CasualtyCategory | null {
  if (kind === 'GOVERNMENT') return 'SECURITY_FORCES';
  if (kind === 'ARMED_ORGANIZATION' && kinds.filter((k) => k === 'ARMED_ORGANIZATION').length === 1) return 'PERPETRATORS';
  return null;
}

/** The UCDP Georeferenced Event Dataset (GED) CSV, codebook version 23.1 and later. */
const ucdpGed: DatasetFormat = {
  name: 'ucdp-ged',
  dataset: 'UCDP_GED',
  publisher: 'Uppsala Conflict Data Program (UCDP GED)',
  eventScheme: 'UCDP_GED_ID',
  required: ['id', 'type_of_violence', 'side_a', 'side_a_new_id', 'side_b', 'side_b_new_id', 'country', 'where_coordinates', 'date_start', 'date_end', 'best', 'low', 'high'],
  map(row) {
    const id = row.externalId('id', this.eventScheme, 'event');
    row.need('id');
    const violence = row.oneOf('type_of_violence', ['1', '2', '3'] as const);
    const start = row.day('date_start');
    const end = row.day('date_end');
    if (start && end && start > end) row.problem('date_end', `${end} is before date_start ${start}`);
    const [low, best, high] = [row.count('low'), row.count('best'), row.count('high')];
    if (low !== null && high !== null && low > high) row.problem('high', `${high} is below low ${low}`);
    const country = countryPlace(row.need('country'));
    const where = row.get('where_coordinates');
    // where_prec (codebook): 1 exact, 2 within 25 km, 3 district, 4 province, 5 a line or area
    // (road, border), 6 country, 7 international waters or airspace.
    const point = row.location('latitude', 'longitude', 'where_prec', { '1': 'EXACT', '2': 'NEAR', '3': 'ADMIN2', '4': 'ADMIN1', '5': 'REGION', '6': 'COUNTRY', '7': 'REGION' });
    const sides = (['side_a', 'side_b'] as const).map((side) => ({
      side,
      name: row.need(side),
      id: row.externalId(`${side}_new_id`, 'UCDP_ACTOR_ID', 'actor'),
    }));
    // deaths_*: each a best estimate of one group's deaths (they add up to best, codebook); no low
    // or high of their own, so a part is at least 0 and at most the row's high.
    const kinds = sides.map((s) => ucdpSideKind(s.name));
    const partColumns: [string, CasualtyCategory | null][] = [
      ['deaths_a', ucdpSideCategory(kinds[0]!, kinds)],
      ['deaths_b', ucdpSideCategory(kinds[1]!, kinds)],
      ['deaths_civilians', 'CIVILIANS'],
      ['deaths_unknown', 'UNKNOWN'],
    ];
    const parts: ColumnPart[] = [];
    for (const [column, category] of partColumns) {
      const n = row.count(column);
      if (n !== null && category) parts.push({ category, column, low: 0, best: n, high: best === null ? null : (high ?? best) });
    }
    const partsBest = parts.reduce((sum, p) => sum + (p.best ?? 0), 0);
    // The total's upper bound, as the figure below takes it (best when high is empty).
    const ceiling = high ?? best;
    if (ceiling !== null && partsBest > ceiling) row.problem(parts.map((p) => p.column).join(', '), `add up to ${partsBest}, more than ${high !== null ? 'high' : 'best'} ${ceiling}`);
    const killed =
      row.problems.length > 0 ? null
      : rowCasualties(row, best === null ? null : { low: low ?? best, best, high: high ?? best, text: `best ${best} (low ${low ?? '?'}, high ${high ?? '?'})` }, parts, { low: 'low', best: 'best', high: 'high' });
    if (row.problems.length > 0 || !id || !violence || !start || !end) return null;
    const located = point && { ...point, gazetteer: `UCDP GED ${id.value}` };
    // adm_1 and adm_2 name a province and a district ("Nangarhar province", "Achin district"):
    // without those endings, so that UCDP's areas and ACLED's and the GTD's are one place.
    const areaName = (column: string, ending: string) => row.get(column)?.replace(new RegExp(`\\s+${ending}$`, 'i'), '') || null;
    const areas = adminPlaces(country, areaName('adm_1', 'province'), areaName('adm_2', 'district'));
    // where_coordinates names a town, or at province, district or country precision the area itself.
    const names = (value: string | null) => where !== null && value !== null && where.toLowerCase() === value.toLowerCase();
    const area =
      areas.admin2 && names(row.get('adm_2')) ? areas.admin2
      : areas.admin1 && names(row.get('adm_1')) ? areas.admin1
      : names(row.get('country')) || names(country.name) ? country
      : null;
    const place = area ? { ...area, location: located } : where ? locationPlace(country, where, located, areas.admin2 ?? areas.admin1 ?? country) : null;
    const slug = `ucdp-ged-${id.value}`;
    const actors = sides.map((s, i) => ({
      slug: s.id ? `ucdp-actor-${s.id.value}` : slugOf('ucdp', s.name),
      name: nameOf(s.name),
      kind: kinds[i]!,
      externalId: s.id,
      quotes: row.spansOf(s.side, `${s.side}_new_id`),
    }));
    return {
      line: row.line,
      source: { slug, title: `UCDP GED event ${id.value}`, publisher: this.publisher, dataset: this.dataset, text: row.text, externalId: id },
      event: {
        slug,
        title: nameOf(`${row.get('dyad_name') ?? `${sides[0]!.name} – ${sides[1]!.name}`}${where ? `, ${where}` : ''} (UCDP GED ${id.value})`),
        // State-based (1) and non-state (2) violence: armed forces fighting each other; one-sided (3): an attack.
        kind: violence === '3' ? 'ATTACK' : 'ARMED_CLASH',
        date: { text: start === end ? start : `${start} to ${end}`, earliest: start, latest: end, precision: start === end ? 'DAY' : 'RANGE' },
        place: (place ?? areas.admin2 ?? areas.admin1 ?? country).slug,
        killed,
        wounded: null,
        externalId: id,
        confidence: DATASET_CONFIDENCE,
        quotes: row.spansOf('id', 'type_of_violence', 'date_start', 'date_end', 'country', 'where_coordinates', 'where_prec', 'latitude', 'longitude', 'low', 'best', 'high', ...parts.map((p) => p.column)),
      },
      places: placesOf(country, areas.admin1, areas.admin2, place),
      actors,
      // One-sided violence (3): side A against civilians; state-based (1) and non-state (2): both
      // sides fought, each on the side the row names it.
      participations: actors.map((a, i) => ({
        actor: a.slug,
        role: violence === '3' && i === 1 ? 'VICTIM' : 'PERPETRATOR',
        side: violence === '3' ? null : i === 0 ? ('A' as const) : ('B' as const),
        confidence: DATASET_CONFIDENCE,
        quotes: row.spansOf(i === 0 ? 'side_a' : 'side_b', 'type_of_violence'),
      })),
    };
  },
};

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** ACLED's event_date: ISO (API) or "22 March 2024" / "22-March-2024" (the export tool). */
function acledDay(value: string): string | null {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return isDay(value) ? value : null;
  const m = /^(\d{1,2})[ -]([A-Za-z]+)[ -](\d{4})$/.exec(value);
  const month = m ? MONTHS.indexOf(m[2]!.toLowerCase()) + 1 : 0;
  if (!m || month === 0) return null;
  const day = `${m[3]}-${String(month).padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
  return isDay(day) ? day : null;
}

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** ACLED sub-event types with a kind of their own here; every other political-violence row is an ATTACK. */
const ACLED_KINDS: Record<string, string> = {
  'Suicide bomb': 'SUICIDE_BOMBING',
  'Armed clash': 'ARMED_CLASH',
  'Non-state actor overtakes territory': 'TAKEOVER',
  'Government regains territory': 'TAKEOVER',
};
const ACLED_VIOLENCE = ['Battles', 'Violence against civilians', 'Explosions/Remote violence'] as const;

type ActorKind = (typeof actorKindValues)[number];

/**
 * ACLED's actor types (`inter1`, `inter2`; codebook, "Actor Names, Types, and 'Inter' Codes"):
 * the code older exports write, the words newer ones write (the codebook's plural labels too,
 * matched without regard to case), and the actor kind each gives a new actor here: the closest
 * kind the knowledge base has. Political and identity militias are armed groups (the militia,
 * not the community it is drawn from, which ACLED codes as civilians); rioters and protesters
 * are bodies of civilians, unorganised and unarmed as groups. null: the kind comes from the
 * actor's name, as without a code: External/Other forces (8) holds foreign armies, UN missions,
 * private security firms and mercenaries alike, and the name tells them apart.
 */
export const ACLED_ACTOR_TYPES: Record<number, { words: readonly string[]; kind: ActorKind | null }> = {
  1: { words: ['State forces'], kind: 'STATE_AGENCY' },
  2: { words: ['Rebel group', 'Rebel groups'], kind: 'ARMED_ORGANIZATION' },
  3: { words: ['Political militia', 'Political militias'], kind: 'ARMED_ORGANIZATION' },
  4: { words: ['Identity militia', 'Identity militias'], kind: 'ARMED_ORGANIZATION' },
  5: { words: ['Rioters'], kind: 'COMMUNITY' },
  6: { words: ['Protesters'], kind: 'COMMUNITY' },
  7: { words: ['Civilians'], kind: 'COMMUNITY' },
  8: { words: ['External/Other forces'], kind: null },
};
/** ACLED's code for civilians: an actor2 so coded is the VICTIM. */
const ACLED_CIVILIANS = 7;
const acledTypeByWords = new Map<string, number>(Object.entries(ACLED_ACTOR_TYPES).flatMap(([code, t]) => t.words.map((w) => [w.toLowerCase(), Number(code)] as const)));

/** The kind an ACLED actor's name says, when no code says more: civilians, a state's military or police, else an armed group. */
function acledNameKind(name: string): ActorKind {
  return name.startsWith('Civilians') ? 'COMMUNITY' : name.startsWith('Military Forces of') || name.startsWith('Police Forces of') ? 'STATE_AGENCY' : 'ARMED_ORGANIZATION';
}

/**
 * The kind of an associated actor (`assoc_actor_1`, `assoc_actor_2`), which ACLED gives no inter
 * code. Associated with civilians it names who they were (an ethnic or religious group, "Women",
 * "Journalists"): a community. Otherwise by its name: ACLED's identity groups ("Hazara Ethnic
 * Group (Afghanistan)", "Shia Muslim Group (Afghanistan)", a clan) and its categories of civilians
 * are communities, "Government of …" a government, the rest as an actor's name says.
 */
function acledAssociateKind(name: string, ofCivilians: boolean): ActorKind {
  if (ofCivilians || ACLED_COMMUNITY_NAMES.test(name)) return 'COMMUNITY';
  if (name.startsWith('Government of')) return 'GOVERNMENT';
  return acledNameKind(name);
}

/** Names ACLED gives identity groups and categories of civilians (codebook, "Associated actors"). */
const ACLED_COMMUNITY_NAMES =
  /\b(Ethnic|Religious|Communal|Muslim|Christian|Hindu|Sikh|Buddhist|Jewish|Labou?r) Group\b|\bClan\b|^(Civilians|Women|Children|Journalists|Students|Teachers|Farmers|Health Workers|Refugees\/IDPs|Lawyers|Prisoners|Fishers|Herders|Traders) \(/;

/** An associated-actor column's actors: ACLED separates several with semicolons. */
function acledAssociates(row: DatasetRow, column: string, primary: string | null): string[] {
  const names = (row.get(column) ?? '').split(';').map((n) => n.trim()).filter((n) => n !== '');
  if (names.length > 0 && primary === null) row.problem(column, `names associated actors, but ${column === 'assoc_actor_1' ? 'actor1' : 'actor2'} is empty`);
  return [...new Set(names)].filter((n) => n !== primary);
}

/**
 * The actor type an inter column codes (1–8), 0 for "no actor" (numeric exports write 0 in
 * `inter2` when there is no actor2), null when empty; a problem when it is none of them or does
 * not fit its actor column.
 */
function acledActorType(row: DatasetRow, column: string, actorColumn: string, actor: string | null): number | null {
  const value = row.get(column);
  if (value === null) return null;
  const code = /^[0-8]$/.test(value) ? Number(value) : acledTypeByWords.get(value.toLowerCase());
  if (code === undefined) {
    row.problem(column, `"${value}" is not an ACLED actor type (1–8, or in words: ${Object.values(ACLED_ACTOR_TYPES).map((t) => t.words[0]).join(', ')})`);
    return null;
  }
  if (code === 0 && actor !== null) row.problem(column, `0 codes no actor, but ${actorColumn} is "${actor}"`);
  if (code !== 0 && actor === null) row.problem(column, `"${value}" codes an actor, but ${actorColumn} is empty`);
  return code;
}

/** The actor types an `interaction` value names: "12" or "State forces-Rebel group"; "10" or "State forces only" with 0 for the missing side. */
function acledInteractionTypes(value: string): [number, number] | null {
  if (/^[1-8][0-8]$/.test(value)) return [Number(value[0]), Number(value[1])];
  const type = (words: string) => acledTypeByWords.get(words.trim().toLowerCase());
  const sole = /^(.+) only$/i.exec(value) ?? /^sole (.+)$/i.exec(value);
  const pair = sole ? [type(sole[1]!), 0] : value.split('-').map(type);
  return pair.length === 2 && pair.every((c) => c !== undefined) ? (pair as [number, number]) : null;
}

/**
 * `interaction` (when given) must be the pair of the `inter1` and `inter2` codes, lower first, or
 * the one code of an event without actor2: the pair `Event.dyad` reports from side A (actor1) and
 * side B (actor2) the same way. Checked only when the inter codes are given.
 */
function checkAcledInteraction(row: DatasetRow, inter1: number | null, inter2: number | null, hasActor2: boolean): void {
  const value = row.get('interaction');
  if (value === null) return;
  const named = acledInteractionTypes(value);
  if (!named) {
    row.problem('interaction', `"${value}" is not an ACLED interaction (two codes as "12", or in words as "State forces-Rebel group" or "State forces only")`);
    return;
  }
  if (inter1 === null || inter1 === 0 || (hasActor2 && (inter2 === null || inter2 === 0))) return;
  const expected = [inter1, hasActor2 ? inter2! : 0].sort((a, b) => a - b);
  const given = [...named].sort((a, b) => a - b);
  if (expected[0] !== given[0] || expected[1] !== given[1]) {
    const code = hasActor2 ? Math.min(inter1, inter2!) * 10 + Math.max(inter1, inter2!) : inter1 * 10;
    row.problem('interaction', `"${value}" is not the interaction of inter1 and inter2 (${code})`);
  }
}

/** ACLED's CSV export (the data export tool and the API's CSV), codebook 2023 and later. */
const acled: DatasetFormat = {
  name: 'acled',
  dataset: 'ACLED',
  publisher: 'Armed Conflict Location & Event Data (ACLED)',
  eventScheme: 'ACLED_EVENT_ID',
  required: ['event_id_cnty', 'event_date', 'time_precision', 'event_type', 'sub_event_type', 'actor1', 'actor2', 'iso', 'country', 'location', 'fatalities'],
  map(row) {
    const id = row.externalId('event_id_cnty', this.eventScheme, 'event');
    row.need('event_id_cnty');
    const dateValue = row.need('event_date');
    const day = dateValue ? acledDay(dateValue) : null;
    if (dateValue && !day) row.problem('event_date', `must be a date (YYYY-MM-DD or "22 March 2024"), got "${dateValue}"`);
    const precision = row.oneOf('time_precision', ['1', '2', '3'] as const);
    const type = row.need('event_type');
    if (type && !(ACLED_VIOLENCE as readonly string[]).includes(type)) {
      row.problem('event_type', `"${type}" is not political violence (${ACLED_VIOLENCE.join(', ')}): this knowledge base holds attacks, not protests, riots or strategic developments; filter the export`);
    }
    const sub = row.need('sub_event_type');
    const fatalities = row.count('fatalities');
    // Checked as every figure is (casualtiesSchema): one past the limit failed the COPY into an integer column.
    const killed = fatalities === null ? null : rowCasualties(row, { low: fatalities, best: fatalities, high: fatalities, text: String(fatalities) }, [], { low: 'fatalities', best: 'fatalities', high: 'fatalities' });
    const country = countryPlace(row.need('country'), row.get('iso'));
    const location = row.get('location');
    // geo_precision (codebook): 1 the town itself, 2 near it or part of a region, 3 only a larger region (its capital).
    const point = row.location('latitude', 'longitude', 'geo_precision', { '1': 'EXACT', '2': 'NEAR', '3': 'ADMIN1' });
    const actor1 = row.need('actor1');
    const actor2 = row.get('actor2');
    const inter1 = acledActorType(row, 'inter1', 'actor1', actor1 || null);
    const inter2 = acledActorType(row, 'inter2', 'actor2', actor2);
    checkAcledInteraction(row, inter1, inter2, actor2 !== null);
    const associates1 = acledAssociates(row, 'assoc_actor_1', actor1 || null);
    const associates2 = acledAssociates(row, 'assoc_actor_2', actor2);
    // A week-precise day within three days of the range's ends spans days the knowledge base does not take.
    if (day && precision === '2' && !(isDay(addDays(day, -3)) && isDay(addDays(day, 3)))) {
      row.problem('event_date', `the week around ${day} (time_precision 2) must lie between ${DATE_RANGE.earliest} and ${DATE_RANGE.latest}`);
    }
    if (row.problems.length > 0 || !id || !day || !precision) return null;
    // time_precision (codebook): 1 the day is known; 2 only the week (the middle day is coded); 3 only the month.
    const date =
      precision === '1' ? { text: dateValue, earliest: day, latest: day, precision: 'DAY' }
      : precision === '2' ? { text: `${dateValue} (within a week)`, earliest: addDays(day, -3), latest: addDays(day, 3), precision: 'RANGE' }
      : { text: `${dateValue} (within the month)`, earliest: `${day.slice(0, 8)}01`, latest: addDays(addDays(`${day.slice(0, 8)}01`, 32).slice(0, 8) + '01', -1), precision: 'MONTH' };
    // admin3 has no place kind of its own: it stays in the text.
    const areas = adminPlaces(country, row.get('admin1'), row.get('admin2'));
    const place = location ? locationPlace(country, location, point && { ...point, gazetteer: `ACLED ${id.value}` }, areas.admin2 ?? areas.admin1 ?? country) : null;
    const named = [actor1, actor2].filter((a): a is string => a !== null);
    // Each actor with its inter code, and the kind that code gives (null: the name decides).
    const sides = named.map((name, i) => {
      const code = i === 0 ? inter1 : inter2;
      const coded = code ? ACLED_ACTOR_TYPES[code]!.kind : null;
      return { name, column: i === 0 ? 'actor1' : 'actor2', interColumn: i === 0 ? 'inter1' : 'inter2', code, coded };
    });
    // A new actor's kind is its inter code's, its profile quoting that line too; a stored actor keeps its own (the loader).
    const actors = sides.map((s) => ({
      slug: slugOf('acled', s.name),
      name: nameOf(s.name),
      kind: s.coded ?? acledNameKind(s.name),
      externalId: { scheme: 'ACLED_ACTOR', value: nameOf(s.name) },
      quotes: s.coded ? row.spansOf(s.column, s.interColumn) : row.span(s.column),
    }));
    // actor2 is civilians when inter2 codes them (7), else when its name says so: then the victims.
    // Otherwise, in Battles (codebook: a violent interaction between two organised armed groups)
    // actor2 fought too: a perpetrator, as UCDP's sides of state-based and non-state violence are,
    // its role resting on the event_type line. In the other event types actor2 is who the event
    // was against: the target. A coded inter2 is a line the role rests on (civilians or not).
    const civilians = sides[1] ? (sides[1].coded ? sides[1].code === ACLED_CIVILIANS : acledNameKind(sides[1].name) === 'COMMUNITY') : false;
    const battle = !civilians && type === 'Battles';
    const actor2Role = civilians ? 'VICTIM' : battle ? 'PERPETRATOR' : 'TARGET';
    const actor2Lines = [...(battle ? ['event_type'] : []), ...(sides[1]?.coded ? ['inter2'] : [])];
    const associates = [
      ...associates1.map((name) => ({ name, column: 'assoc_actor_1', kind: acledAssociateKind(name, false) })),
      ...associates2.map((name) => ({ name, column: 'assoc_actor_2', kind: acledAssociateKind(name, civilians) })),
    ].filter((a, i, all) => !named.includes(a.name) && all.findIndex((b) => b.name === a.name) === i);
    const associated = associates.map((a) => ({
      slug: slugOf('acled', a.name),
      name: nameOf(a.name),
      kind: a.kind,
      externalId: { scheme: 'ACLED_ACTOR', value: nameOf(a.name) },
      quotes: row.span(a.column),
    }));
    const slug = `acled-${id.value.toLowerCase()}`;
    return {
      line: row.line,
      source: { slug, title: `ACLED event ${id.value}`, publisher: this.publisher, dataset: this.dataset, text: row.text, externalId: id },
      event: {
        slug,
        title: nameOf(`${sub}: ${named.join(' – ')}${location ? `, ${location}` : ''} (ACLED ${id.value})`),
        kind: ACLED_KINDS[sub] ?? 'ATTACK',
        date,
        place: (place ?? areas.admin2 ?? areas.admin1 ?? country).slug,
        // fatalities: one figure, ACLED's best count; no split by who died.
        killed,
        wounded: null,
        externalId: id,
        confidence: DATASET_CONFIDENCE,
        quotes: row.spansOf('event_id_cnty', 'event_date', 'time_precision', 'event_type', 'sub_event_type', 'country', 'location', 'latitude', 'longitude', 'geo_precision', 'fatalities'),
      },
      places: placesOf(country, areas.admin1, areas.admin2, place),
      actors: [...actors, ...associated],
      // actor1 carried out the event; actor2 in the role above (victims, a fighting side in
      // Battles, else the target). Associated actors (ACLED: involved alongside the primary actor,
      // or its identity): of actor1, IMPLICATED (involved, not shown to have carried it out); of
      // actor2, in actor2's role (the civilians' identity, "Hazara Ethnic Group", were the victims;
      // a battle's second side fought). Each quotes the primary actor's line and its own.
      participations: [
        ...actors.map((a, i) =>
          i === 0
            ? { actor: a.slug, role: 'PERPETRATOR', side: battle ? ('A' as const) : null, confidence: DATASET_CONFIDENCE, quotes: row.spansOf('actor1', 'sub_event_type') }
            : { actor: a.slug, role: actor2Role, side: battle ? ('B' as const) : null, confidence: DATASET_CONFIDENCE, quotes: row.spansOf('actor2', ...actor2Lines, 'sub_event_type') },
        ),
        ...associates.map((a, i) =>
          a.column === 'assoc_actor_1'
            ? { actor: associated[i]!.slug, role: 'IMPLICATED', confidence: DATASET_CONFIDENCE, quotes: row.spansOf('actor1', 'assoc_actor_1', 'sub_event_type') }
            : { actor: associated[i]!.slug, role: actor2Role, side: battle ? ('B' as const) : null, confidence: DATASET_CONFIDENCE, quotes: row.spansOf('actor2', 'assoc_actor_2', ...actor2Lines, 'sub_event_type') },
        ),
      ],
    };
  },
};

/** GTD attacktype1 codes with a kind of their own here (codebook §2.3); the rest are ATTACKs. */
const GTD_KINDS: Record<string, string> = { '1': 'ASSASSINATION_ATTEMPT' };

/** The Global Terrorism Database's published CSV (the GTD codebook's variable names). */
const gtd: DatasetFormat = {
  name: 'gtd',
  dataset: 'GTD',
  publisher: 'Global Terrorism Database (START, University of Maryland)',
  eventScheme: 'GTD_EVENTID',
  required: ['eventid', 'iyear', 'imonth', 'iday', 'country_txt', 'city', 'attacktype1', 'attacktype1_txt', 'suicide', 'gname', 'nkill', 'nwound'],
  map(row) {
    const id = row.externalId('eventid', this.eventScheme, 'event');
    row.need('eventid');
    const year = row.count('iyear');
    const month = row.count('imonth');
    const dayOfMonth = row.count('iday');
    const suicide = row.oneOf('suicide', ['0', '1'] as const);
    const attack = row.need('attacktype1');
    // nkill / nwound: the total, exact as coded; nkillter / nwoundte: how many of them were the perpetrators.
    const figure = (totalColumn: string, perpetratorsColumn: string) => {
      const total = row.count(totalColumn);
      const perpetrators = row.count(perpetratorsColumn);
      const parts: ColumnPart[] = perpetrators === null ? [] : [{ category: 'PERPETRATORS', column: perpetratorsColumn, low: perpetrators, best: perpetrators, high: perpetrators }];
      if (row.problems.length > 0) return null;
      return rowCasualties(row, total === null ? null : { low: total, best: total, high: total, text: String(total) }, parts, { low: totalColumn, best: totalColumn, high: totalColumn });
    };
    const killed = figure('nkill', 'nkillter');
    const wounded = figure('nwound', 'nwoundte');
    const country = countryPlace(row.need('country_txt'));
    const city = row.get('city');
    // specificity (codebook): 1 the town's own coordinates; 2–3 the centroid of the smallest
    // administrative area found; 4 of the province; 5 none could be found.
    const point = row.location('latitude', 'longitude', 'specificity', { '1': 'EXACT', '2': 'ADMIN2', '3': 'ADMIN2', '4': 'ADMIN1', '5': null });
    row.need('gname');
    // iday 0: day unknown; imonth 0: month unknown (codebook).
    let date: DatasetRecord['event']['date'] | null = null;
    if (year !== null && month !== null && dayOfMonth !== null) {
      const y = String(year).padStart(4, '0');
      const m = String(month).padStart(2, '0');
      const first = `${y}-${m}-01`;
      // Only for a real month: a year past what Date holds (iyear 99999999999) made toISOString throw.
      const lastOfMonth = () => new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
      const day = `${y}-${m}-${String(dayOfMonth).padStart(2, '0')}`;
      if (month === 0) date = isDay(`${y}-01-01`) ? { text: y, earliest: `${y}-01-01`, latest: `${y}-12-31`, precision: 'YEAR' } : null;
      else if (dayOfMonth === 0) date = isDay(first) ? { text: `${y}-${m}`, earliest: first, latest: lastOfMonth(), precision: 'MONTH' } : null;
      else date = isDay(day) ? { text: day, earliest: day, latest: day, precision: 'DAY' } : null;
      if (!date) row.problem('iday', `iyear ${year}, imonth ${month}, iday ${dayOfMonth} is not a date`);
    }
    if (row.problems.length > 0 || !id || !date || !suicide) return null;
    const province = row.get('provstate');
    const areas = adminPlaces(country, province && province !== 'Unknown' ? province : null, null);
    const place = city && city !== 'Unknown' ? locationPlace(country, city, point && { ...point, gazetteer: `GTD ${id.value}` }, areas.admin1 ?? country) : null;
    // gname and, where the file has them, gname2 and gname3 (codebook: a second and third group
    // named as responsible), each with its own suspicion and claim columns; "Unknown" names none.
    const groups = [
      { column: 'gname', uncertain: 'guncertain1', claim: 'claimed' },
      { column: 'gname2', uncertain: 'guncertain2', claim: 'claim2' },
      { column: 'gname3', uncertain: 'guncertain3', claim: 'claim3' },
    ]
      .map((g) => ({ ...g, name: row.get(g.column) }))
      .filter((g): g is typeof g & { name: string } => g.name !== null && g.name !== 'Unknown')
      .filter((g, i, all) => all.findIndex((h) => h.name === g.name) === i);
    const actors = groups.map((g) => ({ slug: slugOf('gtd', g.name), name: nameOf(g.name), kind: 'ARMED_ORGANIZATION', externalId: null, quotes: row.span(g.column) }));
    const kind = suicide === '1' ? (attack === '3' ? 'SUICIDE_BOMBING' : 'SUICIDE_ATTACK') : (GTD_KINDS[attack] ?? 'ATTACK');
    const slug = `gtd-${id.value}`;
    return {
      line: row.line,
      source: { slug, title: `GTD incident ${id.value}`, publisher: this.publisher, dataset: this.dataset, text: row.text, externalId: id },
      event: {
        slug,
        title: nameOf(`${row.get('attacktype1_txt') ?? 'Attack'}${city ? `, ${city}` : ''}, ${country.name} (GTD ${id.value})`),
        kind,
        date,
        place: (place ?? areas.admin2 ?? areas.admin1 ?? country).slug,
        killed,
        wounded,
        externalId: id,
        confidence: DATASET_CONFIDENCE,
        quotes: row.spansOf('eventid', 'iyear', 'imonth', 'iday', 'country_txt', 'city', 'latitude', 'longitude', 'specificity', 'attacktype1_txt', 'suicide', 'nkill', 'nkillter', 'nwound', 'nwoundte'),
      },
      places: placesOf(country, areas.admin1, place),
      actors,
      // guncertain1 = 1: the attribution is suspected (codebook); claimed = 1: the group claimed it
      // (guncertain2/3 and claim2/3 for the second and third group).
      participations: groups.flatMap((g, i) => {
        const uncertain = row.get(g.uncertain) === '1';
        const perpetrator = { actor: actors[i]!.slug, role: uncertain ? 'IMPLICATED' : 'PERPETRATOR', confidence: uncertain ? 50 : DATASET_CONFIDENCE, quotes: row.spansOf(g.column, g.uncertain) };
        return row.get(g.claim) === '1'
          ? [perpetrator, { actor: actors[i]!.slug, role: 'CLAIMED_RESPONSIBILITY', confidence: DATASET_CONFIDENCE, quotes: row.spansOf(g.column, g.claim) }]
          : [perpetrator];
      }),
    };
  },
};

export const DATASET_FORMATS: Record<string, DatasetFormat> = { 'ucdp-ged': ucdpGed, acled, gtd };
