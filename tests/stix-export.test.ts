/**
 * GET /export/stix on the seeded article, checked object by object against what the STIX 2.1
 * specification (OASIS, 2021) requires. No npm package carries the OASIS STIX 2.1 JSON schemas
 * (the registry has STIX fonts and a graph viewer, not the schemas), so the rules are encoded
 * here, each with its section: common properties (§3.2), identifiers (§2.9), timestamps (§3.2:
 * RFC 3339, UTC, `Z`), the required properties of each object type (§4–§7), open vocabularies
 * (§10), extensions (§7.3) and every `*_ref`/`*_refs` resolving inside the bundle.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { validate as isUuid, version as uuidVersion } from 'uuid';
import type { RunningServer } from '../src/server.ts';
import { graphql, serve } from './server-helpers.ts';

type StixObject = Record<string, unknown> & { type: string; id: string };
interface Bundle {
  type: string;
  id: string;
  objects: StixObject[];
}

let server: RunningServer;
let bundle: Bundle;
let text: string;

beforeAll(async () => {
  server = await serve(inject('databaseUrl'));
  const response = await fetch(`${server.url}/export/stix`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/stix+json;version=2.1');
  text = await response.text();
  bundle = JSON.parse(text) as Bundle;
});
afterAll(async () => {
  await server.shutdown();
});

// §3.2 timestamp: RFC 3339, UTC with "Z"; created/modified at millisecond precision.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const TIMESTAMP_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
// §3.1 type names and §2.9 identifiers.
const TYPE = /^[a-z0-9][a-z0-9-]{1,248}[a-z0-9]$/;
const SCO_TYPES = new Set(['artifact', 'autonomous-system', 'directory', 'domain-name', 'email-addr', 'email-message', 'file', 'ipv4-addr', 'ipv6-addr', 'mac-addr', 'mutex', 'network-traffic', 'process', 'software', 'url', 'user-account', 'windows-registry-key', 'x509-certificate']);
// §10 open vocabularies used here.
const IDENTITY_CLASS_OV = ['individual', 'group', 'system', 'organization', 'class', 'unknown'];
const INDUSTRY_SECTOR_OV = ['agriculture', 'aerospace', 'automotive', 'chemical', 'commercial', 'communications', 'construction', 'defense', 'education', 'energy', 'entertainment', 'financial-services', 'government', 'government-emergency-services', 'government-local', 'government-national', 'government-public-services', 'government-regional', 'healthcare', 'hospitality-leisure', 'infrastructure', 'dams', 'nuclear', 'water', 'insurance', 'manufacturing', 'mining', 'non-profit', 'pharmaceuticals', 'retail', 'technology', 'telecommunications', 'transportation', 'utilities'];
const REGION_OV = ['africa', 'eastern-africa', 'middle-africa', 'northern-africa', 'southern-africa', 'western-africa', 'americas', 'latin-america-caribbean', 'south-america', 'caribbean', 'central-america', 'northern-america', 'asia', 'central-asia', 'eastern-asia', 'southern-asia', 'south-eastern-asia', 'western-asia', 'europe', 'eastern-europe', 'northern-europe', 'southern-europe', 'western-europe', 'oceania', 'antarctica', 'australia-new-zealand', 'melanesia', 'micronesia', 'polynesia'];
// §4.13 relationship types the specification defines for the objects used here; others are custom (allowed, §5.1).
const EXTENSION_TYPES = ['new-sdo', 'new-sco', 'new-sro', 'property-extension', 'toplevel-property-extension'];

const byId = () => new Map(bundle.objects.map((o) => [o.id, o]));
const ofType = (type: string) => bundle.objects.filter((o) => o.type === type);
const ext = (o: StixObject) => Object.values((o.extensions ?? {}) as Record<string, Record<string, unknown>>)[0] ?? {};

/** Every `*_ref` and `*_refs` value anywhere in an object (nested extensions included). */
function references(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => references(v, into));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key.endsWith('_ref') && v !== null) into.push(String(v));
      else if (key.endsWith('_refs') && Array.isArray(v)) into.push(...v.map(String));
      else references(v, into);
    }
  }
  return into;
}

