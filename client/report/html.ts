/**
 * Escaping by default for the report's HTML: every value interpolated into the `html` tag is escaped unless it is
 * itself the output of `html` (a `Safe` fragment). Prompts, model outputs and dataset questions are untrusted text;
 * with this tag there is no code path that puts them into the page unescaped.
 */
export class Safe {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = Safe | string | number | boolean | null | undefined | readonly Part[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and quoted attribute values alike. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function render(part: Part): string {
  if (part instanceof Safe) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  if (part === null || part === undefined || part === false) return '';
  return esc(String(part));
}

/** Tagged template: literal parts are trusted markup, interpolations are escaped (see header). */
export function html(strings: TemplateStringsArray, ...values: Part[]): Safe {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Safe(out);
}

/** Joins fragments (each escaped unless Safe). */
export function join(parts: readonly Part[], sep = ''): Safe {
  return new Safe(parts.map(render).join(sep));
}

/** A CSS-safe id fragment from any text (agent ids are user input). */
export function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}

export const fmt = {
  pct: (x: number, digits = 1) => `${(100 * x).toFixed(digits)}%`,
  num: (x: number) => x.toLocaleString('en-US'),
  r: (x: number | null | undefined, digits = 3) => (x === null || x === undefined ? '—' : `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`),
  j: (x: number, digits = 3) => x.toFixed(digits),
  usd: (x: number | null) => (x === null ? 'unpriced' : x === 0 ? '$0' : x < 0.01 ? `$${x.toFixed(4)}` : `$${x.toFixed(2)}`),
};
