/**
 * The written form of a simulated solution, in both directions: `writeSolution` renders what an agent decided,
 * `readSolutions` finds such text inside a later prompt (a successor's {{context}}) and recovers what a reader
 * can see there: the equations that were shown, and the final answer as a lenient reader would take it.
 *
 * Contracts:
 * - Every line `writeSolution` emits matches one of `OUTPUT_PATTERNS`; nothing else should (prompt templates
 *   that imitate solution lines, e.g. "Step 1: 3 + 4 = 7", are read as upstream output).
 * - Written text never contains a lexicon phrase (tested), so a successor's directives come from its own prompt.
 * - The reader sees only text: a hidden step is unknown to it, an ambiguous untagged ending is misread exactly
 *   as `readFinalAnswer` misreads it, and a truncated output yields whatever survived the cut.
 */
import { readFinalAnswer } from './answer';

export interface WrittenStep {
  index: number;
  /** "It receives 8 more crates": the question's wording with its pronoun. */
  clause: string;
  /** Plain-language operation: "add 8", "multiply by 3". */
  action: string;
  /** The equation, when written: "25 × 3 = 75". */
  equation?: string;
  /** Write the clause and action (step-by-step prose), not only the equation. */
  prose: boolean;
  /** The upstream value this step replaced after a check disagreed with it. */
  corrected?: number;
}

export type EndingStyle = 'tag' | 'brief' | 'plain' | 'ambiguous';

export interface SolutionDraft {
  unit: string;
  start: number;
  /** Index into OPENERS, or null for no opening line. */
  opener: number | null;
  steps: WrittenStep[];
  /** Write the double-check line. */
  checkLine: boolean;
  final: number;
  ending: EndingStyle;
  /** Index into the ending's phrasings. */
  endingVariant: number;
  /** Pad with restatement notes up to this many characters (long-reply mode). */
  padToChars?: number;
}

const OPENERS = ["Let's set this up.", 'Here is the working.', 'Let me lay out the calculation.'];
const PLAIN_ENDINGS = [(v: number) => `The answer is ${v}.`, (v: number) => `So the answer is ${v}.`, (v: number) => `Therefore, the final answer is ${v}.`];
const AMBIGUOUS_ENDINGS = [
  (v: number, unit: string, n: number) => `That leaves ${v} ${unit} after all ${n} steps.`,
  (v: number, unit: string, n: number) => `In the end there are ${v} ${unit}, after ${n} changes.`,
];
export const VARIANTS = { opener: OPENERS.length, plain: PLAIN_ENDINGS.length, ambiguous: AMBIGUOUS_ENDINGS.length };

/** Text shown when a request holds no recognisable problem. */
export const NO_PROBLEM_REPLY = 'I could not find a word problem with numbers in the request, so there is nothing to calculate.';

export function writeSolution(d: SolutionDraft): string {
  const lines: string[] = [];
  if (d.opener !== null) lines.push(`${OPENERS[d.opener]} We start with ${d.start} ${d.unit}.`);
  for (const s of d.steps) {
    const line = stepLine(s);
    if (line) lines.push(line);
  }
  if (d.checkLine) lines.push(`Check: undoing each operation from ${d.final} leads back to ${d.start}.`);
  const ending = endingLine(d);
  if (d.padToChars !== undefined) {
    const body = lines.join('\n');
    const notes: string[] = [];
    let length = body.length + ending.length + 2;
    for (let i = 0; length < d.padToChars && d.steps.length > 0; i++) {
      const s = d.steps[i % d.steps.length];
      const note = `Note ${i + 1}: after step ${s.index} (${s.clause.charAt(0).toLowerCase()}${s.clause.slice(1)}) the plan is to ${s.action}.`;
      notes.push(note);
      length += note.length + 1;
    }
    lines.push(...notes);
  }
  lines.push(ending);
  return lines.join('\n');
}

function stepLine(s: WrittenStep): string | null {
  if (s.corrected !== undefined && s.equation) {
    return `Step ${s.index}: the previous solution has ${s.corrected} here, but ${s.equation}.`;
  }
  if (s.prose) return `Step ${s.index}: ${s.clause}, so ${s.action}${s.equation ? `: ${s.equation}` : ''}.`;
  return s.equation ? `Step ${s.index}: ${s.equation}` : null;
}

