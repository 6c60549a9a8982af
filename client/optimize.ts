/**
 * Library front door for the optimisation job: resolve a config into the run's input, start it, await it.
 */
import { writeFile } from 'node:fs/promises';
import { Client, WorkflowHandle, WorkflowIdReusePolicy, WorkflowUpdateFailedError } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { datasetGrader, type DatasetRef } from '../core/contracts/dataset';
import { addTotals, searchAttributesOf, type OptimizeInput, type OptimizeResult } from '../core/contracts/optimize';
import { budgetUpdate, controlUpdate, roundProgressQuery, runProgressQuery, stepProgressQuery } from '../workflows/optimize/control';
import { spendOf, type Budget, type BudgetChange } from '../core/contracts/ledger';
import { resolveOptimizeSettings } from '../core/schema/optimize';
import type { optimizeMas } from '../workflows/optimize/run';
import { ConfigError, loadConfig, modelSpec, resolveDataset, type LoadedConfig } from './config';
import { configDigest } from './evaluate';
import { loadDatasetItems } from '../activities/dataset-items';
import { runPricingFor } from '../core/forecast/pricing';
import { isFreeProvider } from '../activities/llm/providers/registry';
import { awaitWithProgress } from './poll';
import { evaluationProgress } from './evaluate';
import { formatEta } from './eta';
import type { EvaluateProgress } from '../core/contracts/evaluate';
import { idStamp } from './workflow-ids';

/**
 * The optimisation pool and the held-out set, disjoint by construction: generated tasks come from the train and
 * test splits; a file is split in two with the run's seed (pool: `poolSize` items; held-out: the rest). `maspo
 * compare --held-out` uses the same split, so prompts can be compared (or transferred to another model) on exactly
 * the items a search with this config never saw.
 */
export async function optimizeSplit(loaded: LoadedConfig, dataset: DatasetRef, poolSize: number): Promise<{ pool: DatasetRef; heldOut: DatasetRef }> {
  const { config } = loaded;
  if (dataset.kind === 'sim') return { pool: { ...dataset, name: 'sim-train', split: 'train', size: poolSize }, heldOut: dataset };
  const size = (await loadDatasetItems(dataset)).length;
  if (config.optimize?.heldOut !== false && size <= poolSize) {
    throw new ConfigError(`${loaded.file}: optimize.poolSize: ${poolSize} pool items leave nothing held out of ${dataset.name} (${size} items); lower it or set optimize.heldOut: false`);
  }
  const split = { seed: config.seed, poolSize };
  return {
    pool: { ...dataset, name: `${dataset.name}-pool`, split: { ...split, part: 'pool' } },
    heldOut: { ...dataset, name: `${dataset.name}-held-out`, split: { ...split, part: 'held-out' } },
  };
}

/** The held-out items of the config's optimisation split, or the first `take` of them (`maspo compare --held-out`). */
export async function heldOutDataset(loaded: LoadedConfig, take?: number): Promise<DatasetRef> {
  const { config } = loaded;
  if (!config.optimize) throw new ConfigError(`${loaded.file}: optimize: --held-out needs this section (its poolSize and the run's seed define the split)`);
  const dataset = await resolveDataset(loaded);
  const settings = resolveOptimizeSettings(config.optimize, { grader: datasetGrader(dataset) });
  const { heldOut } = await optimizeSplit(loaded, dataset, settings.poolSize);
  if (take === undefined || heldOut.kind === 'sim' || !heldOut.split) return heldOut;
  return { ...heldOut, name: `${heldOut.name}-first-${take}`, split: { ...heldOut.split, take } };
}

export async function buildOptimizeInput(loaded: LoadedConfig): Promise<OptimizeInput> {
  const { config } = loaded;
  if (!config.optimize) throw new ConfigError(`${loaded.file}: optimize: this section is required by \`maspo optimize\``);
  const dataset = await resolveDataset(loaded);
  const settings = resolveOptimizeSettings(config.optimize, { grader: datasetGrader(dataset) });
  const { pool, heldOut: heldOutSet } = await optimizeSplit(loaded, dataset, settings.poolSize);
  const heldOut = config.optimize.heldOut === false ? undefined : { dataset: heldOutSet, options: config.evaluate };
  const models = { backbone: modelSpec(config, 'backbone')!, optimizer: modelSpec(config, 'optimizer')!, judge: modelSpec(config, 'judge')! };
  const mas = { topology: config.mas.topology, agents: config.mas.agents, edges: config.mas.edges, summaryWords: config.mas.summaryWords };
  const { pricing, unpriced } = runPricingFor({ mas, models, settings }, config.prices, isFreeProvider);
  const budget = config.optimize.budget;
  if (budget?.usd !== undefined && unpriced.length > 0) {
    const role = unpriced[0];
    throw new ConfigError(`${loaded.file}: optimize.budget.usd: models.${role} (${models[role].model}) has no price; add it under prices: { ${models[role].model}: { input, output } } or cap calls instead`);
  }
  return {
    heldOut,
    ...(budget ? { budget } : {}),
    ctx: {
      runName: config.name,
      seed: config.seed,
      taskQueue: config.taskQueue,
      dataset: pool,
      mas,
      models,
      settings,
      concurrency: config.evaluate.concurrency,
      llmHeartbeatTimeoutMs: config.evaluate.llmHeartbeatTimeoutMs,
      llmDispatch: config.evaluate.llmDispatch,
      pricing,
    },
  };
}

