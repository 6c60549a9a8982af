/**
 * Activity proxies with named timeout/retry profiles. Workflows import only types from activities.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { EvaluationActivities } from '../activities/dataset-items';
import { llmTaskQueue, NON_RETRYABLE_LLM_ERRORS, type LlmActivities, type LlmResult, type ModelRole, type ModelSpec } from '../core/contracts/llm';
import { llmRequest } from './llm-calls';

/**
 * Cheap, local work on the base task queue: dataset loading and grading. A short start-to-close timeout is
 * what lets a call lost with a crashed worker be retried on another one quickly (these do not heartbeat).
 */
export const evaluation = proxyActivities<EvaluationActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5, nonRetryableErrorTypes: ['DatasetError'] },
});

/** Extra start-to-close time over the provider call's own timeout (cache I/O, scheduling). */
const LLM_TIMEOUT_MARGIN_MS = 30_000;

/**
 * One LLM call on the role's dedicated task queue. Retries: exponential from 1 s to 2 min, Retry-After
 * honoured through the activity's `nextRetryDelay`; auth, bad-request and config errors are never retried.
 * `summary` labels the call in the Temporal UI.
 */
export function llmActivity(base: string, role: ModelRole, spec: ModelSpec, heartbeatTimeoutMs: number, summary?: string): LlmActivities {
  return proxyActivities<LlmActivities>({
    taskQueue: llmTaskQueue(base, role),
    startToCloseTimeout: spec.timeoutMs + LLM_TIMEOUT_MARGIN_MS,
    heartbeatTimeout: heartbeatTimeoutMs,
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '2 minutes',
      maximumAttempts: 12,
      nonRetryableErrorTypes: NON_RETRYABLE_LLM_ERRORS,
    },
    summary,
  });
}

/** Where a workflow's LLM activities go: `<taskQueue>-llm-<role>`, heartbeating within `llmHeartbeatTimeoutMs`. */
export interface LlmRoute {
  taskQueue: string;
  llmHeartbeatTimeoutMs: number;
}

/**
 * One LLM call of a workflow (`evaluateBatch` and the search's calls.ts alike): an `llmCall` activity on `role`'s
 * task queue with the request of llm-calls.ts `llmRequest`, `label` as its summary in the Temporal UI.
 */
export function callLlm(route: LlmRoute, role: ModelRole, spec: ModelSpec, prompt: string, sampleIndex: number, label: string): Promise<LlmResult> {
  return llmActivity(route.taskQueue, role, spec, route.llmHeartbeatTimeoutMs, label).llmCall(spec, llmRequest(role, prompt, sampleIndex, label));
}
