/**
 * `provider: sim`: the in-process simulator (sim/world.ts). Free, keyless (a key is read only if `apiKeyEnv` is
 * named); its injected faults are shaped like the OpenAI SDK's errors and read the same way.
 */
import { readOpenAiError } from '../openai/errors';
import type { ProviderDefinition } from '../types';
import { createSimProvider } from './provider';

export const sim: ProviderDefinition = {
  name: 'sim',
  apiKey: 'optional',
  free: true,
  create: () => createSimProvider(),
  readError: readOpenAiError,
};

export { createSimProvider, simProvider } from './provider';
