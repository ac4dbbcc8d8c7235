/**
 * Trusted documents (persisted operations): client teams register the operations they send as a
 * manifest, `{ "sha256:<hex>": "<document>" }` — what GraphQL Code Generator's client-preset
 * writes with `persistedDocuments: true` — and then send only the id (`documentId`, in the JSON
 * body or the GET query string, or Apollo's `extensions.persistedQuery.sha256Hash`). The server
 * loads every manifest in PERSISTED_DOCUMENTS (a file or a directory of them) at start; with
 * TRUSTED_DOCUMENTS_ONLY=true it runs nothing else. Persisted documents go through the same
 * validation, depth, cost and admission limits as any other.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { GraphQLParams, Plugin } from 'graphql-yoga';

export interface PersistedDocuments {
  /** Documents by id ("sha256:<hex>"). */
  documents: ReadonlyMap<string, string>;
  /** Refuse documents sent as text: run only registered ones. */
  trustedOnly: boolean;
}

const ID = /^sha256:[0-9a-f]{64}$/;

const sha256Id = (document: string) => `sha256:${createHash('sha256').update(document, 'utf8').digest('hex')}`;

/**
 * Reads a manifest file, or every `*.json` manifest in a directory. A manifest whose ids are not
 * the sha256 of their documents is refused (the process does not start): an id must name one
 * document only, whoever registered it.
 */
export async function loadPersistedDocuments(path: string): Promise<Map<string, string>> {
  const files = (await stat(path)).isDirectory()
    ? (await readdir(path)).filter((name) => name.endsWith('.json')).sort().map((name) => join(path, name))
    : [path];
  const documents = new Map<string, string>();
  for (const file of files) {
    let manifest: unknown;
    try {
      manifest = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw new Error(`${file}: not a JSON manifest of persisted documents (${(error as Error).message})`);
    }
    if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
      throw new Error(`${file}: a manifest maps "sha256:<hex>" ids to documents`);
    }
    for (const [key, document] of Object.entries(manifest)) {
      const id = /^[0-9a-f]{64}$/.test(key) ? `sha256:${key}` : key;
      if (!ID.test(id) || typeof document !== 'string') throw new Error(`${file}: "${key}" is not a "sha256:<hex>" id of a document`);
      if (sha256Id(document) !== id) throw new Error(`${file}: "${key}" is not the sha256 of its document`);
      documents.set(id, document);
    }
  }
  return documents;
}

/** The id a request names: `documentId` (body or query string), or Apollo's persistedQuery hash. */
function documentIdOf(params: GraphQLParams & { documentId?: unknown }, request: Request): string | null {
  if (typeof params.documentId === 'string') return params.documentId;
  if (request.method === 'GET') {
    const id = new URL(request.url).searchParams.get('documentId');
    if (id) return id;
  }
  const persisted = (params.extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | undefined)?.persistedQuery;
  if (persisted?.version === 1 && typeof persisted.sha256Hash === 'string') return `sha256:${persisted.sha256Hash}`;
  return null;
}

const refusal = (message: string, code: string) => ({ message, extensions: { code, http: { status: 400 } } });

export function usePersistedDocuments({ documents, trustedOnly }: PersistedDocuments): Plugin {
  const persisted = usePersistedOperations({
    allowArbitraryOperations: !trustedOnly,
    extractPersistedOperationId: (params, request) => documentIdOf(params, request),
    getPersistedOperation: (id) => documents.get(id) ?? null,
    customErrors: {
      notFound: refusal('no registered document has this documentId (register the manifest your client build produced)', 'PERSISTED_DOCUMENT_NOT_FOUND'),
      keyNotFound: refusal('this server runs registered documents only: send a documentId', 'PERSISTED_DOCUMENT_REQUIRED'),
      persistedQueryOnly: refusal('this server runs registered documents only: send a documentId, not the document', 'PERSISTED_DOCUMENT_REQUIRED'),
    },
  }) as Plugin;
  return {
    onParams(payload) {
      // Without an id, a request that carries no document either is yoga's to refuse as usual,
      // unless only trusted documents run.
      if (!trustedOnly && !payload.params.query && documentIdOf(payload.params, payload.request) === null) return;
      return persisted.onParams?.(payload);
    },
    onParse: persisted.onParse,
    onValidate: persisted.onValidate,
  };
}
