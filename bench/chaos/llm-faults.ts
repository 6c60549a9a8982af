/**
 * Scenario 3: LLM faults at the proxy, each kind alone and all mixed — 429 with Retry-After, 5xx, connection resets,
 * hangs past the per-call deadline, truncated replies, empty content, judge replies without a verdict, optimizer
 * replies without a prompt. Each run must complete; every fault must be found in the workflow histories (failed
 * attempts with the right error type, or the damaged reply as the recorded result); 429s must wait out Retry-After;
 * unparseable verdicts must be counted in the result totals. Runs with transport faults only must end with exactly
 * the fault-free result (a retried call is the same call).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ChaosContext } from './context';
import { auditFaults, auditProblems, injectedCount, median, visibleCount, type FaultAudit } from './fault-audit';
import { FAULT_KINDS, TRANSPORT_FAULTS, type FaultKind, type FaultPlan } from './fault-proxy';
import { WorkerProcess, scenarioDirIn } from './processes';
import { rowOf, type ScenarioRow } from './report';
import { sameOutcome, writeOutcomes, writeSearchConfig, type SearchConfigOptions } from '../../fixtures/search-config';
import { logIn, prepareTrial, runTrial, seconds } from './trial';

export interface FaultTrialSpec {
  name: string;
  rates: Partial<Record<FaultKind, number>>;
}

/** Rates are per arrival of the roles a fault applies to; the optimizer makes few calls, so its fault is likelier. */
export const SINGLE_FAULTS: FaultTrialSpec[] = [
  { name: 'rate-limit', rates: { rateLimited: 0.12 } },
  { name: 'server-error', rates: { serverError: 0.12 } },
  { name: 'reset', rates: { reset: 0.12 } },
  { name: 'hang', rates: { hang: 0.05 } },
  { name: 'truncated', rates: { truncated: 0.12 } },
  { name: 'empty', rates: { empty: 0.12 } },
  { name: 'bad-verdict', rates: { badVerdict: 0.25 } },
  { name: 'no-prompt', rates: { noPrompt: 0.4 } },
];

export const MIXED_FAULTS: FaultTrialSpec = {
  name: 'mixed',
  rates: { rateLimited: 0.04, serverError: 0.04, reset: 0.04, hang: 0.02, truncated: 0.04, empty: 0.04, badVerdict: 0.1, noPrompt: 0.2 },
};

export interface FaultTrialOutcome {
  name: string;
  workflowId: string;
  seed: number;
  ok: boolean;
  why?: string;
  ms: number;
  audit?: FaultAudit;
  /** Transport faults only: the result equals the fault-free run of the same seed. */
  sameAsFaultFree?: boolean;
}

/** One run under `spec`'s faults on the worker serving `taskQueue`; never throws (a failure is the outcome). */
export async function faultTrial(
  ctx: ChaosContext,
  dir: string,
  spec: FaultTrialSpec,
  o: {
    seed: number;
    taskQueue: string;
    size?: SearchConfigOptions['size'];
    /** Held-out items evaluated after the search (default: the config's). */
    heldOut?: number;
    retryAfterSeconds?: number;
    /** Another OpenAI-compatible server than the shared simulator (e.g. one requiring a key named by apiKeyEnv). */
    upstream?: string;
    apiKeyEnv?: string;
    /** The proxy's error replies echo the caller's Authorization header. */
    echoAuthorization?: boolean;
  },
): Promise<FaultTrialOutcome> {
  const plan: FaultPlan = { seed: o.seed * 7919 + spec.name.length, rates: spec.rates, retryAfterSeconds: o.retryAfterSeconds ?? 2, echoAuthorization: o.echoAuthorization };
  const trial = await prepareTrial(ctx, dir, {
    name: `faults-${spec.name}-${o.seed}`,
    seed: o.seed,
    taskQueue: o.taskQueue,
    plan,
    upstream: o.upstream,
    config: { size: o.size, heldOut: o.heldOut, apiKeyEnv: o.apiKeyEnv },
  });
  const started = Date.now();
  try {
    const { result, records, ms } = await runTrial(ctx, trial);
    const arrivals = trial.proxy.arrivals();
    fs.writeFileSync(path.join(dir, `${trial.workflowId}.arrivals.json`), JSON.stringify(arrivals));
    const audit = auditFaults(arrivals, records.calls, result);
    const problems = auditProblems(audit);
    const kinds = Object.keys(spec.rates) as FaultKind[];
    const absent = kinds.length === 1 && !audit.injected[kinds[0]] ? [`no ${kinds[0]} fault was drawn: the trial proves nothing`] : [];
    if (spec.rates.rateLimited && audit.retryAfter.delaysMs.length === 0) absent.push('no 429 was retried at the proxy: Retry-After not measured');
    let sameAsFaultFree: boolean | undefined;
    if (kinds.every((k) => TRANSPORT_FAULTS.includes(k))) {
      const reference = (await ctx.reference(o.seed, o.size)).result;
      sameAsFaultFree = sameOutcome(result, reference);
      if (!sameAsFaultFree) problems.push(`the result differs from the fault-free run of the same seed (${writeOutcomes(dir, spec.name, result, reference)})`);
    }
    const all = [...absent, ...problems];
    return { name: spec.name, workflowId: trial.workflowId, seed: o.seed, ok: all.length === 0, why: all.length ? `${spec.name}: ${all.join('; ')}` : undefined, ms, audit, sameAsFaultFree };
  } catch (err) {
    return { name: spec.name, workflowId: trial.workflowId, seed: o.seed, ok: false, why: `${spec.name}: ${(err as Error).message.split('\n')[0]}`, ms: Date.now() - started };
  } finally {
    await trial.proxy.close();
  }
}

