/**
 * The paired difference of two runs' OPTIMIZED prompts on the held-out items both runs evaluated (B − A): items are
 * matched by identity (same dataset source, same item id; core/contracts/held-out-items.ts), never by position, so
 * runs whose held-out parts only overlap are compared on the overlap, and runs on different datasets are not
 * compared at all (the result says why). Pure and seeded: the same two records give the same figures.
 */
import { comparePaired, type PairedComparison } from '../../../core/common/paired-stats';
import { deriveSeed } from '../../../core/common/prng';
import { datasetSourceKey, type HeldOutItem } from '../../../core/contracts/held-out-items';
import type { RunRecord } from '../../../core/contracts/run-record';

export type CrossRunPairing =
  | {
      kind: 'paired';
      /** Items both optimized evaluations ran; the comparison is on these only. */
      shared: number;
      /** Items only one run evaluated (left out of the comparison). */
      onlyA: number;
      onlyB: number;
      comparison: PairedComparison;
    }
  | { kind: 'unpaired'; shared: 0; reason: string };

/** Bootstrap resamples when a run's summary does not say (the evaluations' default). */
const DEFAULT_RESAMPLES = 2000;

export function pairOptimizedHeldOut(a: RunRecord, b: RunRecord): CrossRunPairing {
  const unpaired = (reason: string): CrossRunPairing => ({ kind: 'unpaired', shared: 0, reason });
  for (const [name, r] of [['A', a], ['B', b]] as const) {
    if (!r.heldOut) return unpaired(`run ${name} (${r.workflowId}) has no held-out result`);
    if (!r.heldOutItems?.optimized) return unpaired(`the record of run ${name} (${r.workflowId}) has no per-item held-out outcomes (recorded before they were kept; export it again from Temporal)`);
  }
  const refA = a.input.heldOut?.dataset;
  const refB = b.input.heldOut?.dataset;
  if (!refA || !refB || datasetSourceKey(refA) !== datasetSourceKey(refB)) {
    return unpaired(`the runs were held out on different datasets (A ${a.heldOut!.dataset}, B ${b.heldOut!.dataset}): no item in common`);
  }
  const itemsA = a.heldOutItems!.optimized!;
  const itemsB = new Map(b.heldOutItems!.optimized!.map((x) => [x.id, x]));
  const shared = itemsA.filter((x) => itemsB.has(x.id));
  if (shared.length === 0) return unpaired(`the runs' held-out parts of ${a.heldOut!.dataset} share no item`);
  const outcomes = (side: (x: HeldOutItem) => HeldOutItem) => shared.map((x) => side(x).correct);
  const resamples = a.heldOut!.optimized.resamples || DEFAULT_RESAMPLES;
  const seed = deriveSeed(a.input.ctx.seed, 'compare-runs', a.workflowId, b.workflowId);
  return {
    kind: 'paired',
    shared: shared.length,
    onlyA: itemsA.length - shared.length,
    onlyB: itemsB.size - shared.length,
    comparison: comparePaired(
      outcomes((x) => x),
      outcomes((x) => itemsB.get(x.id)!),
      seed,
      resamples,
    ),
  };
}
