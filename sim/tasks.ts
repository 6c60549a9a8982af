/**
 * Procedurally generated multi-step arithmetic word problems with exact integer answers.
 *
 * Contracts:
 * - Item i of (seed, split) depends only on (seed, split, i, difficulty): sizes can grow without changing items.
 * - Train and test are disjoint by construction: every arithmetic problem (start value and operation sequence,
 *   whatever its wording) belongs to exactly one split, decided by a seeded hash of that sequence; the generator
 *   redraws until the problem belongs to the requested split. So no question text, and not even a rewording of
 *   the same arithmetic, appears in both splits for one seed.
 * - The answer field is for grading only; agents and judges re-solve from the question text (sim/problem.ts).
 */
import { Prng, deriveSeed, hashString } from '../core/common/prng';
import { SimTasksSchema } from '../core/schema/sim-config';
import type { SimTasksConfig, SimWorldConfig } from '../core/schema/sim-config';
import { CHARACTERS, UNITS, renderQuestion, renderStep, solveExactly, wordingsFor } from './problem';
import type { Op, Problem, ProblemStep } from './problem';

export type Split = 'train' | 'test';

export interface SimTask {
  id: string;
  question: string;
  answer: number;
}

export interface GenerateTasksOptions extends Partial<SimTasksConfig> {
  seed: number;
  split: Split;
  size: number;
  /** Difficulty comes from `world.tasks` unless given directly. */
  world?: SimWorldConfig;
}

const MAX_ATTEMPTS = 10_000;

export function generateTasks(options: GenerateTasksOptions): SimTask[] {
  const { seed, split, size, world, ...direct } = options;
  const difficulty = SimTasksSchema.parse({ ...(world?.tasks ?? {}), ...stripUndefined(direct) });
  const tasks: SimTask[] = [];
  for (let i = 0; i < size; i++) tasks.push(generateTask(seed, split, i, difficulty));
  return tasks;
}

/** One item; exported so callers can fetch item i without generating 0..i-1. */
export function generateTask(seed: number, split: Split, index: number, difficulty: SimTasksConfig): SimTask {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const problem = drawProblem(new Prng(deriveSeed(seed, 'task', split, index, attempt)), difficulty);
    if (splitOf(seed, problem) !== split) continue;
    return { id: `sim-${split}-${seed}-${index}`, question: renderQuestion(problem), answer: solveExactly(problem) };
  }
  throw new Error(`could not generate a ${split} task for index ${index}`); // probability 2^-10000
}

/** The split an arithmetic problem belongs to: wording is ignored, so rewordings share a split. */
export function splitOf(seed: number, problem: Problem): Split {
  const key = [problem.start, ...problem.steps.map((s) => `${s.op}:${s.operand}`)].join('|');
  return hashString(key, deriveSeed(seed, 'split')) % 2 === 0 ? 'train' : 'test';
}

function drawProblem(rng: Prng, d: SimTasksConfig): Problem {
  const character = CHARACTERS[rng.int(CHARACTERS.length)];
  const unit = UNITS[rng.int(UNITS.length)];
  const start = d.minStart + rng.int(d.maxStart - d.minStart + 1);
  const count = d.minSteps + rng.int(d.maxSteps - d.minSteps + 1);
  const steps: ProblemStep[] = [];
  let x = start;
  for (let k = 0; k < count; k++) {
    const [op, n] = drawOperation(rng, x, d);
    const wordings = wordingsFor(op, n);
    steps.push({ op, operand: n, phrase: renderStep(wordings[rng.int(wordings.length)], n, unit, character.pronoun) });
    x = op === 'add' ? x + n : op === 'subtract' ? x - n : op === 'multiply' ? x * n : x / n;
  }
  return { subject: character.subject, pronoun: character.pronoun, unit, start, steps };
}

/** Picks a feasible operation: totals stay in [1, maxValue] and divisions are exact. */
function drawOperation(rng: Prng, x: number, d: SimTasksConfig): [Op, number] {
  const preferred: Op[] = rng.shuffle(['add', 'subtract', 'multiply', 'divide']);
  for (const op of preferred) {
    const options = operandsFor(op, x, d);
    if (options.length > 0) return [op, options[rng.int(options.length)]];
  }
  return ['add', 1]; // unreachable with a valid config: add or subtract is always feasible
}

function operandsFor(op: Op, x: number, d: SimTasksConfig): number[] {
  const range = (lo: number, hi: number) => (hi < lo ? [] : Array.from({ length: hi - lo + 1 }, (_, i) => lo + i));
  switch (op) {
    case 'add':
      return range(2, Math.min(d.maxOperand, d.maxValue - x));
    case 'subtract':
      return range(2, Math.min(d.maxOperand, x - 1));
    case 'multiply':
      return range(2, 5).filter((f) => x * f <= d.maxValue);
    case 'divide':
      return range(2, 6).filter((q) => x % q === 0 && x / q >= 2);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
