/**
 * Math final-answer extraction and equivalence for MATH-style benchmarks. Pure (no Node built-ins); runs in
 * grading activities.
 *
 * `mathEquivalent(predicted, expected)` is true when the two answers denote the same mathematical object:
 *   - same value: `\frac{1}{2}` = `\dfrac12` = `1/2` = `0.5` (exactly); `2\sqrt{3}` = `\sqrt{12}`; `\pi/2` = `\frac{\pi}{2}`;
 *     irrational values also match a decimal that agrees to ~9 significant digits (0.33 ≠ 1/3, 1.4142 ≠ √2);
 *   - same expression: `2x+3` = `3+2x`, checked by exact evaluation at several rational points;
 *   - same structure: tuples and intervals keep order and bracket kind (`(1,2]` ≠ `[1,2]`, `(1,2)` ≠ `(2,1)`);
 *     bare lists `1, 2`, sets `\{1,2\}`, `\pm` and `\cup` compare as unordered collections; matrices by cell;
 *     a column/row vector equals the parenthesised tuple of its entries; equations up to a constant factor;
 *   - ignoring presentation: `x = 5` vs `5`, `$…$`, `\boxed{}`, `\left( \right)`, spaces, trailing period,
 *     `\text{}`/`\mbox{}` wrappers, units (`5\text{ cm}`, `864 inches^2`), `^\circ`/`°`, `\%`, `\$`, thousands
 *     separators (`1,000` and `10,\!080`; never inside brackets, where `(1,000)` is a pair), mixed numbers
 *     (`1\frac{4}{5}` = 9/5, the MATH convention);
 *   - words compare case-insensitively (`\text{Evelyn}` = `evelyn`).
 * Anything it cannot parse is compared as normalised text, so unfamiliar notation fails closed (marked wrong),
 * never open. `50\%` equals `50`, not `0.5`.
 */
import { answerTag } from './answer';
import { evaluate, parseExpression, type Expr, type Parsed } from './math/expression';
import { compactForm, matchBrace, normalizeLatex } from './math/latex';
import * as V from './math/value';

type Node =
  | { k: 'expr'; s: string }
  | { k: 'seq'; open: string; close: string; items: Node[] }
  | { k: 'set'; items: Node[] }
  | { k: 'matrix'; rows: Node[][] }
  | { k: 'eq'; lhs: string; rhs: string };

// ---------------------------------------------------------------------------------------------------------
// Extraction
// ---------------------------------------------------------------------------------------------------------

/** Content of the last `\boxed{…}` or `\fbox{…}` (nested braces honoured; also `\boxed 5`); null when none. */
export function lastBoxed(text: string): string | null {
  const re = /\\(?:boxed|fbox)\s*(\{|\s[^\s$]+)/g;
  let found: string | null = null;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[1] === '{') {
      const open = m.index + m[0].length - 1;
      const close = matchBrace(text, open);
      if (close >= 0) found = text.slice(open + 1, close).trim();
    } else found = m[1].trim();
  }
  return found;
}

const LEAD_WORDS = /^(?:so|thus|therefore|hence|finally|then|final answer|answer)\b[\s,:]*/i;

/**
 * The final answer of a model's solution: the last `<answer>` tag, else the last `\boxed{}`/`\fbox{}`, else the
 * last "(final) answer is/:" phrase, else the last non-empty line (its last `$…$` span when it has one).
 * Returns null only for blank text.
 */
export function extractMathAnswer(text: string): string | null {
  const tag = answerTag(text);
  if (tag !== null) return lastBoxed(tag) ?? tag;
  const box = lastBoxed(text);
  if (box !== null) return box;
  const phrases = [...text.matchAll(/(?:final answer|the answer|answer)\s*(?:is|:|=)\s*([^\n]+)/gi)];
  if (phrases.length) return lastMathSpan(phrases[phrases.length - 1][1]) ?? trimSentence(phrases[phrases.length - 1][1]);
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  if (!lines.length) return null;
  const last = lines[lines.length - 1];
  return lastMathSpan(last) ?? trimSentence(last.replace(LEAD_WORDS, ''));
}