describe('the bundle (§8)', () => {
  it('is a bundle with a bundle-- id and unique object ids', () => {
    expect(bundle.type).toBe('bundle');
    expect(bundle.id).toMatch(/^bundle--/);
    expect(isUuid(bundle.id.slice('bundle--'.length))).toBe(true);
    expect(Object.keys(bundle).sort()).toEqual(['id', 'objects', 'type']);
    expect(new Set(bundle.objects.map((o) => o.id)).size).toBe(bundle.objects.length);
  });

  it('holds the article: 21 incidents, 33 actors, 5 doctrines, 21 places, 1 source', () => {
    expect(ofType('incident')).toHaveLength(21);
    expect(bundle.objects.filter((o) => ['actor'].includes(String(ext(o).record)))).toHaveLength(33);
    expect(bundle.objects.filter((o) => ext(o).record === 'doctrine')).toHaveLength(5);
    expect(ofType('location')).toHaveLength(21);
    expect(ofType('artifact')).toHaveLength(1);
    expect(bundle.objects.filter((o) => ext(o).record === 'participation')).toHaveLength(42);
    expect(bundle.objects.filter((o) => ext(o).record === 'relationship')).toHaveLength(34);
    expect(bundle.objects.filter((o) => ext(o).record === 'adherence')).toHaveLength(6);
  });

  it('every *_ref and *_refs resolves inside the bundle', () => {
    const ids = byId();
    const dangling = bundle.objects.flatMap((o) => references(o).filter((ref) => !ids.has(ref)).map((ref) => `${o.id} → ${ref}`));
    expect(dangling).toEqual([]);
    expect(bundle.objects.flatMap((o) => references(o)).length).toBeGreaterThan(bundle.objects.length);
  });

  it('exporting again gives the same bundle, byte for byte (ids are UUIDv5 of stable keys)', async () => {
    const again = await (await fetch(`${server.url}/export/stix`)).text();
    expect(again).toBe(text);
    for (const o of bundle.objects) expect(uuidVersion(o.id.split('--')[1] ?? '')).toBe(5);
  });
});

describe('common properties (§2.9, §3.2)', () => {
  it('each object has a valid type and a type--UUID id', () => {
    for (const o of bundle.objects) {
      expect(o.type).toMatch(TYPE);
      const [type, uuid] = o.id.split('--');
      expect(type).toBe(o.type);
      expect(isUuid(uuid ?? '')).toBe(true);
    }
  });

  it('SDOs, SROs and SMOs have spec_version 2.1, created ≤ modified at ms precision, and created_by_ref the project', () => {
    const project = ofType('identity').find((o) => o.name === 'Militant movements knowledge graph');
    expect(project).toBeDefined();
    for (const o of bundle.objects.filter((x) => !SCO_TYPES.has(x.type))) {
      expect(o.spec_version, o.id).toBe('2.1');
      expect(o.created, o.id).toMatch(TIMESTAMP_MS);
      expect(o.modified, o.id).toMatch(TIMESTAMP_MS);
      expect(String(o.modified) >= String(o.created), o.id).toBe(true);
      if (o !== project) expect(o.created_by_ref, o.id).toBe(project?.id);
      if ('confidence' in o) {
        expect(Number.isInteger(o.confidence)).toBe(true);
        expect(o.confidence as number).toBeGreaterThanOrEqual(0);
        expect(o.confidence as number).toBeLessThanOrEqual(100);
      }
      if ('revoked' in o) expect(typeof o.revoked).toBe('boolean');
    }
  });

  it('external references have a source_name and a description, url or external_id (§2.5)', () => {
    const all = bundle.objects.flatMap((o) => (o.external_references ?? []) as Record<string, unknown>[]);
    expect(all.length).toBeGreaterThan(100);
    for (const r of all) {
      expect(typeof r.source_name).toBe('string');
      expect(['description', 'url', 'external_id'].some((k) => typeof r[k] === 'string')).toBe(true);
    }
  });

  it('extensions are keyed by an extension-definition in the bundle and declare their type (§7.3)', () => {
    const ids = byId();
    for (const o of bundle.objects.filter((x) => x.extensions)) {
      for (const [key, value] of Object.entries(o.extensions as Record<string, { extension_type?: string }>)) {
        expect(key).toMatch(/^extension-definition--/);
        const definition = ids.get(key);
        expect(definition?.type).toBe('extension-definition');
        expect((definition?.extension_types as string[]).includes(String(value.extension_type))).toBe(true);
      }
    }
  });
});

