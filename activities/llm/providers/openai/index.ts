/**
 * `provider: openai`: OpenAI and every OpenAI-compatible Chat Completions endpoint (vLLM, Ollama, llama.cpp,
 * DeepSeek, `maspo sim serve`), selected by `baseURL`. OpenAI proper needs a key; a self-hosted endpoint may run
 * without one.
 */
import type { ProviderDefinition } from '../types';
import { readOpenAiError } from './errors';
import { openAiProvider } from './provider';

export const openai: ProviderDefinition = {
  name: 'openai',
  apiKey: 'unless-base-url',
  free: false,
  create: () => openAiProvider,
  readError: readOpenAiError,
};

export { readOpenAiError } from './errors';
export {
  chatCompletionParams,
  KEYLESS_API_KEY,
  mapChatCompletion,
  mapOpenAiFinishReason,
  mapOpenAiUsage,
  openAiProvider,
  openAiText,
} from './provider';
