/**
 * A small, safe parser and evaluator for numeric LaTeX / plain-text math expressions (no `eval`).
 *
 * Input is a single expression already cleaned by `normalizeLatex` (no `$`, `\left`, `\text{}`, units; `\frac`,
 * `\sqrt` and `\binom` arguments braced). Supported: integers and decimals (`.5`, `0.\overline{3}`), + − × ÷
 * (`*`, `\cdot`, `\times`, `\div`, `/`), implicit multiplication (`2\sqrt{3}`, `3\pi`, `2x`, `(x+1)(x-1)`), powers
 * (`x^2`, `2^{10}`, `8^{1/3}`), `!`, `\frac`, `\sqrt[n]{}`, `\binom`, π, ∞, the usual functions (`\sin x`, `\ln(2)`,
 * `\log_2 8`), and variables (single letters, Greek letters, `x_1`). Anything else is a `ParseError`: the caller
 * then falls back to comparing normalised text, so an unparseable answer is never "equal" by accident.
 *
 * MATH convention: an integer directly followed by a fraction of integer literals is a mixed number
 * (`1\frac{4}{5}` = 9/5), not a product.
 */
import * as V from './value';
import type { Value } from './value';

export class ParseError extends Error {}

export type Expr =
  | { t: 'num'; v: Value }
  | { t: 'var'; name: string }
  | { t: 'neg'; a: Expr }
  | { t: 'bin'; op: '+' | '-' | '*' | '/' | '^'; a: Expr; b: Expr }
  | { t: 'fact'; a: Expr }
  | { t: 'root'; a: Expr; k: Expr }
  | { t: 'binom'; a: Expr; b: Expr }
  | { t: 'fn'; name: string; a: Expr; base?: Expr };

type Tok =
  | { k: 'num'; text: string; v: Value }
  | { k: 'id'; name: string }
  | { k: 'cmd'; name: string }
  | { k: 'op'; op: string };

const FUNCTIONS = new Set(['sin', 'cos', 'tan', 'cot', 'sec', 'csc', 'arcsin', 'arccos', 'arctan', 'sinh', 'cosh', 'tanh', 'ln', 'log', 'exp']);
const GREEK = new Set([
  'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'varepsilon', 'zeta', 'eta', 'theta', 'vartheta', 'iota', 'kappa', 'lambda', 'mu', 'nu',
  'xi', 'rho', 'sigma', 'tau', 'upsilon', 'phi', 'varphi', 'chi', 'psi', 'omega', 'Gamma', 'Delta', 'Theta', 'Lambda', 'Xi', 'Sigma', 'Phi', 'Psi', 'Omega',
]);
const MUL_COMMANDS = new Set(['cdot', 'times', 'ast']);
const MAX_INPUT = 2000;
const MAX_DEPTH = 100;

function tokenize(src: string): Tok[] {
  if (src.length > MAX_INPUT) throw new ParseError('expression too long');
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^(\d+\.?\d*|\.\d+)/.exec(src.slice(i));
    if (num) {
      let text = num[1];
      i += text.length;
      const rep = /^\\overline\{(\d+)\}/.exec(src.slice(i));
      if (rep && text.includes('.')) {
        const [int, fixed] = text.split('.');
        toks.push({ k: 'num', text: text + rep[1], v: V.fromRepeating(int, fixed, rep[1]) });
        i += rep[0].length;
        continue;
      }
      if (text.endsWith('.')) text = text.slice(0, -1);
      toks.push({ k: 'num', text, v: V.fromDecimal(text) });
      continue;
    }
    if (c === '\\') {
      const m = /^\\([A-Za-z]+)/.exec(src.slice(i));
      if (!m) throw new ParseError(`unexpected '${src.slice(i, i + 2)}'`);
      toks.push({ k: 'cmd', name: m[1] });
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z]/.test(c)) {
      const run = /^[A-Za-z]+/.exec(src.slice(i))![0];
      i += run.length;
      const lower = run.toLowerCase();
      if (FUNCTIONS.has(lower) || lower === 'sqrt') toks.push({ k: 'cmd', name: lower });
      else if (lower === 'pi') toks.push({ k: 'cmd', name: 'pi' });
      else if (['inf', 'infty', 'infinity'].includes(lower)) toks.push({ k: 'cmd', name: 'infty' });
      // Short letter runs are products of variables (`xy`, `ab`); longer ones are words, not math.
      else if (run.length <= 2) for (const ch of run) toks.push({ k: 'id', name: ch });
      else throw new ParseError(`word '${run}'`);
      continue;
    }
    if ('+-*/^!()[]{}_'.includes(c)) {
      toks.push({ k: 'op', op: c });
      i++;
      continue;
    }
    throw new ParseError(`unexpected '${c}'`);
  }
  return toks;
}

class Parser {
  private i = 0;
  private depth = 0;
  readonly vars = new Set<string>();
  constructor(private readonly toks: Tok[]) {}