describe('object types (§4–§7)', () => {
  it('identity: name; identity_class and sectors from their vocabularies', () => {
    for (const o of ofType('identity')) {
      expect(typeof o.name).toBe('string');
      if ('identity_class' in o) expect(IDENTITY_CLASS_OV).toContain(o.identity_class);
      for (const s of (o.sectors ?? []) as string[]) expect(INDUSTRY_SECTOR_OV).toContain(s);
    }
  });

  it('threat-actor: name; aliases a list of strings; armed organizations only', () => {
    expect(ofType('threat-actor').length).toBeGreaterThan(0);
    for (const o of ofType('threat-actor')) {
      expect(typeof o.name).toBe('string');
      if ('aliases' in o) expect((o.aliases as unknown[]).every((a) => typeof a === 'string')).toBe(true);
      expect(ext(o).kind).toBe('ARMED_ORGANIZATION');
    }
  });

  it('incident: name; the event’s kind, date and casualties in the extension', () => {
    const moscow = ofType('incident').find((o) => ext(o).slug === 'moscow-concert-hall-attack');
    expect(moscow?.name).toEqual(expect.any(String));
    expect(ext(moscow as StixObject)).toMatchObject({ kind: 'ATTACK', killed: { min: 101, max: null, text: 'over 100 concertgoers' } });
    for (const o of ofType('incident')) expect(typeof o.name).toBe('string');
  });

  it('location: region, country or coordinates (§4.11); region-ov or, where the gazetteer has none, the place slug', () => {
    for (const o of ofType('location')) {
      expect('region' in o || 'country' in o || ('latitude' in o && 'longitude' in o), o.id).toBe(true);
      if ('country' in o) expect(o.country).toMatch(/^[A-Z]{2}$/);
      if ('region' in o && !REGION_OV.includes(String(o.region))) expect(o.region).toBe(ext(o).slug);
    }
    expect(ofType('location').find((o) => ext(o).slug === 'afghanistan')).toMatchObject({ country: 'AF', region: 'southern-asia' });
  });

  it('location: a place with coordinates of its own carries latitude and longitude (§4.11), its precision code and gazetteer in the extension', () => {
    const kabul = ofType('location').find((o) => ext(o).slug === 'kabul');
    expect(kabul).toMatchObject({ latitude: 34.52813, longitude: 69.17233 });
    expect(ext(kabul as StixObject)).toMatchObject({ geo_precision: 'EXACT', gazetteer: expect.stringMatching(/city:AF\.13:Kabul$/) });
    // The airport has no point of its own: STIX gets none rather than Kabul's passed off as its own.
    const airport = ofType('location').find((o) => ext(o).slug === 'kabul-airport');
    expect(airport && 'latitude' in airport).toBe(false);
    for (const o of ofType('location')) {
      if ('latitude' in o) {
        expect(Math.abs(Number(o.latitude))).toBeLessThanOrEqual(90);
        expect(Math.abs(Number(o.longitude))).toBeLessThanOrEqual(180);
      }
    }
  });

  it('relationship: relationship_type in lowercase with hyphens, source_ref and target_ref, start_time before stop_time', () => {
    const ids = byId();
    for (const o of ofType('relationship')) {
      expect(o.relationship_type).toMatch(/^[a-z0-9-]+$/);
      expect(ids.has(String(o.source_ref))).toBe(true);
      expect(ids.has(String(o.target_ref))).toBe(true);
      if ('start_time' in o) expect(o.start_time).toMatch(TIMESTAMP);
      if ('stop_time' in o) expect(o.stop_time).toMatch(TIMESTAMP);
      if ('start_time' in o && 'stop_time' in o) expect(String(o.stop_time) > String(o.start_time)).toBe(true);
    }
  });

  it('extension-definition: name, schema, version, extension_types from the list, created_by_ref (§7.3)', () => {
    for (const o of ofType('extension-definition')) {
      for (const key of ['name', 'schema', 'version', 'created_by_ref']) expect(typeof o[key]).toBe('string');
      expect((o.extension_types as string[]).every((t) => EXTENSION_TYPES.includes(t))).toBe(true);
    }
  });

  it('artifact: the source text as base64 with its SHA-256 (§6.1)', async () => {
    const [artifact] = ofType('artifact');
    const payload = Buffer.from(String(artifact?.payload_bin), 'base64').toString('utf8');
    const source = await graphql(server, '{ source(slug: "globely-news-isis-k-long-reach") { text } }');
    expect(payload).toBe((source.body.data?.source as { text: string }).text);
    const { createHash } = await import('node:crypto');
    expect(artifact?.hashes).toEqual({ 'SHA-256': createHash('sha256').update(payload, 'utf8').digest('hex') });
  });
});

