/**
 * What README.md and docs/*.md show a user still works: every ```graphql block is a complete
 * operation that validates against the schema (a block that is only a fragment of one is marked
 * `<!-- fragment -->` on the line before its fence), the README's example queries run on the seed
 * and give the answers its text states, and the figures the text quotes from the seed are the
 * seed's. docs/performance.md is a dated measurement log and is not checked.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parse, validate } from 'graphql';
import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { schema } from '../src/graphql/schema.ts';
import { openApi } from './helpers.ts';

const root = new URL('../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');
const DOC_FILES = [
  'README.md',
  ...readdirSync(new URL('docs/', root))
    .filter((name) => name.endsWith('.md') && name !== 'performance.md')
    .sort()
    .map((name) => `docs/${name}`),
];

interface Block {
  file: string;
  line: number;
  source: string;
  fragment: boolean;
}

const FRAGMENT_MARK = '<!-- fragment -->';

/** The ```graphql blocks of a markdown text, each with its line and whether it is marked a fragment. */
function graphqlBlocks(file: string, text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(\s*)```graphql\s*$/.exec(lines[i] ?? '');
    if (!fence) continue;
    const indent = fence[1] ?? '';
    const end = lines.findIndex((l, j) => j > i && l.trimEnd() === `${indent}\`\`\``);
    if (end < 0) throw new Error(`${file}:${i + 1}: a graphql block is never closed`);
    let before = i - 1;
    while (before >= 0 && (lines[before] ?? '').trim() === '') before--;
    blocks.push({
      file,
      line: i + 1,
      source: lines.slice(i + 1, end).join('\n'),
      fragment: (lines[before] ?? '').trim() === FRAGMENT_MARK,
    });
    i = end;
  }
  return blocks;
}

const blocks = DOC_FILES.flatMap((file) => graphqlBlocks(file, read(file)));
const operations = blocks.filter((b) => !b.fragment);
const fragments = blocks.filter((b) => b.fragment);
const readme = read('README.md');
/** The README with every run of whitespace made one space, as its wrapped lines read. */
const flatReadme = readme.replace(/\s+/g, ' ');
const readmeOperations = operations.filter((b) => b.file === 'README.md');

function validationErrors(source: string): string[] {
  return validate(schema, parse(source)).map((e) => e.message);
}

describe('graphql blocks in the docs', () => {
  it('are found: the extraction has not silently stopped matching', () => {
    expect(readmeOperations.length).toBeGreaterThanOrEqual(2);
    expect(operations.filter((b) => b.file === 'docs/writes.md').length).toBeGreaterThanOrEqual(5);
  });

  it.each(operations.map((b) => [`${b.file}:${b.line}`, b] as const))('%s is a complete operation valid against the schema', (_where, block) => {
    expect(validationErrors(block.source)).toEqual([]);
  });

  it('marks as fragments only blocks that are not complete operations', () => {
    // Every block marked as a fragment must fail to parse or validate on its own; one that is a
    // valid operation should lose the mark and be checked like the rest.
    const valid = fragments.filter((b) => {
      try {
        return validationErrors(b.source).length === 0;
      } catch {
        return false;
      }
    });
    expect(valid.map((b) => `${b.file}:${b.line}`)).toEqual([]);
  });

  it('recognises the fragment mark and a block that is no complete operation', () => {
    const [marked, plain] = graphqlBlocks('x.md', ['<!-- fragment -->', '', '```graphql', 'name aliases', '```', '```graphql', '{ actor(slug: "x") { name } }', '```'].join('\n'));
    expect(marked).toMatchObject({ fragment: true, line: 3, source: 'name aliases' });
    expect(plain).toMatchObject({ fragment: false, line: 6 });
    expect(() => validationErrors(marked?.source ?? '')).toThrow();
    expect(validationErrors('{ actor(slug: "x") { nmae } }')).not.toEqual([]);
  });
});

