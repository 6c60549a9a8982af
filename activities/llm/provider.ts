/**
 * The one interface every LLM provider implements (OpenAI-compatible, Gemini, the in-process simulator).
 * Providers do one HTTP call (or one simulated call) and map the reply; they never retry, cache or log:
 * retries belong to Temporal, caching to `cache.ts`, classification to `errors.ts`.
 */
import type { LlmRequest, LlmResult, ModelSpec, ProviderName } from '../../core/llm';

/** What a provider returns: the result minus the fields the activity adds (cache flag, latency). */
export type ProviderReply = Omit<LlmResult, 'cached' | 'latencyMs'>;

export interface CallOptions {
  /** Aborted when Temporal cancels the activity or the per-attempt timeout fires. */
  signal: AbortSignal;
  /** Resolved by the worker from `process.env[spec.apiKeyEnv]`; never logged, never returned. */
  apiKey?: string;
}

export interface LlmProvider {
  readonly name: ProviderName;
  complete(spec: ModelSpec, request: LlmRequest, options: CallOptions): Promise<ProviderReply>;
}
