/**
 * The simulated pairwise judge. Answers a prompt built by core/search/prompts-judge.ts; recognised by its title line.
 *
 * Label-free (integrity rule): it reads the question from the fenced text and re-solves it with its own per-step
 * error rate (`judge.stepError`, the agent walk of sim/agent.ts with no upstream), then scores each shown output:
 *   + weights.answer        final answer (lenient reader) equals its own solution
 *   + weights.format        the answer is inside <answer></answer>
 *   − weights.inconsistency per equation it can prove wrong (does not hold, wrong operand, broken chain)
 *   − weights.missingAnswer no readable final answer
 *   LOCAL comparisons only: + localBrevity × (relative length advantage), favouring the shorter output
 * and decides: with probability `noise` a coin flip; else with probability `positionBias` the first-shown output;
 * else the higher score, and on equal scores a tie when the prompt offers one, otherwise a coin flip.
 * With probability `unparseable` it forgets the verdict tag.
 *
 * Deterministic: its own solution depends on (world seed, model, question, sample); its decision draws on the
 * whole prompt too. Sample = the request's seed at temperature > 0, else 0.
 */
import { hashString, uniformFrom } from '../core/common/prng';
import type { SimWorldConfig } from '../core/schema/sim-config';
import { fenced, readFences } from '../core/search/fence';
import { JUDGE_TITLES } from '../core/search/prompts-common';
import type { ComparisonKind } from '../core/search/types';
import { solve, type Behaviour } from './agent';
import { readFinalAnswer } from './answer';
import { hasAnswerTag, inconsistentEquations } from './inspect';
import { findProblem, type Problem } from './problem';

export interface JudgeRequestLike {
  model: string;
  temperature: number;
  seed?: number;
}

/** The comparison kind of a judge prompt, or null if `prompt` is not one. */
export function judgeKindOf(prompt: string): ComparisonKind | null {
  const first = prompt.slice(0, prompt.indexOf('\n') < 0 ? prompt.length : prompt.indexOf('\n')).trim();
  for (const [kind, title] of Object.entries(JUDGE_TITLES)) if (first === title) return kind as ComparisonKind;
  return null;
}

export interface OutputAssessment {
  final: number | null;
  tagged: boolean;
  inconsistent: number;
  score: number;
}

/** The judge's own answer to the question text (null when it finds no problem in it). */
export function judgeSolution(world: SimWorldConfig, req: JudgeRequestLike, question: string): { problem: Problem | null; answer: number | null } {
  const found = findProblem(question);
  if (!found) return { problem: null, answer: null };
  const sample = req.temperature > 0 ? (req.seed ?? 0) : 0;
  const behaviour: Behaviour = {
    stepError: world.judge.stepError,
    showRate: 0,
    prose: false,
    checkLine: false,
    answerTag: false,
    brief: false,
    usesContext: false,
    follow: false,
    checkRate: 0,
  };
  const walk = solve(world, found.problem, [], behaviour, (...names) => uniformFrom(world.seed, req.model, 'judge-solve', found.text, sample, ...names));
  return { problem: found.problem, answer: walk.length ? walk[walk.length - 1].after : found.problem.start };
}

export function assessOutput(world: SimWorldConfig, text: string, own: { problem: Problem | null; answer: number | null }): OutputAssessment {
  const w = world.judge.weights;
  const shown = text === '(empty)' ? '' : text;
  const final = readFinalAnswer(shown)?.value ?? null;
  const tagged = hasAnswerTag(shown);
  const inconsistent = inconsistentEquations(shown, own.problem);
  let score = -w.inconsistency * inconsistent;
  if (final === null) score -= w.missingAnswer;
  else if (own.answer !== null && final === own.answer) score += w.answer;
  if (tagged) score += w.format;
  return { final, tagged, inconsistent, score };
}

export function judgeReply(world: SimWorldConfig, req: JudgeRequestLike, prompt: string): string {
  const kind = judgeKindOf(prompt)!;
  const blocks = readFences(prompt);
  const question = fenced(blocks, 'question') ?? '';
  const a = fenced(blocks, 'A') ?? '';
  const b = fenced(blocks, 'B') ?? '';
  const allowTie = prompt.includes('<choose>tie</choose>');
  const sample = req.temperature > 0 ? (req.seed ?? 0) : 0;
  const digest = hashString(prompt).toString(36);
  const draw = (name: string) => uniformFrom(world.seed, req.model, 'judge', digest, sample, name);
  const j = world.judge;

  const own = judgeSolution(world, req, question);
  const sa = assessOutput(world, a, own);
  const sb = assessOutput(world, b, own);
  let scoreA = sa.score;
  let scoreB = sb.score;
  if (kind === 'local' && j.localBrevity > 0) {
    const la = a.length;
    const lb = b.length;
    const longest = Math.max(la, lb, 1);
    scoreA += (j.localBrevity * (lb - la)) / longest;
    scoreB += (j.localBrevity * (la - lb)) / longest;
  }

  let verdict: 'A' | 'B' | 'tie';
  let why: string;
  if (draw('noise') < j.noise) {
    verdict = draw('coin') < 0.5 ? 'A' : 'B';
    why = 'The two outputs are hard to separate.';
  } else if (draw('position') < j.positionBias) {
    verdict = 'A';
    why = 'Output A reads as the stronger answer.';
  } else if (Math.abs(scoreA - scoreB) < 1e-9) {
    verdict = allowTie ? 'tie' : draw('coin') < 0.5 ? 'A' : 'B';
    why = 'Neither output is better than the other.';
  } else {
    verdict = scoreA > scoreB ? 'A' : 'B';
    why = `Output ${verdict} is better on the criterion.`;
  }
  const describe = (label: string, s: OutputAssessment) =>
    `Output ${label}: final answer ${s.final ?? 'not found'}${own.answer !== null && s.final === own.answer ? ' (agrees with my own solution)' : ''}, ${s.tagged ? 'tagged' : 'untagged'}, ${s.inconsistent} inconsistent equation${s.inconsistent === 1 ? '' : 's'}.`;
  const analysis = `<analysis>My own solution gives ${own.answer ?? 'no answer'}. ${describe('A', sa)} ${describe('B', sb)} ${why}</analysis>`;
  if (draw('unparseable') < j.unparseable) return `${analysis}\nBoth outputs have merits and weaknesses.`;
  return `${analysis}\n<choose>${verdict}</choose>`;
}
