/**
 * One line of the bench's call log: one `llmCall` activity attempt as the worker executed it. Written by the
 * recorder inside the worker process (recorder.ts), read by the call-graph analysis (call-graph.ts). Kept in its own
 * file so both sides agree on the shape without importing each other.
 */
import { createHash } from 'node:crypto';
import type { ModelRole } from '../../core/contracts/llm';

export interface CallRecord {
  /** Workflow that scheduled the activity, e.g. `bench-x/round-1/predictor/step-2/parent-0/cand-1`. */
  wf: string;
  runId: string;
  activityId: string;
  attempt: number;
  role: ModelRole;
  /** The task queue the call ran on: `<base>-llm-<role>`, or the workflows' own (`llmDispatch: workflow-queue`). */
  taskQueue?: string;
  /** The call's label, e.g. `item sim-train-17 · agent reviewer` (names the batch item for backbone and judge calls). */
  label: string;
  /** Epoch milliseconds (sub-millisecond resolution): scheduled by the server, started and ended in the worker. */
  scheduled: number;
  start: number;
  end: number;
  ok: boolean;
  error?: string;
  cached: boolean;
  /** The provider call's own duration (LlmResult.latencyMs: no wait for the role's turn inside the worker; 0 for a cache hit). */
  latencyMs?: number;
  inputTokens: number;
  outputTokens: number;
  /** sha256 (first 16 hex digits) of the request messages and of the reply text. */
  requestDigest: string;
  responseDigest: string;
  /** Full texts, only when the run records them (short replies); the dependency analysis needs them. */
  request?: string;
  response?: string;
}

export function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Epoch milliseconds with sub-millisecond resolution, comparable across processes on one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
