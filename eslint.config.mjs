// Lint: TypeScript rules with type information, and the architecture's dependency rules
// (apps -> libs; the engine libs depend on nothing of ours) enforced through Nx tags.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.data/**',
      'libs/db/src/generated/**',
      'coverage/**',
      'tmp/**',
      'bench/out/**',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  ...nx.configs['flat/base'],
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          // The one-machine server composes the API and the workers in one process.
          allow: ['@trailguard/api-app', '@trailguard/worker-app'],
          depConstraints: [
            { sourceTag: 'type:engine', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:engine'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib', 'type:engine'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:engine'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts', 'bench/**/*.ts', '**/*.test-helper.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // Tests of a lib may use the shared test kit (the AWS simulator); product code may not.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: ['@trailguard/api-app', '@trailguard/worker-app', '@trailguard/testing'],
          depConstraints: [
            { sourceTag: 'type:engine', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:engine'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib', 'type:engine'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:engine'] },
          ],
        },
      ],
    },
  },
  prettier,
);
