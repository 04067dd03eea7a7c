import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';
import { layersRule } from './eslint/layers.js';

// Workflows are replayed deterministically in a sandbox: no Node built-ins, and no code from the
// layers that do side effects (activities/, providers/) except as `import type`.
const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

export default tseslint.config(
  { ignores: ['node_modules/', '.data/', '.tools/', 'coverage/', 'web/dist/', 'workflows-mutant-*/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Every layer's imports point down (eslint/layers.js); test/unit/layer-lint.test.ts proves each rule fires.
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { layers: { rules: { 'only-down': layersRule } } },
    rules: { 'layers/only-down': 'error' },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({
              name,
              message: 'workflows are deterministic: no Node built-ins; do it in an activity',
            })),
            {
              name: '@temporalio/workflow',
              importNames: ['setCurrentDetails'],
              message:
                'use showDetails (workflows/details.ts): the payload codec leaves details in the clear only when marked',
            },
          ],
          patterns: [
            {
              group: ['**/activities', '**/activities/**', '**/providers', '**/providers/**'],
              allowTypeImports: true,
              message: 'workflows import only types from activities/ and providers/; call them through proxyActivities',
            },
          ],
        },
      ],
    },
  },
);