  parse(): Expr {
    if (this.toks.length === 0) throw new ParseError('empty expression');
    const e = this.expr();
    if (this.i < this.toks.length) throw new ParseError('unexpected trailing input');
    return e;
  }

  private peek(): Tok | undefined {
    return this.toks[this.i];
  }

  private isOp(op: string, t = this.peek()): boolean {
    return t?.k === 'op' && t.op === op;
  }

  private isCmd(name: string, t = this.peek()): boolean {
    return t?.k === 'cmd' && t.name === name;
  }

  private expect(op: string): void {
    if (!this.isOp(op)) throw new ParseError(`expected '${op}'`);
    this.i++;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw new ParseError('expression nested too deeply');
  }

  private expr(): Expr {
    this.enter();
    let left = this.term();
    for (;;) {
      if (this.isOp('+') || this.isOp('-')) {
        const op = (this.toks[this.i++] as { op: '+' | '-' }).op;
        left = { t: 'bin', op, a: left, b: this.term() };
      } else break;
    }
    this.depth--;
    return left;
  }

  private term(): Expr {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (this.isOp('*') || (t?.k === 'cmd' && MUL_COMMANDS.has(t.name))) {
        this.i++;
        left = { t: 'bin', op: '*', a: left, b: this.unary() };
      } else if (this.isOp('/') || this.isCmd('div')) {
        this.i++;
        left = { t: 'bin', op: '/', a: left, b: this.unary() };
      } else if (this.startsImplicitFactor(t)) {
        left = { t: 'bin', op: '*', a: left, b: this.power() };
      } else break;
    }
    return left;
  }

  /** A token that can begin a factor multiplied implicitly (`2x`, `3\pi`, `(a)(b)`); never a bare number. */
  private startsImplicitFactor(t: Tok | undefined): boolean {
    if (!t) return false;
    if (t.k === 'id') return true;
    if (t.k === 'op') return t.op === '(' || t.op === '{';
    if (t.k === 'cmd') return t.name === 'frac' || t.name === 'sqrt' || t.name === 'binom' || t.name === 'pi' || t.name === 'infty' || FUNCTIONS.has(t.name) || GREEK.has(t.name);
    return false;
  }

  private unary(): Expr {
    if (this.isOp('-')) {
      this.i++;
      this.enter();
      const a = this.unary();
      this.depth--;
      return { t: 'neg', a };
    }
    if (this.isOp('+')) {
      this.i++;
      return this.unary();
    }
    return this.power();
  }

  private power(): Expr {
    const base = this.postfix();
    if (this.isOp('^')) {
      this.i++;
      return { t: 'bin', op: '^', a: base, b: this.exponent() };
    }
    return base;
  }

  /** `^{...}`, `^2`, `^-1`, `^x`, `^\frac{1}{2}`: right-associative (`2^3^2` = 2^9). */
  private exponent(): Expr {
    this.enter();
    let e: Expr;
    if (this.isOp('-')) {
      this.i++;
      e = { t: 'neg', a: this.exponent() };
    } else {
      const base = this.postfix();
      e = this.isOp('^') ? (this.i++, { t: 'bin', op: '^', a: base, b: this.exponent() }) : base;
    }
    this.depth--;
    return e;
  }

  private postfix(): Expr {
    let e = this.primary();
    while (this.isOp('!')) {
      this.i++;
      e = { t: 'fact', a: e };
    }
    return e;
  }

  private group(): Expr {
    this.expect('{');
    const e = this.expr();
    this.expect('}');
    return e;
  }

  private primary(): Expr {
    this.enter();
    const e = this.primaryInner();
    this.depth--;
    return e;
  }

  private primaryInner(): Expr {
    const t = this.toks[this.i++];
    if (!t) throw new ParseError('unexpected end of expression');
    switch (t.k) {
      case 'num':
        return this.mixedNumber(t) ?? { t: 'num', v: t.v };
      case 'id':
        return this.variable(t.name);
      case 'op':
        if (t.op === '(' || t.op === '[' || t.op === '{') {
          const e = this.expr();
          this.expect(t.op === '(' ? ')' : t.op === '[' ? ']' : '}');
          return e;
        }
        throw new ParseError(`unexpected '${t.op}'`);
      case 'cmd':
        return this.command(t.name);
    }
  }

  /** `1\frac{4}{5}` → 9/5 when the integer and both fraction parts are integer literals. */
  private mixedNumber(t: { text: string; v: Value }): Expr | null {
    if (!/^\d+$/.test(t.text) || !this.isCmd('frac')) return null;
    const seq = this.toks.slice(this.i, this.i + 7);
    const pattern = ['frac', '{', 'int', '}', '{', 'int', '}'];
    const ok = pattern.every((p, j) => {
      const s = seq[j];
      if (p === 'frac') return s?.k === 'cmd';
      if (p === 'int') return s?.k === 'num' && /^\d+$/.test(s.text);
      return s?.k === 'op' && s.op === p;
    });
    if (!ok) return null;
    const num = (seq[2] as { v: Value }).v;
    const den = (seq[5] as { v: Value }).v;
    this.i += 7;
    return { t: 'num', v: V.add(t.v, V.div(num, den)) };
  }

  private variable(name: string): Expr {
    let full = name;
    if (this.isOp('_')) {
      this.i++;
      const s = this.toks[this.i];
      if (this.isOp('{')) {
        const start = ++this.i;
        while (this.i < this.toks.length && !this.isOp('}')) this.i++;
        this.expect('}');
        full += `_${this.toks.slice(start, this.i - 1).map(tokText).join('')}`;
      } else if (s && (s.k === 'num' || s.k === 'id')) {
        this.i++;
        full += `_${tokText(s)}`;
      } else throw new ParseError('bad subscript');
    }
    this.vars.add(full);
    return { t: 'var', name: full };
  }

  private command(name: string): Expr {
    if (name === 'frac' || name === 'dfrac' || name === 'tfrac') return { t: 'bin', op: '/', a: this.group(), b: this.group() };
    if (name === 'binom') return { t: 'binom', a: this.group(), b: this.group() };
    if (name === 'sqrt') {
      let k: Expr = { t: 'num', v: V.rational(2n) };
      if (this.isOp('[')) {
        this.i++;
        k = this.expr();
        this.expect(']');
      }
      const a = this.isOp('{') ? this.group() : this.isOp('(') ? this.primary() : this.power();
      return { t: 'root', a, k };
    }
    if (name === 'pi') return { t: 'num', v: V.float(Math.PI) };
    if (name === 'infty') return { t: 'num', v: V.float(Infinity) };
    if (GREEK.has(name)) return this.variable(`\\${name}`);
    if (FUNCTIONS.has(name)) {
      let base: Expr | undefined;
      let power: Expr | undefined;
      if (name === 'log' && this.isOp('_')) {
        this.i++;
        base = this.isOp('{') ? this.group() : this.primary();
      }
      if (this.isOp('^')) {
        this.i++;
        power = this.exponent();
      }
      const a = this.isOp('(') || this.isOp('{') ? this.primary() : this.power();
      const call: Expr = { t: 'fn', name, a, base };
      return power ? { t: 'bin', op: '^', a: call, b: power } : call;
    }
    throw new ParseError(`unsupported command \\${name}`);
  }
}

