/**
 * String-level clean-up of one math answer before it is split into tuples/sets and parsed: removes what never
 * changes the value (math delimiters, `\left`/`\right`, spacing macros, `\text{}` wrappers, units, degree and
 * percent signs, currency, trailing periods) and makes the argument of `\frac`, `\sqrt` and `\binom` explicit
 * (`\frac12` → `\frac{1}{2}`, `\sqrt2` → `\sqrt{2}`), so later stages see one spelling of each construct.
 *
 * Thousands separators are joined only where the spelling is unambiguous: LaTeX's `10,\!080` / `1{,}000`
 * always, a plain `1,000` only when it is the whole answer (decided in the structure stage, where `(1,2)` is a
 * tuple).
 */

/** Index of the brace closing the one at `open`, or -1. */
export function matchBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '\\') {
      i++;
      continue;
    }
    if (s[i] === '{') depth++;
    else if (s[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/** Replaces every `\name{X}` (also `\name {X}`) of the given commands by `X`. */
export function unwrapCommands(s: string, names: string[]): string {
  const re = new RegExp(`\\\\(?:${names.join('|')})\\s*\\{`, 'g');
  for (let guard = 0; guard < 200; guard++) {
    re.lastIndex = 0;
    const m = re.exec(s);
    if (!m) break;
    const open = m.index + m[0].length - 1;
    const close = matchBrace(s, open);
    if (close < 0) {
      s = s.slice(0, m.index) + s.slice(open + 1);
      continue;
    }
    s = s.slice(0, m.index) + s.slice(open + 1, close) + s.slice(close + 1);
  }
  return s;
}

const TEXT_COMMANDS = ['text', 'textbf', 'textit', 'textrm', 'textnormal', 'textsf', 'texttt', 'mathrm', 'mathbf', 'mathit', 'mathsf', 'mbox', 'hbox', 'operatorname', 'emph'];

/** Unit words stripped from the end of an answer that has a numeric part (`5 cm`, `864 inches^2`). */
const UNITS = new Set(
  (
    'cm mm km m meter meters metre metres centimeter centimeters millimeter millimeters kilometer kilometers in inch inches ft foot feet ' +
    'yd yard yards mile miles mi unit units square sq cubic degree degrees deg radian radians rad dollar dollars cent cents hour hours hr hrs ' +
    'minute minutes min mins second seconds sec s day days week weeks month months year years mph kg g gram grams lb lbs pound pounds ' +
    'ounce ounces oz liter liters litre litres l ml gallon gallons cup cups percent people persons students ways times'
  ).split(' '),
);

/** A string that has a numeric part a unit can follow. */
function hasNumericPart(s: string): boolean {
  return /\d|\\pi|\\sqrt|\}/.test(s);
}

/** Drops trailing `\text{ cm}`-style groups (optionally squared) after a numeric part. */
function stripTrailingTextGroups(s: string): string {
  for (let guard = 0; guard < 10; guard++) {
    const m = /\\(?:text|textrm|textnormal|mbox|mathrm|hbox)\s*\{/g;
    let last: RegExpExecArray | null = null;
    for (let x = m.exec(s); x; x = m.exec(s)) last = x;
    if (!last) break;
    const open = last.index + last[0].length - 1;
    const close = matchBrace(s, open);
    if (close < 0) break;
    const rest = s.slice(close + 1);
    const prefix = s.slice(0, last.index);
    if (!/^\s*(\^\s*\{?\s*[23]\s*\}?)?\s*\.?\s*$/.test(rest) || !hasNumericPart(prefix)) break;
    // Keep words that are answers in their own right, e.g. `5 \text{ or } 6` is not a unit.
    const words = s.slice(open + 1, close).trim().toLowerCase().replace(/\.$/, '').split(/\s+/).filter(Boolean);
    if (!words.length || !words.every((w) => /^[a-z]+$/.test(w))) break;
    s = prefix;
  }
  return s;
}

/** Drops trailing unit words (`5 cm`, `8 square inches`, `12 cm^2`); one-letter units need a space before them. */
function stripTrailingUnits(s: string): string {
  for (let guard = 0; guard < 10; guard++) {
    const m = /(\s*)(?<![\\A-Za-z])([A-Za-z]+)\.?(\s*\^\s*\{?\s*[23]\s*\}?)?\s*$/.exec(s);
    if (!m) break;
    const word = m[2].toLowerCase();
    const prefix = s.slice(0, m.index);
    if (!UNITS.has(word) || !hasNumericPart(prefix)) break;
    if (word.length === 1 && !m[1]) break;
    s = prefix;
  }
  return s;
}

/** Braces the one-token argument of `\frac`, `\sqrt`, `\binom` (`\frac 59` → `\frac{5}{9}`, `\sqrt2` → `\sqrt{2}`). */
export function braceArguments(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const m = s[i] === '\\' ? /^\\(frac|binom|sqrt)(?![A-Za-z])/.exec(s.slice(i, i + 8)) : null;
    if (!m) {
      out += s[i++];
      continue;
    }
    out += m[0];
    i += m[0].length;
    if (m[1] === 'sqrt') {
      while (s[i] === ' ') i++;
      if (s[i] === '[') {
        const close = s.indexOf(']', i);
        if (close < 0) continue;
        out += s.slice(i, close + 1);
        i = close + 1;
      }
    }
    for (let arg = 0; arg < (m[1] === 'sqrt' ? 1 : 2); arg++) {
      while (s[i] === ' ') i++;
      if (i >= s.length) break;
      if (s[i] === '{') {
        const close = matchBrace(s, i);
        if (close < 0) break;
        out += `{${braceArguments(s.slice(i + 1, close))}}`;
        i = close + 1;
      } else if (s[i] === '\\') {
        const cmd = /^\\[A-Za-z]+/.exec(s.slice(i));
        const tok = cmd ? cmd[0] : s.slice(i, i + 2);
        out += `{${tok}}`;
        i += tok.length;
      } else if (m[1] === 'sqrt' && s[i] === '(') {
        break; // `\sqrt(2)` — the parser reads the parenthesised argument
      } else {
        out += `{${s[i]}}`;
        i++;
      }
    }
  }
  return out;
}

/** Cleans one answer string; see the module comment. Pure and total (never throws). */
export function normalizeLatex(raw: string): string {
  let s = raw.slice(0, 4000).trim();
  s = s
    .replace(/[\u2212\u2013\u2014]/g, '-')
    .replace(/\u00d7/g, '\\times ')
    .replace(/\u00f7/g, '\\div ')
    .replace(/[\u00b7\u22c5]/g, '\\cdot ')
    .replace(/\u03c0/g, '\\pi ')
    .replace(/\u221e/g, '\\infty ')
    .replace(/\u221a\s*(\d+(?:\.\d+)?)/g, '\\sqrt{$1}')
    .replace(/\u221a/g, '\\sqrt')
    .replace(/[\u00a0\u2009\u202f]/g, ' ');
  s = s.replace(/\\(displaystyle|textstyle|scriptstyle)/g, '');
  s = s.replace(/\\\$/g, '').replace(/\$/g, '');
  s = s.replace(/(?<!\\)\\[()[\]]/g, ' ');
  s = unwrapCommands(s, ['boxed', 'fbox']);
  s = s.replace(/\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|big|Big|bigg)\s*(?:\.|(?=[\\([|)\]]))/g, '');
  // Thousands separators written the LaTeX way are unambiguous: `10,\!080`, `1{,}000`.
  s = s.replace(/,\s*\\!/g, '{,}');
  s = s.replace(/(\d)\{,\}\s*(?=\d{3}(?:\{,\}|(?!\d)))/g, '$1');
  s = s.replace(/\\(?:quad|qquad|enspace|thinspace|negthinspace)(?![A-Za-z])/g, ' ').replace(/(?<!\\)\\[!,;: ]/g, ' ').replace(/~/g, ' ');
  s = s.replace(/\\[dt]frac(?![A-Za-z])/g, '\\frac').replace(/\\[dt]binom(?![A-Za-z])/g, '\\binom');
  s = s.replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|\u00b0|\\degree(?![A-Za-z])/g, '');
  s = s.replace(/\\%|%/g, '');
  s = stripTrailingTextGroups(s);
  s = unwrapCommands(s, TEXT_COMMANDS);
  s = s.replace(/\s+/g, ' ').trim().replace(/(?:\s*[.\u3002])+$/, '');
  s = stripTrailingUnits(s).trim();
  s = braceArguments(s);
  s = s.replace(/_\{\s*([A-Za-z0-9])\s*\}/g, '_$1');
  s = s.replace(/(?<![A-Za-z\\])pi(?![A-Za-z])/g, '\\pi');
  return s.replace(/\s+/g, ' ').trim().replace(/(?:\s*[.\u3002])+$/, '');
}

/** The whitespace-free form used for "same spelling" checks. */
export function compactForm(s: string): string {
  return s.replace(/\s+/g, '');
}
