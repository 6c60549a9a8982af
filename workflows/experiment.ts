/**
 * An experiment grid: every (variant, seed) search as an `optimizeMas` child with a deterministic id
 * `<parent>/<variant>/seed-<n>`, at most `concurrency` at a time. Each child ends with its own held-out
 * evaluation of seed vs optimized prompts; this workflow only collects the results (the table is built client-side).
 */
import { defineQuery, executeChild, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ExperimentResult, ExperimentRunResult } from '../core/contracts/experiment';
import { searchAttributesOf, type OptimizeInput } from '../core/contracts/optimize';
import { optimizeMas } from './optimize/run';
import { mapBounded } from '../core/common/bounded';

export interface ExperimentRun {
  /** `<variant>/seed-<n>`. */
  id: string;
  variant: string;
  seed: number;
  input: OptimizeInput;
}

export interface ExperimentGridInput {
  runs: ExperimentRun[];
  /** Searches in flight at once. */
  concurrency: number;
}

export interface ExperimentProgress {
  total: number;
  done: number;
  /** Workflow ids of the searches running now (query them with `runProgressQuery` for their round). */
  running: string[];
}

export const experimentProgressQuery = defineQuery<ExperimentProgress>('experimentProgress');

export async function experimentGrid(input: ExperimentGridInput): Promise<ExperimentResult> {
  const parent = workflowInfo().workflowId;
  let done = 0;
  const running = new Set<string>();
  setHandler(experimentProgressQuery, () => ({ total: input.runs.length, done, running: [...running] }));
  setCurrentDetails(`0/${input.runs.length} runs done`);
  const runs = await mapBounded(input.runs, input.concurrency, async (run): Promise<ExperimentRunResult> => {
    const workflowId = `${parent}/${run.id}`;
    running.add(workflowId);
    const r = await executeChild(optimizeMas, {
      workflowId,
      args: [run.input],
      staticSummary: `${run.variant}, seed ${run.seed}`,
      typedSearchAttributes: searchAttributesOf(run.input),
    });
    running.delete(workflowId);
    done++;
    setCurrentDetails(`${done}/${input.runs.length} runs done`);
    return { id: run.id, variant: run.variant, seed: run.seed, workflowId, strategy: r.strategy, heldOut: r.heldOut, totals: r.totals, prompts: r.prompts, stopped: r.stopped };
  });
  return { runs };
}
