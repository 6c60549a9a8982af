/**
 * A simulated backbone agent: what it does with its directives, the problem and whatever upstream solutions it can
 * read. Pure: every random choice is a `draw(...)` keyed by the decision, so the same inputs give the same text.
 *
 * Solving walks the problem's steps. At each step the agent computes the step itself (slipping with the per-step
 * error probability). If upstream shows a value for that step (an equation, or a final answer for the last step):
 * - agreement: keep it;
 * - disagreement, checked (probability = check rate): re-check; the re-check finds the right continuation with
 *   `resolveAccuracy` when the value before this step is known to both sides (start, or an upstream equation the
 *   agent agrees with), else with `unlocalizedResolveAccuracy`; otherwise it defers to upstream;
 * - disagreement, unchecked: adopt upstream's value (unless told to solve independently).
 * After correcting an upstream value the agent ignores upstream for the remaining steps (they descend from the
 * mistake it found).
 * So intermediate results handed on make a successor's checks effective, and a bare answer leaves it to trust or
 * to guess — the mechanism behind the lookahead reward and the planted brevity trap.
 */
import type { SimWorldConfig } from '../core/schema/sim-config';
import { OP_SYMBOL, applyOp } from './problem';
import type { Op, Problem } from './problem';
import type { DirectiveSet } from './lexicon';
import { VARIANTS } from './format';
import type { EndingStyle, ReadSolution, SolutionDraft, WrittenStep } from './format';

/** A uniform draw in [0, 1) for one named decision; the caller binds seed, prompt, question and sample. */
export type Draw = (...names: Array<string | number>) => number;

export interface Behaviour {
  /** Per-step slip probability before the operation's weight. */
  stepError: number;
  /** Probability of writing each step's equation. */
  showRate: number;
  /** Write each step in prose (step-by-step reasoning). */
  prose: boolean;
  checkLine: boolean;
  answerTag: boolean;
  brief: boolean;
  /** Reads upstream solutions at all. */
  usesContext: boolean;
  /** At an unchecked disagreement, adopt upstream's value. */
  follow: boolean;
  /** Probability of checking each upstream value it can see. */
  checkRate: number;
}

export function behaviourOf(world: SimWorldConfig, d: DirectiveSet, temperature: number): Behaviour {
  const e = world.effects;
  const prose = d.stepByStep && !d.brevity;
  let stepError = world.agent.stepError;
  if (prose) stepError *= e.stepByStep.errorMultiplier;
  if (d.doubleCheck) stepError *= e.doubleCheck.errorMultiplier;
  if (d.brevity) stepError *= e.brevity.errorMultiplier;
  stepError *= 1 + world.agent.temperatureErrorScale * temperature;

  let showRate = d.stepByStep ? e.stepByStep.showRate : world.agent.showRate;
  if (d.brevity) showRate *= 1 - world.misalignment.strength;
  if (d.showIntermediates) showRate = e.showIntermediates.showRate;

  const checkRate = d.verifyUpstream
    ? e.verifyUpstream.checkRate
    : d.trustUpstream || d.solveIndependently
      ? 0
      : world.agent.reviewRate;
  return {
    stepError: Math.min(0.95, stepError),
    showRate,
    prose,
    checkLine: d.doubleCheck && !d.brevity,
    answerTag: d.answerTag,
    brief: d.brevity,
    usesContext: !d.solveIndependently || d.verifyUpstream,
    follow: !d.solveIndependently,
    checkRate,
  };
}

interface WalkStep {
  index: number;
  op: Op;
  /** Value before the step, as the agent has it. */
  before: number;
  /** Operand as the agent used it (a misread operand differs from the question's). */
  operand: number;
  /** Value after the step, as the agent settles on it. */
  after: number;
  /** Upstream value replaced after a disagreement was re-checked. */
  corrected?: number;
}

