/**
 * The optimisation pool and mini-batches, as dataset item indices. Every draw comes from the run's `Prng`, whose
 * state the workflow carries through continue-as-new, so the same seed gives the same pool and batches. Pure.
 *
 * Who draws when (the workflow's side of the contract):
 * - pool: once, at the start of the run (`initialSearchState`);
 * - fixed: one batch per step, shared by every beam node (and, with `refreshSharesFirstBatch`, by the refresh
 *   that opens the turn);
 * - faithful: one batch per beam node per step (`batchPerNode`), with the injected questions in front, and one
 *   fresh batch per refresh.
 * Draw in a fixed order (beam order, then candidates) so replays consume the PRNG identically.
 */
import type { Prng } from '../common/prng';

/** `poolSize` distinct indices of a dataset of `datasetSize` items (all of them if it is smaller), in draw order. */
export function samplePool(datasetSize: number, poolSize: number, prng: Prng): number[] {
  if (!Number.isInteger(datasetSize) || datasetSize < 1) throw new RangeError(`samplePool: dataset size must be a positive integer, got ${datasetSize}`);
  const all = Array.from({ length: datasetSize }, (_, i) => i);
  return prng.sample(all, poolSize);
}

/**
 * A mini-batch of `size` distinct pool items: `front` first (injected items, kept in the given order, only those
 * in the pool, at most `size`), then a random sample of the rest of the pool.
 */
export function sampleBatch(pool: readonly number[], size: number, prng: Prng, front: readonly number[] = []): number[] {
  const inPool = new Set(pool);
  const head: number[] = [];
  for (const i of front) if (inPool.has(i) && !head.includes(i) && head.length < size) head.push(i);
  const rest = pool.filter((i) => !head.includes(i));
  return [...head, ...prng.sample(rest, size - head.length)];
}
