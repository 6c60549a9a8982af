/**
 * What a provider is: the `LlmProvider` a worker calls, and the `ProviderDefinition` the registry lists (name, key
 * rule, whether calls cost money, how to build the provider, how to read its SDK's errors).
 *
 * Providers do one HTTP call (or one simulated call) and map the reply; they never retry, cache or log:
 * retries belong to Temporal, caching to `cache.ts`, classification to `errors.ts` (which asks `readError` first).
 * Adding a provider: a folder here with an `index.ts` exporting its `ProviderDefinition`, and one entry in
 * `registry.ts`.
 */
import type { LlmRequest, LlmResult, ModelSpec, ProviderName } from '../../../core/contracts/llm';
import type { ThroughputProfile } from '../../../core/forecast/throughput';

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

/**
 * Whether a model of this provider needs `apiKeyEnv` (checked when the config is loaded and again by the worker):
 * - `required`: always (e.g. Gemini);
 * - `unless-base-url`: unless `baseURL` points at a (self-hosted) endpoint (OpenAI and compatible servers);
 * - `optional`: a key is read only if `apiKeyEnv` is named (the simulator);
 * - `none`: no key is ever read (a server this host runs).
 */
export type ApiKeyRule = 'required' | 'unless-base-url' | 'optional' | 'none';

/** What a worker gives every provider it creates. */
export interface ProviderContext {
  /** The maspo home (`provider: local` keeps its runtime and models under `<home>/llm`). */
  home: string;
  /** Calls the worker may have in flight at once (all roles). */
  concurrency: number;
  /** Calls the worker may have in flight at once to this model (the roles that use it); default `concurrency`. */
  slotsFor?: (model: string) => number;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/**
 * The facts a provider's SDK error carries, as far as the provider knows its shape. Every field is optional:
 * `errors.ts` fills the HTTP status and headers generically and classifies from the merged facts.
 */
export interface ProviderErrorFacts {
  status?: number;
  /** The provider's own message (not the SDK's wrapper text). */
  message?: string;
  /** Provider error code, e.g. `insufficient_quota`, `RESOURCE_EXHAUSTED`. */
  code?: string;
  requestId?: string;
  /** A retry delay the error BODY asks for (e.g. Gemini's `google.rpc.RetryInfo`); headers are read generically. */
  retryDelayMs?: number;
  /** A machine-readable reason, e.g. Gemini's `google.rpc.ErrorInfo.reason` API_KEY_INVALID (an auth failure). */
  reason?: string;
}

export interface ProviderDefinition {
  /** The value of `provider:` in a config. */
  readonly name: ProviderName;
  readonly apiKey: ApiKeyRule;
  /** Own hardware or the simulator: calls cost $0 whatever the model is called (no price lookup). */
  readonly free: boolean;
  /** Called once per worker process. */
  create(ctx: ProviderContext): LlmProvider;
  /** The provider-specific facts of an error its SDK threw; undefined for shapes it does not know. */
  readError?(err: unknown): ProviderErrorFacts | undefined;
  /**
   * How fast a model of this provider runs on this host's hardware, for `maspo plan`'s wall-clock forecast; only
   * providers that serve models locally know it.
   */
  throughput?(model: string, home: string): ThroughputProfile | undefined;
}
