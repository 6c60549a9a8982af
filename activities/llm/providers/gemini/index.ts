/** `provider: gemini`: the Gemini API through `@google/genai`; always needs a key (`apiKeyEnv`). */
import type { ProviderDefinition } from '../types';
import { readGeminiError } from './errors';
import { geminiProvider } from './provider';

export const gemini: ProviderDefinition = {
  name: 'gemini',
  apiKey: 'required',
  free: false,
  create: () => geminiProvider,
  readError: readGeminiError,
};

export { parseGoogleError, readGeminiError } from './errors';
export { geminiParams, geminiProvider, mapGeminiFinishReason, mapGeminiResponse, mapGeminiUsage } from './provider';
