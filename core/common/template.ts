/**
 * Prompt templates. Placeholders are `{{question}}` and `{{context}}` (whitespace inside the braces allowed);
 * every other character is literal, so LaTeX (`\frac{1}{2}`) and JSON braces survive optimisation — unlike
 * `str.format`-style templates, which reject them.
 */

export const PLACEHOLDERS = ['question', 'context'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

const PLACEHOLDER_RE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Names of all `{{name}}` placeholders in a template, in order of appearance (duplicates kept). */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER_RE)].map((m) => m[1]);
}

export interface TemplateProblem {
  message: string;
}

/**
 * Checks a template against what its agent will receive. `hasUpstream` is true when the agent has
 * predecessors, whose outputs reach it only through `{{context}}`.
 */
export function checkTemplate(template: string, hasUpstream: boolean): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const names = placeholdersOf(template);
  for (const name of new Set(names)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      problems.push({ message: `unknown placeholder {{${name}}} (allowed: {{question}}, {{context}})` });
    }
  }
  if (!names.includes('question')) problems.push({ message: 'missing the {{question}} placeholder' });
  if (hasUpstream && !names.includes('context')) {
    problems.push({ message: 'the agent has predecessors but its prompt has no {{context}} placeholder' });
  }
  return problems;
}

/** Fills a template. Values are inserted literally (a `{{` inside a value is not re-expanded). */
export function renderTemplate(template: string, values: Record<Placeholder, string>): string {
  return template.replace(PLACEHOLDER_RE, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(values, name) ? values[name as Placeholder] : whole,
  );
}

/** How an agent's upstream outputs are joined into its `{{context}}`: labelled, in predecessor order. */
export function joinContext(parts: ReadonlyArray<{ agentId: string; text: string }>): string {
  if (parts.length === 0) return '';
  if (parts.length === 1) return parts[0].text;
  return parts.map((p) => `[${p.agentId}]\n${p.text}`).join('\n\n');
}
