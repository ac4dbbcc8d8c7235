import { afterAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../src/graphql/global-id.ts';
import { openApi } from './helpers.ts';

const api = openApi();
afterAll(() => api.close());

describe('doctrines', () => {
  it('form a hierarchy with cited definitions', async () => {
    const { data } = await api.query<{ doctrine: Record<string, unknown> }>(`{
      doctrine(slug: "sunni-islam") {
        name parent { slug } children { slug parent { slug } }
        citations { quote }
      }
    }`);
    expect(data?.doctrine).toMatchObject({
      name: 'Sunni Islam',
      parent: { slug: 'islam' },
      children: [{ slug: 'deobandi', parent: { slug: 'sunni-islam' } }],
    });
  });

  it('list their direct adherents as cited claims', async () => {
    const { data } = await api.query<{ doctrine: { adherents: { totalCount: number; nodes: { actor: { slug: string }; citations: { quote: string }[] }[] } } }>(`{
      doctrine(slug: "salafism") { adherents { totalCount nodes { actor { slug } confidence note citations { quote } } } }
    }`);
    expect(data?.doctrine.adherents.nodes.map((n) => n.actor.slug).sort()).toEqual(['isis-k', 'tajiks']);
    expect(data?.doctrine.adherents.totalCount).toBe(2);
  });

  it('are listed by name with a total', async () => {
    const { data } = await api.query<{ doctrines: { totalCount: number; nodes: { slug: string }[] } }>(`{ doctrines { totalCount nodes { slug } } }`);
    expect(data?.doctrines.totalCount).toBe(5);
    expect(data?.doctrines.nodes.map((n) => n.slug)).toEqual(['deobandi', 'islam', 'salafism', 'shia-islam', 'sunni-islam']);
  });

  it('give null for an unknown slug', async () => {
    expect((await api.query(`{ doctrine(slug: "x") { name } }`)).data).toEqual({ doctrine: null });
  });
});

describe('sources and citations', () => {
  it('keep what is known of the source, with its precision, and nothing invented', async () => {
    const { data } = await api.query<{ source: Record<string, unknown> & { text: string } }>(`{
      source(slug: "globely-news-isis-k-long-reach") {
        title publisher author url textSha256 text
        publishedOn { earliest latest precision }
      }
    }`);
    expect(data?.source).toMatchObject({
      title: null,
      url: null,
      publisher: 'Globely News',
      author: 'Arif Rafiq',
      textSha256: '5d5d402c037af33d0e943e1bf140b0053c6f656d43ea83fbbb0350a38fc18a68',
      publishedOn: { earliest: '2024-03-21', latest: '2024-03-31', precision: 'RANGE' },
    });
    expect(data?.source.text.endsWith('Exit mobile version')).toBe(true);
  });

  it('page citations in text order, each the exact text at its offsets', async () => {
    const { data } = await api.query<{ source: { text: string; citations: { totalCount: number; nodes: { quote: string; startOffset: number; endOffset: number; prefix: string; suffix: string }[] } } }>(`{
      source(slug: "globely-news-isis-k-long-reach") { text citations(first: 100) { totalCount nodes { quote startOffset endOffset prefix suffix } } }
    }`);
    const source = data?.source;
    const points = Array.from(source?.text ?? '');
    const nodes = source?.citations.nodes ?? [];
    expect(nodes.length).toBe(Math.min(100, source?.citations.totalCount ?? 0));
    for (const c of nodes) {
      expect(points.slice(c.startOffset, c.endOffset).join('')).toBe(c.quote);
      expect(points.slice(c.startOffset - c.prefix.length, c.startOffset).join('')).toBe(c.prefix);
      expect(points.slice(c.endOffset, c.endOffset + c.suffix.length).join('')).toBe(c.suffix);
    }
    const starts = nodes.map((c) => c.startOffset);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });

  it('are listed with a total', async () => {
    const { data } = await api.query(`{ sources { totalCount nodes { slug } } }`);
    expect(data).toEqual({ sources: { totalCount: 1, nodes: [{ slug: 'globely-news-isis-k-long-reach' }] } });
  });
});

describe('places', () => {
  it('know their country and parent', async () => {
    const { data } = await api.query(`{ place(slug: "kabul-airport") { kind parent { slug } country { slug countryCode region } } }`);
    expect(data).toEqual({
      place: { kind: 'SITE', parent: { slug: 'kabul' }, country: { slug: 'afghanistan', countryCode: 'AF', region: 'Southern Asia' } },
    });
  });

  it('filter by kind', async () => {
    const { data } = await api.query<{ places: { totalCount: number; nodes: { kind: string }[] } }>(`{ places(kind: [CITY], first: 100) { totalCount nodes { kind } } }`);
    expect(data?.places.totalCount).toBe(3);
    expect(new Set(data?.places.nodes.map((n) => n.kind))).toEqual(new Set(['CITY']));
  });
});

describe('node(id) and nodes(ids)', () => {
  it('round-trip every node type through its global ID', async () => {
    const { data } = await api.query<{ actor: { id: string; relationships: { nodes: { id: string }[] }; participations: { nodes: { id: string }[] }; doctrines: { id: string }[]; citations: { id: string }[] }; event: { id: string }; doctrine: { id: string }; source: { id: string }; place: { id: string } }>(`{
      actor(slug: "isis-k") { id relationships(first: 1) { nodes { id } } participations(first: 1) { nodes { id } } doctrines { id } citations { id } }
      event(slug: "kerman-memorial-bombings") { id }
      doctrine(slug: "deobandi") { id }
      source(slug: "globely-news-isis-k-long-reach") { id }
      place(slug: "kerman") { id }
    }`);
    const ids = [
      data?.actor.id, data?.actor.relationships.nodes[0]?.id, data?.actor.participations.nodes[0]?.id, data?.actor.doctrines[0]?.id,
      data?.actor.citations[0]?.id, data?.event.id, data?.doctrine.id, data?.source.id, data?.place.id,
    ];
    const { data: resolved, errors } = await api.query<{ nodes: { __typename: string; id: string }[] }>(`query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, { ids });
    expect(errors).toBeUndefined();
    expect(resolved?.nodes.map((n) => n.__typename)).toEqual(['Actor', 'Relationship', 'Participation', 'Adherence', 'Citation', 'Event', 'Doctrine', 'Source', 'Place']);
    expect(resolved?.nodes.map((n) => n.id)).toEqual(ids);
    const single = await api.query(`query($id: ID!) { node(id: $id) { ... on Event { slug } } }`, { id: data?.event.id });
    expect(single.data).toEqual({ node: { slug: 'kerman-memorial-bombings' } });
  });

  it('give null for a well-formed ID of a record that does not exist', async () => {
    const response = await api.query(`query($id: ID!) { node(id: $id) { id } }`, { id: encodeGlobalId('Actor', 999999) });
    expect(response.data).toEqual({ node: null });
  });
});
