/** Actor.reach on the seeded article: ISIS-K's reach beyond Southern Asia is the article's subject. */
import { afterAll, describe, expect, it } from 'vitest';
import { openApi } from './helpers.ts';

const api = openApi();
afterAll(() => api.close());

interface Row { country: { slug: string }; region: string; role: string; events: number; firstDate: string | null; lastDate: string | null; extraRegional: boolean | null }
interface RegionRow { region: string; role: string; events: number; countries: number; extraRegional: boolean | null }
interface Reach { homeRegion: string | null; countries: Row[]; regions: RegionRow[] }

const REACH = `homeRegion
  countries { country { slug } region role events firstDate lastDate extraRegional }
  regions { region role events countries extraRegional }`;

async function reachOf(slug: string, roles?: string[]): Promise<Reach> {
  const r = await api.query<{ actor: { reach: Reach } }>(
    `query($slug: String!, $roles: [ParticipationRole!]) { actor(slug: $slug) { reach(roles: $roles) { ${REACH} } } }`,
    { slug, roles },
  );
  expect(r.errors).toBeUndefined();
  return r.data!.actor.reach;
}

describe('Actor.reach', () => {
  it('ISIS-K reaches Afghanistan, Pakistan, Iran and Russia, and beyond Southern Asia', async () => {
    const reach = await reachOf('isis-k');
    expect(reach.homeRegion).toBe('Southern Asia');
    const countries = new Set(reach.countries.map((c) => c.country.slug));
    for (const slug of ['afghanistan', 'pakistan', 'iran', 'russia', 'austria', 'germany', 'turkey', 'uzbekistan']) {
      expect(countries).toContain(slug);
    }
    // Carried out in Afghanistan: the targeting campaign, Kabul airport, the Hazara campaign, the
    // embassy storming and the southern blast — from 2015 to March 2024.
    expect(reach.countries.find((c) => c.country.slug === 'afghanistan' && c.role === 'PERPETRATOR')).toEqual({
      country: { slug: 'afghanistan' }, region: 'Southern Asia', role: 'PERPETRATOR', events: 5,
      firstDate: '2015-01-01', lastDate: '2024-03-31', extraRegional: false,
    });
    expect(reach.countries.find((c) => c.country.slug === 'iran' && c.role === 'CLAIMED_RESPONSIBILITY')).toMatchObject({
      events: 1, firstDate: '2024-01-01', lastDate: '2024-01-31', extraRegional: false,
    });
    const russia = reach.countries.filter((c) => c.country.slug === 'russia');
    expect(russia.map((c) => c.role).sort()).toEqual(['ATTRIBUTED', 'IMPLICATED']);
    expect(russia.every((c) => c.extraRegional === true && c.region === 'Eastern Europe')).toBe(true);
    // Extra-regional: Russia, Austria, Germany, Turkey, Uzbekistan; none of it as perpetrator.
    const beyond = new Set(reach.countries.filter((c) => c.extraRegional).map((c) => c.country.slug));
    expect([...beyond].sort()).toEqual(['austria', 'germany', 'russia', 'turkey', 'uzbekistan']);
    expect(reach.regions.find((r) => r.region === 'Western Europe' && r.role === 'IMPLICATED')).toEqual({
      region: 'Western Europe', role: 'IMPLICATED', events: 2, countries: 2, extraRegional: true,
    });
    expect(reach.regions[0]).toMatchObject({ region: 'Southern Asia', role: 'PERPETRATOR', events: 7, countries: 2 });
  });

  it('narrows to roles: as perpetrator ISIS-K stays within Southern Asia', async () => {
    const reach = await reachOf('isis-k', ['PERPETRATOR']);
    expect(reach.countries.map((c) => [c.country.slug, c.events])).toEqual([['afghanistan', 5], ['pakistan', 2]]);
    expect(reach.countries.every((c) => c.extraRegional === false)).toBe(true);
  });

  it('leaves extraRegional null for an actor without a home country, and is empty without events', async () => {
    const isis = await reachOf('isis');
    expect(isis.homeRegion).toBeNull();
    expect(isis.countries).toEqual([
      expect.objectContaining({ country: { slug: 'russia' }, role: 'CLAIMED_RESPONSIBILITY', extraRegional: null }),
    ]);
    expect(await reachOf('tom-west')).toEqual({ homeRegion: 'Northern America', countries: [], regions: [] });
  });

  it('loads the reach of a page of actors in one statement', async () => {
    api.resetStatements();
    const r = await api.query<{ actors: { nodes: { slug: string; reach: Reach }[] } }>(
      `{ actors(first: 40) { nodes { slug reach { countries { country { name } events } } } } }`,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.actors.nodes.length).toBeGreaterThan(30);
    // actors page, reach, countries
    expect(api.statements).toHaveLength(3);
  });
});
