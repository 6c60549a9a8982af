/**
 * Activity proxies with named timeout/retry profiles. Workflows import only types from activities.
 */
import { patched, proxyActivities, proxyLocalActivities, type ActivityOptions } from '@temporalio/workflow';
import type { EvaluationActivities } from '../activities/dataset-items';
import type { DatasetRef, ItemView } from '../core/contracts/dataset';
import { llmTaskQueue, NON_RETRYABLE_LLM_ERRORS, type LlmActivities, type LlmDispatch, type LlmResult, type ModelRole, type ModelSpec } from '../core/contracts/llm';
import { llmRequest } from './llm-calls';

/**
 * Cheap, local work on the base task queue: dataset loading and grading. A short start-to-close timeout is
 * what lets a call lost with a crashed worker be retried on another one quickly (these do not heartbeat).
 */
const EVALUATION_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5, nonRetryableErrorTypes: ['DatasetError'] },
};
/** The dataset activities as ordinary activities. */
export const evaluation = proxyActivities<EvaluationActivities>(EVALUATION_OPTIONS);
/** `gradeItems`: a group of items, code items sandboxed a few at a time (activities/dataset-items.ts), so more time. */
export const grading = proxyActivities<EvaluationActivities>({ ...EVALUATION_OPTIONS, startToCloseTimeout: '2 minutes' });
const localEvaluation = proxyLocalActivities<EvaluationActivities>(EVALUATION_OPTIONS);

/**
 * How a workflow loads its items' questions: as a local activity (run by the worker that runs the workflow task, its
 * result recorded as a marker), since patch `local-load-items`. It is the first thing a step, a refresh or a batch
 * does, before any LLM call could go out; as an ordinary activity it cost a server round trip there. Only there:
 * grading stays an ordinary activity, since local activities resolved among concurrent activities replayed in another
 * order (a nondeterminism error on a query's replay, seen once in CI with per-item local grading). Asked once per
 * workflow, at the same point of it.
 */
export function loadItems(dataset: DatasetRef, indices: number[]): Promise<ItemView[]> {
  return (patched('local-load-items') ? localEvaluation : evaluation).loadItems(dataset, indices);
}

/** Extra start-to-close time over the provider call's own timeout (cache I/O, scheduling). */
const LLM_TIMEOUT_MARGIN_MS = 30_000;
/**
 * On the workflow queue a call may wait inside the worker for its role's turn (activities/llm/role-limits.ts), so
 * start-to-close has to cover the wait: a backstop only. A lost worker is noticed by the heartbeat timeout (the
 * call heartbeats while it waits), a hung model by the call's own `timeoutMs`.
 */
const LLM_QUEUED_START_TO_CLOSE_MS = 6 * 60 * 60 * 1000;

/**
 * One LLM call, on the workflow's own task queue or on the role's (`dispatch`, core/contracts/llm.ts). Retries:
 * exponential from 1 s to 2 min, Retry-After honoured through the activity's `nextRetryDelay`; auth, bad-request
 * and config errors are never retried. `summary` labels the call in the Temporal UI.
 */
export function llmActivity(route: LlmRoute, role: ModelRole, spec: ModelSpec, summary?: string): LlmActivities {
  const perRole = (route.llmDispatch ?? 'role-queues') === 'role-queues';
  return proxyActivities<LlmActivities>({
    ...(perRole ? { taskQueue: llmTaskQueue(route.taskQueue, role) } : {}),
    startToCloseTimeout: perRole ? spec.timeoutMs + LLM_TIMEOUT_MARGIN_MS : Math.max(LLM_QUEUED_START_TO_CLOSE_MS, spec.timeoutMs + LLM_TIMEOUT_MARGIN_MS),
    heartbeatTimeout: route.llmHeartbeatTimeoutMs,
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

/**
 * Where a workflow's LLM activities go (`llmDispatch`; absent in inputs from before the choice: the role queues
 * `<taskQueue>-llm-<role>`), heartbeating within `llmHeartbeatTimeoutMs`.
 */
export interface LlmRoute {
  taskQueue: string;
  llmHeartbeatTimeoutMs: number;
  llmDispatch?: LlmDispatch;
}

/**
 * One LLM call of a workflow (`evaluateBatch` and the search's calls.ts alike): an `llmCall` activity with the
 * request of llm-calls.ts `llmRequest`, `label` as its summary in the Temporal UI.
 */
export function callLlm(route: LlmRoute, role: ModelRole, spec: ModelSpec, prompt: string, sampleIndex: number, label: string): Promise<LlmResult> {
  return llmActivity(route, role, spec, label).llmCall(spec, llmRequest(role, prompt, sampleIndex, label));
}