function endingLine(d: SolutionDraft): string {
  switch (d.ending) {
    case 'tag':
      return `<answer>${d.final}</answer>`;
    case 'brief':
      return `Answer: ${d.final}`;
    case 'plain':
      return PLAIN_ENDINGS[d.endingVariant % PLAIN_ENDINGS.length](d.final);
    case 'ambiguous':
      return AMBIGUOUS_ENDINGS[d.endingVariant % AMBIGUOUS_ENDINGS.length](d.final, d.unit, d.steps.length);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Reading

const N = '-?\\d+';
/** One regex per kind of line `writeSolution` emits; each match runs to the end of its line at most. */
export const OUTPUT_PATTERNS: readonly RegExp[] = [
  /Step \d+:[^\n]*/g,
  new RegExp(`(?:${OPENERS.map(escape).join('|')})?[ \\t]*We start with ${N} [a-z]+\\.`, 'g'),
  /Check: undoing each operation[^\n]*/g,
  /Note \d+: after step \d+[^\n]*/g,
  new RegExp(`<answer>\\s*${N}\\s*</answer>`, 'g'),
  new RegExp(`Answer: ${N}`, 'g'),
  new RegExp(`(?:So t|Therefore, t|T)he (?:final )?answer is ${N}\\.`, 'g'),
  new RegExp(`That leaves ${N} [a-z]+ after all \\d+ steps\\.`, 'g'),
  new RegExp(`In the end there are ${N} [a-z]+, after \\d+ changes\\.`, 'g'),
  new RegExp(escape(NO_PROBLEM_REPLY), 'g'),
];

const EQUATION_RE = /(-?\d+) ([+\-−×x*÷/]) (-?\d+) = (-?\d+)/g;
const STEP_RE = /Step (\d+):([^\n]*)/g;
const LABEL_LINE_RE = /^\[[A-Za-z][A-Za-z0-9_-]*\][ \t]*$/m;

export interface ReadSolution {
  /** Step index → the value its (last) written equation states. */
  shown: Map<number, number>;
  /** The final answer as a lenient reader takes it (may be a misreading), or null. */
  final: number | null;
}

export interface SolutionsInText {
  /** One entry per upstream output found, in order. */
  solutions: ReadSolution[];
  /** Spans [start, end) of every recognised solution line: what is left is the instruction text. */
  spans: Array<[number, number]>;
}

/** Finds simulated solutions in `text`, ignoring anything inside the `exclude` spans (e.g. the question). */
export function readSolutions(text: string, exclude: ReadonlyArray<[number, number]> = []): SolutionsInText {
  const spans: Array<[number, number]> = [];
  for (const pattern of OUTPUT_PATTERNS) {
    for (const m of text.matchAll(pattern)) {
      const span: [number, number] = [m.index!, m.index! + m[0].length];
      if (!exclude.some(([s, e]) => span[0] < e && span[1] > s)) spans.push(span);
    }
  }
  if (spans.length === 0) return { solutions: [], spans };
  const from = Math.min(...spans.map((s) => s[0]));
  const to = Math.max(...spans.map((s) => s[1]));
  const region = text.slice(from, to);
  const parts = region.split(new RegExp(LABEL_LINE_RE.source, 'gm')).filter((p) => p.trim() !== '');
  return { solutions: parts.map(readOne), spans };
}

function readOne(part: string): ReadSolution {
  const shown = new Map<number, number>();
  for (const m of part.matchAll(STEP_RE)) {
    const equations = [...m[2].matchAll(EQUATION_RE)];
    if (equations.length) shown.set(Number(m[1]), Number(equations[equations.length - 1][4]));
  }
  return { shown, final: readFinalAnswer(part)?.value ?? null };
}

/** `text` with the given spans cut out (joined by a newline so words on either side do not fuse). */
export function withoutSpans(text: string, spans: ReadonlyArray<[number, number]>): string {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [s, e] of sorted) {
    if (e <= at) continue;
    out += text.slice(at, Math.max(at, s)) + '\n';
    at = e;
  }
  return out + text.slice(at);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
