// Lint rules that guard Tandem's two invariants: no promise is left floating (a lost
// Salesforce write is a lost change), and workflow code stays deterministic (no Node
// built-ins, jsforce or pg under src/workflows, which Temporal's sandbox would reject).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', '.tandem/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'Workflow code must be deterministic: no Node built-ins.' },
            {
              group: ['jsforce', 'jsforce/*', 'pg', 'pg-*'],
              message: 'Workflows call Salesforce and PostgreSQL only through activities.',
            },
            {
              group: ['**/activities/*', '!**/activities/index'],
              message: 'Import activity types from activities/index only.',
            },
          ],
          paths: [
            'fs',
            'path',
            'os',
            'crypto',
            'http',
            'https',
            'net',
            'child_process',
            'events',
            'stream',
            'util',
            'url',
          ].map((name) => ({ name, message: 'Workflow code must be deterministic: no Node built-ins.' })),
        },
      ],
    },
  },
  { files: ['**/*.js'], languageOptions: { globals: { console: 'readonly', process: 'readonly' } } },
);
