/**
 * Library front door for the optimisation job: resolve a config into the run's input, start it, await it.
 */
import { Client, WorkflowHandle, WorkflowIdReusePolicy } from '@temporalio/client';
import { datasetGrader } from '../core/evaluation';
import type { OptimizeInput, OptimizeResult } from '../core/optimization';
import { resolveOptimizeSettings } from '../core/maspo/settings';
import { SA_DATASET, SA_KIND, SA_RUN, SA_STATUS, SA_STRATEGY, SA_TOPOLOGY } from '../core/search-attributes';
import type { optimizeMas } from '../workflows/optimize/run';
import { ConfigError, modelSpec, resolveDataset, type LoadedConfig } from './config';
import { configDigest } from './evaluate';

export async function buildOptimizeInput(loaded: LoadedConfig): Promise<OptimizeInput> {
  const { config } = loaded;
  if (!config.optimize) throw new ConfigError(`${loaded.file}: optimize: this section is required by \`maspo optimize\``);
  const dataset = await resolveDataset(loaded);
  const settings = resolveOptimizeSettings(config.optimize, { grader: datasetGrader(dataset) });
  // The optimisation pool comes from the train split of generated tasks (held-out evaluation uses test).
  const pool = dataset.kind === 'sim' ? { ...dataset, name: 'sim-train', split: 'train' as const, size: settings.poolSize } : dataset;
  // Held-out evaluation after the search: the generated test split, disjoint from the train pool by construction.
  // (For file datasets the pool/held-out split comes with the experiment runner; until then no held-out run.)
  const heldOut = dataset.kind === 'sim' ? { dataset, options: config.evaluate } : undefined;
  return {
    heldOut,
    ctx: {
      runName: config.name,
      seed: config.seed,
      taskQueue: config.taskQueue,
      dataset: pool,
      mas: { topology: config.mas.topology, agents: config.mas.agents, edges: config.mas.edges },
      models: { backbone: modelSpec(config, 'backbone')!, optimizer: modelSpec(config, 'optimizer')!, judge: modelSpec(config, 'judge')! },
      settings,
      concurrency: config.evaluate.concurrency,
      llmHeartbeatTimeoutMs: config.evaluate.llmHeartbeatTimeoutMs,
    },
  };
}

export function defaultOptimizationId(input: OptimizeInput, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `optimize-${input.ctx.runName}-${stamp}`;
}

export async function startOptimization(client: Client, input: OptimizeInput, workflowId = defaultOptimizationId(input)): Promise<WorkflowHandle<typeof optimizeMas>> {
  const { ctx } = input;
  return client.workflow.start<typeof optimizeMas>('optimizeMas', {
    taskQueue: ctx.taskQueue,
    workflowId,
    args: [input],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    typedSearchAttributes: [
      { key: SA_KIND, value: 'optimize' },
      { key: SA_RUN, value: ctx.runName },
      { key: SA_DATASET, value: ctx.dataset.name },
      { key: SA_TOPOLOGY, value: ctx.mas.topology },
      { key: SA_STRATEGY, value: `${ctx.settings.strategy}/${ctx.settings.profile}` },
      { key: SA_STATUS, value: 'running' },
    ],
    memo: { configDigest: configDigest(input), seed: ctx.seed },
    staticSummary: `optimize ${ctx.runName}: ${ctx.settings.strategy} (${ctx.settings.profile}), D=${ctx.settings.rounds} T=${ctx.settings.stepsPerRound} K=${ctx.settings.beamWidth}`,
  });
}

/** Awaits the run (following its continue-as-new chain). */
export async function awaitOptimization(handle: WorkflowHandle<typeof optimizeMas>): Promise<OptimizeResult> {
  return handle.result();
}
