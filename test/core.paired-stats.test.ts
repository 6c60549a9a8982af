import { binomialHalfCdf, comparePaired, mcnemarExact } from '../core/common/paired-stats';

/** Builds paired vectors from the four cell counts (both right, only A, only B, both wrong). */
function cells(both: number, aOnly: number, bOnly: number, neither: number): { a: boolean[]; b: boolean[] } {
  const a: boolean[] = [];
  const b: boolean[] = [];
  const push = (k: number, x: boolean, y: boolean) => {
    for (let i = 0; i < k; i++) (a.push(x), b.push(y));
  };
  push(both, true, true);
  push(aOnly, true, false);
  push(bOnly, false, true);
  push(neither, false, false);
  return { a, b };
}

describe('exact binomial / McNemar', () => {
  test('binomial(n, ½) CDF matches hand-computed values', () => {
    expect(binomialHalfCdf(2, 12)).toBeCloseTo(79 / 4096, 12); // 1 + 12 + 66
    expect(binomialHalfCdf(0, 5)).toBeCloseTo(1 / 32, 12);
    expect(binomialHalfCdf(5, 5)).toBe(1);
    expect(binomialHalfCdf(-1, 5)).toBe(0);
    expect(binomialHalfCdf(1000, 2000)).toBeGreaterThan(0.5);
  });

  test('discordant 10 vs 2 → exact two-sided p = 158/4096 ≈ 0.0386', () => {
    const t = mcnemarExact(10, 2);
    expect(t.pValue).toBeCloseTo(158 / 4096, 12);
    expect(t.pValue.toFixed(4)).toBe('0.0386');
    expect(mcnemarExact(2, 10).pValue).toBe(t.pValue); // symmetric
  });

  test('other hand-computed cases: 5 vs 0 → 2/32, balanced → 1, none → 1', () => {
    expect(mcnemarExact(5, 0).pValue).toBeCloseTo(2 / 32, 12);
    expect(mcnemarExact(3, 3).pValue).toBe(1); // 2·P(X ≤ 3 | n = 6) = 2·42/64 > 1, capped
    expect(mcnemarExact(0, 0).pValue).toBe(1);
    expect(mcnemarExact(1, 0).pValue).toBe(1);
  });
});

describe('comparePaired', () => {
  test('10 B-only vs 2 A-only discordant pairs among 40 items', () => {
    const { a, b } = cells(15, 2, 10, 13);
    const r = comparePaired(a, b, 7);
    expect(r.n).toBe(40);
    expect(r.accuracyA).toBeCloseTo(17 / 40, 12);
    expect(r.accuracyB).toBeCloseTo(25 / 40, 12);
    expect(r.difference).toBeCloseTo(8 / 40, 12);
    expect(r.mcnemar).toEqual({ bOnly: 10, aOnly: 2, pValue: expect.closeTo(0.03857, 5) });
    expect(r.ci.level).toBe(0.95);
    expect(r.ci.low).toBeGreaterThan(0); // the paired CI excludes 0, as the exact test (p < 0.05) suggests
    expect(r.ci.low).toBeLessThan(r.difference);
    expect(r.ci.high).toBeGreaterThan(r.difference);
    expect(r.ci.high).toBeLessThan(0.4); // ≈ difference + 2 SE (SE ≈ 0.08)
    expect(r.resamples).toBe(2000);
  });

  test('identical vectors → difference 0, CI [0, 0], p = 1', () => {
    const a = [true, false, true, true, false, false, true];
    const r = comparePaired(a, a.slice(), 3);
    expect(r.difference).toBe(0);
    expect(r.ci.low).toBe(0);
    expect(r.ci.high).toBe(0);
    expect(r.mcnemar).toEqual({ bOnly: 0, aOnly: 0, pValue: 1 });
  });

  test('seeded: same seed, same CI; the CI brackets the observed difference', () => {
    const { a, b } = cells(5, 3, 6, 6);
    expect(comparePaired(a, b, 1)).toEqual(comparePaired(a, b, 1));
    const r = comparePaired(a, b, 2, 500);
    expect(r.resamples).toBe(500);
    expect(r.ci.low).toBeLessThanOrEqual(r.difference);
    expect(r.ci.high).toBeGreaterThanOrEqual(r.difference);
    expect(r.ci.low).toBeGreaterThanOrEqual(-1);
    expect(r.ci.high).toBeLessThanOrEqual(1);
  });

  test('pairing is by position: B − A is sign-antisymmetric when swapped', () => {
    const { a, b } = cells(4, 1, 5, 2);
    const ab = comparePaired(a, b, 9);
    const ba = comparePaired(b, a, 9);
    expect(ba.difference).toBeCloseTo(-ab.difference, 12);
    expect(ba.mcnemar).toEqual({ bOnly: 1, aOnly: 5, pValue: ab.mcnemar.pValue });
  });

  test('empty input → zeros and p = 1; length mismatch → error', () => {
    const r = comparePaired([], [], 1);
    expect(r).toMatchObject({ n: 0, difference: 0, ci: { low: 0, high: 0 }, mcnemar: { pValue: 1 } });
    expect(() => comparePaired([true, false], [true], 1)).toThrow(/differ in length \(2 vs 1\)/);
  });
});
