/**
 * Scenario 1: SIGKILL the `maspo worker` process at ≥ 20 seeded random moments of a search (a moment = the n-th LLM
 * reply reaching the worker, n drawn with the seed), restarting it each time. The run must complete with exactly the
 * prompts, beams and scores of the uninterrupted run of the same seed, and the LLM server must see no more requests
 * beyond that run than calls were in flight at the kills.
 *
 * "In flight at a kill" is exact: an upstream request sent before a kill whose reply the worker had not recorded in
 * its response cache when it died (the cache is checked right after the kill, by the same key the worker uses).
 * Requests for a reply that was already recorded must never be sent again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { cacheKey } from '../../activities/llm/cache';
import { startOptimization } from '../../client/optimize';
import { deriveSeed, Prng } from '../../core/common/prng';
import type { ModelSpec } from '../../core/contracts/llm';
import type { OptimizeInput, OptimizeResult } from '../../core/contracts/optimize';
import type { ChaosContext } from './context';
import { roleOfModel, type FaultProxy } from './fault-proxy';
import { WorkerProcess, scenarioDirIn, waitUntil } from './processes';
import { rowOf, type ScenarioRow } from './report';
import { sameOutcome } from '../../fixtures/search-config';
import { logIn, prepareTrial, seconds, withTimeout } from './trial';

/** `count` distinct positions in [lo, hi], drawn with the seed, ascending. */
export function seededPositions(seed: number, label: string, count: number, lo: number, hi: number): number[] {
  if (hi - lo + 1 < count) throw new Error(`cannot place ${count} moments in [${lo}, ${hi}]`);
  const prng = new Prng(deriveSeed(seed, label));
  const picked = new Set<number>();
  while (picked.size < count) picked.add(lo + Math.floor(prng.next() * (hi - lo + 1)));
  return [...picked].sort((a, b) => a - b);
}

/** Classifies the proxy's forwarded requests at each kill: reply recorded by the worker, or lost with it. */
export class InFlightLedger {
  private classified = 0;
  lost = 0;
  /** Requests sent again although their reply had been recorded before an earlier kill (must stay 0). */
  resentAfterRecorded = 0;
  private recordedAtKill = new Set<string>();
  private checkedAfter = 0;

  constructor(
    private readonly proxy: FaultProxy,
    private readonly input: OptimizeInput,
    private readonly cacheDir: string,
  ) {}

  private cached(key: string): boolean {
    const req = this.proxy.requestOf(key);
    if (!req) return false;
    const spec: ModelSpec = this.input.ctx.models[roleOfModel(req.model)];
    const k = cacheKey(spec, { role: roleOfModel(req.model), messages: req.messages as never, sampleIndex: req.seed ?? 0 });
    return fs.existsSync(path.join(this.cacheDir, k.slice(0, 2), `${k}.json`));
  }

  /** Call right after a kill (the worker is dead, nothing more gets recorded). Returns the calls lost at this kill. */
  atKill(): number {
    const arrivals = this.proxy.arrivals();
    this.checkResends(arrivals);
    let lost = 0;
    for (; this.classified < arrivals.length; this.classified++) {
      const a = arrivals[this.classified];
      if (!a.forwarded) continue;
      if (this.cached(a.key)) this.recordedAtKill.add(a.key);
      else lost++;
    }
    this.lost += lost;
    return lost;
  }

  /** Call at the end: counts forwarded requests whose reply had been recorded before an earlier kill. */
  finish(): void {
    this.checkResends(this.proxy.arrivals());
  }

  private checkResends(arrivals: ReturnType<FaultProxy['arrivals']>): void {
    for (; this.checkedAfter < arrivals.length; this.checkedAfter++) {
      const a = arrivals[this.checkedAfter];
      if (this.checkedAfter >= this.classified && a.forwarded && this.recordedAtKill.has(a.key)) this.resentAfterRecorded++;
    }
  }
}

export interface CrashRun {
  result: OptimizeResult;
  kills: Array<{ afterReplies: number; lost: number }>;
  forwarded: number;
  ledger: InFlightLedger;
  ms: number;
}

export async function workerCrashScenario(ctx: ChaosContext, seed: number): Promise<ScenarioRow> {
  const started = Date.now();
  const killCount = ctx.quick ? 3 : 20;
  const ref = await ctx.reference(seed);
  const dir = scenarioDirIn(ctx.dir, 'worker-crash');
  const trial = await prepareTrial(ctx, dir, { name: `worker-crash-${seed}`, seed, taskQueue: `chaos-wcrash-${Date.now()}` });
  const home = path.join(dir, 'worker-home');
  const worker = new WorkerProcess(trial.file, ctx.env(ctx.server.address, home), logIn(dir, 'worker'));
  const ledger = new InFlightLedger(trial.proxy, trial.input, path.join(home, 'cache', 'llm'));
  const positions = seededPositions(seed, 'worker-kills', killCount, 2, Math.floor(0.9 * ref.forwarded));
  const kills: CrashRun['kills'] = [];
  const temporal = await ctx.connect();
  let result: OptimizeResult;
  let runStarted = Date.now();
  let runMs = 0;
  try {
    await worker.start();
    runStarted = Date.now();
    const handle = await startOptimization(temporal.client, trial.input, trial.workflowId);
    let closed = false;
    const done = handle.result().finally(() => (closed = true));
    done.catch(() => undefined);
    for (const at of positions) {
      await waitUntil(`${at} LLM replies`, () => closed || trial.proxy.completedUpstream() >= at, 300_000, 10);
      if (closed) break;
      await worker.kill('SIGKILL');
      kills.push({ afterReplies: trial.proxy.completedUpstream(), lost: ledger.atKill() });
      await worker.start();
    }
    result = await withTimeout(done, 600_000, 'the interrupted run');
    runMs = Date.now() - runStarted;
    ledger.finish();
  } finally {
    await worker.stop();
    await temporal.close();
    await trial.proxy.close();
  }

  const same = sameOutcome(result, ref.result);
  const forwarded = trial.proxy.forwardedUpstream();
  const extra = forwarded - ref.forwarded;
  const checks = [
    { ok: kills.length >= killCount, why: `only ${kills.length} of ${killCount} kills happened before the run ended` },
    { ok: same, why: 'final prompts, beams or scores differ from the uninterrupted run' },
    { ok: extra <= ledger.lost, why: `${extra} LLM requests beyond the uninterrupted run, but only ${ledger.lost} calls were in flight at the kills` },
    { ok: ledger.resentAfterRecorded === 0, why: `${ledger.resentAfterRecorded} requests re-sent although the worker had recorded their reply` },
  ];
  const failed = checks.filter((c) => !c.ok);
  const figures = [
    `${kills.length} SIGKILLs (after ${kills.map((k) => k.afterReplies).join(', ')} LLM replies), worker restarted each time`,
    `run completed in ${seconds(runMs)} (uninterrupted ${seconds(ref.ms)})`,
    `final prompts and scores ${same ? 'equal' : 'DIFFER from'} the uninterrupted run`,
    `LLM requests ${forwarded} vs ${ref.forwarded} uninterrupted: ${extra} extra ≤ ${ledger.lost} in flight at the kills`,
    `${ledger.resentAfterRecorded} recorded replies re-sent`,
  ].join('; ');
  return rowOf(1, 'Worker SIGKILLs during a search', [{ ok: failed.length === 0, why: failed.map((c) => c.why).join('; ') }], figures, Date.now() - started, {
    seed,
    workflowId: trial.workflowId,
    kills,
    forwarded,
    referenceForwarded: ref.forwarded,
    lost: ledger.lost,
  });
}
