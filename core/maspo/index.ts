/**
 * The MASPO engine's pure API in one import, for workflows: no zod, no Node built-ins. (The config schema and
 * `resolveOptimizeSettings` live in ./settings and are used at the edge only; workflows receive `SearchSettings`.)
 * See ./README.md for the call order of one step; test/support/maspo-driver.ts is a runnable example.
 */
export * from './types';
export * from './fence';
export * from './prompts';
export * from './comparisons';
export * from './reward';
export * from './misalignment';
export * from './batch';
export * from './beam';
export * from './plan';
