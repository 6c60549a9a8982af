/**
 * The grammar of the simulated world's word problems: one module both writes a problem as plain text and reads
 * it back, so a simulated agent (and later the judge) re-solves a problem from its TEXT alone. Nobody reads a
 * stored answer. Pure.
 *
 * Shape: "A shop has 17 crates. It receives 8 more crates, then triples its crates, and finally sells 12 crates.
 * How many crates does it have now?"
 */

export type Op = 'add' | 'subtract' | 'multiply' | 'divide';

export interface ProblemStep {
  op: Op;
  operand: number;
  /** The step as worded in the question, without the pronoun: "receives 8 more crates". */
  phrase: string;
}

export interface Problem {
  /** "A shop", "A baker named Tom". */
  subject: string;
  /** "It", "She", "He". */
  pronoun: string;
  /** Plural noun counted: "crates". */
  unit: string;
  start: number;
  steps: ProblemStep[];
}

export interface Character {
  subject: string;
  pronoun: 'It' | 'She' | 'He';
}

export const CHARACTERS: readonly Character[] = [
  { subject: 'A shop', pronoun: 'It' },
  { subject: 'A library', pronoun: 'It' },
  { subject: 'A warehouse', pronoun: 'It' },
  { subject: 'A school club', pronoun: 'It' },
  { subject: 'A bakery', pronoun: 'It' },
  { subject: 'A farmer named Ada', pronoun: 'She' },
  { subject: 'A collector named Rosa', pronoun: 'She' },
  { subject: 'A teacher named Mei', pronoun: 'She' },
  { subject: 'A baker named Tom', pronoun: 'He' },
  { subject: 'A sailor named Omar', pronoun: 'He' },
  { subject: 'A student named Luis', pronoun: 'He' },
];

export const UNITS: readonly string[] = [
  'crates', 'apples', 'books', 'loaves', 'stamps', 'marbles', 'pencils', 'coins', 'cards', 'bottles', 'seeds', 'tickets',
];

function possessive(pronoun: string): string {
  return pronoun === 'She' ? 'her' : pronoun === 'He' ? 'his' : 'its';
}

/** Exact integer result of one step; division floors (generated problems always divide evenly). */
export function applyOp(op: Op, x: number, n: number): number {
  switch (op) {
    case 'add':
      return x + n;
    case 'subtract':
      return x - n;
    case 'multiply':
      return x * n;
    case 'divide':
      return n === 0 ? x : Math.floor(x / n);
  }
}

export const OP_SYMBOL: Record<Op, string> = { add: '+', subtract: '-', multiply: '×', divide: '÷' };

export function solveExactly(problem: Problem): number {
  return problem.steps.reduce((x, s) => applyOp(s.op, x, s.operand), problem.start);
}

// ---------------------------------------------------------------------------------------------------------
// Step wording. Each variant renders an (op, operand) and reads it back; `fixed` variants exist for one operand.

interface StepWording {
  op: Op;
  /** The only operand this wording can express, if any ("doubles" = 2). */
  fixed?: number;
  render(n: number, unit: string, pos: string): string;
  /** Regex over the step phrase (unit and possessive already substituted as `[a-z]+`). */
  pattern: RegExp;
}

const NUM = '(\\d+)';
const W = '[a-z]+';

