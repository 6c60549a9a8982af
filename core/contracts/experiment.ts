/**
 * Experiment grids (`maspo experiment <grid>`): strategies × ablations × seeds of one base run config, each run
 * an `optimizeMas` search evaluated on the held-out split, summarised as a comparison table (paper Table 2).
 *
 * The results side (zod-free, so the experiment workflow may import it): what each run of the grid returns, the
 * per-variant summary and the table. The grid file's schema and its expansion into runs are in core/schema/experiment.ts.
 */
import type { CallTotals, HeldOutResult } from './optimize';
import type { AccuracySummary } from '../common/stats';

/** One finished search of the grid, as the experiment workflow returns it. */
export interface ExperimentRunResult {
  id: string;
  variant: string;
  seed: number;
  workflowId: string;
  strategy: string;
  heldOut?: HeldOutResult;
  totals: CallTotals;
  prompts: Record<string, string>;
  stopped: boolean;
}

export interface ExperimentResult {
  runs: ExperimentRunResult[];
}

export interface VariantSummary {
  variant: string;
  seeds: number[];
  /** Mean held-out accuracy over seeds (null when no run of the variant had a held-out evaluation). */
  optimized: number | null;
  seed: number | null;
  /** optimized − seed (mean over seeds). */
  difference: number | null;
  /** Each seed's held-out summary of the optimized and seed prompts. */
  perSeed: Array<{ seed: number; optimized?: AccuracySummary; seedPrompts?: AccuracySummary }>;
  /** Mean LLM calls per run, by role. */
  calls: { backbone: number; optimizer: number; judge: number };
}

const avg = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** Groups runs by variant (first-appearance order) and averages over seeds. */
export function summarizeExperiment(rows: readonly ExperimentRunResult[]): VariantSummary[] {
  const groups = new Map<string, ExperimentRunResult[]>();
  for (const r of rows) groups.set(r.variant, [...(groups.get(r.variant) ?? []), r]);
  return [...groups].map(([variant, runs]) => {
    const held = runs.filter((r) => r.heldOut);
    const opt = avg(held.map((r) => r.heldOut!.optimized.accuracy));
    const seed = avg(held.map((r) => r.heldOut!.seed.accuracy));
    const calls = (role: 'backbone' | 'optimizer' | 'judge') => avg(runs.map((r) => r.totals.calls[role])) ?? 0;
    return {
      variant,
      seeds: runs.map((r) => r.seed),
      optimized: opt,
      seed,
      difference: opt === null || seed === null ? null : opt - seed,
      perSeed: runs.map((r) => ({ seed: r.seed, optimized: r.heldOut?.optimized, seedPrompts: r.heldOut?.seed })),
      calls: { backbone: calls('backbone'), optimizer: calls('optimizer'), judge: calls('judge') },
    };
  });
}

const pct = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(1)}%`);
const signedPct = (x: number | null) => (x === null ? '–' : `${x >= 0 ? '+' : '−'}${(100 * Math.abs(x)).toFixed(1)} pp`);
const ci = (s: AccuracySummary) => `${(100 * s.ci.low).toFixed(1)}–${(100 * s.ci.high).toFixed(1)}`;
const num = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));

/**
 * The comparison table in Markdown: one row per variant; accuracies are means over seeds, each seed's 95%
 * bootstrap CI of the optimized prompts is listed, LLM calls are means per run.
 */
export function experimentTable(rows: readonly ExperimentRunResult[]): string {
  const header = ['variant', 'seeds', 'held-out acc. (optimized, mean)', '95% CI per seed (optimized)', 'held-out acc. (seed prompts, mean)', 'difference', 'LLM calls / run (backbone · optimizer · judge)'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i >= 2 && i !== 3 && i !== 6 ? '---:' : '---')).join('|')}|`];
  for (const v of summarizeExperiment(rows)) {
    const perSeed = v.perSeed.map((s) => (s.optimized ? `s${s.seed}: ${pct(s.optimized.accuracy)} [${ci(s.optimized)}] n=${s.optimized.n}` : `s${s.seed}: –`)).join('; ');
    lines.push(`| ${[v.variant, v.seeds.join(', '), pct(v.optimized), perSeed, pct(v.seed), signedPct(v.difference), `${num(v.calls.backbone)} · ${num(v.calls.optimizer)} · ${num(v.calls.judge)}`].join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}