function tokText(t: Tok): string {
  return t.k === 'num' ? t.text : t.k === 'id' ? t.name : t.k === 'cmd' ? `\\${t.name}` : t.op;
}

export interface Parsed {
  expr: Expr;
  /** Free variables, e.g. `x`, `\theta`, `x_1`. */
  vars: Set<string>;
}

/** Parses one expression; throws `ParseError` on anything outside the supported grammar. */
export function parseExpression(src: string): Parsed {
  const p = new Parser(tokenize(src));
  const expr = p.parse();
  return { expr, vars: p.vars };
}

const FLOAT_FN: Record<string, (x: number) => number> = {
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  cot: (x) => 1 / Math.tan(x),
  sec: (x) => 1 / Math.cos(x),
  csc: (x) => 1 / Math.sin(x),
  arcsin: Math.asin,
  arccos: Math.acos,
  arctan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  ln: Math.log,
  log: Math.log10,
  exp: Math.exp,
};

function binary(op: '+' | '-' | '*' | '/' | '^', a: Value, b: Value): Value {
  if (op === '+') return V.add(a, b);
  if (op === '-') return V.sub(a, b);
  if (op === '*') return V.mul(a, b);
  if (op === '/') return V.div(a, b);
  return V.pow(a, b);
}

/** Evaluates with the given variable values; unknown variables are an error (callers pass all of `vars`). */
export function evaluate(e: Expr, env: ReadonlyMap<string, Value> = new Map()): Value {
  switch (e.t) {
    case 'num':
      return e.v;
    case 'var': {
      const v = env.get(e.name);
      if (!v) throw new ParseError(`unbound variable ${e.name}`);
      return v;
    }
    case 'neg':
      return V.neg(evaluate(e.a, env));
    case 'bin':
      return binary(e.op, evaluate(e.a, env), evaluate(e.b, env));
    case 'fact':
      return V.factorial(evaluate(e.a, env));
    case 'root': {
      const k = evaluate(e.k, env);
      const a = evaluate(e.a, env);
      if (k.kind === 'q' && k.d === 1n && k.n >= 2n && k.n <= 64n) return V.root(a, Number(k.n));
      return V.pow(a, V.div(V.rational(1n), k));
    }
    case 'binom':
      return V.binomial(evaluate(e.a, env), evaluate(e.b, env));
    case 'fn': {
      const x = V.toNumber(evaluate(e.a, env));
      if (e.name === 'log' && e.base) return V.float(Math.log(x) / Math.log(V.toNumber(evaluate(e.base, env))));
      if (e.name === 'exp' && x === 0) return V.rational(1n);
      return V.float(FLOAT_FN[e.name](x));
    }
  }
}
