/**
 * Experiments (`maspo experiment <grid>`): strategies × ablations × seeds of one base config as durable searches
 * (one `experimentGrid` workflow, each run an `optimizeMas` child evaluated on the held-out split), then a
 * comparison table in Markdown and JSON. Every variant is validated through the real `ConfigSchema` before anything
 * starts.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/client';
import { ConfigSchema, formatConfigIssue, type MaspoConfig } from '../core/schema/config';
import { experimentTable, summarizeExperiment, type ExperimentResult } from '../core/contracts/experiment';
import { expandGrid, ExperimentGridSchema, mergeOptimize, type ExperimentGrid } from '../core/schema/experiment';
import { SA_KIND, SA_RUN } from '../core/contracts/search-attributes';
import { experimentProgressQuery, type experimentGrid, type ExperimentGridInput, type ExperimentRun } from '../workflows/experiment';
import { roundProgressQuery, runProgressQuery } from '../workflows/optimize/control';
import { awaitWithProgress } from './poll';
import { ConfigError, readStructuredFile, validateConfig, type LoadedConfig } from './config';
import { buildOptimizeInput } from './optimize';
import { runDetailsTable, type RunDetails } from './experiment-details';
import { idStamp } from './workflow-ids';

export interface LoadedExperiment {
  file: string;
  grid: ExperimentGrid;
  /** The base config as loaded (validated) from `grid.base`. */
  base: LoadedConfig;
  runs: ExperimentRun[];
}

/**
 * Loads a grid and builds every run's `OptimizeInput`: the variant's `optimize` overrides and the seed are applied
 * to the base config's raw text, and the result is validated through `ConfigSchema`, so a bad variant is a
 * `ConfigError` `<grid>: variant '<name>': <field>: <reason>` before anything starts.
 */
export async function loadExperiment(file: string): Promise<LoadedExperiment> {
  const raw = await readStructuredFile(file, 'experiment grid');
  const parsed = ExperimentGridSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigError(`${file}: ${formatConfigIssue(parsed.error)}`);
  const grid = parsed.data;
  const baseFile = path.resolve(path.dirname(path.resolve(file)), grid.base);
  const baseRaw = (await readStructuredFile(baseFile, 'config')) as Record<string, unknown>;
  const base: LoadedConfig = { file: baseFile, config: validateConfig(baseFile, baseRaw) };
  const runs: ExperimentRun[] = [];
  for (const cell of expandGrid(grid, base.config.seed)) {
    const merged = { ...baseRaw, seed: cell.seed, optimize: mergeOptimize(baseRaw.optimize, cell.overrides) };
    const checked = ConfigSchema.safeParse(merged);
    if (!checked.success) throw new ConfigError(`${file}: variant '${cell.variant}': ${formatConfigIssue(checked.error)}`);
    const config: MaspoConfig = { ...checked.data, name: `${checked.data.name}-${cell.variant}-s${cell.seed}` };
    const input = await buildOptimizeInput({ file: baseFile, config }).catch((e: unknown) => {
      throw e instanceof ConfigError ? new ConfigError(`${file}: variant '${cell.variant}': ${e.message}`) : e;
    });
    runs.push({ id: cell.id, variant: cell.variant, seed: cell.seed, input });
  }
  return { file, grid, base, runs };
}

const gridName = (file: string) => path.basename(file).replace(/\.(ya?ml|json)$/i, '');

export function defaultExperimentId(file: string, now = new Date()): string {
  const stamp = idStamp(now);
  return `experiment-${gridName(file)}-${stamp}`;
}

/** Where `writeExperiment` puts the results unless told: `<grid name>-results`. */
export function defaultExperimentDir(file: string): string {
  return `${gridName(file)}-results`;
}

export async function startExperiment(client: Client, exp: LoadedExperiment, workflowId: string): Promise<WorkflowHandle<typeof experimentGrid>> {
  const input: ExperimentGridInput = { runs: exp.runs, concurrency: exp.grid.concurrency };
  return client.workflow.start<typeof experimentGrid>('experimentGrid', {
    taskQueue: exp.base.config.taskQueue,
    workflowId,
    args: [input],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    typedSearchAttributes: [
      { key: SA_KIND, value: 'experiment' },
      { key: SA_RUN, value: exp.base.config.name },
    ],
    staticSummary: `experiment ${path.basename(exp.file)}: ${exp.grid.variants.length} variant(s) × ${exp.runs.length / exp.grid.variants.length} seed(s)`,
  });
}

/**
 * Writes `<dir>/experiment.md` and `<dir>/experiment.json`; returns the Markdown summary table. `details` (per run:
 * wall-clock, slot occupancy) adds a per-run table with the paired statistics.
 */
export async function writeExperiment(dir: string, exp: LoadedExperiment, workflowId: string, result: ExperimentResult, details: RunDetails[] = []): Promise<string> {
  const table = experimentTable(result.runs);
  const md = [`# Experiment ${path.basename(exp.file)}`, '', `base: ${exp.grid.base} · workflow ${workflowId}`, '', table, '', '## Per run', '', runDetailsTable(result.runs, details), ''].join('\n');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'experiment.md'), md);
  await writeFile(path.join(dir, 'experiment.json'), `${JSON.stringify({ workflowId, grid: exp.grid, variants: summarizeExperiment(result.runs), runs: result.runs, details }, null, 2)}\n`);
  return table;
}

/** One line of an experiment's progress: runs done of total, and where each running search is. */
export async function experimentProgressLine(client: Client, workflowId: string): Promise<string> {
  const p = await client.workflow.getHandle(workflowId).query(experimentProgressQuery);
  const parts: string[] = [];
  for (const id of p.running) {
    const short = id.slice(workflowId.length + 1);
    try {
      const run = await client.workflow.getHandle(id).query(runProgressQuery);
      const phases: Partial<Record<typeof run.phase, string>> = { 'held-out': 'held-out evaluation', 'budget-exhausted': 'waiting: budget exhausted', done: 'finishing' };
      let where = phases[run.phase] ?? `round ${run.round}/${run.rounds}`;
      if (run.phase === 'searching' && run.roundWorkflowId) {
        const round = await client.workflow.getHandle(run.roundWorkflowId).query(roundProgressQuery).catch(() => undefined);
        if (round) where += `, ${round.agentId} ${round.unit}${round.unit === 'step' ? ` ${round.step}/${round.stepsPerRound}` : ''}`;
      }
      parts.push(`${short}: ${where}`);
    } catch {
      parts.push(`${short}: starting`);
    }
  }
  return `experiment: ${p.done}/${p.total} runs done${parts.length ? ` · ${parts.join(' · ')}` : ''}`;
}

/**
 * Prints experiment progress to `stream` until `result` settles: a line whenever it changes (polled every `pollMs`),
 * and otherwise one every `quietMs` with the elapsed time, so a piped log shows the run is alive without repeating.
 */
export async function withExperimentProgress<T>(client: Client, workflowId: string, result: Promise<T>, stream: NodeJS.WritableStream, opts: { pollMs?: number; quietMs?: number } = {}): Promise<T> {
  const started = Date.now();
  let last = '';
  let lastAt = 0;
  return awaitWithProgress(
    result,
    () => experimentProgressLine(client, workflowId),
    (line) => {
      const now = Date.now();
      if (line === last && now - lastAt < (opts.quietMs ?? 120_000)) return;
      stream.write(`${line} (${Math.round((now - started) / 60_000)} min)\n`);
      last = line;
      lastAt = now;
    },
    opts.pollMs ?? 5000,
  );
}
