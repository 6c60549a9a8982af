/**
 * The provider boundary: one small request/result contract shared by workflows (which build requests),
 * activities (which execute them through a provider SDK) and the simulator (which answers them).
 *
 * Pure types only: this file is imported by workflow code and must stay free of Node built-ins.
 */

/** The three model roles of MASPO. Each role has its own model settings and its own task queue. */
export const MODEL_ROLES = ['backbone', 'optimizer', 'judge'] as const;
export type ModelRole = (typeof MODEL_ROLES)[number];

/**
 * The name of an LLM provider (`openai`, `sim`, …). Core does not list providers: the registry does
 * (activities/llm/providers/registry.ts), and the client checks configs against it.
 */
export type ProviderName = string;

/**
 * How to reach one model. Travels in workflow inputs, so it holds the *name* of the env var with the key,
 * never the key itself: only the worker reads `process.env[apiKeyEnv]`.
 */
export interface ModelSpec {
  provider: ProviderName;
  /** Provider's model id, e.g. "gpt-4o-mini", "gemini-2.5-pro", "qwen3-8b"; for `sim`, any label. */
  model: string;
  /** OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp, DeepSeek, `maspo sim serve`) or Gemini base URL. */
  baseURL?: string;
  /** Name of the environment variable that holds the API key (read by the worker only). */
  apiKeyEnv?: string;
  temperature: number;
  maxTokens: number;
  /** Per-attempt HTTP timeout; the activity's start-to-close timeout is derived from it. */
  timeoutMs: number;
  /** Extra provider request fields (e.g. `top_k`); never secrets. */
  extraBody?: Record<string, unknown>;
  /** Simulator world settings when `provider: sim` (in-process simulator). */
  sim?: Record<string, unknown>;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface LlmRequest {
  role: ModelRole;
  messages: ChatMessage[];
  /**
   * Distinguishes repeated samples of the same prompt at temperature > 0 (sent as the OpenAI `seed`).
   * Part of the cache key: the same (model, messages, params, sampleIndex) is paid for once.
   */
  sampleIndex: number;
  /** Human-readable label for the Temporal UI activity summary, e.g. "item 12 · agent solver". */
  label?: string;
}

/** Unified finish reason (the provider's raw value is kept alongside). */
export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls' | 'other';

export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

export interface LlmResult {
  text: string;
  finishReason: { unified: FinishReason; raw: string | null };
  usage: LlmUsage;
  /** True when the provider returned no content (null, missing or only whitespace). Recorded, never thrown. */
  empty: boolean;
  /** True when the response came from the persistent response cache (nothing was paid). */
  cached: boolean;
  provider: ProviderName;
  model: string;
  /** Wall-clock of the provider call that produced the response (0 for cache hits). */
  latencyMs: number;
  /**
   * The request's role, so a history names it wherever the call was scheduled (on the workflow queue its task
   * queue does not). Absent in results from before it: their role is their queue's.
   */
  role?: ModelRole;
}

/** Stable error `type`s used in ApplicationFailure, so workflows and retry policies can branch on them. */
export const LLM_ERROR_TYPES = {
  rateLimited: 'LlmRateLimited',
  server: 'LlmServerError',
  transient: 'LlmError',
  timeout: 'LlmTimeout',
  auth: 'LlmAuth',
  badRequest: 'LlmBadRequest',
  notFound: 'LlmNotFound',
  config: 'LlmConfig',
} as const;

/** Error types that no retry can fix. */
export const NON_RETRYABLE_LLM_ERRORS: string[] = [
  LLM_ERROR_TYPES.auth,
  LLM_ERROR_TYPES.badRequest,
  LLM_ERROR_TYPES.notFound,
  LLM_ERROR_TYPES.config,
];

export function emptyUsage(): LlmUsage {
  return { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
}

export function addUsage(a: LlmUsage, b: LlmUsage): LlmUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
}

/**
 * Where a workflow schedules its LLM calls.
 * - `workflow-queue`: on the workflow's own task queue, where the server can hand a call to the worker in the reply
 *   to the workflow task that scheduled it (eager dispatch: no matching round trip). Each worker bounds every
 *   role's calls in process (activities/llm/role-limits.ts). The default.
 * - `role-queues`: on `<base>-llm-<role>`, whose workers' slots bound the role; every call goes through the
 *   server's matching. For a cluster-wide rate limit per role (`maxTaskQueueActivitiesPerSecond`), or to keep a
 *   role's calls on dedicated hosts. Histories from before the choice existed ran this way.
 */
export const LLM_DISPATCH = ['workflow-queue', 'role-queues'] as const;
export type LlmDispatch = (typeof LLM_DISPATCH)[number];

/** Task queue that serves one model role's LLM calls (bounded concurrency per role). */
export function llmTaskQueue(base: string, role: ModelRole): string {
  return `${base}-llm-${role}`;
}

/** The activity interface served on every `<base>-llm-<role>` task queue. */
export interface LlmActivities {
  llmCall(spec: ModelSpec, request: LlmRequest): Promise<LlmResult>;
}
