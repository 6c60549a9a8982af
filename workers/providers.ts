/** The provider registry a worker serves: every name a `ModelSpec.provider` may take. */
import type { LlmProvider } from '../activities/llm/provider';
import type { ProviderName } from '../core/llm';
import { openAiProvider } from '../activities/llm/openai';
import { geminiProvider } from '../activities/llm/gemini';
import { simProvider } from '../activities/llm/sim';

export function defaultProviders(): Record<ProviderName, LlmProvider> {
  return { openai: openAiProvider, gemini: geminiProvider, sim: simProvider };
}
