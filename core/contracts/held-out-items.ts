/**
 * The per-item outcomes of a run's held-out evaluations, kept compact in the run record so that two runs can be
 * compared item by item later (`maspo report --compare`), offline, without the evaluations' full results (which
 * carry every output and call). Pure types and helpers; no I/O.
 *
 * Item identity across runs: an item's `index` is its position in the evaluated part of a dataset, so two runs
 * with different splits give the same index to different items; its `id` is unique within one source (a JSONL or
 * benchmark file, one simulated world). Two runs' items are the same item when their held-out datasets come from
 * the same source (`datasetSourceKey`) and their ids are equal.
 */
import type { DatasetRef } from './dataset';
import type { ItemRecord } from './evaluate';

export interface HeldOutItem {
  /** Position in the evaluated dataset part (what the run's own seed-vs-optimized pairing uses). */
  index: number;
  /** The item's id in its source (a file's id field, `line-<n>`, `sim-<split>-<seed>-<i>`). */
  id: string;
  /** An item that could not be run counts as incorrect, as in the evaluation's accuracy. */
  correct: boolean;
}

/** Outcomes of the held-out evaluation of the seed prompts and of the optimized prompts. */
export interface HeldOutItems {
  seed?: HeldOutItem[];
  optimized?: HeldOutItem[];
}

/** The compact outcomes of an evaluation's records, in index order. */
export function heldOutItemsOf(records: readonly Pick<ItemRecord, 'index' | 'id' | 'correct'>[]): HeldOutItem[] {
  return records.map((r) => ({ index: r.index, id: r.id, correct: r.correct })).sort((x, y) => x.index - y.index);
}

/**
 * What makes two datasets' equal ids the same item: the file's content (digest) and how it is read and graded, or
 * the simulated world's seed, split and settings. Names, limits and splits are left out: they select items of the
 * source, they do not change what an id refers to.
 */
export function datasetSourceKey(ref: DatasetRef): string {
  if (ref.kind === 'sim') return JSON.stringify(['sim', ref.seed, ref.split, ref.world]);
  if (ref.kind === 'jsonl') return JSON.stringify(['jsonl', ref.digest, ref.fields, ref.grader]);
  return JSON.stringify(['benchmark', ref.digest, ref.format, ref.tests ?? 'check']);
}
