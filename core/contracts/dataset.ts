/**
 * Dataset references: where a run's items come from (sim world, JSONL file, benchmark file), how each is graded, and
 * the deterministic pool / held-out split. The workflow carries a reference, never the items. Pure; safe in workflows.
 */
import { deriveSeed, Prng } from '../common/prng';

/**
 * How a final output is graded: `exact`/`numeric`/`choice` (core/grading/answer.ts), `math` (core/grading/math-equivalence.ts)
 * and `code` (the program runs against the item's tests in the sandbox; benchmark code datasets only).
 */
export type Grader = 'exact' | 'numeric' | 'choice' | 'math' | 'code';

/** The paper's benchmark files, each loaded in its own field layout (datasets/benchmarks.ts). */
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
  /** Only the first `take` items of the part, in file order (`maspo compare --held-out N`). */
  take?: number;
}

/** Item indices of one part of a split, ascending (pure; the same for every caller). */
export function splitPart(datasetSize: number, split: DatasetSplit): number[] {
  const pool = new Set(new Prng(deriveSeed(split.seed, 'dataset-split')).sample(Array.from({ length: datasetSize }, (_, i) => i), split.poolSize));
  const part = Array.from({ length: datasetSize }, (_, i) => i).filter((i) => pool.has(i) === (split.part === 'pool'));
  return split.take === undefined ? part : part.slice(0, split.take);
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
