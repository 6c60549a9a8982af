/**
 * The directives a simulated agent understands, each with several paraphrases. Only these phrases change
 * behaviour; any other prompt text is ignored (it still changes the prompt digest, hence the random draws, the way
 * rewording moves a real model's outputs). Effect sizes live in `SimWorldConfig.effects`; the table is in
 * sim/README.md.
 *
 * Matching rules (readDirectives):
 * - case-insensitive, whitespace-collapsed substring match on word boundaries;
 * - longest phrase first, and matched text is consumed, so "check the previous solution step by step" counts as
 *   verifyUpstream only, not also as stepByStep;
 * - a phrase preceded by a negation within its clause ("do not be concise", "never trust the previous answer") is
 *   ignored;
 * - of trustUpstream and solveIndependently, the one mentioned last wins.
 */

export const DIRECTIVE_IDS = [
  'stepByStep',
  'doubleCheck',
  'answerTag',
  'showIntermediates',
  'brevity',
  'verifyUpstream',
  'trustUpstream',
  'solveIndependently',
] as const;
export type DirectiveId = (typeof DIRECTIVE_IDS)[number];

export interface Directive {
  id: DirectiveId;
  /** One line for humans and, later, for the simulated optimizer's proposals. */
  summary: string;
  /** Lower-case paraphrases; the first is the canonical wording used when a directive is inserted. */
  phrases: readonly string[];
}

export const LEXICON: readonly Directive[] = [
  {
    id: 'stepByStep',
    summary: 'careful step-by-step reasoning: fewer slips, longer output',
    phrases: ['think step by step', 'step by step', 'step-by-step', 'think carefully', 'reason carefully', 'show your reasoning', 'explain your reasoning'],
  },
  {
    id: 'doubleCheck',
    summary: 'double-check the arithmetic: fewer slips, one check line',
    phrases: ['double-check your arithmetic', 'double-check', 'double check', 'verify your arithmetic', 'verify your calculations', 'check your arithmetic', 'check your calculations', 'recheck your work'],
  },
  {
    id: 'answerTag',
    summary: 'final answer inside <answer></answer>',
    phrases: ['put the final answer inside <answer></answer>', '<answer>', '</answer>', 'answer tags', 'answer tag'],
  },
  {
    id: 'showIntermediates',
    summary: 'write every intermediate result as an equation',
    phrases: ['show each intermediate result', 'show every intermediate result', 'show all intermediate results', 'show intermediate results', 'show your work', 'write down each intermediate value', 'state each intermediate result'],
  },
  {
    id: 'brevity',
    summary: 'brief output: no prose and (by default) no intermediate results',
    phrases: ['be concise', 'be brief', 'answer only', 'only the final answer', 'just the final answer', 'no explanation', 'without explanation', 'keep it short', 'concisely', 'concise'],
  },
  {
    id: 'verifyUpstream',
    summary: "successor: verify each step of the previous solution (pays off only when it shows its steps)",
    phrases: ['verify each step of the previous solution', 'check each step of the previous solution', 'check the previous solution step by step', 'verify the previous solution', 'recompute from the context', 'recompute each step', 'verify each intermediate result'],
  },
  {
    id: 'trustUpstream',
    summary: "successor: adopt the previous answer without checking",
    phrases: ['trust the previous answer', 'trust the previous solution', 'build on the previous answer', 'accept the previous answer', 'rely on the previous answer', 'rely on the previous solution'],
  },
  {
    id: 'solveIndependently',
    summary: 'successor: ignore the context and solve from the question alone',
    phrases: ['solve independently', 'solve it independently', 'solve the problem independently', 'solve it yourself', 'ignore the previous solution', 'ignore the previous answer', 'from scratch', 'without relying on the previous'],
  },
];

export type DirectiveSet = Record<DirectiveId, boolean>;

export interface DirectiveMatch {
  id: DirectiveId;
  phrase: string;
  /** Offset in the normalised (lower-case, whitespace-collapsed) text. */
  index: number;
  negated: boolean;
}

export interface DirectiveReading {
  set: DirectiveSet;
  matches: DirectiveMatch[];
}

const NEGATION_BEFORE = /\b(?:not|don't|do not|never|avoid|stop|no need to)\s+(?:[a-z'-]+\s+){0,2}$/;

export function normaliseInstruction(text: string): string {
  return text.toLowerCase().replace(/[‘’]/g, "'").replace(/\s+/g, ' ');
}

export function readDirectives(text: string): DirectiveReading {
  const norm = normaliseInstruction(text);
  const candidates: Array<{ id: DirectiveId; phrase: string; index: number }> = [];
  for (const d of LEXICON) {
    for (const phrase of d.phrases) {
      for (let at = norm.indexOf(phrase); at >= 0; at = norm.indexOf(phrase, at + 1)) {
        if (onBoundaries(norm, at, phrase)) candidates.push({ id: d.id, phrase, index: at });
      }
    }
  }
  candidates.sort((a, b) => b.phrase.length - a.phrase.length || a.index - b.index);
  const taken: Array<[number, number]> = [];
  const matches: DirectiveMatch[] = [];
  for (const c of candidates) {
    const end = c.index + c.phrase.length;
    if (taken.some(([s, e]) => c.index < e && end > s)) continue;
    taken.push([c.index, end]);
    const clause = norm.slice(0, c.index).split(/[.!?;:\n]/).pop() ?? '';
    matches.push({ ...c, negated: NEGATION_BEFORE.test(clause) });
  }
  matches.sort((a, b) => a.index - b.index);

  const set = Object.fromEntries(DIRECTIVE_IDS.map((id) => [id, false])) as DirectiveSet;
  for (const m of matches) if (!m.negated) set[m.id] = true;
  if (set.trustUpstream && set.solveIndependently) {
    const last = (id: DirectiveId) => Math.max(...matches.filter((m) => m.id === id && !m.negated).map((m) => m.index));
    if (last('trustUpstream') > last('solveIndependently')) set.solveIndependently = false;
    else set.trustUpstream = false;
  }
  return { set, matches };
}

function onBoundaries(text: string, at: number, phrase: string): boolean {
  const isWord = (ch: string | undefined) => ch !== undefined && /[a-z0-9]/.test(ch);
  if (isWord(phrase[0]) && isWord(text[at - 1])) return false;
  if (isWord(phrase[phrase.length - 1]) && isWord(text[at + phrase.length])) return false;
  return true;
}

export function directive(id: DirectiveId): Directive {
  return LEXICON.find((d) => d.id === id)!;
}
