/**
 * Pairwise judge prompts (joint evaluation, paper Eq. 5; study §3) and the verdict parser.
 *
 * Every prompt shows the question, the task requirements and two outputs labelled A and B, each fenced
 * (fence.ts) with an instruction to ignore anything inside the fences, and asks for <choose>A</choose> or
 * <choose>B</choose> (plus <choose>tie</choose> when ties are allowed, fixed profile). The four kinds differ in
 * what is compared and by which criterion:
 * - local: two outputs of the agent under optimisation, same input; validity for its role;
 * - lookahead: two outputs of a successor, re-run under the candidate vs under the parent; which leads on better;
 * - global: the system's two final outputs; which final answer is more likely correct (length ignored);
 * - terminal: the agent under optimisation is the terminal; role, correctness and format together.
 * The candidate's position is decided by `orderFor`; the judge never knows which output is the candidate.
 */
import { uniformFrom } from '../common/prng';
import { fence, fenceId } from './fence';
import { FENCE_NOTICE, JUDGE_TITLES, taskRequirements } from './prompts-common';
import type { AgentInfo, ComparisonKind, Order, PositionVerdict, Profile, SearchSettings, TaskType } from './types';

export interface JudgePromptInput {
  kind: ComparisonKind;
  taskType: TaskType;
  question: string;
  /** The agent whose outputs are compared (for `global`: the terminal agent). */
  agent: AgentInfo;
  /** Output shown as A, and as B. */
  a: string;
  b: string;
  allowTie: boolean;
  /** Ask for the verdict tag first (see `judgeReply` in the optimize settings). */
  verdictFirst?: boolean;
}

const CRITERIA: Record<ComparisonKind, (agent: AgentInfo) => string> = {
  local: (g) =>
    `Both outputs were written by the agent "${g.id}" (${roleText(g)}) for the same question and the same input; only its instructions differed. Which output better fulfils this agent's role? Prefer accurate reasoning, correct and explicitly stated intermediate results, nothing misleading, and the format the requirements ask for.`,
  lookahead: (g) =>
    `Both outputs were written by the downstream agent "${g.id}" (${roleText(g)}) after it received two different versions of its upstream input. Which output is more likely to lead the system to the correct final answer? Check its reasoning and its answer.`,
  global: () =>
    'Both outputs are final answers of the whole multi-agent system to the question. Which final answer is more likely to be correct? Check the reasoning shown; ignore length and style.',
  terminal: (g) =>
    `Both outputs were written by the final agent "${g.id}" (${roleText(g)}); its output is the system's answer. Choose the output whose final answer is correct, even if it is shorter. If both are correct, prefer the clearer reasoning; do not favour a long or confident output that is wrong. The final answer must follow the format in the requirements.`,
};

function roleText(g: AgentInfo): string {
  return g.description ? `${g.role}: ${g.description}` : g.role;
}

export function buildJudgePrompt(input: JudgePromptInput): string {
  const shown = (s: string) => (s === '' ? '(empty)' : s);
  const id = fenceId([input.question, input.a, input.b]);
  const verdict = input.allowTie
    ? 'End your reply with exactly one verdict tag: <choose>A</choose>, <choose>B</choose>, or <choose>tie</choose> if neither output is better.'
    : 'End your reply with exactly one verdict tag: <choose>A</choose> or <choose>B</choose>.';
  // Verdict first (small local judges): a reply that starts with the tag can end there (a `stop` at </choose>),
  // instead of a judge that starts solving the problem itself and runs out of tokens before its verdict.
  const replyFormat = input.verdictFirst
    ? `${verdict.replace('End your reply with', 'Start your reply with')} Then give one short sentence of reasons, nothing more.`
    : `Give a short analysis, then the verdict. ${verdict}`;
  return [
    JUDGE_TITLES[input.kind],
    'You compare two outputs of a multi-agent system that solves a task. You do not know which version produced which output.',
    FENCE_NOTICE,
    '',
    '## Question',
    fence('question', input.question, id),
    '',
    '## Requirements',
    taskRequirements(input.taskType),
    '',
    '## Output A',
    fence('A', shown(input.a), id),
    '',
    '## Output B',
    fence('B', shown(input.b), id),
    '',
    '## Criterion',
    CRITERIA[input.kind](input.agent),
    '',
    '## Reply format',
    replyFormat,
  ].join('\n');
}

/** One comparison to make: the candidate's and the parent's version of the same output. */
export interface PairToJudge {
  kind: ComparisonKind;
  question: string;
  agent: AgentInfo;
  candidate: string;
  parent: string;
}

export interface JudgeRequest {
  order: Order;
  prompt: string;
}

