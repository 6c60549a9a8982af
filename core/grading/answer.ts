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

/**
 * A single option letter and nothing else of substance: `C`, `(C)`, `C)`, `C.`, `C: 42 apples`, `(C) 42 apples`,
 * `Option C`, `\boxed{C}`, `**C**`, `$C$`. Only `letters` are accepted (AQuA A–E, GPQA A–D). No substring
 * matching: `CAB`, `A or B` and `The answer could be A` are null.
 */
export function choiceLetter(s: string, letters = 'ABCDE'): string | null {
  const t = unwrapChoice(s);
  const m = new RegExp(`^(?:(?:option|choice)\\s*)?(?:\\(([${letters}])\\)(?:\\s.*)?|([${letters}])(?:\\s*[.):]\\s*.*)?)$`, 'is').exec(t);
  return m ? (m[1] ?? m[2]).toUpperCase() : null;
}

/** Strips presentation around a choice: `$…$`, `**…**`, `\boxed{}`, `\text{}`, quotes, trailing period. */
function unwrapChoice(s: string): string {
  let t = s.trim();
  for (let i = 0; i < 4; i++) {
    const before = t;
    t = t
      .replace(/^\$+|\$+$/g, '')
      .replace(/^\*\*([\s\S]*)\*\*$/, '$1')
      .replace(/^\\(?:boxed|text|textbf|mathrm|mathbf)\s*\{([\s\S]*)\}$/, '$1')
      .replace(/^["'`]+|["'`]+$/g, '')
      .replace(/\.$/, '')
      .trim();
    if (t === before) break;
  }
  return t;
}

/**
 * The option letter a model chose, strictly: the last `<answer>` tag, else the last `\boxed{}`, else the last
 * "answer is X" / "correct option: (X)" phrase with a capital letter, else the whole output or its last line when
 * that is just a letter. Letters outside `letters` never count. Null rather than a guess.
 */
export function extractChoice(output: string, letters = 'ABCDE'): string | null {
  const tag = answerTag(output);
  if (tag !== null) return choiceLetter(tag, letters) ?? choiceFromPhrase(tag, letters);
  const box = boxed(output);
  if (box !== null) return choiceLetter(box, letters);
  const phrased = choiceFromPhrase(output, letters);
  if (phrased) return phrased;
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  if (!lines.length) return null;
  return choiceLetter(lines[lines.length - 1], letters);
}

function choiceFromPhrase(raw: string, letters: string): string | null {
  // Collapsed whitespace keeps the phrase regex linear on degenerate outputs; the answer is near the end.
  const text = raw.slice(-20_000).replace(/\s+/g, ' ');
  // "answer" phrases win over bare "option/choice" mentions: "the answer is D, not option A" is D.
  return lastPhraseLetter(text, letters, '(?:final answer|answer)') ?? lastPhraseLetter(text, letters, '(?:correct option|option|choice)');
}

function lastPhraseLetter(text: string, letters: string, words: string): string | null {
  const re = new RegExp(
    `${words}\\s*(?:is|:|=|would be|should be)?\\s*(?:option\\s*|choice\\s*)?[:*\\s]*(?:\\(([${letters}])\\)|\\b([${letters}])\\b(?![-'’]))(?=\\s*(?:[.,;:!)*]|$|\\s+(?:is|because|as|since)\\b))`,
    'gi',
  );
  let found: string | null = null;
  for (const m of text.matchAll(re)) {
    const letter = m[1] ?? m[2];
    // Case-insensitive phrase words, but the letter itself must be a capital: "the answer is a bit…" is not A.
    if (letter === letter.toUpperCase()) found = letter;
  }
  return found;
}

export type GraderName = 'exact' | 'numeric' | 'choice';

export interface Grade {
  correct: boolean;
  predicted: string | null;
}

/** Grades a terminal output against the expected answer. */
export function grade(grader: GraderName, output: string, expected: string, letters = 'ABCDE'): Grade {
  if (grader === 'choice') {
    const letter = extractChoice(output, letters);
    return { correct: letter !== null && letter === choiceLetter(expected, letters), predicted: letter };
  }
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
  }
}
