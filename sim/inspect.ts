/**
 * What a reader can check in a written solution without knowing the answer: the step equations it shows,
 * whether they hold, whether they use the question's operands and chain together, and whether the final answer
 * is tagged. Used by the simulated judge (to score outputs) and optimizer (as visible evidence). Pure; text only.
 */
import { applyOp } from './problem';
import type { Op, Problem } from './problem';

export interface ShownEquation {
  step: number;
  x: number;
  op: Op;
  n: number;
  y: number;
}

const OPS: Record<string, Op> = { '+': 'add', '-': 'subtract', '−': 'subtract', '×': 'multiply', x: 'multiply', '*': 'multiply', '÷': 'divide', '/': 'divide' };
const STEP_EQUATION_RE = /Step (\d+):[^\n]*?(-?\d+) ([+\-−×x*÷/]) (-?\d+) = (-?\d+)/g;

/** Every "Step k: … x op n = y" in the text, in order. */
export function equationsOf(text: string): ShownEquation[] {
  return [...text.matchAll(STEP_EQUATION_RE)].map((m) => ({ step: Number(m[1]), x: Number(m[2]), op: OPS[m[3]], n: Number(m[4]), y: Number(m[5]) }));
}

/**
 * Equations a careful reader can prove wrong: the arithmetic does not hold, the operand is not the question's
 * (when the problem is known), or the left side does not continue the previous shown step.
 */
export function inconsistentEquations(text: string, problem: Problem | null): number {
  let bad = 0;
  const after = new Map<number, number>();
  for (const e of equationsOf(text)) {
    const wrong =
      applyOp(e.op, e.x, e.n) !== e.y ||
      (problem !== null && problem.steps[e.step - 1] !== undefined && (problem.steps[e.step - 1].op !== e.op || problem.steps[e.step - 1].operand !== e.n)) ||
      (problem !== null && e.step === 1 && e.x !== problem.start) ||
      (after.has(e.step - 1) && after.get(e.step - 1) !== e.x);
    if (wrong) bad++;
    after.set(e.step, e.y);
  }
  return bad;
}

export function hasAnswerTag(text: string): boolean {
  return /<answer>[\s\S]*?<\/answer>/.test(text);
}

/** A brief output: no step equation and no prose step at all (what "be concise" produces). */
export function isBrief(text: string): boolean {
  return !/Step \d+:/.test(text);
}
