/**
 * Data that crosses the workflow boundary for an evaluation: the resolved input (no secrets, no file
 * contents), per-item records and the result. Pure types plus tiny helpers; safe inside workflows.
 */
import type { Edge } from './graph';
import type { LlmUsage, ModelSpec } from './llm';
import type { AccuracySummary } from './stats';
import { deriveSeed, Prng } from './prng';

export interface AgentSpec {
  id: string;
  role: string;
  description?: string;
  /** Template with {{question}} / {{context}}. */
  prompt: string;
}

export interface MasEdge extends Edge {
  /** What the successor receives: the predecessor's full output (default) or a short summary of it. */
  handoff?: 'full' | 'summary';
}

export interface MasSpec {
  topology: string;
  agents: AgentSpec[];
  edges: MasEdge[];
  /** Length limit of hand-off summaries, in words (default 30). */
  summaryWords?: number;
}

/** True when some edge out of `agentId` hands on a summary instead of the full output. */
export function summarizesFor(mas: MasSpec, agentId: string): boolean {
  return mas.edges.some((e) => e.from === agentId && e.handoff === 'summary');
}

/**
 * How a final output is graded: `exact`/`numeric`/`choice` (core/answer.ts), `math` (core/math-equivalence.ts)
 * and `code` (the program runs against the item's tests in the sandbox; benchmark code datasets only).
 */
export type Grader = 'exact' | 'numeric' | 'choice' | 'math' | 'code';

/** The paper's benchmark files, each loaded in its own field layout (activities/datasets/benchmarks.ts). */
export const BENCHMARK_FORMATS = ['math-500', 'agieval-math', 'aqua', 'gpqa', 'mbpp', 'humaneval-et'] as const;
export type BenchmarkFormat = (typeof BENCHMARK_FORMATS)[number];

/** HumanEval-ET tests: the original `check(candidate)` function, or the extended `test_list` asserts. */
export type HumanEvalTests = 'check' | 'et';

/** Each benchmark's grader (fixed by its format). */
export const BENCHMARK_GRADERS: Record<BenchmarkFormat, Grader> = {
  'math-500': 'math',
  'agieval-math': 'math',
  aqua: 'choice',
  gpqa: 'choice',
  mbpp: 'code',
  'humaneval-et': 'code',
};

/**
 * Where items come from. The workflow carries this reference, never the items: activities load them
 * (and check `digest`, so an edited file cannot silently change a running evaluation).
 */
/**
 * A deterministic two-way split of a file dataset: `poolSize` items drawn with `seed` form the optimisation pool,
 * every other item the held-out set. Both parts refer to the same file, so they are disjoint by construction.
 */
export interface DatasetSplit {
  seed: number;
  poolSize: number;
  part: 'pool' | 'held-out';
}

/** Item indices of one part of a split, ascending (pure; the same for every caller). */
export function splitPart(datasetSize: number, split: DatasetSplit): number[] {
  const pool = new Set(new Prng(deriveSeed(split.seed, 'dataset-split')).sample(Array.from({ length: datasetSize }, (_, i) => i), split.poolSize));
  return Array.from({ length: datasetSize }, (_, i) => i).filter((i) => pool.has(i) === (split.part === 'pool'));
}

export type DatasetRef =
  | {
      kind: 'sim';
      /** Display name, e.g. "sim-test". */
      name: string;
      split: 'train' | 'test';
      size: number;
      seed: number;
      /** World settings that shape task generation (difficulty). */
      world: Record<string, unknown>;
    }
  | {
      kind: 'jsonl';
      name: string;
      /** Absolute path as seen by the worker. */
      path: string;
      fields: { id?: string; question: string; answer: string; options?: string };
      grader: Grader;
      limit?: number;
      /** sha256 of the file bytes at submission time. */
      digest: string;
      /** Only this part of the file (optimisation pool vs held-out). */
      split?: DatasetSplit;
    }
  | {
      kind: 'benchmark';
      name: string;
      /** Field layout and grader of the file. */
      format: BenchmarkFormat;
      /** Absolute path as seen by the worker. */
      path: string;
      /** sha256 of the file bytes at submission time. */
      digest: string;
      limit?: number;
      /** HumanEval-ET only; default `check`. */
      tests?: HumanEvalTests;
      /** Only this part of the file (optimisation pool vs held-out). */
      split?: DatasetSplit;
    };

/** The grader a dataset's items use: sim is numeric, jsonl as configured, a benchmark by its format. */
export function datasetGrader(ref: DatasetRef): Grader {
  if (ref.kind === 'sim') return 'numeric';
  if (ref.kind === 'jsonl') return ref.grader;
  return BENCHMARK_GRADERS[ref.format];
}

/** What an agent sees of a dataset item: no answer, so running the MAS is label-free by construction. */
export interface ItemView {
  index: number;
  id: string;
  question: string;
}

export interface EvaluateOptions {
  /** Items run concurrently inside one batch workflow. */
  concurrency: number;
  /** Items per child workflow. */
  batchSize: number;
  bootstrapResamples: number;
  /** Heartbeat timeout of LLM activities (ms): how fast a crashed worker's calls are retried elsewhere. */
  llmHeartbeatTimeoutMs: number;
}

export interface EvaluateInput {
  runName: string;
  seed: number;
  /** Base task queue; LLM calls go to `<base>-llm-<role>`. */
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
