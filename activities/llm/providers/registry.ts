/**
 * Every provider a `ModelSpec.provider` may name, one line each. Adding a provider: its own folder next to this
 * file (an `index.ts` exporting a `ProviderDefinition`, see types.ts) and one entry in `PROVIDERS`.
 *
 * Imports every provider SDK: for the worker, the activities and the client's config checks, never for workflows.
 */
import { gemini } from './gemini';
import { local } from './local';
import { openai } from './openai';
import { sim } from './sim';
import type { LlmProvider, ProviderContext, ProviderDefinition } from './types';

export const PROVIDERS: readonly ProviderDefinition[] = [openai, gemini, local, sim];

export const PROVIDER_NAMES: readonly string[] = PROVIDERS.map((p) => p.name);

export function providerDefinition(name: string): ProviderDefinition | undefined {
  return PROVIDERS.find((p) => p.name === name);
}

/** The providers a worker serves, by name. */
export function createProviders(ctx: ProviderContext): Record<string, LlmProvider> {
  return Object.fromEntries(PROVIDERS.map((p) => [p.name, p.create(ctx)]));
}

/** Whether calls to this provider cost $0 (own hardware, the simulator); for pricing at the edge. */
export function isFreeProvider(name: string): boolean {
  return providerDefinition(name)?.free ?? false;
}