function lastMathSpan(text: string): string | null {
  const line = text.slice(-2000); // bounds the lazy `\(…\)` search on degenerate output
  const spans = [...line.matchAll(/\$\$([^$]+)\$\$|\$([^$]+)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]/g)];
  if (!spans.length) return null;
  const m = spans[spans.length - 1];
  return (m[1] ?? m[2] ?? m[3] ?? m[4]).trim();
}

function trimSentence(s: string): string {
  return s.trim().replace(/[.\u3002]+$/, '').trim();
}

// ---------------------------------------------------------------------------------------------------------
// Structure: tuples, intervals, sets, matrices, equations
// ---------------------------------------------------------------------------------------------------------

const OPENERS = '([{';
const CLOSERS = ')]}';

/** Splits at `sep` (`,` or a command like `\cup`) outside any brackets; `\{ \}` count as brackets. */
function splitTop(s: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      if (s.startsWith(sep, i) && depth === 0 && sep.startsWith('\\') && !/[A-Za-z]/.test(s[i + sep.length] ?? '')) {
        parts.push(s.slice(start, i));
        start = i + sep.length;
        i += sep.length - 1;
        continue;
      }
      if (s[i + 1] === '{') depth++;
      else if (s[i + 1] === '}') depth--;
      i++;
      continue;
    }
    if (OPENERS.includes(c)) depth++;
    else if (CLOSERS.includes(c)) depth--;
    else if (c === sep && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts.map((p) => p.trim());
}

/** True when the bracket at 0 closes exactly at the end (treating `(` and `[` alike, as intervals mix them). */
function enclosesWhole(s: string): boolean {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0 && i < s.length - 1) return false;
    }
  }
  return depth === 0;
}

const SIMPLE_LHS = /^(?:[A-Za-z]|\\[A-Za-z]+)(?:_\{?[A-Za-z0-9]+\}?)?(?:\([A-Za-z]\))?\s*(?:=|\\in(?![A-Za-z]))\s*/;
const MATRIX = /^\\begin\{([pbBvV]?matrix|array)\}(?:\{[^}]*\})?([\s\S]*)\\end\{\1\}$/;

function toNode(raw: string, depth = 0): Node {
  let s = raw.trim();
  if (depth > 20) return { k: 'expr', s };
  if (/\\cup(?![A-Za-z])/.test(s)) {
    const parts = splitTop(s, '\\cup');
    if (parts.length > 1) return { k: 'set', items: parts.map((p) => toNode(p, depth + 1)) };
  }
  // `x = 5` → `5`, `x \in [1,2]` → `[1,2]`: a single variable on the left of the only `=` is presentation.
  const lhs = SIMPLE_LHS.exec(s);
  if (lhs && !s.slice(lhs[0].length).includes('=')) s = s.slice(lhs[0].length).trim();
  if (/^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(s)) return { k: 'expr', s: s.replace(/,/g, '') };
  const parts = splitTop(s, ',');
  if (parts.length > 1) return unordered(parts.filter(Boolean).map((p) => toNode(p, depth + 1)));

  const matrix = MATRIX.exec(s);
  if (matrix) {
    const rows = matrix[2].split(/\\\\/).map((r) => r.trim()).filter(Boolean);
    return { k: 'matrix', rows: rows.map((r) => r.split('&').map((c) => toNode(c, depth + 1))) };
  }
  if (s.startsWith('\\{') && s.endsWith('\\}')) {
    const inner = s.slice(2, -2).trim();
    return unordered(inner ? splitTop(inner, ',').map((p) => toNode(p, depth + 1)) : []);
  }
  if ((s[0] === '(' || s[0] === '[') && (s.endsWith(')') || s.endsWith(']')) && enclosesWhole(s)) {
    const inner = splitTop(s.slice(1, -1), ',');
    if (inner.length > 1) return { k: 'seq', open: s[0], close: s[s.length - 1], items: inner.map((p) => toNode(p, depth + 1)) };
  }
  const pm = /\\(pm|mp)(?![A-Za-z])/.exec(s);
  if (pm) {
    const plus = s.slice(0, pm.index) + (pm[1] === 'pm' ? '+' : '-') + s.slice(pm.index + pm[0].length);
    const minus = s.slice(0, pm.index) + (pm[1] === 'pm' ? '-' : '+') + s.slice(pm.index + pm[0].length);
    return { k: 'set', items: [toNode(plus, depth + 1), toNode(minus, depth + 1)] };
  }
  const eq = s.split('=');
  if (eq.length === 2 && eq[0].trim() && eq[1].trim()) return { k: 'eq', lhs: eq[0].trim(), rhs: eq[1].trim() };
  return { k: 'expr', s };
}

