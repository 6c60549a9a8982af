/**
 * Data that crosses the workflow boundary for an evaluation: the resolved input (no secrets, no file
 * contents), per-item records and the result. Pure types plus tiny helpers; safe inside workflows.
 */
import type { LlmDispatch, LlmUsage, ModelSpec } from './llm';
import type { AccuracySummary } from '../common/stats';
import type { MasSpec } from './mas';
import type { DatasetRef } from './dataset';

export interface EvaluateOptions {
  /** Items run concurrently inside one batch workflow. */
  concurrency: number;
  /** Items per child workflow. */
  batchSize: number;
  bootstrapResamples: number;
  /** Heartbeat timeout of LLM activities (ms): how fast a crashed worker's calls are retried elsewhere. */
  llmHeartbeatTimeoutMs: number;
  /** Where LLM calls are scheduled (core/contracts/llm.ts); absent in inputs from before the choice: `role-queues`. */
  llmDispatch?: LlmDispatch;
}

export interface EvaluateInput {
  runName: string;
  seed: number;
  /** Base task queue: the workflows' (and, with `llmDispatch: workflow-queue`, the LLM calls'); role queues are `<base>-llm-<role>`. */
  taskQueue: string;
  dataset: DatasetRef;
  mas: MasSpec;
  models: { backbone: ModelSpec };
  options: EvaluateOptions;
}

export interface AgentCallRecord {
  agentId: string;
  finishReason: string;
  empty: boolean;
  cached: boolean;
  usage: LlmUsage;
}

/** What one agent produced on one question. */
export interface AgentOutput {
  /** The agent's own output. */
  output: string;
  /** Its hand-off summary for successors on `summary` edges (= output when none was made). */
  handoff: string;
  /** The agent's `{{context}}`: its predecessors' hand-offs, joined. */
  context: string;
}

export interface ItemRecord {
  index: number;
  id: string;
  correct: boolean;
  /** Answer extracted from the terminal agent's output (null when none could be found). */
  predicted: string | null;
  expected: string;
  /** First characters of the final output, for reports; the full text is in the batch workflow's history. */
  outputPreview: string;
  calls: AgentCallRecord[];
  /** Set when the item could not be run (e.g. an LLM call failed after all retries); counted as incorrect. */
  error?: string;
  /** Grader's explanation, e.g. the sandbox outcome of a code item (`assertion: tests line 2: …`). */
  detail?: string;
}

export interface GradeRequest {
  index: number;
  output: string;
}

export interface GradeResult {
  index: number;
  correct: boolean;
  predicted: string | null;
  expected: string;
  /** Grader's explanation, e.g. the sandbox outcome of a code item. */
  detail?: string;
}

export interface EvaluateProgress {
  total: number;
  done: number;
  correct: number;
  errors: number;
  calls: number;
  cachedCalls: number;
  status: 'loading' | 'running' | 'completed' | 'failed';
}

export interface EvaluateResult {
  runName: string;
  dataset: string;
  topology: string;
  model: string;
  summary: AccuracySummary;
  errors: number;
  calls: number;
  cachedCalls: number;
  usage: LlmUsage;
  records: ItemRecord[];
}

export const PREVIEW_CHARS = 280;

export function preview(text: string, n = PREVIEW_CHARS): string {
  return text.length <= n ? text : `${text.slice(0, n - 1)}…`;
}

/** Splits `0..n-1` into consecutive batches of at most `size` indices. */
export function chunkRange(n: number, size: number): number[][] {
  const chunks: number[][] = [];
  for (let start = 0; start < n; start += size) {
    chunks.push(Array.from({ length: Math.min(size, n - start) }, (_, i) => start + i));
  }
  return chunks;
}
