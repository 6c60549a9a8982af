/**
 * Seeded, serialisable randomness for reproducible runs.
 *
 * Workflows must not use unseeded randomness; every random choice of a run (pool, mini-batches, bootstrap
 * resamples, tie breaks) comes from a `Prng` seeded by the run's seed. Its whole state is one 32-bit integer,
 * so it can ride through continue-as-new. Pure: safe in workflows, activities and the simulator.
 */

// Bound once: global lookups are slow inside vm contexts (jest), and the simulator hashes on every draw.
const imul = Math.imul;

/** 53-bit string hash (cyrb53): stable across platforms, used to derive seeds and deterministic draws. */
export function hashString(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = imul(h1 ^ ch, 2654435761);
    h2 = imul(h2 ^ ch, 1597334677);
  }
  h1 = imul(h1 ^ (h1 >>> 16), 2246822507) ^ imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = imul(h2 ^ (h2 >>> 16), 2246822507) ^ imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Derives an independent 32-bit seed for a named sub-stream, e.g. `deriveSeed(runSeed, 'pool')`. */
export function deriveSeed(seed: number, ...names: Array<string | number>): number {
  return hashString(names.join('\u0001'), seed >>> 0) >>> 0;
}

/** A uniform draw in [0, 1) that depends only on its inputs (no state), for simulator decisions. */
export function uniformFrom(seed: number, ...names: Array<string | number>): number {
  return hashString(names.join('\u0001'), seed >>> 0) / 9007199254740992;
}

/** mulberry32: small, fast, good enough for sampling; state is a single uint32. */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The state to carry through continue-as-new; `Prng.fromState(s)` resumes the exact sequence. */
  getState(): number {
    return this.state;
  }

  static fromState(state: number): Prng {
    return new Prng(state);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`Prng.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** Fisher–Yates shuffle into a new array. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** k distinct elements, in random order (k is clamped to the population size). */
  sample<T>(items: readonly T[], k: number): T[] {
    return this.shuffle(items).slice(0, Math.max(0, Math.min(k, items.length)));
  }
}
