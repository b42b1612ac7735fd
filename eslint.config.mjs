// Lint = code hygiene + the architecture's dependency rules (Nx tags), enforced on every `npm test`.
import nx from '@nx/eslint-plugin';

/** Framework and I/O packages a domain lib must never import: domain logic stays pure and replayable. */
const FRAMEWORK_AND_IO = [
  '@nestjs/*', 'pg', 'kafkajs', '@kurrent/*', 'class-validator', 'class-transformer', 'express', 'pino', 'nestjs-pino',
  'fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'net', 'node:net', 'http', 'node:http', 'https', 'node:https',
  'dns', 'node:dns', 'child_process', 'node:child_process', 'undici', 'axios',
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/node_modules', '**/dist', '**/.nx', '**/coverage', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // Layers. `type:testing` appears only because test files live in their project (suffix .spec.ts).
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:platform', 'type:data-access', 'type:util', 'type:domain', 'type:contracts', 'type:testing'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:feature', 'type:platform', 'type:data-access', 'type:util', 'type:domain', 'type:contracts', 'type:testing'] },
            { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:platform', 'type:data-access', 'type:util', 'type:domain', 'type:contracts', 'type:testing'] },
            { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:platform', 'type:data-access', 'type:util', 'type:domain', 'type:contracts', 'type:testing'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:data-access', 'type:util', 'type:domain', 'type:contracts', 'type:testing'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:util', 'type:data-access', 'type:domain'] },
            // `type:testing` only for a util lib's own test files (e.g. libs/shared/pg's tests against a throwaway PostgreSQL).
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:testing'] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts', 'type:util'] },
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:testing'],
              bannedExternalImports: FRAMEWORK_AND_IO,
            },
            // Bounded contexts reach each other only through contracts.
            ...['gateway', 'ingest', 'leak-lifecycle', 'access-control', 'stats', 'notifications'].map((context) => ({
              sourceTag: `scope:${context}`,
              onlyDependOnLibsWithTags: [`scope:${context}`, 'scope:shared', 'type:contracts'],
            })),
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
          ],
        },
      ],
    },
  },
  {
    // Node's own I/O modules are not npm packages, so the Nx rule above cannot ban them: do it by folder.
    files: ['libs/*/domain/src/**/*.ts', 'libs/shared/decider/src/**/*.ts', 'libs/shared/authz/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: FRAMEWORK_AND_IO.filter((name) => !name.includes('*')), patterns: ['@nestjs/*', '@kurrent/*'] }],
    },
  },
];
