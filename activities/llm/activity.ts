/**
 * The `llmCall` activity: one LLM call per attempt, through the provider registered for `spec.provider`.
 *
 * Per attempt: resolve the key from the worker's env → cache lookup (a hit costs nothing) → keep-alive
 * heartbeats → provider call under Temporal cancellation plus a `spec.timeoutMs` deadline → store the reply
 * → return. Errors leave as classified `ApplicationFailure`s (see errors.ts); a cancelled activity leaves
 * with Temporal's `CancelledFailure`, so it is reported as cancelled rather than failed.
 * Prompts and keys are never logged.
 */
import { cancellationSignal, log } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { LLM_ERROR_TYPES } from '../../core/contracts/llm';
import type { LlmActivities, LlmRequest, LlmResult, ModelRole, ModelSpec, ProviderName } from '../../core/contracts/llm';
import type { ReplyCache } from './cache';
import type { RoleCallLimits } from './role-limits';
import { classifyLlmError } from './errors';
import { startKeepAlive } from './heartbeat';
import { providerDefinition } from './providers/registry';
import type { ApiKeyRule, LlmProvider, ProviderReply } from './providers/types';

export interface LlmActivityDeps {
  providers: Partial<Record<ProviderName, LlmProvider>>;
  /** `ResponseCache` (persistent) or `NoCache`. */
  cache: ReplyCache;
  /** Where API keys are read from; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Clock for latency and Retry-After dates; defaults to `Date.now`. */
  now?: () => number;
  /**
   * Per-role bounds inside this worker (role-limits.ts), for the calls it serves on the workflow task queue; absent
   * on the per-role queues, whose slots bound the role.
   */
  roleLimits?: RoleCallLimits;
}

export function createLlmActivities(deps: LlmActivityDeps): LlmActivities {
  const env = deps.env ?? process.env;
  const now = deps.now ?? Date.now;

  async function llmCall(spec: ModelSpec, request: LlmRequest): Promise<LlmResult> {
    const provider = deps.providers[spec.provider];
    if (!provider) {
      throw configFailure(spec, request.role, `no provider "${spec.provider}" is registered on this worker`);
    }
    const apiKey = resolveApiKey(spec, request.role, env);

    const key = deps.cache.key(spec, request);
    const hit = await deps.cache.get(key);
    if (hit) return { ...hit, cached: true, latencyMs: 0, role: request.role };

    const stopKeepAlive = startKeepAlive();
    const cancelled = cancellationSignal();
    let release: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      // A call waiting for its role's turn keeps heartbeating; its own deadline starts once it may run.
      release = await deps.roleLimits?.acquire(request.role, cancelled);
      const deadline = new AbortController();
      // A TimeoutError reason lets providers that reject with `signal.reason` (the simulator) read as a timeout.
      timer = setTimeout(() => deadline.abort(new DOMException(`no response within ${spec.timeoutMs} ms`, 'TimeoutError')), spec.timeoutMs);
      const started = now();
      const reply = await provider.complete(spec, request, { signal: AbortSignal.any([cancelled, deadline.signal]), apiKey });
      const latencyMs = now() - started;
      await store(deps.cache, key, reply, spec);
      return { ...reply, cached: false, latencyMs, role: request.role };
    } catch (err) {
      if (cancelled.aborted) {
        throw cancelled.reason instanceof CancelledFailure ? cancelled.reason : new CancelledFailure('Activity cancelled');
      }
      throw classifyLlmError(
        err,
        { provider: spec.provider, model: spec.model, baseURL: spec.baseURL, apiKeyEnv: spec.apiKeyEnv, apiKey, timeoutMs: spec.timeoutMs },
        now(),
      );
    } finally {
      clearTimeout(timer);
      release?.();
      stopKeepAlive();
    }
  }

  return { llmCall };
}

/**
 * The key comes from `env[spec.apiKeyEnv]`, as the provider's `apiKey` rule says (providers/types.ts): `none` reads
 * no key, `optional` reads a named one if set; otherwise a named variable must be set, and without one only a
 * `unless-base-url` provider given a `baseURL` (a self-hosted endpoint) runs keyless. A provider the registry does
 * not know is held to `required`.
 */
function resolveApiKey(spec: ModelSpec, role: ModelRole, env: NodeJS.ProcessEnv): string | undefined {
  const rule: ApiKeyRule = providerDefinition(spec.provider)?.apiKey ?? 'required';
  if (rule === 'none') return undefined;
  if (rule === 'optional') return spec.apiKeyEnv ? env[spec.apiKeyEnv]?.trim() || undefined : undefined;
  if (spec.apiKeyEnv) {
    const value = env[spec.apiKeyEnv]?.trim();
    if (value) return value;
    throw configFailure(spec, role, `env var ${spec.apiKeyEnv} is not set in the worker's environment`);
  }
  if (rule === 'unless-base-url' && spec.baseURL) return undefined;
  const where = rule === 'unless-base-url' ? `${spec.provider} without a baseURL` : spec.provider;
  throw configFailure(spec, role, `no apiKeyEnv given; ${where} needs the name of the env var that holds the API key`);
}

/**
 * The reply is stored before the activity returns, so a retry after a lost completion finds it. A cache that
 * cannot be written does not cost the answer that was already paid for: the reply is still returned.
 */
async function store(cache: ReplyCache, key: string, reply: ProviderReply, spec: ModelSpec): Promise<void> {
  try {
    await cache.put(key, reply);
  } catch (err) {
    log.warn('LLM response cache write failed', {
      provider: spec.provider,
      model: spec.model,
      error: err instanceof Error ? err.message : String(err),
    });
  }
}

function configFailure(spec: ModelSpec, role: ModelRole, problem: string): ApplicationFailure {
  return ApplicationFailure.create({
    message: `${role} model ${spec.model} (${spec.provider}): ${problem}`,
    type: LLM_ERROR_TYPES.config,
    nonRetryable: true,
  });
}