/** An unordered collection; nested ones (from `\pm` inside a list) are flattened: `\{1\pm\sqrt5, -2\}` has 3 items. */
function unordered(items: Node[]): Node {
  return { k: 'set', items: items.flatMap((n) => (n.k === 'set' ? n.items : [n])) };
}

// ---------------------------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------------------------

/** Does `predicted` state the same answer as `expected`? Never throws; false when unsure. */
export function mathEquivalent(predicted: string, expected: string): boolean {
  try {
    const a = normalizeLatex(predicted);
    const b = normalizeLatex(expected);
    if (!a || !b) return false;
    if (compactForm(a) === compactForm(b)) return true;
    return nodesEqual(toNode(a), toNode(b));
  } catch {
    return false;
  }
}

function nodesEqual(a: Node, b: Node): boolean {
  if (a.k === 'set' && a.items.length === 1) return nodesEqual(a.items[0], b);
  if (b.k === 'set' && b.items.length === 1) return nodesEqual(a, b.items[0]);
  if (a.k === 'matrix' && b.k === 'seq') return vectorEqualsTuple(a, b);
  if (a.k === 'seq' && b.k === 'matrix') return vectorEqualsTuple(b, a);
  if (a.k !== b.k) return false;
  switch (a.k) {
    case 'expr':
      return exprEqual(a.s, (b as typeof a).s);
    case 'eq':
      return equationsEqual(a, b as typeof a);
    case 'seq': {
      const o = b as typeof a;
      return a.open === o.open && a.close === o.close && a.items.length === o.items.length && a.items.every((x, i) => nodesEqual(x, o.items[i]));
    }
    case 'set':
      return sameMultiset(a.items, (b as typeof a).items);
    case 'matrix': {
      const o = b as typeof a;
      return a.rows.length === o.rows.length && a.rows.every((r, i) => r.length === o.rows[i].length && r.every((c, j) => nodesEqual(c, o.rows[i][j])));
    }
  }
}

/** A one-column or one-row matrix is the vector written as a parenthesised tuple. */
function vectorEqualsTuple(m: { rows: Node[][] }, t: { open: string; close: string; items: Node[] }): boolean {
  if (t.open !== '(' || t.close !== ')') return false;
  const cells = m.rows.every((r) => r.length === 1) ? m.rows.map((r) => r[0]) : m.rows.length === 1 ? m.rows[0] : null;
  return cells !== null && cells.length === t.items.length && cells.every((c, i) => nodesEqual(c, t.items[i]));
}

/**
 * Order-insensitive comparison: a perfect matching in the "equivalent" relation (Kuhn's augmenting paths over
 * a precomputed n×n table, so at most n² comparisons — no exponential backtracking on lists like `1,1,…,1,2`).
 */
function sameMultiset(a: Node[], b: Node[]): boolean {
  if (a.length !== b.length) return false;
  if (a.length > MAX_SET) return a.every((x, i) => nodesEqual(x, b[i]));
  const eq = a.map((x) => b.map((y) => nodesEqual(x, y)));
  const owner = new Array<number>(b.length).fill(-1);
  const augment = (i: number, seen: boolean[]): boolean => {
    for (let j = 0; j < b.length; j++) {
      if (!eq[i][j] || seen[j]) continue;
      seen[j] = true;
      if (owner[j] < 0 || augment(owner[j], seen)) {
        owner[j] = i;
        return true;
      }
    }
    return false;
  };
  return a.every((_, i) => augment(i, new Array<boolean>(b.length).fill(false)));
}

