// ESLint (issue 13): a deliberately small rule set — correctness of async code everywhere, and the Temporal
// workflow sandbox enforced on workflows/**. Layering (who may import whom, transitively) is dependency-cruiser's
// job: see .dependency-cruiser.cjs. Both run in `npm run lint`.
import { builtinModules } from 'node:module';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = builtinModules.filter((m) => !m.startsWith('_'));

/** Imports a workflow must not make: they break determinism or do not load in the sandbox at all. */
const WORKFLOW_BANNED_IMPORTS = {
  paths: [
    ...NODE_BUILTINS.map((name) => ({ name, message: 'Node built-ins do not exist in the workflow sandbox: do it in an activity.' })),
    { name: 'zod', message: 'zod stays out of the workflow bundle: validate in the client or an activity, pass plain data.' },
    { name: 'openai', message: 'Provider SDKs run in activities (activities/llm), never in a workflow.' },
    { name: '@google/genai', message: 'Provider SDKs run in activities (activities/llm), never in a workflow.' },
    { name: '@temporalio/activity', message: 'Workflow code uses @temporalio/workflow (proxyActivities), not the activity SDK.' },
    { name: '@temporalio/worker', message: 'The worker SDK is Node-only: workflows use @temporalio/workflow.' },
    { name: '@temporalio/client', message: 'Workflow code uses @temporalio/workflow (executeChild, signals), not the client SDK.' },
  ],
  patterns: [
    { group: ['node:*'], message: 'Node built-ins do not exist in the workflow sandbox: do it in an activity.' },
    { group: ['zod/*', 'openai/*', '@google/genai/*'], message: 'Not in workflow code: zod and the provider SDKs stay in the client and activities.' },
    { group: [...NODE_BUILTINS.map((m) => `${m}/*`)], message: 'Node built-ins do not exist in the workflow sandbox: do it in an activity.' },
  ],
};

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', 'bench/results/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // An un-awaited promise loses its rejection (and in a workflow, its ordering): await it, return it, or `void` it.
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', WORKFLOW_BANNED_IMPORTS],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'In the sandbox Date.now() is the workflow task\'s start time, not the clock: take timestamps from the input or an activity.' },
        { object: 'Math', property: 'random', message: 'Use a seeded Prng (core/common/prng): the search must reproduce from the config seed.' },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use sleep() or condition(fn, timeout) from @temporalio/workflow (durable timers).' },
        { name: 'setInterval', message: 'Use sleep() in a loop from @temporalio/workflow (durable timers).' },
      ],
    },
  },
);
