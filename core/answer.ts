/**
 * Final-answer extraction and the basic graders (exact, numeric, multiple-choice letter).
 * Pure; graders run inside activities. Benchmark-grade math equivalence builds on these.
 */

/** Content of the last `<answer>…</answer>` pair, trimmed; null when there is none. */
export function answerTag(text: string): string | null {
  const matches = [...text.matchAll(/<answer>([\s\S]*?)<\/answer>/gi)];
  return matches.length ? matches[matches.length - 1][1].trim() : null;
}

/** Content of the last `\boxed{…}`, honouring nested braces; null when there is none. */
export function boxed(text: string): string | null {
  const at = text.lastIndexOf('\\boxed{');
  if (at < 0) return null;
  let depth = 0;
  for (let i = at + '\\boxed'.length; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(at + '\\boxed{'.length, i).trim();
  }
  return null;
}

/**
 * The final answer of a free-text output: an answer tag, else `\boxed{}`, else an "answer is X" phrase on the
 * last line that has one. Returns null rather than guessing from arbitrary numbers in the text.
 */
export function extractFinalAnswer(text: string): string | null {
  const tagged = answerTag(text) ?? boxed(text);
  if (tagged !== null) return tagged;
  const phrases = [...text.matchAll(/(?:final answer|the answer|answer)\s*(?:is|:|=)\s*([^\n]+)/gi)];
  if (phrases.length) return phrases[phrases.length - 1][1].trim().replace(/[.。]\s*$/, '');
  return null;
}

/** Lower-case, collapse spaces, strip surrounding `$`, trailing period and enclosing quotes. */
export function normalizeText(s: string): string {
  return s
    .trim()
    .replace(/^\$+|\$+$/g, '')
    .replace(/\.$/, '')
    .replace(/^["'`]+|["'`]+$/g, '')
    .replace(/\s+/g, ' ')
    .toLowerCase();
}

/** Parses plain numbers: `1,000`, `-3.50`, `1/2`, `50%` is not a number (units are not stripped here). */
export function parseNumber(s: string): number | null {
  const t = normalizeText(s).replace(/^[a-z]\s*=\s*/, '');
  if (/^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(t)) return Number(t.replace(/,/g, ''));
  if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/.test(t)) return Number(t);
  const frac = /^([-+]?\d+)\s*\/\s*(\d+)$/.exec(t);
  if (frac && Number(frac[2]) !== 0) return Number(frac[1]) / Number(frac[2]);
  return null;
}

/** A single option letter: `C`, `(C)`, `C)`, `Option C`, `C. text`. No substring matching. */
export function choiceLetter(s: string, letters = 'ABCDE'): string | null {
  const t = s.trim();
  const m = new RegExp(`^(?:option\\s*)?\\(?([${letters}])\\)?(?:[.):]\\s*.*)?$`, 'i').exec(t);
  return m ? m[1].toUpperCase() : null;
}

export type GraderName = 'exact' | 'numeric' | 'choice';

export interface Grade {
  correct: boolean;
  predicted: string | null;
}

/** Grades a terminal output against the expected answer. */
export function grade(grader: GraderName, output: string, expected: string): Grade {
  const predicted = extractFinalAnswer(output);
  if (predicted === null) return { correct: false, predicted: null };
  switch (grader) {
    case 'exact':
      return { correct: normalizeText(predicted) === normalizeText(expected), predicted };
    case 'numeric': {
      const a = parseNumber(predicted);
      const b = parseNumber(expected);
      return { correct: a !== null && b !== null && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), predicted };
    }
    case 'choice': {
      const a = choiceLetter(predicted);
      return { correct: a !== null && a === choiceLetter(expected), predicted };
    }
  }
}