export function defaultOptimizationId(input: OptimizeInput, now = new Date()): string {
  const stamp = idStamp(now);
  return `optimize-${input.ctx.runName}-${stamp}`;
}

/** Extra memo fields and search attributes of a run (a fork names its parent with them: client/fork.ts). */
export interface StartExtras {
  memo?: Record<string, unknown>;
  searchAttributes?: SearchAttributePair[];
}

export async function startOptimization(client: Client, input: OptimizeInput, workflowId = defaultOptimizationId(input), extras: StartExtras = {}): Promise<WorkflowHandle<typeof optimizeMas>> {
  const { ctx } = input;
  return client.workflow.start<typeof optimizeMas>('optimizeMas', {
    taskQueue: ctx.taskQueue,
    workflowId,
    args: [input],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    typedSearchAttributes: [...searchAttributesOf(input), ...(extras.searchAttributes ?? [])],
    memo: { configDigest: configDigest(input), seed: ctx.seed, ...extras.memo },
    staticSummary: `optimize ${ctx.runName}: ${ctx.settings.strategy} (${ctx.settings.profile}), D=${ctx.settings.rounds} T=${ctx.settings.stepsPerRound} K=${ctx.settings.beamWidth}`,
  });
}

/** Awaits the run (following its continue-as-new chain), calling `onProgress` every `pollMs`. */
export async function awaitOptimization(
  client: Client,
  handle: WorkflowHandle<typeof optimizeMas>,
  onProgress?: (p: SearchProgressView) => void,
  pollMs = 1000,
): Promise<OptimizeResult> {
  return awaitWithProgress(handle.result(), () => optimizationProgress(client, handle.workflowId), onProgress, pollMs);
}

export interface SearchProgressView {
  phase: string;
  control: string;
  round: number;
  rounds: number;
  agentId?: string;
  unit?: string;
  step?: number;
  stepsPerRound?: number;
  calls: number;
  cached: number;
  /** Dollars paid so far (list prices; cache hits free). */
  spendUsd: number;
  budget?: Budget;
  /** Why the run waits for a higher cap (phase `budget-exhausted`). */
  budgetExhausted?: string;
  bestJ: Record<string, number>;
  /** Units (refreshes and steps) of the current round: done and planned. */
  unitsDone?: number;
  unitsInRound?: number;
  /** Candidate evaluations of the running step: finished and started. */
  candidatesDone?: number;
  candidatesPlanned?: number;
  /** Phase `held-out`: the two evaluations' items and calls so far (seed and optimised prompts, summed). */
  heldOut?: EvaluateProgress;
}

/** Run-level progress plus the running round's agent and step (queries add nothing to history). */
export async function optimizationProgress(client: Client, workflowId: string): Promise<SearchProgressView> {
  const run = await client.workflow.getHandle(workflowId).query(runProgressQuery);
  const round = run.roundWorkflowId ? await client.workflow.getHandle(run.roundWorkflowId).query(roundProgressQuery).catch(() => undefined) : undefined;
  const step = round?.stepWorkflowId ? await client.workflow.getHandle(round.stepWorkflowId).query(stepProgressQuery).catch(() => undefined) : undefined;
  const totals = round ? addTotals(run.totals, round.totals) : run.totals;
  const heldOut = run.phase === 'held-out' ? await heldOutProgress(client, workflowId) : undefined;
  return {
    phase: run.phase,
    control: run.control,
    round: round?.round ?? run.round,
    rounds: run.rounds,
    agentId: round?.agentId,
    unit: round?.unit,
    step: round?.step,
    stepsPerRound: round?.stepsPerRound,
    calls: totals.calls.backbone + totals.calls.optimizer + totals.calls.judge,
    cached: totals.cached,
    spendUsd: spendOf(totals.ledger).usd,
    budget: run.budget,
    budgetExhausted: run.budgetExhausted,
    bestJ: round?.bestJ ?? run.bestJ,
    unitsDone: round?.unitsDone,
    unitsInRound: round?.unitsInRound,
    candidatesDone: step?.candidatesDone,
    candidatesPlanned: step?.candidatesPlanned,
    ...(heldOut ? { heldOut } : {}),
  };
}

