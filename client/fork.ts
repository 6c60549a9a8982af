/**
 * `maspo fork <runId> --round R [-c overrides.yaml]`: a new search that starts from the state an earlier run had at
 * the start of round R — its beams, best prompts, misalignment buffers, pool and PRNG — with safe settings changed.
 *
 * The run continues as new at every round boundary, and each execution's input carries the search state it starts
 * from (`input.resume`), so the state at the start of round R is read from the history, not recomputed: round 1 is
 * the first execution's input, round R > 1 the execution whose resume cursor points at R. The fork is an ordinary
 * `optimizeMas` run with that input; it shares the response cache, so whatever it replays unchanged costs nothing.
 * Its memo and search attributes name the parent and the round (`MaspoForkOf`, `MaspoForkRound`); the run record
 * follows them to show the lineage across forks.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { z } from 'zod';
import { emptyTotals, type OptimizeInput } from '../core/contracts/optimize';
import { FORK_MEMO_KEY, type ForkOrigin } from '../core/contracts/run-record';
import { SA_FORK_OF, SA_FORK_ROUND } from '../core/contracts/search-attributes';
import { formatConfigIssue } from '../core/schema/config';
import { ForkOverridesSchema, unsafeForkField, type ForkOverrides } from '../core/schema/fork';
import { weightSettings } from '../core/schema/optimize';
import { settingsDigest } from '../core/search/state';
import { runPricingFor } from '../core/forecast/pricing';
import { isFreeProvider } from '../activities/llm/providers/registry';
import type { optimizeMas } from '../workflows/optimize/run';
import { ConfigError, providerIssues, readStructuredFile, specOfModel } from './config';
import { UsageError } from './errors';
import { startOptimization } from './optimize';
import { describeOptimizeRun } from './run-record';
import { executionChain, readExecution } from './workflow-history';
import type { WorkerPlan } from './workers';
import { idStamp } from './workflow-ids';

/** Reads and checks an overrides file: unsafe fields are refused first, then the schema's one-line error. */
export async function loadForkOverrides(file: string): Promise<ForkOverrides> {
  const raw = await readStructuredFile(file, 'fork overrides');
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${file}: expected a mapping of settings at the top level`);
  const unsafe = unsafeForkField(raw);
  if (unsafe) throw new ConfigError(`${file}: ${unsafe}`);
  const parsed = ForkOverridesSchema.safeParse(raw);
  const problems = [...(parsed.success ? [] : parsed.error.issues), ...providerIssues((raw as { models?: unknown }).models)];
  if (problems.length) throw new ConfigError(`${file}: ${formatConfigIssue(new z.ZodError(problems))}`);
  return parsed.data!;
}

/** The recorded input of the execution that started round `round` of run `workflowId`. */
export async function roundStartInput(client: Client, workflowId: string, round: number): Promise<OptimizeInput> {
  const description = await describeOptimizeRun(client, workflowId);
  const { chain } = await executionChain((id, runId) => readExecution(client, id, runId), workflowId, description.runId);
  const inputs = await Promise.all(chain.map((x) => x.input<OptimizeInput>()));
  const rounds = inputs[0].ctx.settings.rounds;
  if (!Number.isInteger(round) || round < 1 || round > rounds) throw new UsageError(`--round: ${round} is not a round of ${workflowId} (it has rounds 1–${rounds})`);
  if (round === 1) return { ...inputs[0], resume: undefined };
  const found = inputs.find((i) => i.resume?.state.cursor.round === round);
  if (!found) {
    const reached = Math.max(1, ...inputs.map((i) => i.resume?.state.cursor.round ?? 1));
    throw new UsageError(`--round: ${workflowId} never started round ${round} (it reached round ${reached}${description.status.name === 'RUNNING' ? ' so far' : ''})`);
  }
  return found;
}

/**
 * The fork's input: the parent's input at round `round` with the overrides applied. Its totals start at zero (they
 * count what the fork itself calls); the parent's round summaries before `round` are kept, so the result lists
 * every round of the search.
 */
export function forkInput(start: OptimizeInput, round: number, overrides: ForkOverrides = {}, source = 'overrides'): OptimizeInput {
  const { ctx } = start;
  const o = overrides.optimize ?? {};
  const settings = {
    ...ctx.settings,
    ...(o.rounds !== undefined ? { rounds: o.rounds } : {}),
    ...(o.stepsPerRound !== undefined ? { stepsPerRound: o.stepsPerRound } : {}),
    ...(o.proposalsPerParent !== undefined ? { proposalsPerParent: o.proposalsPerParent } : {}),
    ...(o.batchSize !== undefined ? { batchSize: o.batchSize } : {}),
    ...(o.weights ? weightSettings(o.weights, { faithful: ctx.settings.profile === 'faithful', jointEvaluation: ctx.settings.jointEvaluation }) : {}),
  };
  if (settings.rounds < round) throw new ConfigError(`${source}: optimize.rounds: ${settings.rounds} ends before the fork's first round ${round}`);
  if (settings.batchSize > settings.poolSize) throw new ConfigError(`${source}: optimize.batchSize: ${settings.batchSize} exceeds the run's poolSize (${settings.poolSize})`);
  const m = overrides.models ?? {};
  const models = {
    ...ctx.models,
    ...(m.optimizer ? { optimizer: specOfModel(m.optimizer, ctx.models.optimizer.sim) } : {}),
    ...(m.judge ? { judge: specOfModel(m.judge, ctx.models.judge.sim) } : {}),
  };
  // Re-derive token bounds for the new settings; a role whose model is unchanged keeps the parent's price.
  const { pricing } = runPricingFor({ mas: ctx.mas, models, settings }, {}, isFreeProvider);
  if (ctx.pricing) {
    for (const role of ['backbone', 'optimizer', 'judge'] as const) {
      if (models[role].provider === ctx.models[role].provider && models[role].model === ctx.models[role].model) pricing.prices[role] = ctx.pricing.prices[role];
    }
  }
  const budget = o.budget ?? start.budget;
  return {
    ctx: { ...ctx, settings, models, pricing },
    heldOut: start.heldOut,
    ...(budget ? { budget } : {}),
    // The state is stamped with the settings it may be resumed under (core/search/state.ts): the fork's, by design.
    ...(start.resume ? { resume: { state: { ...start.resume.state, settingsDigest: settingsDigest(settings) }, rounds: start.resume.rounds, totals: emptyTotals() } } : {}),
  };
}

/** What the workers in this process need for a fork: the run's queue and models, with the overrides' limits. */
export function forkWorkerPlan(input: OptimizeInput, overrides: ForkOverrides = {}): WorkerPlan {
  const { models } = input.ctx;
  return { taskQueue: input.ctx.taskQueue, models: { backbone: models.backbone, optimizer: overrides.models?.optimizer ?? models.optimizer, judge: overrides.models?.judge ?? models.judge } };
}

export function defaultForkId(parentId: string, round: number, now = new Date()): string {
  const stamp = idStamp(now);
  return `${parentId}-fork-r${round}-${stamp}`;
}

/** Starts the fork; its memo and search attributes name the parent and the round. */
export async function startFork(client: Client, input: OptimizeInput, origin: ForkOrigin, workflowId = defaultForkId(origin.workflowId, origin.round)): Promise<WorkflowHandle<typeof optimizeMas>> {
  return startOptimization(client, input, workflowId, {
    memo: { [FORK_MEMO_KEY]: origin },
    searchAttributes: [
      { key: SA_FORK_OF, value: origin.workflowId },
      { key: SA_FORK_ROUND, value: origin.round },
    ],
  });
}