/** Longer lists are compared in order (answers are short; this bounds the work on hostile input). */
const MAX_SET = 60;

function tryParse(s: string): Parsed | null {
  try {
    return parseExpression(s);
  } catch {
    return null;
  }
}

/** Words and other unparseable answers: case-insensitive, ignoring spaces and a `\text`-style wrapper. */
function textKey(s: string): string {
  return compactForm(s).toLowerCase();
}

function exprEqual(a: string, b: string): boolean {
  if (compactForm(a) === compactForm(b)) return true;
  const pa = tryParse(a);
  const pb = tryParse(b);
  if (!pa || !pb) return !pa && !pb && textKey(a) === textKey(b);
  if (!sameVars(pa.vars, pb.vars)) return false;
  return agreeAtPoints(pa.vars, (env) => [evaluate(pa.expr, env), evaluate(pb.expr, env)], (x, y) => V.valuesEqual(x, y));
}

/** `5x - 7y + 11z + 4 = 0` equals `-5x + 7y - 11z = 4`: lhs − rhs agree up to one non-zero constant factor. */
function equationsEqual(a: { lhs: string; rhs: string }, b: { lhs: string; rhs: string }): boolean {
  const fa = difference(a);
  const fb = difference(b);
  if (!fa || !fb || !sameVars(fa.vars, fb.vars) || fa.vars.size === 0) return false;
  let ratio: V.Value | null = null;
  return agreeAtPoints(
    fa.vars,
    (env) => [evaluate(fa.expr, env), evaluate(fb.expr, env)],
    (x, y) => {
      if (V.toNumber(y) === 0) return V.toNumber(x) === 0;
      const r = V.div(x, y);
      if (V.toNumber(r) === 0) return false;
      ratio ??= r;
      return V.valuesEqual(r, ratio);
    },
  );
}

function difference(e: { lhs: string; rhs: string }): { expr: Expr; vars: Set<string> } | null {
  const l = tryParse(e.lhs);
  const r = tryParse(e.rhs);
  if (!l || !r) return null;
  return { expr: { t: 'bin', op: '-', a: l.expr, b: r.expr }, vars: new Set([...l.vars, ...r.vars]) };
}

function sameVars(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((v) => b.has(v));
}

/** Deterministic rational sample points in (0, 35), distinct per variable and trial. */
function samplePoint(vars: string[], trial: number): Map<string, V.Value> {
  return new Map(vars.map((v, j) => [v, V.rational(BigInt(2 + ((trial * 7919 + j * 104_729 + 13) % 97)), BigInt(3 + ((trial * 31 + j * 17) % 11)))]));
}

/**
 * Evaluates both sides at up to 12 points (one point when there are no variables) and requires every point
 * where both are finite to pass `same`, with at least 3 such points for expressions in variables.
 */
function agreeAtPoints(varSet: Set<string>, both: (env: Map<string, V.Value>) => [V.Value, V.Value], same: (x: V.Value, y: V.Value) => boolean): boolean {
  const vars = [...varSet].sort();
  if (!vars.length) {
    const [x, y] = both(new Map());
    return same(x, y);
  }
  let valid = 0;
  for (let trial = 0; trial < 12 && valid < 6; trial++) {
    let pair: [V.Value, V.Value];
    try {
      pair = both(samplePoint(vars, trial));
    } catch {
      continue;
    }
    const [x, y] = pair;
    if (!V.isFiniteValue(x) || !V.isFiniteValue(y)) continue;
    if (!same(x, y)) return false;
    valid++;
  }
  return valid >= 3;
}

/** Grades a model's full output against a gold answer: extraction + equivalence. */
export function gradeMath(output: string, expected: string): { correct: boolean; predicted: string | null } {
  const predicted = extractMathAnswer(output);
  return { correct: predicted !== null && mathEquivalent(predicted, expected), predicted };
}