export function solve(world: SimWorldConfig, problem: Problem, upstream: readonly ReadSolution[], b: Behaviour, draw: Draw): WalkStep[] {
  const seen = b.usesContext ? upstream : [];
  const last = problem.steps.length;
  const evidenceAt = (k: number): number[] => {
    const values: number[] = [];
    for (const s of seen) {
      const v = s.shown.get(k) ?? (k === last ? s.final : null);
      if (v !== null && v !== undefined) values.push(v);
    }
    return values;
  };

  const walk: WalkStep[] = [];
  let x = problem.start;
  // After correcting upstream, later upstream values descend from its mistake: the agent continues on its own.
  let diverged = false;
  problem.steps.forEach((step, i) => {
    const k = i + 1;
    const right = applyOp(step.op, x, step.operand);
    let operand = step.operand;
    let own = right;
    if (draw('slip', k) < Math.min(0.95, b.stepError * world.agent.opWeight[step.op])) {
      ({ operand, value: own } = slip(step.op, x, step.operand, right, draw, k));
    }
    const evidence = diverged ? [] : evidenceAt(k);
    let after = own;
    let corrected: number | undefined;
    if (evidence.length > 0 && !evidence.includes(own)) {
      const upstreamValue = majority(evidence);
      if (draw('check', k) < b.checkRate) {
        const localised = k === 1 || evidenceAt(k - 1).includes(x);
        const accuracy = localised ? world.agent.resolveAccuracy : world.agent.unlocalizedResolveAccuracy;
        if (draw('resolve', k) < accuracy) {
          after = right;
          operand = step.operand;
          if (right !== upstreamValue) {
            corrected = upstreamValue;
            diverged = true;
          }
        } else {
          after = upstreamValue;
        }
      } else if (b.follow) {
        after = upstreamValue;
      }
    }
    if (after !== own && corrected === undefined) operand = step.operand;
    walk.push({ index: k, op: step.op, before: x, operand, after, corrected });
    x = after;
  });
  return walk;
}

/** A wrong result: either an arithmetic slip (the equation does not hold) or a misread operand (it does). */
function slip(op: Op, x: number, n: number, right: number, draw: Draw, k: number): { operand: number; value: number } {
  if (draw('slipKind', k) < 0.5) {
    const deltas = [1, 2, 10, -1, -2, -10, 3, -3];
    const value = right + deltas[Math.floor(draw('slipDelta', k) * deltas.length)];
    return { operand: n, value };
  }
  const shifts = [1, -1, 2, -2];
  let misread = n + shifts[Math.floor(draw('misread', k) * shifts.length)];
  if (misread < 1) misread = n + 1;
  const value = applyOp(op, x, misread);
  return value === right ? { operand: n, value: right + 1 } : { operand: misread, value };
}

function majority(values: number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = values[0];
  for (const v of values) if (counts.get(v)! > counts.get(best)!) best = v;
  return best;
}

const ACTION: Record<Op, (n: number) => string> = {
  add: (n) => `add ${n}`,
  subtract: (n) => `subtract ${n}`,
  multiply: (n) => `multiply by ${n}`,
  divide: (n) => `divide by ${n}`,
};

/** What the agent writes, given its walk. */
export function draftOf(world: SimWorldConfig, problem: Problem, walk: readonly WalkStep[], b: Behaviour, draw: Draw): SolutionDraft {
  const steps: WrittenStep[] = walk.map((w, i) => {
    const written = draw('show', w.index) < b.showRate || (w.corrected !== undefined && !b.brief);
    return {
      index: w.index,
      clause: `${problem.pronoun} ${problem.steps[i].phrase}`,
      action: ACTION[w.op](w.operand),
      equation: written ? `${w.before} ${OP_SYMBOL[w.op]} ${w.operand} = ${w.after}` : undefined,
      prose: b.prose,
      corrected: b.brief ? undefined : w.corrected,
    };
  });
  const final = walk.length ? walk[walk.length - 1].after : problem.start;
  let ending: EndingStyle = b.answerTag ? 'tag' : b.brief ? 'brief' : 'plain';
  if (ending === 'plain' && draw('ambiguous') < world.agent.untaggedAmbiguity) ending = 'ambiguous';
  const variants = ending === 'ambiguous' ? VARIANTS.ambiguous : VARIANTS.plain;
  return {
    unit: problem.unit,
    start: problem.start,
    opener: b.prose ? Math.floor(draw('opener') * VARIANTS.opener) : null,
    steps,
    checkLine: b.checkLine,
    final,
    ending,
    endingVariant: Math.floor(draw('ending') * variants),
    padToChars: world.output.longReplies ? world.output.longReplyTokens * world.output.charsPerToken : undefined,
  };
}
