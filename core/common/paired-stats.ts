/**
 * Paired comparison of two prompt sets evaluated on the SAME items: the accuracy difference (B − A) with a
 * paired percentile-bootstrap CI (items are resampled, each keeping its A and B outcome together), and an
 * exact McNemar test (two-sided binomial test on the discordant pairs). Pure and seeded: safe anywhere.
 */
import { bootstrapMeanCI, type Interval } from './stats';

export interface McNemarTest {
  /** Items B got right and A got wrong. */
  bOnly: number;
  /** Items A got right and B got wrong. */
  aOnly: number;
  /** Exact two-sided p-value: 2 · P(X ≤ min(bOnly, aOnly)), X ~ Binomial(bOnly + aOnly, ½), capped at 1. */
  pValue: number;
}

export interface PairedComparison {
  n: number;
  accuracyA: number;
  accuracyB: number;
  /** accuracyB − accuracyA. */
  difference: number;
  /** Paired percentile-bootstrap CI of `difference`. */
  ci: Interval;
  resamples: number;
  mcnemar: McNemarTest;
}

/** log(k!) by summation (exact enough for the n of an evaluation set; cached to keep repeated calls cheap). */
const logFactorials: number[] = [0];
function logFactorial(k: number): number {
  for (let i = logFactorials.length; i <= k; i++) logFactorials[i] = logFactorials[i - 1] + Math.log(i);
  return logFactorials[k];
}

/** P(X ≤ k) for X ~ Binomial(n, ½). */
export function binomialHalfCdf(k: number, n: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  const logTotal = n * Math.LN2;
  let p = 0;
  for (let i = 0; i <= k; i++) p += Math.exp(logFactorial(n) - logFactorial(i) - logFactorial(n - i) - logTotal);
  return Math.min(1, p);
}

/** Exact two-sided McNemar test from the discordant counts. No discordant pairs → p = 1. */
export function mcnemarExact(bOnly: number, aOnly: number): McNemarTest {
  const m = bOnly + aOnly;
  const pValue = m === 0 ? 1 : Math.min(1, 2 * binomialHalfCdf(Math.min(bOnly, aOnly), m));
  return { bOnly, aOnly, pValue };
}

/**
 * Compares outcome vectors `a` and `b` (item i of each is the same item). Throws on a length mismatch, since
 * unpaired outcomes would make the test meaningless.
 */
export function comparePaired(a: readonly boolean[], b: readonly boolean[], seed: number, resamples = 2000, level = 0.95): PairedComparison {
  if (a.length !== b.length) throw new RangeError(`comparePaired: outcome vectors differ in length (${a.length} vs ${b.length}); the items must be paired`);
  const n = a.length;
  let correctA = 0;
  let correctB = 0;
  let bOnly = 0;
  let aOnly = 0;
  const diffs = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const x = a[i] ? 1 : 0;
    const y = b[i] ? 1 : 0;
    correctA += x;
    correctB += y;
    if (y > x) bOnly++;
    else if (x > y) aOnly++;
    diffs[i] = y - x;
  }
  const accuracyA = n ? correctA / n : 0;
  const accuracyB = n ? correctB / n : 0;
  return {
    n,
    accuracyA,
    accuracyB,
    difference: n ? (correctB - correctA) / n : 0,
    // The mean of per-item differences resampled by item is exactly the paired bootstrap of B − A.
    ci: bootstrapMeanCI(diffs, seed, resamples, level),
    resamples,
    mcnemar: mcnemarExact(bOnly, aOnly),
  };
}

/**
 * Pairs two evaluations' per-item outcomes by item index and compares them (B − A). Throws when they do not cover
 * the same items: unpaired outcomes would make the test meaningless.
 */
export function comparePairedRecords(
  a: ReadonlyArray<{ index: number; correct: boolean }>,
  b: ReadonlyArray<{ index: number; correct: boolean }>,
  seed: number,
  resamples = 2000,
): PairedComparison {
  const byIndex = new Map(b.map((r) => [r.index, r.correct]));
  if (byIndex.size !== a.length || a.some((r) => !byIndex.has(r.index))) {
    throw new RangeError(`the two evaluations cover different items (${a.length} vs ${b.length} records); they must run on the same dataset`);
  }
  const sorted = a.slice().sort((x, y) => x.index - y.index);
  return comparePaired(
    sorted.map((r) => r.correct),
    sorted.map((r) => byIndex.get(r.index)!),
    seed,
    resamples,
  );
}
