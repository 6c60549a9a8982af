/**
 * A search scenario as the `optimizeMas` input: the paper configuration with the scenario's profile, chain, |B|,
 * D / T / Ksub / |D| overrides and the models it is given (the simulator's server, or a real model). The held-out
 * evaluation is off: the search is what is measured (the evaluation job has a scenario of its own).
 */
import { validateConfig } from '../../client/config';
import { buildOptimizeInput } from '../../client/optimize';
import type { OptimizeInput } from '../../core/contracts/optimize';
import type { SimWorldInput } from '../../core/schema/sim-config';
import { BENCH_TASK_QUEUE, chainOf, PAPER_CONFIG, type Raw, type Scenario } from './scenario';

export async function searchInput(paper: Raw, s: Scenario, models: Raw, world: SimWorldInput, optimizeExtras: Raw = {}): Promise<OptimizeInput> {
  const raw = structuredClone(paper);
  raw.name = `bench-${s.id}`;
  raw.taskQueue = BENCH_TASK_QUEUE;
  raw.sim = world;
  raw.mas = chainOf(raw.mas, s.agents);
  raw.models = models;
  raw.optimize = {
    ...raw.optimize,
    ...optimizeExtras,
    profile: s.profile,
    batchSize: s.batchSize,
    heldOut: false,
    ...(s.rounds !== undefined ? { rounds: s.rounds } : {}),
    ...(s.stepsPerRound !== undefined ? { stepsPerRound: s.stepsPerRound } : {}),
    ...(s.proposalsPerParent !== undefined ? { proposalsPerParent: s.proposalsPerParent } : {}),
    ...(s.poolSize !== undefined ? { poolSize: s.poolSize } : {}),
  };
  // Items of one batch run side by side, as in the paper's code; the config's 10 would queue a larger batch.
  raw.evaluate = { ...raw.evaluate, concurrency: Math.max(raw.evaluate?.concurrency ?? 10, s.batchSize) };
  return buildOptimizeInput({ file: PAPER_CONFIG, config: validateConfig(PAPER_CONFIG, raw) });
}
