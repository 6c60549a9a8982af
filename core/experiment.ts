/**
 * Experiment grids (`maspo experiment <grid>`): strategies × ablations × seeds of one base run config, each run
 * an `optimizeMas` search evaluated on the held-out split, summarised as a comparison table (paper Table 2).
 *
 * Pure: the grid schema (zod, so workflows import only the *types* from here), its expansion into runs, and the
 * table. A variant's `optimize` overrides are checked here only for shape; the CLI validates every merged config
 * through the real `ConfigSchema` so a bad variant is a one-line error naming the variant and the field.
 */
import { z } from 'zod';
import type { CallTotals, HeldOutResult } from './optimization';
import type { AccuracySummary } from './stats';

/** Variant names become part of workflow ids (`<parent>/<variant>/seed-<n>`). */
const VariantName = z.string().regex(/^[A-Za-z0-9._-]+$/, 'variant names may use letters, digits, . _ - only (they become part of workflow ids)');

export const ExperimentVariantSchema = z
  .object({
    name: VariantName,
    /** Partial `optimize:` section merged over the base config's (e.g. `{ strategy: none }`, `{ beamRefresh: false }`). */
    optimize: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export const ExperimentGridSchema = z
  .object({
    /** Path to the base run config (YAML/JSON), relative to the grid file. It must have an `optimize:` section. */
    base: z.string().min(1),
    /** Run seeds (the config's top-level `seed`); default: the base config's seed. */
    seeds: z.array(z.number().int().nonnegative().max(2 ** 32 - 1)).min(1).optional(),
    variants: z.array(ExperimentVariantSchema).min(1),
    /** Searches running at the same time. Default 2. */
    concurrency: z.number().int().min(1).max(64).default(2),
  })
  .strict()
  .superRefine((g, ctx) => {
    const seen = new Set<string>();
    g.variants.forEach((v, i) => {
      if (seen.has(v.name)) ctx.addIssue({ code: 'custom', path: ['variants', i, 'name'], message: `duplicate variant name '${v.name}'` });
      seen.add(v.name);
    });
    if (g.seeds && new Set(g.seeds).size !== g.seeds.length) ctx.addIssue({ code: 'custom', path: ['seeds'], message: 'duplicate seeds' });
  });

export type ExperimentGrid = z.infer<typeof ExperimentGridSchema>;

export interface GridCell {
  variant: string;
  seed: number;
  overrides: Record<string, unknown>;
  /** `<variant>/seed-<n>`: the run's id under the experiment workflow. */
  id: string;
}

/** Variants × seeds, variant-major (the table's row order). `baseSeed` is used when the grid lists no seeds. */
export function expandGrid(grid: ExperimentGrid, baseSeed?: number): GridCell[] {
  const seeds = grid.seeds ?? (baseSeed === undefined ? undefined : [baseSeed]);
  if (!seeds) throw new RangeError('expandGrid: the grid lists no seeds and no base seed was given');
  return grid.variants.flatMap((v) => seeds.map((seed) => ({ variant: v.name, seed, overrides: v.optimize, id: `${v.name}/seed-${seed}` })));
}

/** Merges a variant's overrides over a raw `optimize:` section (`weights` merged one level deep). */
export function mergeOptimize(base: unknown, overrides: Record<string, unknown>): Record<string, unknown> {
  const b = base && typeof base === 'object' && !Array.isArray(base) ? (base as Record<string, unknown>) : {};
  const out: Record<string, unknown> = { ...b, ...overrides };
  const bw = b.weights;
  const ow = overrides.weights;
  if (bw && ow && typeof bw === 'object' && typeof ow === 'object' && !Array.isArray(bw) && !Array.isArray(ow)) out.weights = { ...bw, ...ow };
  return out;
}

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
