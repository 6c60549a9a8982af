/**
 * Statistics for honest reporting: accuracy with a percentile-bootstrap confidence interval.
 * Pure and seeded, so the same run reports the same interval.
 */
import { Prng } from './prng';

export interface Interval {
  low: number;
  high: number;
  /** Confidence level, e.g. 0.95. */
  level: number;
}

export interface AccuracySummary {
  n: number;
  correct: number;
  accuracy: number;
  ci: Interval;
  /** Bootstrap resamples used for `ci`. */
  resamples: number;
}

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Linear-interpolated quantile of an ascending-sorted array (q in [0, 1]). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Percentile bootstrap CI of the mean of `values`. For 0/1 outcomes this is the accuracy CI.
 * Counts-based resampling keeps it O(resamples × n) with no allocation per resample.
 */
export function bootstrapMeanCI(values: readonly number[], seed: number, resamples = 2000, level = 0.95): Interval {
  const n = values.length;
  if (n === 0) return { low: 0, high: 0, level };
  const rng = new Prng(seed);
  const means = new Array<number>(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[rng.int(n)];
    means[r] = s / n;
  }
  means.sort((a, b) => a - b);
  const alpha = (1 - level) / 2;
  return { low: quantileSorted(means, alpha), high: quantileSorted(means, 1 - alpha), level };
}

export function summarizeAccuracy(outcomes: readonly boolean[], seed: number, resamples = 2000): AccuracySummary {
  const values = outcomes.map((ok) => (ok ? 1 : 0));
  const correct = values.reduce((a: number, b) => a + b, 0);
  return {
    n: values.length,
    correct,
    accuracy: values.length ? correct / values.length : 0,
    ci: bootstrapMeanCI(values, seed, resamples),
    resamples,
  };
}
