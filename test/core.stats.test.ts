import { bootstrapMeanCI, quantileSorted, summarizeAccuracy } from '../core/common/stats';
import { Prng, deriveSeed, hashString, uniformFrom } from '../core/common/prng';

describe('seeded PRNG', () => {
  test('same seed, same sequence; state resumes exactly', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    const resumed = Prng.fromState(a.getState());
    expect(resumed.next()).toBe(a.next());
  });

  test('draws are roughly uniform', () => {
    const r = new Prng(7);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[r.int(4)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
  });

  test('sample returns distinct elements and clamps k', () => {
    const r = new Prng(1);
    const s = r.sample([1, 2, 3, 4, 5], 3);
    expect(new Set(s).size).toBe(3);
    expect(r.sample([1, 2], 10)).toHaveLength(2);
  });

  test('hashes and derived seeds are stable', () => {
    expect(hashString('maspo')).toBe(hashString('maspo'));
    expect(hashString('maspo')).not.toBe(hashString('maspo', 1));
    expect(deriveSeed(3, 'pool')).not.toBe(deriveSeed(3, 'batch'));
    const u = uniformFrom(5, 'a', 1);
    expect(u).toBeGreaterThanOrEqual(0);
    expect(u).toBeLessThan(1);
  });
});

describe('bootstrap accuracy CI', () => {
  test('interval contains the point estimate and narrows with n', () => {
    const small = summarizeAccuracy(Array.from({ length: 20 }, (_, i) => i % 2 === 0), 1);
    const large = summarizeAccuracy(Array.from({ length: 2000 }, (_, i) => i % 2 === 0), 1);
    expect(small.accuracy).toBe(0.5);
    expect(small.ci.low).toBeLessThan(0.5);
    expect(small.ci.high).toBeGreaterThan(0.5);
    expect(large.ci.high - large.ci.low).toBeLessThan((small.ci.high - small.ci.low) / 5);
  });

  test('matches the normal approximation for a binomial mean', () => {
    const values = Array.from({ length: 400 }, (_, i) => (i % 4 === 0 ? 1 : 0)); // p = 0.25
    const ci = bootstrapMeanCI(values, 9, 4000);
    const half = 1.96 * Math.sqrt((0.25 * 0.75) / 400);
    expect(ci.low).toBeCloseTo(0.25 - half, 1);
    expect(ci.high).toBeCloseTo(0.25 + half, 1);
  });

  test('degenerate outcomes give a zero-width interval; same seed same interval', () => {
    expect(summarizeAccuracy([true, true, true], 3).ci).toMatchObject({ low: 1, high: 1 });
    expect(summarizeAccuracy([], 3)).toMatchObject({ n: 0, accuracy: 0 });
    expect(summarizeAccuracy([true, false, true], 5)).toEqual(summarizeAccuracy([true, false, true], 5));
  });

  test('quantiles interpolate', () => {
    expect(quantileSorted([0, 10], 0.25)).toBe(2.5);
  });
});