describe('claims in STIX', () => {
  it('keeps the Moscow roles apart, with their confidence and quotes at offsets', () => {
    const ids = byId();
    const moscow = ofType('incident').find((o) => ext(o).slug === 'moscow-concert-hall-attack');
    const roles = bundle.objects
      .filter((o) => ext(o).record === 'participation' && ext(o).event === 'moscow-concert-hall-attack')
      .map((o) => ({ role: ext(o).role, actor: ext(o).actor, confidence: o.confidence, type: o.relationship_type, other: o.source_ref === moscow?.id ? ids.get(String(o.target_ref))?.name : ids.get(String(o.source_ref))?.name }));
    expect(roles).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ role: 'CLAIMED_RESPONSIBILITY', actor: 'isis', confidence: 90, type: 'claimed-responsibility-for' }),
        expect.objectContaining({ role: 'ATTRIBUTED', actor: 'isis-k', confidence: 90, type: 'attributed-to' }),
        expect.objectContaining({ role: 'IMPLICATED', actor: 'isis-k', confidence: 40, type: 'related-to' }),
      ]),
    );
    const [artifact] = ofType('artifact');
    const textPoints = Array.from(Buffer.from(String(artifact?.payload_bin), 'base64').toString('utf8'));
    for (const o of bundle.objects) {
      for (const c of (ext(o).citations ?? []) as { source_ref: string; quote: string; start: number; end: number }[]) {
        expect(c.source_ref).toBe(artifact?.id);
        expect(textPoints.slice(c.start, c.end).join('')).toBe(c.quote);
      }
    }
  });

  it('?actor=isis-k carries its events and everything they reference, and nothing dangling', async () => {
    const filtered = (await (await fetch(`${server.url}/export/stix?actor=isis-k`)).json()) as Bundle;
    const answer = await graphql(server, '{ events(filter: { actor: "isis-k" }, first: 100) { nodes { slug } } }');
    const slugs = (answer.body.data?.events as { nodes: { slug: string }[] }).nodes.map((n) => n.slug).sort();
    const incidents = filtered.objects.filter((o) => o.type === 'incident').map((o) => String(ext(o).slug)).sort();
    expect(incidents).toEqual(slugs);
    expect(incidents.length).toBeLessThan(21);
    const ids = new Set(filtered.objects.map((o) => o.id));
    expect(filtered.objects.flatMap((o) => references(o)).filter((ref) => !ids.has(ref))).toEqual([]);
    expect(filtered.id).not.toBe(bundle.id);
  });
});
