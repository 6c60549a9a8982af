/**
 * Numbers for the math grader: exact rationals (BigInt numerator/denominator) while every step stays rational,
 * floats once something irrational (√2, π, sin) enters. Equality is exact between two rationals, and within a
 * relative tolerance otherwise — so `0.5 = 1/2` exactly while `0.33 ≠ 1/3`, and `\sqrt{2}/2` equals a decimal
 * only when that decimal carries the irrational value to ~9 significant digits.
 */

export type Value = { kind: 'q'; n: bigint; d: bigint } | { kind: 'f'; x: number };

/** Relative tolerance used whenever a float is involved. */
export const FLOAT_TOLERANCE = 1e-8;
/** Above this many digits an exact result is abandoned for a float (keeps `10^{10^{10}}` from hanging). */
const MAX_DIGITS = 600;

export function rational(n: bigint, d: bigint = 1n): Value {
  if (d === 0n) return { kind: 'f', x: n === 0n ? NaN : n > 0n ? Infinity : -Infinity };
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const g = gcd(n < 0n ? -n : n, d);
  return { kind: 'q', n: n / g, d: d / g };
}

export function float(x: number): Value {
  return { kind: 'f', x };
}

/** Exact value of a decimal literal such as `12.5`, `.0000672` or `3` (no exponent). */
export function fromDecimal(text: string): Value {
  const [int, frac = ''] = text.split('.');
  return rational(BigInt((int || '0') + frac), 10n ** BigInt(frac.length));
}

/** Exact value of a repeating decimal `int.fixed(repeat)…`, e.g. `0.1(6)` = 1/6. */
export function fromRepeating(int: string, fixed: string, repeat: string): Value {
  const base = BigInt((int || '0') + fixed + repeat) - BigInt((int || '0') + fixed);
  return rational(base, (10n ** BigInt(repeat.length) - 1n) * 10n ** BigInt(fixed.length));
}

export function toNumber(v: Value): number {
  if (v.kind === 'f') return v.x;
  const n = Number(v.n);
  const d = Number(v.d);
  if (Number.isFinite(n) && Number.isFinite(d) && Math.abs(n) < 2 ** 53 && d < 2 ** 53) return n / d;
  // Large numerator or denominator: keep ~17 significant digits of the quotient, then scale.
  const an = v.n < 0n ? -v.n : v.n;
  const shift = an.toString().length - v.d.toString().length;
  const k = 17 - shift;
  const scaled = k >= 0 ? (an * 10n ** BigInt(k)) / v.d : an / (v.d * 10n ** BigInt(-k));
  return (v.n < 0n ? -1 : 1) * Number(scaled) * 10 ** (shift - 17);
}

function gcd(a: bigint, b: bigint): bigint {
  while (b) [a, b] = [b, a % b];
  return a || 1n;
}

function tooBig(v: Value): boolean {
  return v.kind === 'q' && (v.n.toString().length > MAX_DIGITS || v.d.toString().length > MAX_DIGITS);
}

function guard(v: Value): Value {
  return tooBig(v) ? float(toNumber(v)) : v;
}

/**
 * A float result that overflowed from finite inputs is NaN, not ±∞: `10^{10^{10}}` must not "equal"
 * `10^{10^{10}}+1` (or `\infty`) just because both overflow.
 */
function finite(x: number, ...inputs: number[]): Value {
  return float(!Number.isFinite(x) && inputs.every(Number.isFinite) ? NaN : x);
}

export function add(a: Value, b: Value): Value {
  if (a.kind === 'q' && b.kind === 'q') return guard(rational(a.n * b.d + b.n * a.d, a.d * b.d));
  const x = toNumber(a);
  const y = toNumber(b);
  return finite(x + y, x, y);
}

export function neg(a: Value): Value {
  return a.kind === 'q' ? { kind: 'q', n: -a.n, d: a.d } : float(-a.x);
}

export function sub(a: Value, b: Value): Value {
  return add(a, neg(b));
}

export function mul(a: Value, b: Value): Value {
  if (a.kind === 'q' && b.kind === 'q') return guard(rational(a.n * b.n, a.d * b.d));
  const x = toNumber(a);
  const y = toNumber(b);
  return finite(x * y, x, y);
}

