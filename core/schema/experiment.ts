/**
 * The experiment grid file (`maspo experiment <grid>`, zod, edge only): its schema and its expansion into runs.
 * A variant's `optimize` overrides are checked here only for shape; the CLI validates every merged config through
 * the real `ConfigSchema` so a bad variant is a one-line error naming the variant and the field. The results side
 * (run results, summary, table) is zod-free in core/contracts/experiment.ts.
 */
import { z } from 'zod';

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