describe('the README on the seed', () => {
  const api = openApi();
  afterAll(() => api.close());

  type Run = { status: number; data?: Record<string, unknown>; errors?: unknown[] };
  const run = async (query: string, variables?: Record<string, unknown>): Promise<Run> => api.query(query, variables);

  it('runs every README example block without errors', async () => {
    for (const block of readmeOperations) {
      const response = await run(block.source);
      expect({ where: `README.md:${block.line}`, errors: response.errors }).toEqual({ where: `README.md:${block.line}`, errors: undefined });
      expect(response.status).toBe(200);
    }
  });

  it('"An actor, its doctrines and its rivals, with the quotes": ISIS-K rivals and is at war with the Afghan Taliban', async () => {
    const block = readmeOperations.find((b) => b.source.includes('actor(slug: "isis-k")'));
    expect(block).toBeDefined();
    const response = await run(block?.source ?? '');
    type Actor = {
      name: string;
      aliases: string[];
      doctrines: { citations: { quote: string }[] }[];
      relationships: { totalCount: number; nodes: { type: string; to: { name: string }; citations: { quote: string; startOffset: number; endOffset: number }[] }[] };
    };
    const actor = (response.data as { actor: Actor }).actor;
    expect(actor.name).toBe('Islamic State-Khorasan');
    expect(actor.aliases).toContain('ISIS-K');
    expect(actor.doctrines.length).toBeGreaterThan(0);
    expect(actor.relationships.nodes.map((r) => `${r.type} ${r.to.name}`).sort()).toEqual(['AT_WAR_WITH Afghan Taliban', 'RIVAL_OF Afghan Taliban']);
    const source = read('seed/sources/globely-news-isis-k-long-reach.txt');
    for (const citation of actor.relationships.nodes.flatMap((r) => r.citations)) {
      // Offsets are code points into the source text, and the quote is the text there.
      expect([...source].slice(citation.startOffset, citation.endOffset).join('')).toBe(citation.quote);
    }
  });

  it('"The Moscow attack shows why roles are kept apart": the roles, confidences and attribution the README gives', async () => {
    expect(flatReadme).toContain('ISIS `CLAIMED_RESPONSIBILITY` (confidence 90');
    expect(flatReadme).toContain('ISIS-K `ATTRIBUTED`, `attributedBy` "Unnamed U.S. officials" (90');
    expect(flatReadme).toContain('ISIS-K `IMPLICATED` at 40');
    const block = readmeOperations.find((b) => b.source.includes('events(filter: { actor: "isis-k" }'));
    expect(block).toBeDefined();
    const response = await run(block?.source ?? '');
    type Event = {
      title: string;
      killed: { low: number; best: number | null; high: number | null; parts: { category: string; low: number; high: number; text: string }[] } | null;
      participants: { role: string; actor: { name: string }; attributedBy: { name: string } | null; confidence: number }[];
    };
    const events = (response.data as { events: { totalCount: number; nodes: Event[] } }).events;
    const moscow = events.nodes.find((e) => e.title === 'Moscow concert hall attack');
    expect(moscow?.participants.filter((p) => p.role !== 'VICTIM').map((p) => [p.role, p.actor.name, p.attributedBy?.name ?? null, p.confidence])).toEqual([
      ['CLAIMED_RESPONSIBILITY', 'Islamic State', null, 90],
      ['ATTRIBUTED', 'Islamic State-Khorasan', 'Unnamed U.S. officials', 90],
      ['IMPLICATED', 'Islamic State-Khorasan', null, 40],
    ]);
    // "Casualty estimates": the Kabul airport attack is 183, split 170 civilians and 13 security forces.
    expect(flatReadme).toContain('is 183 in total, 170 `CIVILIANS` ("170 Afghan civilians") and 13 `SECURITY_FORCES`');
    const kabul = events.nodes.find((e) => e.title.includes('Kabul airport'));
    expect(kabul?.killed).toMatchObject({
      low: 183,
      best: 183,
      high: 183,
      parts: [
        { category: 'CIVILIANS', low: 170, high: 170, text: '170 Afghan civilians' },
        { category: 'SECURITY_FORCES', low: 13, high: 13, text: '13 U.S. servicemembers' },
      ],
    });
  });

  it('"Confidence floors": the counts and killed the README quotes for ISIS-K', async () => {
    const stats = `events killed { min }`;
    const response = await run(`{
      all: eventStats(filter: { actor: "isis-k" }) { ${stats} }
      floor60: eventStats(filter: { actor: "isis-k", minConfidence: 60 }) { ${stats} }
      implicated: eventStats(filter: { actor: "isis-k", role: [IMPLICATED] }) { ${stats} }
      implicated60: eventStats(filter: { actor: "isis-k", role: [IMPLICATED], minConfidence: 60 }) { ${stats} }
      floor85: eventStats(filter: { actor: "isis-k", minConfidence: 85 }) { ${stats} }
      acted: eventStats(filter: { actor: "isis-k", role: [PERPETRATOR, CLAIMED_RESPONSIBILITY] }) { ${stats} }
    }`);
    expect(response.errors).toBeUndefined();
    const data = response.data as Record<string, { events: number; killed: { min: number } }>;
    const figures = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, [v.events, v.killed.min]]));
    expect(figures).toEqual({
      all: [14, 335],
      floor60: [14, 335],
      implicated: [6, 101],
      implicated60: [5, 0],
      floor85: [8, 152],
      acted: [8, 234],
    });
    expect(flatReadme).toContain('`eventStats(filter: {actor: "isis-k"})` counts 14 events and at least 335 killed');
    expect(flatReadme).toContain('With `minConfidence: 60` it is still 335');
    expect(flatReadme).toContain('Moscow is gone (6 events become 5)');
    expect(flatReadme).toContain('drop out: 8 events, at least 152 killed');
    expect(flatReadme).toContain('With `role: [PERPETRATOR, CLAIMED_RESPONSIBILITY]` it is 234');
  });

  it('"Dyads": between ISIS-K and the Afghan Taliban is ISIS-K\'s targeting in Afghanistan', async () => {
    const snippet = 'events(filter: { between: ["isis-k", "afghan-taliban"] })';
    expect(flatReadme).toContain(snippet);
    const response = await run(`{ ${snippet} { nodes { slug dyad { sideA { actor { slug } } sideB { actor { slug } } } } } }`);
    type Dyad = { sideA: { actor: { slug: string } }[]; sideB: { actor: { slug: string } }[] };
    const nodes = (response.data as { events: { nodes: { slug: string; dyad: Dyad }[] } }).events.nodes;
    expect(nodes.map((n) => n.slug)).toEqual(['isis-k-targeting-in-afghanistan']);
    expect(nodes[0]?.dyad.sideA.map((s) => s.actor.slug)).toEqual(['isis-k']);
    expect(nodes[0]?.dyad.sideB.map((s) => s.actor.slug)).toContain('afghan-taliban');
  });

  describe('"Other things to try"', () => {
    const tryLine = /Other things to try: (.*?)## The API/.exec(flatReadme)?.[1] ?? '';

    it.each([
      ['actors(filter: { doctrine: "sunni-islam" })', '{ totalCount nodes { slug doctrines { doctrine { slug } } } }'],
      ['actors(filter: { search: "taliban regime" })', '{ totalCount nodes { slug } }'],
      ['events(filter: { country: "afghanistan", from: "2021-01-01" })', '{ totalCount nodes { slug } }'],
      ['source(slug: "globely-news-isis-k-long-reach") { citations { nodes { quote prefix suffix } } }', ''],
    ])('%s is in the README and answers on the seed', async (snippet, selection) => {
      expect(tryLine).toContain(snippet);
      const response = await run(`{ ${snippet} ${selection} }`);
      expect(response.errors).toBeUndefined();
      const [value] = Object.values(response.data ?? {});
      expect(value).not.toBeNull();
    });

    it('the doctrine hierarchy is followed: sunni-islam finds the Deobandi groups', async () => {
      const response = await run('{ actors(filter: { doctrine: "sunni-islam" }) { nodes { slug doctrines { doctrine { slug } } } } }');
      const nodes = (response.data as { actors: { nodes: { slug: string; doctrines: { doctrine: { slug: string } }[] }[] } }).actors.nodes;
      expect(nodes.map((n) => n.slug)).toEqual(expect.arrayContaining(['afghan-taliban', 'pakistani-taliban']));
      expect(nodes.flatMap((n) => n.doctrines.map((d) => d.doctrine.slug))).toContain('deobandi');
    });

    it('"taliban regime" finds the Afghan Taliban by its alias', async () => {
      const response = await run('{ actors(filter: { search: "taliban regime" }) { nodes { slug aliases } } }');
      const nodes = (response.data as { actors: { nodes: { slug: string; aliases: string[] }[] } }).actors.nodes;
      expect(nodes.map((n) => n.slug)).toEqual(['afghan-taliban']);
      expect(nodes[0]?.aliases).toContain('Taliban regime');
    });
  });

  it('"the seed has N claims and M citations" in docs/scaling.md is the seed\'s count', async () => {
    const sql = postgres(inject('databaseUrl'), { max: 1, onnotice: () => {} });
    try {
      const [row] = await sql<{ claims: number; citations: number }[]>`
        select (select count(*)::int from claims) as claims, (select count(*)::int from citations) as citations`;
      const stated = /the seed has (\d+) claims and (\d+) citations/.exec(read('docs/scaling.md').replace(/\s+/g, ' '));
      expect(stated?.slice(1).map(Number)).toEqual([row?.claims, row?.citations]);
    } finally {
      await sql.end();
    }
  });
});

describe('the docs\' query blocks on the seed', () => {
  const api = openApi();
  afterAll(() => api.close());

  it('runs each read-only block outside the README without errors (variables null)', async () => {
    const reads = operations.filter((b) => b.file !== 'README.md' && /^\s*(query\b|\{)/.test(b.source));
    expect(reads.length).toBeGreaterThanOrEqual(2);
    for (const block of reads) {
      const response = await api.query(block.source);
      expect({ where: `${block.file}:${block.line}`, errors: response.errors }).toEqual({ where: `${block.file}:${block.line}`, errors: undefined });
    }
  });
});