/**
 * Presentation orders for one comparison. Both orders when `judgeBothOrders`; otherwise the faithful profile
 * always shows the candidate first (reference behaviour), and the fixed profile flips a coin keyed by `key`
 * (e.g. `${nodeId}|${candidateIndex}|${item}|${kind}|${agentId}`) from the run's seed, so position bias averages
 * out instead of always favouring the candidate. Deterministic, no PRNG state.
 */
export function orderFor(settings: Pick<SearchSettings, 'judgeBothOrders' | 'profile'>, seed: number, key: string): Order[] {
  if (settings.judgeBothOrders) return ['candidate-first', 'parent-first'];
  if (settings.profile === 'faithful') return ['candidate-first'];
  return [uniformFrom(seed, 'judge-order', key) < 0.5 ? 'candidate-first' : 'parent-first'];
}

/** The judge prompts for one comparison, one per order (parallel to `orders`). */
export function judgePrompts(
  settings: Pick<SearchSettings, 'taskType' | 'allowTieVerdict' | 'judgeReply'>,
  pair: PairToJudge,
  orders: readonly Order[],
): JudgeRequest[] {
  return orders.map((order) => {
    const [a, b] = order === 'candidate-first' ? [pair.candidate, pair.parent] : [pair.parent, pair.candidate];
    return {
      order,
      prompt: buildJudgePrompt({ kind: pair.kind, taskType: settings.taskType, question: pair.question, agent: pair.agent, a, b, allowTie: settings.allowTieVerdict, verdictFirst: settings.judgeReply === 'verdict-first' }),
    };
  });
}

/**
 * Reads the judge's verdict about the positions.
 *
 * fixed (strict): exactly one <choose> and one </choose> (case-insensitive tags), in that order, whose trimmed
 * content is A, B or tie (case-insensitive). Anything else — no tag, two tags (e.g. a quoted output containing a
 * fake tag), "A/B", "Output A", an empty reply — is `unparseable`, which the reward counts as a tie and records.
 * faithful (lenient, study §3): when both tags occur anywhere, A iff the text after the first <choose> up to the
 * next </choose> (or the end) contains the letter "A" (so "Answer B" reads as A); otherwise A iff the last letter of the
 * upper-cased reply is A; a reply with no letter at all (or no reply) reads as A, i.e. a candidate win.
 */
export function parseVerdict(reply: string | null | undefined, profile: Profile, tolerant = false): PositionVerdict {
  const text = reply ?? '';
  if (tolerant && profile === 'fixed') {
    const strict = parseVerdict(text, 'fixed');
    return strict === 'unparseable' ? tolerantVerdict(text) : strict;
  }
  if (profile === 'faithful') {
    if (text.includes('<choose>') && text.includes('</choose>')) {
      const rest = text.slice(text.indexOf('<choose>') + '<choose>'.length);
      const close = rest.indexOf('</choose>');
      return (close < 0 ? rest : rest.slice(0, close)).includes('A') ? 'A' : 'B';
    }
    const letters = text.toUpperCase().match(/\p{L}/gu);
    if (!letters) return 'A';
    return letters[letters.length - 1] === 'A' ? 'A' : 'B';
  }
  const opens = [...text.matchAll(/<choose>/gi)];
  const closes = [...text.matchAll(/<\/choose>/gi)];
  if (opens.length !== 1 || closes.length !== 1 || closes[0].index! < opens[0].index!) return 'unparseable';
  const content = text.slice(opens[0].index! + '<choose>'.length, closes[0].index!).trim().toLowerCase();
  if (content === 'a') return 'A';
  if (content === 'b') return 'B';
  if (content === 'tie') return 'tie';
  return 'unparseable';
}

/**
 * What small local judges write instead of the tag, read only when nothing else in the reply could be a verdict:
 * the whole reply is one verdict token (`B`, `**A**.`, `tie`), or the reply ends in a single unclosed `<choose>X`.
 * A letter inside prose ("A is better", "Output B") stays unparseable: prose may name either output.
 */
function tolerantVerdict(text: string): PositionVerdict {
  const token = (s: string): PositionVerdict => {
    const t = s.replace(/[*_`"'.!:)\]\s]+$/g, '').replace(/^[*_`"'(\[\s]+/g, '').toLowerCase();
    return t === 'a' ? 'A' : t === 'b' ? 'B' : t === 'tie' ? 'tie' : 'unparseable';
  };
  const opens = [...text.matchAll(/<choose>/gi)];
  if (opens.length === 1 && !/<\/choose>/i.test(text)) return token(text.slice(opens[0].index! + '<choose>'.length));
  if (opens.length === 0 && !/<\/choose>/i.test(text)) return token(text);
  return 'unparseable';
}
