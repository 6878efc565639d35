// Lint rules for the whole workspace. The module-boundary rule is the architecture
// in code: apps may use libs, libs only other shared libs, and nobody imports an app.
import nx from '@nx/eslint-plugin';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '**/.cache', 'tmp', 'coverage'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            ...['auth-gateway', 'vault', 'compliance-detector', 'alerter', 'audit-writer', 'reporter'].map(
              (service) => ({
                sourceTag: `scope:${service}`,
                onlyDependOnLibsWithTags: ['scope:shared', `scope:${service}`],
              }),
            ),
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'off',
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', 'scripts/**', 'bench/**', 'tools/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // Benchmarks measure a service's internals (its writer, its detector) in the same run
    // as their baselines, so they import app code by path; nothing imports a benchmark.
    files: ['bench/**'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
];