/** Items and calls of the held-out evaluations (`<run>/held-out-seed`, `-optimized`; one when no prompt changed). */
async function heldOutProgress(client: Client, workflowId: string): Promise<EvaluateProgress | undefined> {
  const parts = await Promise.all(['seed', 'optimized'].map((w) => evaluationProgress(client, `${workflowId}/held-out-${w}`).catch(() => undefined)));
  const found = parts.filter((p): p is EvaluateProgress => p !== undefined && p.total > 0);
  if (found.length === 0) return undefined;
  const sum = (k: 'total' | 'done' | 'correct' | 'errors' | 'calls' | 'cachedCalls') => found.reduce((n, p) => n + p[k], 0);
  return { total: sum('total'), done: sum('done'), correct: sum('correct'), errors: sum('errors'), calls: sum('calls'), cachedCalls: sum('cachedCalls'), status: found.every((p) => p.status === 'completed') ? 'completed' : 'running' };
}

export function formatSearchProgress(p: SearchProgressView, etaMs?: number): string {
  if (p.phase === 'held-out' && p.heldOut) {
    const h = p.heldOut;
    return `held-out evaluation · ${h.done}/${h.total} items · ${h.calls} LLM calls (${h.cachedCalls} cached)${formatEta(etaMs)} · search: ${p.calls} LLM calls, ${formatSpend(p.spendUsd, p.budget)}`;
  }
  const where = p.phase === 'searching' ? `round ${p.round}/${p.rounds}${p.agentId ? ` · ${p.agentId} ${p.unit === 'refresh' ? 'refresh' : `step ${p.step}/${p.stepsPerRound}`}` : ''}` : p.phase;
  const best = Object.entries(p.bestJ).map(([a, j]) => `${a}=${j.toFixed(2)}`).join(' ');
  const cands = p.candidatesPlanned ? ` · candidates ${p.candidatesDone ?? 0}/${p.candidatesPlanned}` : '';
  const waiting = p.phase === 'budget-exhausted' && p.budgetExhausted ? ` · waiting: ${p.budgetExhausted}` : '';
  return `${where}${p.control !== 'running' ? ` [${p.control}]` : ''}${cands} · ${p.calls} LLM calls (${p.cached} cached) · ${formatSpend(p.spendUsd, p.budget)} · best J ${best}${waiting}`;
}

export function formatSpend(usd: number, budget?: Budget): string {
  const cap = [budget?.usd !== undefined ? `cap $${budget.usd.toFixed(2)}` : '', budget?.calls !== undefined ? `cap ${budget.calls} calls` : ''].filter(Boolean).join(', ');
  return `spend $${usd < 0.01 && usd > 0 ? usd.toFixed(4) : usd.toFixed(2)}${cap ? ` (${cap})` : ''}`;
}

/** Changes a run's spending cap (see `budgetUpdate`); returns the cap now in force. Rejected if invalid. */
export async function setBudget(client: Client, workflowId: string, change: BudgetChange): Promise<Budget> {
  try {
    return await client.workflow.getHandle(workflowId).executeUpdate(budgetUpdate, { args: [change] });
  } catch (err) {
    // The validator's reason travels as the cause ("Workflow Update failed" alone says nothing).
    if (err instanceof WorkflowUpdateFailedError && err.cause) throw new ConfigError(`${workflowId}: ${err.cause.message}`);
    throw err;
  }
}

/** Pause, resume or stop a search at its next boundary; returns the new control state. */
export async function controlOptimization(client: Client, workflowId: string, command: 'pause' | 'resume' | 'stop'): Promise<string> {
  return client.workflow.getHandle(workflowId).executeUpdate(controlUpdate, { args: [command] });
}

/**
 * One call from a config file to a running search: load and validate the config, start the run, return its
 * handle (await `handle.result()`). A worker must serve the config's task queue (`maspo worker -c <config>`).
 */
export async function optimize(configFile: string, options: { client: Client; workflowId?: string }): Promise<WorkflowHandle<typeof optimizeMas>> {
  const input = await buildOptimizeInput(await loadConfig(configFile));
  return startOptimization(options.client, input, options.workflowId);
}

/** Waits for a search (running or finished) and returns its result. */
export async function optimizationResult(client: Client, workflowId: string): Promise<OptimizeResult> {
  return (await client.workflow.getHandle(workflowId).result()) as OptimizeResult;
}

/** Writes winning prompts as `{ agentId: prompt }` JSON: what `evaluate --prompts`, `compare` and `applyPromptsFile` take. */
export async function writePromptsFile(file: string, prompts: Record<string, string>): Promise<void> {
  await writeFile(file, `${JSON.stringify(prompts, null, 2)}\n`);
}
