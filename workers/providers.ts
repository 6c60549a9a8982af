/** The provider registry a worker serves: every name a `ModelSpec.provider` may take. */
import type { LlmProvider } from '../activities/llm/provider';
import type { ProviderName } from '../core/llm';
import { openAiProvider } from '../activities/llm/openai';
import { geminiProvider } from '../activities/llm/gemini';
import { simProvider } from '../activities/llm/sim';
import { createLocalProvider, type LocalProviderOptions } from '../activities/llm/providers/local';

export function defaultProviders(local: LocalProviderOptions): Record<ProviderName, LlmProvider> {
  return { openai: openAiProvider, gemini: geminiProvider, local: createLocalProvider(local), sim: simProvider };
}
