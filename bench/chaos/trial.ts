/**
 * One search run behind its own fault proxy: the building block of the chaos scenarios. A trial gets a fresh proxy
 * (so a fresh baseURL: the worker's response cache never answers for another trial), writes its config, starts the
 * run through the library, and after the run reads its histories back for the fault audit.
 */
import path from 'node:path';
import { startOptimization } from '../../client/optimize';
import type { OptimizeInput, OptimizeResult } from '../../core/contracts/optimize';
import type { ChaosContext } from './context';
import { startFaultProxy, type FaultPlan, type FaultProxy } from './fault-proxy';
import { readRun, type RunRecords } from './history';
import { writeSearchConfig, type SearchConfigOptions } from '../../fixtures/search-config';

export interface SearchTrial {
  proxy: FaultProxy;
  file: string;
  input: OptimizeInput;
  workflowId: string;
}

export async function prepareTrial(
  ctx: ChaosContext,
  dir: string,
  o: { name: string; seed: number; taskQueue: string; plan?: FaultPlan; config?: Partial<SearchConfigOptions>; upstream?: string },
): Promise<SearchTrial> {
  const proxy = await startFaultProxy({ upstream: o.upstream ?? ctx.sim.url, plan: o.plan ?? { seed: o.seed, rates: {} } });
  const { file, input } = await writeSearchConfig(dir, { name: o.name, seed: o.seed, taskQueue: o.taskQueue, baseURL: `${proxy.url}/v1`, ...o.config });
  return { proxy, file, input, workflowId: `chaos-${o.name}-${Date.now()}` };
}

/** Starts the trial's run on the shared server and waits for its result (bounded). */
export async function runTrial(ctx: ChaosContext, trial: SearchTrial, timeoutMs = 600_000): Promise<{ result: OptimizeResult; records: RunRecords; ms: number }> {
  const temporal = await ctx.connect();
  try {
    const started = Date.now();
    const handle = await startOptimization(temporal.client, trial.input, trial.workflowId);
    const result = await withTimeout(handle.result(), timeoutMs, `${trial.workflowId} to complete`);
    const ms = Date.now() - started;
    return { result, records: await readRun(temporal.client, trial.workflowId), ms };
  } finally {
    await temporal.close();
  }
}

export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s waiting for ${what}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export const logIn = (dir: string, name: string) => path.join(dir, 'logs', `${name}.log`);

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
