/**
 * Writes a synthetic dataset file in one of the formats the importers read (UCDP GED, ACLED, GTD),
 * with the formats' full column sets and made-up values (no real data): for the throughput
 * benchmark (scripts/bench-datasets.ts) and to try an importer at scale.
 *
 *   npx tsx scripts/generate-dataset.ts --format ucdp-ged --rows 100000 --out /tmp/ged.csv
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { stringify } from 'csv-stringify/sync';

const COUNTRIES = [
  { name: 'Afghanistan', iso: '4', gw: '700' },
  { name: 'Pakistan', iso: '586', gw: '770' },
  { name: 'Iraq', iso: '368', gw: '645' },
  { name: 'Syria', iso: '760', gw: '652' },
  { name: 'Nigeria', iso: '566', gw: '475' },
  { name: 'Somalia', iso: '706', gw: '520' },
  { name: 'Mali', iso: '466', gw: '432' },
  { name: 'Yemen', iso: '887', gw: '679' },
];

const HEADERS = {
  'ucdp-ged': 'id,relid,year,active_year,code_status,type_of_violence,conflict_dset_id,conflict_new_id,conflict_name,dyad_dset_id,dyad_new_id,dyad_name,side_a_dset_id,side_a_new_id,side_a,side_b_dset_id,side_b_new_id,side_b,number_of_sources,source_article,source_office,source_date,source_headline,source_original,where_prec,where_coordinates,where_description,adm_1,adm_2,latitude,longitude,geom_wkt,priogrid_gid,country,country_id,region,event_clarity,date_prec,date_start,date_end,deaths_a,deaths_b,deaths_civilians,deaths_unknown,best,high,low,gwnoa,gwnob',
  acled: 'event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp',
  gtd: 'eventid,iyear,imonth,iday,approxdate,extended,resolution,country,country_txt,region,region_txt,provstate,city,latitude,longitude,specificity,vicinity,location,summary,crit1,crit2,crit3,doubtterr,alternative,alternative_txt,multiple,success,suicide,attacktype1,attacktype1_txt,targtype1,targtype1_txt,target1,natlty1,natlty1_txt,gname,gsubname,guncertain1,individual,nperps,nperpcap,claimed,weaptype1,weaptype1_txt,nkill,nkillus,nkillter,nwound,nwoundus,nwoundte,property,ishostkid,INT_LOG,INT_IDEO,INT_MISC,INT_ANY',
} as const;
export type GeneratedFormat = keyof typeof HEADERS;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Row i of a synthetic file, as the format's columns in order. */
function row(format: GeneratedFormat, i: number): (string | number)[] {
  const c = COUNTRIES[i % COUNTRIES.length]!;
  const year = 2010 + (i % 14);
  const month = 1 + (i % 12);
  const day = 1 + (i % 28);
  const date = `${year}-${pad(month)}-${pad(day)}`;
  const group = `Synthetic Group ${i % 200}`;
  const town = `Town ${i % 1000}`;
  const killed = i % 13;
  switch (format) {
    case 'ucdp-ged': {
      const violence = 1 + (i % 3);
      const sideB = violence === 3 ? 'Civilians' : `Synthetic Group ${(i + 7) % 200}`;
      const sideBId = violence === 3 ? 1 : 20000 + ((i + 7) % 200);
      return [1_000_000 + i, `SYN-${i}`, year, 1, 'Clear', violence, 1000 + (i % 50), 1000 + (i % 50), `${c.name}: synthetic`, 2000 + (i % 200), 2000 + (i % 200), `${group} - ${sideB}`,
        20000 + (i % 200), 20000 + (i % 200), group, sideBId, sideBId, sideB, 1, `Synthetic Wire, "report ${i}", ${date}`, 'Synthetic Wire', date, `Report ${i}`, '', 1 + (i % 7), town, `${town} (synthetic)`,
        `Province ${i % 40}`, `District ${i % 400}`, 30 + (i % 10) / 10, 60 + (i % 10) / 10, `POINT (${60 + (i % 10) / 10} ${30 + (i % 10) / 10})`, 170000 + (i % 1000), c.name, c.gw, 'Asia', 1, 1, date, date,
        killed % 3, killed % 5, violence === 3 ? killed : 0, 0, killed, killed + 2, killed, c.gw, ''];
    }
    case 'acled': {
      const kinds = [['Violence against civilians', 'Attack'], ['Explosions/Remote violence', 'Suicide bomb'], ['Battles', 'Armed clash'], ['Explosions/Remote violence', 'Remote explosive/landmine/IED']] as const;
      const [type, sub] = kinds[i % kinds.length]!;
      const actor2 = type === 'Battles' ? `Military Forces of ${c.name}` : `Civilians (${c.name})`;
      return [`SYN${1_000_000 + i}`, date, year, 1 + (i % 3), 'Political violence', type, sub, group, '', 2, actor2, '', type === 'Battles' ? 1 : 7, type === 'Battles' ? 12 : 27, type === 'Battles' ? '' : 'Civilian targeting',
        c.iso, 'Synthetic region', c.name, `Province ${i % 40}`, `District ${i % 400}`, '', town, 30 + (i % 10) / 10, 60 + (i % 10) / 10, 1, 'Synthetic Wire', 'National',
        `On ${date}, a synthetic event number ${i} took place in ${town}; ${killed} killed.`, killed, '', 1_600_000_000 + i];
    }
    case 'gtd': {
      const attack = 1 + (i % 9);
      const names = ['Assassination', 'Armed Assault', 'Bombing/Explosion', 'Hijacking', 'Hostage Taking (Barricade Incident)', 'Hostage Taking (Kidnapping)', 'Facility/Infrastructure Attack', 'Unarmed Assault', 'Unknown'];
      // Twelve digits as the GTD writes them; unique per row rather than date-prefixed.
      return [String(200_000_000_000 + i), year, i % 17 === 0 ? 0 : month, i % 11 === 0 ? 0 : day, '', 0, '', 4, c.name, 6, 'South Asia',
        `Province ${i % 40}`, town, 30 + (i % 10) / 10, 60 + (i % 10) / 10, 1, 0, '', `Synthetic incident ${i}.`, 1, 1, 1, 0, '', '', 0, 1, i % 19 === 0 ? 1 : 0, attack, names[attack - 1]!,
        3, 'Police', 'Checkpoint', 4, c.name, i % 23 === 0 ? 'Unknown' : group, '', i % 5 === 0 ? 1 : 0, 0, -99, -99, i % 4 === 0 ? 1 : 0, 6, 'Explosives', killed, 0, 0, killed * 2, 0, 0, 0, 0, 0, 0, 0, 0];
    }
  }
}

/** Writes `rows` rows of `format` to `path`. */
export async function generateDataset(format: GeneratedFormat, rows: number, path: string): Promise<void> {
  const out = createWriteStream(path);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(`${HEADERS[format]}\n`);
  const BATCH = 1000;
  for (let i = 0; i < rows; i += BATCH) {
    await write(stringify(Array.from({ length: Math.min(BATCH, rows - i) }, (_, j) => row(format, i + j))));
  }
  out.end();
  await once(out, 'finish');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { format: { type: 'string' }, rows: { type: 'string', default: '100000' }, out: { type: 'string' } } });
  const format = values.format as GeneratedFormat | undefined;
  if (!format || !(format in HEADERS) || !values.out) {
    console.error(`usage: npx tsx scripts/generate-dataset.ts --format ${Object.keys(HEADERS).join('|')} --rows N --out FILE.csv`);
    process.exit(2);
  }
  await generateDataset(format, Number(values.rows), values.out);
  console.log(`${values.out}: ${values.rows} ${format} rows`);
}
