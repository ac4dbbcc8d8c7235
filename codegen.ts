import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * `npm run codegen`: typed documents (GraphQL Code Generator client-preset) from the checked-in
 * SDL for every operation written with `graphql(...)` under tests/client/ (the example the test suite compiles). Client teams point the same
 * preset at schema/schema.graphql in their own repositories.
 */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['tests/client/**/*.ts', '!tests/client/generated/**'],
  generates: {
    'tests/client/generated/': {
      preset: 'client',
      // Also writes persisted-documents.json: the manifest a client team registers with the
      // server (PERSISTED_DOCUMENTS) so it can send ids instead of documents (README, "Clients").
      presetConfig: { persistedDocuments: true },
      config: {
        scalars: { LocalDate: 'string', DateTime: 'string', JSON: 'unknown' },
        strictScalars: true,
        useTypeImports: true,
        enumsAsTypes: true,
      },
    },
  },
  ignoreNoDocuments: false,
  // ESM: generated files import each other with explicit .js extensions.
  emitLegacyCommonJSImports: false,
};

export default config;
