/**
 * A small, lenient final-answer reader for the simulator's integer answers: the last `<answer>N</answer>`, else
 * the last "answer is N" / "answer: N", else the last integer in the text. Simulated successors read upstream
 * final answers with it, and tests use it to score chains. (The product's graders live in core/grading/answer.ts and are
 * stricter: they never guess from a bare number.)
 */

export type AnswerSource = 'tag' | 'phrase' | 'lastNumber';

export interface ReadAnswer {
  value: number;
  source: AnswerSource;
}

const INT = '([-−]?(?:\\d{1,3}(?:,\\d{3})+|\\d+))';
const TAG_RE = new RegExp(`<answer>\\s*${INT}\\s*</answer>`, 'gi');
const PHRASE_RE = new RegExp(`\\banswer\\s*(?:is|:|=)\\s*${INT}`, 'gi');
const NUMBER_RE = /[-−]?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)/g;

export function readFinalAnswer(text: string): ReadAnswer | null {
  for (const [re, source] of [
    [TAG_RE, 'tag'],
    [PHRASE_RE, 'phrase'],
  ] as const) {
    const all = [...text.matchAll(re)];
    if (all.length) return { value: toInt(all[all.length - 1][1]), source };
  }
  const numbers = text.match(NUMBER_RE);
  return numbers ? { value: toInt(numbers[numbers.length - 1]), source: 'lastNumber' } : null;
}

export function extractFinalAnswer(text: string): number | null {
  return readFinalAnswer(text)?.value ?? null;
}

function toInt(raw: string): number {
  return Number(raw.replace('−', '-').replace(/,/g, ''));
}