export const STEP_WORDINGS: readonly StepWording[] = [
  { op: 'add', render: (n, u) => `receives ${n} more ${u}`, pattern: new RegExp(`^receives ${NUM} more ${W}$`) },
  { op: 'add', render: (n, u) => `buys ${n} more ${u}`, pattern: new RegExp(`^buys ${NUM} more ${W}$`) },
  { op: 'add', render: (n, u) => `is given ${n} more ${u}`, pattern: new RegExp(`^is given ${NUM} more ${W}$`) },
  { op: 'add', render: (n, u) => `finds ${n} more ${u}`, pattern: new RegExp(`^finds ${NUM} more ${W}$`) },
  { op: 'subtract', render: (n, u) => `sells ${n} ${u}`, pattern: new RegExp(`^sells ${NUM} ${W}$`) },
  { op: 'subtract', render: (n, u) => `gives away ${n} ${u}`, pattern: new RegExp(`^gives away ${NUM} ${W}$`) },
  { op: 'subtract', render: (n, u) => `loses ${n} ${u}`, pattern: new RegExp(`^loses ${NUM} ${W}$`) },
  { op: 'subtract', render: (n, u) => `uses up ${n} ${u}`, pattern: new RegExp(`^uses up ${NUM} ${W}$`) },
  { op: 'multiply', fixed: 2, render: (_n, u, p) => `doubles ${p} ${u}`, pattern: new RegExp(`^doubles ${W} ${W}$`) },
  { op: 'multiply', fixed: 3, render: (_n, u, p) => `triples ${p} ${u}`, pattern: new RegExp(`^triples ${W} ${W}$`) },
  { op: 'multiply', render: (n, u) => `ends up with ${n} times as many ${u}`, pattern: new RegExp(`^ends up with ${NUM} times as many ${W}$`) },
  { op: 'divide', fixed: 2, render: (_n, u, p) => `halves ${p} ${u}`, pattern: new RegExp(`^halves ${W} ${W}$`) },
  { op: 'divide', fixed: 3, render: (_n, u, p) => `keeps only a third of ${p} ${u}`, pattern: new RegExp(`^keeps only a third of ${W} ${W}$`) },
  {
    op: 'divide',
    render: (n, u, p) => `splits ${p} ${u} into ${n} equal groups and keeps one group`,
    pattern: new RegExp(`^splits ${W} ${W} into ${NUM} equal groups and keeps one group$`),
  },
];

/** Wordings able to express `op` with operand `n`. */
export function wordingsFor(op: Op, n: number): StepWording[] {
  return STEP_WORDINGS.filter((w) => w.op === op && (w.fixed === undefined || w.fixed === n));
}

export function renderStep(w: StepWording, n: number, unit: string, pronoun: string): string {
  return w.render(n, unit, possessive(pronoun));
}

function readStep(phrase: string): ProblemStep | null {
  for (const w of STEP_WORDINGS) {
    const m = w.pattern.exec(phrase);
    if (m) return { op: w.op, operand: w.fixed ?? Number(m[1]), phrase };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// Whole question

export function renderQuestion(p: Problem): string {
  const phrases = p.steps.map((s) => s.phrase);
  let body = phrases[0];
  for (let i = 1; i < phrases.length; i++) body += i === phrases.length - 1 ? `, and finally ${phrases[i]}` : `, then ${phrases[i]}`;
  return `${p.subject} has ${p.start} ${p.unit}. ${p.pronoun} ${body}. How many ${p.unit} does ${p.pronoun.toLowerCase()} have now?`;
}

const QUESTION_RE =
  /\b(An? [A-Za-z][A-Za-z ]*?) has (\d+) ([a-z]+)\. (It|She|He) ([^.?\n]+?)\. How many ([a-z]+) does (it|she|he) have now\?/g;

export interface FoundProblem {
  problem: Problem;
  /** Canonical text of the question (what `renderQuestion` would write). */
  text: string;
  /** Where the question sits in the searched text: [start, end). */
  span: [number, number];
}

/** The first well-formed problem in `text`, or null. Ill-formed look-alikes are skipped. */
export function findProblem(text: string): FoundProblem | null {
  for (const m of text.matchAll(QUESTION_RE)) {
    const [whole, subject, start, unit, pronoun, body, unit2, pronoun2] = m;
    if (unit2 !== unit || pronoun2 !== pronoun.toLowerCase()) continue;
    const parts = body.split(/, and finally |, then /);
    const steps = parts.map(readStep);
    if (steps.some((s) => s === null)) continue;
    const problem: Problem = { subject, pronoun, unit, start: Number(start), steps: steps as ProblemStep[] };
    return { problem, text: renderQuestion(problem), span: [m.index!, m.index! + whole.length] };
  }
  return null;
}
