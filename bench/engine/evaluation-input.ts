/**
 * The evaluation-only scenario as the `evaluateMas` input: the paper configuration's MAS (predictor → reviewer, seed
 * prompts) over the first N items of the simulator's test split, the backbone on the simulator's HTTP server. The
 * config's `evaluate:` options stay as they are (10 items at a time per batch of 20): that is how the search's
 * held-out evaluation runs too, so this measures what a real run pays per call after its search.
 */
import { buildEvaluateInput, validateConfig } from '../../client/config';
import type { EvaluateInput } from '../../core/contracts/evaluate';
import type { SimWorldInput } from '../../core/schema/sim-config';
import { BENCH_TASK_QUEUE, chainOf, PAPER_CONFIG, simulatedModels, type Raw, type Scenario } from './scenario';

/** Items of the full-mode evaluation: the size of the paper configuration's held-out evaluation. */
export const EVALUATION_ITEMS = 1000;

export async function evaluationInput(paper: Raw, s: Scenario, world: SimWorldInput, simUrl: string): Promise<EvaluateInput> {
  const raw = structuredClone(paper);
  raw.name = `bench-${s.id}`;
  raw.taskQueue = BENCH_TASK_QUEUE;
  raw.sim = world;
  raw.mas = chainOf(raw.mas, s.agents);
  raw.models = simulatedModels(paper, s, simUrl);
  raw.dataset = { kind: 'sim', split: 'test', size: s.items ?? EVALUATION_ITEMS };
  delete raw.optimize; // evaluation only
  return buildEvaluateInput({ file: PAPER_CONFIG, config: validateConfig(PAPER_CONFIG, raw) });
}