/** The row's figures over all trials. */
export function faultFigures(outcomes: FaultTrialOutcome[]): string {
  const audits = outcomes.map((o) => o.audit).filter((a): a is FaultAudit => a !== undefined);
  const injected = audits.reduce((n, a) => n + injectedCount(a), 0);
  const visible = audits.reduce((n, a) => n + visibleCount(a), 0);
  const perKind = FAULT_KINDS.map((k) => [k, audits.reduce((n, a) => n + (a.injected[k] ?? 0), 0)] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const delays = audits.flatMap((a) => a.retryAfter.delaysMs);
  const headers = [...new Set(audits.flatMap((a) => a.retryAfter.headerSeconds))];
  const early = audits.reduce((n, a) => n + a.retryAfter.early, 0);
  const backoff = audits.flatMap((a) => a.backoffMs);
  const unparse = audits.reduce((s, a) => ({ h: s.h + a.unparseable.inHistory, t: s.t + a.unparseable.inTotals, i: s.i + a.unparseable.injected }), { h: 0, t: 0, i: 0 });
  const rejected = audits.reduce((s, a) => ({ h: s.h + a.rejected.promptlessInHistory, t: s.t + a.rejected.inTotals, i: s.i + a.rejected.injected }), { h: 0, t: 0, i: 0 });
  const transportOnly = outcomes.filter((o) => o.sameAsFaultFree !== undefined);
  const completed = outcomes.filter((o) => o.audit).length;
  return [
    `${completed}/${outcomes.length} runs completed`,
    `${injected} faults injected (${perKind || 'none'}), ${visible}/${injected} found in history`,
    delays.length
      ? `Retry-After ${headers.join('/')} s: retries came ${seconds(Math.min(...delays))}–${seconds(Math.max(...delays))} later (median ${seconds(median(delays))}, n=${delays.length}, ${early} early)`
      : 'Retry-After not exercised',
    backoff.length ? `backoff after 5xx/reset/hang: median ${seconds(median(backoff))} (n=${backoff.length})` : '',
    `unparseable verdicts: ${unparse.t} in totals = ${unparse.h} in history (${unparse.i} injected)`,
    `rejected proposals ${rejected.t} ≥ ${rejected.h} prompt-less replies in history (${rejected.i} injected)`,
    transportOnly.length ? `transport-only runs equal to the fault-free result: ${transportOnly.filter((o) => o.sameAsFaultFree).length}/${transportOnly.length}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

export async function llmFaultsScenario(ctx: ChaosContext, seed: number): Promise<ScenarioRow> {
  const started = Date.now();
  const dir = scenarioDirIn(ctx.dir, 'llm-faults');
  const taskQueue = `chaos-faults-${Date.now()}`;
  const specs = ctx.quick ? [MIXED_FAULTS] : [...SINGLE_FAULTS, MIXED_FAULTS, { ...MIXED_FAULTS, name: 'mixed-2' }];
  // The worker only needs the task queue and the concurrency from a config; the trials' configs differ in baseURL only.
  const { file } = await writeSearchConfig(dir, { name: 'worker', seed, taskQueue, baseURL: 'http://127.0.0.1:9/v1' });
  const worker = new WorkerProcess(file, ctx.env(ctx.server.address, path.join(dir, 'worker-home')), logIn(dir, 'worker'));
  const outcomes: FaultTrialOutcome[] = [];
  try {
    await worker.start();
    for (const [i, spec] of specs.entries()) {
      outcomes.push(await faultTrial(ctx, dir, spec, { seed: spec.name === 'mixed-2' ? seed + 1 : seed, taskQueue }));
      process.stderr.write(`  llm faults: ${spec.name} ${outcomes[i].ok ? 'ok' : `FAILED (${outcomes[i].why})`} in ${seconds(outcomes[i].ms)}\n`);
    }
  } finally {
    await worker.stop();
  }
  return rowOf(3, 'LLM faults at the proxy, alone and mixed', outcomes, faultFigures(outcomes), Date.now() - started, outcomes.map(({ audit, ...o }) => ({ ...o, audit: audit && { ...audit, missing: audit.missing.slice(0, 20) } })));
}
