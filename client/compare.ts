/**
 * Library front door for a paired comparison of two prompt sets: two `evaluateMas` workflows on the same
 * dataset, records paired by item index, accuracy difference with a paired bootstrap CI and an exact McNemar
 * test. The `maspo compare` command is a thin layer over these functions.
 */
import type { Client } from '@temporalio/client';
import type { EvaluateInput, EvaluateProgress, EvaluateResult } from '../core/contracts/evaluate';
import type { MasSpec } from '../core/contracts/mas';
import { comparePairedRecords, type PairedComparison } from '../core/common/paired-stats';
import { deriveSeed } from '../core/common/prng';
import { applyPromptsFile } from './config';
import { awaitEvaluation, startEvaluation } from './evaluate';
import { idStamp } from './workflow-ids';

export type CompareSideName = 'a' | 'b';

export interface CompareSide {
  /** What the side ran: `seed` (the config's prompts) or the prompts file path. */
  label: string;
  workflowId: string;
  result: EvaluateResult;
}

export interface CompareResult {
  runName: string;
  dataset: string;
  topology: string;
  model: string;
  a: CompareSide;
  b: CompareSide;
  paired: PairedComparison;
}

/**
 * Resolves a `--a`/`--b` value: the literal `seed` keeps the config's prompts; anything else is a prompts
 * file `{ agentId: prompt }` (ConfigError on a missing file, bad JSON or unknown agent).
 */
export async function resolvePromptSet(mas: MasSpec, spec: string): Promise<{ label: string; mas: MasSpec }> {
  if (spec === 'seed') return { label: 'seed', mas };
  return { label: spec, mas: await applyPromptsFile(mas, spec) };
}

export function defaultCompareIds(runName: string, now = new Date()): Record<CompareSideName, string> {
  const stamp = idStamp(now);
  const base = `compare-${runName}-${stamp}`;
  return { a: `${base}-a`, b: `${base}-b` };
}

/** Pairs two evaluation results by item index and compares them. Throws when they do not cover the same items. */
export function pairResults(a: EvaluateResult, b: EvaluateResult, seed: number, resamples = a.summary.resamples): PairedComparison {
  try {
    return comparePairedRecords(a.records, b.records, seed, resamples);
  } catch (err) {
    throw new Error(`compare: ${(err as Error).message}`);
  }
}

export interface StartedComparison {
  workflowIds: Record<CompareSideName, string>;
  result: Promise<CompareResult>;
}

/**
 * Starts both evaluations (A with `masA`, B with `masB`, everything else from `input`) and returns their ids
 * at once plus a promise of the paired result. `onProgress` receives the summed progress of both runs.
 */
export async function startComparison(
  client: Client,
  input: EvaluateInput,
  sides: Record<CompareSideName, { label: string; mas: MasSpec }>,
  opts: { workflowIds?: Record<CompareSideName, string>; onProgress?: (p: EvaluateProgress) => void; pollMs?: number } = {},
): Promise<StartedComparison> {
  const ids = opts.workflowIds ?? defaultCompareIds(input.runName);
  const handleA = await startEvaluation(client, { ...input, mas: sides.a.mas }, ids.a);
  const handleB = await startEvaluation(client, { ...input, mas: sides.b.mas }, ids.b).catch(async (e: unknown) => {
    // B could not start (e.g. the id is taken): do not leave A running alone.
    await handleA.terminate('compare: the B evaluation could not start').catch(() => undefined);
    throw e;
  });
  const latest: Partial<Record<CompareSideName, EvaluateProgress>> = {};
  const report = (side: CompareSideName) => (p: EvaluateProgress) => {
    latest[side] = p;
    if (!opts.onProgress || !latest.a || !latest.b) return;
    const [x, y] = [latest.a, latest.b];
    if (x.total === 0 || y.total === 0) return; // a run still loading its dataset: the combined total is not known yet
    opts.onProgress({
      total: x.total + y.total,
      done: x.done + y.done,
      correct: x.correct + y.correct,
      errors: x.errors + y.errors,
      calls: x.calls + y.calls,
      cachedCalls: x.cachedCalls + y.cachedCalls,
      status: x.status === 'failed' || y.status === 'failed' ? 'failed' : x.status === 'completed' && y.status === 'completed' ? 'completed' : x.status === 'loading' || y.status === 'loading' ? 'loading' : 'running',
    });
  };
  const result = (async (): Promise<CompareResult> => {
    const [ra, rb] = await Promise.all([
      awaitEvaluation(client, handleA, opts.onProgress ? report('a') : undefined, opts.pollMs),
      awaitEvaluation(client, handleB, opts.onProgress ? report('b') : undefined, opts.pollMs),
    ]);
    return {
      runName: input.runName,
      dataset: ra.dataset,
      topology: ra.topology,
      model: ra.model,
      a: { label: sides.a.label, workflowId: handleA.workflowId, result: ra },
      b: { label: sides.b.label, workflowId: handleB.workflowId, result: rb },
      paired: pairResults(ra, rb, deriveSeed(input.seed, 'compare'), input.options.bootstrapResamples),
    };
  })();
  result.catch(() => undefined); // the caller awaits it; do not let an early rejection go unhandled meanwhile
  return { workflowIds: { a: handleA.workflowId, b: handleB.workflowId }, result };
}

/** Starts both evaluations and awaits the paired result. */
export async function runComparison(
  client: Client,
  input: EvaluateInput,
  sides: Record<CompareSideName, { label: string; mas: MasSpec }>,
  opts: { workflowIds?: Record<CompareSideName, string>; onProgress?: (p: EvaluateProgress) => void; pollMs?: number } = {},
): Promise<CompareResult> {
  return (await startComparison(client, input, sides, opts)).result;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
export const pts = (x: number) => `${x >= 0 ? '+' : '−'}${(100 * Math.abs(x)).toFixed(1)} pts`;
export const pval = (p: number) => (p >= 0.001 ? p.toFixed(4) : p.toExponential(2));

export function formatComparison(c: CompareResult, uiUrl?: (workflowId: string) => string | undefined): string {
  const side = (name: string, s: CompareSide) => {
    const m = s.result.summary;
    const url = uiUrl?.(s.workflowId);
    return `${name} (${s.label}): accuracy ${pct(m.accuracy)} (${m.correct}/${m.n}), 95% CI [${pct(m.ci.low)}, ${pct(m.ci.high)}] · workflow ${s.workflowId}${url ? ` · ${url}` : ''}`;
  };
  const p = c.paired;
  const m = p.mcnemar;
  const lines = [
    `comparison ${c.runName} · dataset ${c.dataset} (${p.n} paired items) · topology ${c.topology} · backbone ${c.model}`,
    side('A', c.a),
    side('B', c.b),
    `difference B − A: ${pts(p.difference)}, paired 95% CI [${pts(p.ci.low)}, ${pts(p.ci.high)}] (paired percentile bootstrap over items, ${p.resamples.toLocaleString('en-US')} resamples)`,
    `McNemar exact test: B right where A wrong ${m.bOnly}, A right where B wrong ${m.aOnly}, two-sided p = ${pval(m.pValue)}`,
  ];
  if (c.model.startsWith('sim:')) lines.push('note: backbone is the built-in simulated LLM world (a simulator, not a model); this difference says nothing about real LLMs.');
  return lines.join('\n');
}