export function div(a: Value, b: Value): Value {
  if (a.kind === 'q' && b.kind === 'q') return b.n === 0n ? float(NaN) : guard(rational(a.n * b.d, a.d * b.n));
  const x = toNumber(a);
  const y = toNumber(b);
  return finite(x / y, x, y);
}

/** Exact integer root of a non-negative BigInt, or null when it is not a perfect power. */
function intRoot(x: bigint, k: number): bigint | null {
  if (x < 0n) return null;
  if (x < 2n) return x;
  let r: bigint;
  if (x < 2n ** 52n) {
    r = BigInt(Math.round(Number(x) ** (1 / k)));
    for (const c of [r - 1n, r, r + 1n]) if (c >= 0n && c ** BigInt(k) === x) return c;
    return null;
  }
  // Number() lost precision for huge x: Newton iteration from a power of two above the root.
  const K = BigInt(k);
  r = 1n << BigInt(Math.ceil(x.toString(2).length / k));
  for (;;) {
    const y = ((K - 1n) * r + x / r ** (K - 1n)) / K;
    if (y >= r) break;
    r = y;
  }
  return r ** BigInt(k) === x ? r : null;
}

/** k-th root; exact when both numerator and denominator are perfect powers. */
export function root(a: Value, k: number): Value {
  if (a.kind === 'q' && Number.isInteger(k) && k >= 2 && k <= 64) {
    if (a.n >= 0n) {
      const n = intRoot(a.n, k);
      const d = intRoot(a.d, k);
      if (n !== null && d !== null) return rational(n, d);
    } else if (k % 2 === 1) {
      const r = root(neg(a), k);
      if (r.kind === 'q') return neg(r);
    }
  }
  const x = toNumber(a);
  return float(x < 0 && k % 2 === 1 ? -((-x) ** (1 / k)) : x ** (1 / k));
}

export function pow(a: Value, b: Value): Value {
  if (a.kind === 'q' && b.kind === 'q') {
    if (b.d === 1n) {
      const e = b.n < 0n ? -b.n : b.n;
      const digits = Math.max(a.n.toString().length, a.d.toString().length);
      if (e <= 100_000n && digits * Number(e) <= MAX_DIGITS) {
        const p = rational(a.n ** e, a.d ** e);
        return b.n < 0n ? div(rational(1n), p) : p;
      }
    } else if (b.d <= 64n) {
      const r = root(a, Number(b.d));
      if (r.kind === 'q') return pow(r, rational(b.n));
    }
  }
  const x = toNumber(a);
  const y = toNumber(b);
  return finite(x ** y, x, y);
}

export function factorial(a: Value): Value {
  if (a.kind !== 'q' || a.d !== 1n || a.n < 0n) return float(NaN);
  if (a.n > 300n) return float(NaN); // too large to compare meaningfully
  let r = 1n;
  for (let i = 2n; i <= a.n; i++) r *= i;
  return rational(r);
}

export function binomial(n: Value, k: Value): Value {
  if (n.kind !== 'q' || k.kind !== 'q' || n.d !== 1n || k.d !== 1n || k.n < 0n || n.n < 0n) return float(NaN);
  if (k.n > n.n) return rational(0n);
  if (n.n > 10_000n) return float(NaN);
  let r = 1n;
  const kk = k.n < n.n - k.n ? k.n : n.n - k.n;
  for (let i = 1n; i <= kk; i++) r = (r * (n.n - kk + i)) / i;
  return rational(r);
}

export function isFiniteValue(v: Value): boolean {
  return v.kind === 'q' || Number.isFinite(v.x);
}

/** Exact for two rationals, relative tolerance otherwise; ±∞ equals itself; NaN equals nothing. */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a.kind === 'q' && b.kind === 'q') return a.n === b.n && a.d === b.d;
  const x = toNumber(a);
  const y = toNumber(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return false;
  if (!Number.isFinite(x) || !Number.isFinite(y)) return x === y;
  return Math.abs(x - y) <= FLOAT_TOLERANCE * Math.max(1, Math.abs(x), Math.abs(y));
}
