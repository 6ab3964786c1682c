import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import { readdirSync, readFileSync, existsSync } from 'node:fs';

// Domain libs (tag type:domain) are found from their project.json, so a new pure lib is
// covered by the no-I/O rule as soon as it is tagged.
const domainLibRoots = readdirSync('libs')
  .filter((name) => existsSync(`libs/${name}/project.json`))
  .filter((name) => JSON.parse(readFileSync(`libs/${name}/project.json`, 'utf8')).tags?.includes('type:domain'))
  .map((name) => `libs/${name}`);

// The module-boundary table is the architecture: apps use libs; domain libs are pure
// (no I/O, no clients, no clock-reading adapters); io libs wrap the outside world.
const ioPackages = [
  'node:*', 'fs', 'net', 'http', 'https', 'tls', 'child_process', 'os',
  'got', 'lmdb', '@grpc/*', '@eventstore/*', 'prom-client', 'yaml',
];

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', 'data/**', '.tmp/**', '**/vitest.config.ts'] },
  ...nx.configs['flat/base'],
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'max-lines': ['warn', { max: 400, skipBlankLines: true, skipComments: true }],
      complexity: ['warn', 15],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:io'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:domain', 'type:io', 'type:app'] },
            { sourceTag: 'type:io', onlyDependOnLibsWithTags: ['type:domain', 'type:io'] },
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain'],
              bannedExternalImports: ioPackages,
            },
            { sourceTag: 'scope:store', onlyDependOnLibsWithTags: ['scope:store', 'scope:shared'] },
            { sourceTag: 'scope:pipeline', onlyDependOnLibsWithTags: ['scope:pipeline', 'scope:shared'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['scope:tools', 'scope:store', 'scope:pipeline', 'scope:shared'] },
          ],
        },
      ],
    },
  },
  {
    files: domainLibRoots.map((root) => `${root}/src/**/*.ts`),
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ioPackages, message: 'Domain libs are pure: do I/O in an io lib or an app.' }] },
      ],
      'no-restricted-globals': ['error', { name: 'fetch', message: 'Domain libs are pure.' }, { name: 'process', message: 'Only main reads the environment.' }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test-setup/**/*.ts', '**/testing/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off', 'max-lines': 'off' },
  },
];
