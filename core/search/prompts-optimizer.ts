/**
 * The optimizer's meta-prompt (trace-guided proposal, paper Eq. 4; study §2.5) and the parser of its reply.
 *
 * The meta-prompt shows: the agent (id, role, description, where it sits in the graph), the task requirements,
 * the parent prompt, execution traces under the parent (question, upstream context, output) as few-shot context,
 * and — fixed profile — a case section. Misalignment cases are MARKED: "the agent's output looked right locally
 * but misled the system downstream". Random / success cases (ablations) get an honest heading of their own. In the
 * faithful profile the optimizer sees no marks (study §4.3): injected questions simply are traces of the batch, and
 * any `cases` passed are rendered as ordinary traces in front.
 *
 * Reply format: <analysis>…</analysis> <modification>…</modification> <prompt>…</prompt>.
 */
import { checkTemplate, placeholdersOf } from '../common/template';
import { fence, fenceId } from './fence';
import { FENCE_NOTICE, OPTIMIZER_TITLE, taskRequirements } from './prompts-common';
import type { AgentInfo, MisalignmentCase, Profile, TaskType, Trace } from './types';

export interface OptimizerPromptInput {
  profile: Profile;
  agent: AgentInfo;
  taskType: TaskType;
  /** The parent prompt (template with {{question}} / {{context}}). */
  parentPrompt: string;
  /** Traces of the parent on (a slice of) the batch; see `proposalTraceSets`. */
  traces: readonly Trace[];
  /** Ids of the agents whose outputs fill {{context}}, and of the agents that read this agent's output. */
  predecessors: readonly string[];
  successors: readonly string[];
  /** Fixed profile: at most Kmis cases for this proposal (all of one kind). */
  cases?: readonly MisalignmentCase[];
}

const CASE_HEADINGS: Record<MisalignmentCase['kind'], { title: string; note: string; label: string }> = {
  misalignment: {
    title: "## Cases where the agent's output looked right locally but misled the system downstream",
    note:
      'In each case below, a recent variant of this prompt produced an output that a reviewer preferred when looking at this agent alone, yet the agents downstream or the final answer of the system did worse with it. Change the prompt so that the agent stops producing outputs like these: think about what the downstream agents need from it.',
    label: 'misaligned',
  },
  random: {
    title: '## Additional traces sampled at random from recent evaluations',
    note: 'Outputs of recent variants of this prompt on other questions.',
    label: 'extra',
  },
  success: {
    title: "## Cases where the agent's output worked well downstream",
    note: 'Outputs of recent variants of this prompt that were preferred locally and did not hurt the downstream agents.',
    label: 'extra',
  },
};

/** Builds the single user message of one proposal request. */
export function buildOptimizerPrompt(input: OptimizerPromptInput): string {
  const marked = input.profile === 'fixed' ? (input.cases ?? []) : [];
  const asTraces: Trace[] = input.profile === 'faithful' ? (input.cases ?? []).map(({ question, context, output }) => ({ question, context, output })) : [];
  const traces = [...asTraces, ...input.traces];
  const texts = [
    input.parentPrompt,
    ...traces.flatMap((t) => [t.question, t.context, t.output]),
    ...marked.flatMap((c) => [c.question, c.context, c.output, c.downstream?.output ?? '']),
  ];
  const id = fenceId(texts);
  const shown = (s: string) => (s === '' ? '(empty)' : s);
  const a = input.agent;
  const position = [
    input.predecessors.length ? `It reads the outputs of ${input.predecessors.join(', ')} through {{context}}.` : 'It is a root agent: it reads only the question.',
    input.successors.length ? `Its output is read by ${input.successors.join(', ')}.` : "Its output is the system's final answer.",
  ].join(' ');

  const lines: string[] = [
    OPTIMIZER_TITLE,
    'You improve the prompt of one agent in a multi-agent system. Write a better prompt for this agent. Its core role and responsibilities must be preserved.',
    FENCE_NOTICE,
    '',
    '## Agent',
    `Id: ${a.id}`,
    `Role: ${a.role}`,
    ...(a.description ? [`Description: ${a.description}`] : []),
    `Position: ${position}`,
    '',
    '## Requirements',
    `Keep the agent's role, responsibilities and input format. ${taskRequirements(input.taskType)}`,
    '',
    '## Current prompt',
    fence('prompt', input.parentPrompt, id),
    '',
    `## Execution traces under the current prompt (${traces.length})`,
  ];
  traces.forEach((t, i) => {
    const n = i + 1;
    lines.push(`Trace ${n}`, fence(`trace${n}.question`, t.question, id), fence(`trace${n}.context`, t.context === '' ? '(no context)' : t.context, id));
    lines.push(fence(`trace${n}.output`, shown(t.output), id), '');
  });
  if (marked.length) {
    const h = CASE_HEADINGS[marked[0].kind];
    lines.push(h.title, h.note, '');
    marked.forEach((c, i) => {
      const n = `${h.label}${i + 1}`;
      lines.push(`Case ${i + 1}`, fence(`${n}.question`, c.question, id), fence(`${n}.context`, c.context === '' ? '(no context)' : c.context, id));
      lines.push(fence(`${n}.output`, shown(c.output), id));
      if (c.downstream) lines.push(`What ${c.downstream.agentId} then wrote:`, fence(`${n}.downstream`, shown(c.downstream.output), id));
      lines.push('');
    });
  }
  lines.push(
    '## How to write the new prompt',
    `- Keep the placeholder {{question}}${input.predecessors.length ? ' and the placeholder {{context}}' : ''} exactly as written; they are filled in at run time. Every other character is literal, so LaTeX such as \\frac{a}{b} and JSON examples are fine.`,
    '- Write the complete prompt, not a diff.',
    '',
    '## Reply format',
    '<analysis>what the traces show about the current prompt and how to improve it</analysis>',
    '<modification>one sentence summarising the change</modification>',
    '<prompt>',
    'the complete new prompt',
    '</prompt>',
  );
  return lines.join('\n');
}

/**
 * How the traces of one parent are shared among its Ksub proposal requests. `split` (faithful): in batch order,
 * proposal k gets the k-th of Ksub near-equal consecutive slices (10 traces, Ksub 2 → 0–4 and 5–9, so injected
 * questions land in the first). `all` (fixed): every proposal sees every trace; proposals then differ by their
 * sample index (optimizer temperature > 0).
 */
export function proposalTraceSets<T>(traces: readonly T[], ksub: number, mode: 'split' | 'all'): T[][] {
  if (mode === 'all') return Array.from({ length: ksub }, () => traces.slice());
  const out: T[][] = [];
  for (let k = 0; k < ksub; k++) {
    out.push(traces.slice(Math.floor((k * traces.length) / ksub), Math.floor(((k + 1) * traces.length) / ksub)));
  }
  return out;
}

export type ProposalProblem =
  | 'empty-reply'
  | 'missing-tags'
  | 'empty-prompt'
  | 'missing-question'
  | 'missing-context'
  | 'unknown-placeholder'
  | 'duplicate-placeholder'
  | 'identical-to-parent'
  | 'too-long';

export type Proposal =
  | { ok: true; prompt: string; /** Faithful repairs applied (reference sanitiser): 'appended-question' | 'appended-context'. */ repaired: string[] }
  | { ok: false; reason: ProposalProblem; detail: string };

export const MAX_PROMPT_CHARS = 20_000;

/**
 * Extracts the new template from an optimizer reply.
 *
 * fixed: the text of the LAST complete <prompt>…</prompt> pair (an analysis that mentions the tag does not
 * confuse it), a wrapping ``` fence removed; unusable when missing {{question}}, missing {{context}} although the
 * agent has predecessors, holding an unknown {{placeholder}}, longer than 20,000 characters, or equal to the parent
 * up to whitespace. Single braces are literal (LaTeX, JSON).
 * faithful (study §2.5): the text after the FIRST <prompt> up to the next </prompt> (or the end); a missing
 * {{question}} is repaired by appending "Question: {{question}}", a missing {{context}} by appending
 * "Context: {{context}}"; a duplicated placeholder or an unknown one is unusable; identical = exactly equal.
 * An unusable proposal costs no evaluation (faithful: it becomes the parent, R = 0).
 */
export function parseProposal(
  reply: string | null | undefined,
  opts: { parent: string; needsContext: boolean; profile?: Profile; tolerant?: boolean },
): Proposal {
  const profile = opts.profile ?? 'fixed';
  const bad = (reason: ProposalProblem, detail: string): Proposal => ({ ok: false, reason, detail });
  if (!reply || reply.trim() === '') return bad('empty-reply', 'the optimizer returned no text');
  if (opts.tolerant && profile === 'fixed') {
    const strict = parseProposal(reply, { ...opts, tolerant: false });
    return strict.ok ? strict : tolerantProposal(reply, opts, strict);
  }
  let text: string;
  if (profile === 'faithful') {
    const open = reply.indexOf('<prompt>');
    if (open < 0) return bad('missing-tags', 'no <prompt> tag');
    const rest = reply.slice(open + '<prompt>'.length);
    const close = rest.indexOf('</prompt>');
    text = (close < 0 ? rest : rest.slice(0, close)).trim();
  } else {
    const close = reply.lastIndexOf('</prompt>');
    const open = close < 0 ? -1 : reply.lastIndexOf('<prompt>', close);
    if (open < 0) return bad('missing-tags', 'no complete <prompt>…</prompt> pair');
    text = unwrapCodeFence(reply.slice(open + '<prompt>'.length, close).trim());
  }
  if (text === '') return bad('empty-prompt', 'the <prompt> tags are empty');

  const repaired: string[] = [];
  const names = placeholdersOf(text);
  const count = (n: string) => names.filter((x) => x === n).length;
  const wantsContext = opts.needsContext || placeholdersOf(opts.parent).includes('context');
  if (profile === 'faithful') {
    const unknown = names.find((n) => n !== 'question' && n !== 'context');
    if (unknown) return bad('unknown-placeholder', `unknown placeholder {{${unknown}}}`);
    if (count('question') > 1 || count('context') > 1) return bad('duplicate-placeholder', 'a placeholder appears more than once');
    if (count('question') === 0) {
      text += '\nQuestion: {{question}}';
      repaired.push('appended-question');
    }
    if (wantsContext && count('context') === 0) {
      text += '\nContext: {{context}}';
      repaired.push('appended-context');
    }
    if (text === opts.parent.trim()) return bad('identical-to-parent', 'the proposal equals the parent prompt');
    return { ok: true, prompt: text, repaired };
  }

  if (text.length > MAX_PROMPT_CHARS) return bad('too-long', `${text.length} characters (limit ${MAX_PROMPT_CHARS})`);
  for (const p of checkTemplate(text, wantsContext)) {
    if (p.message.startsWith('unknown')) return bad('unknown-placeholder', p.message);
    if (p.message.includes('{{question}}')) return bad('missing-question', p.message);
    return bad('missing-context', p.message);
  }
  if (squash(text) === squash(opts.parent)) return bad('identical-to-parent', 'the proposal equals the parent prompt (up to whitespace)');
  return { ok: true, prompt: text, repaired };
}

function squash(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function unwrapCodeFence(s: string): string {
  const m = /^```[A-Za-z]*\n([\s\S]*?)\n```$/.exec(s);
  return m ? m[1].trim() : s;
}

/**
 * What small local optimizers write instead, read only after the strict reading failed: a reply cut off inside its
 * last <prompt> (no closing tag: the text from there to the end), and a prompt without a required placeholder,
 * repaired by appending "Question: {{question}}" / "Context: {{context}}" as the reference implementation does. The
 * repairs are listed in `repaired`; every other check (unknown placeholder, length, identical to the parent) holds.
 */
function tolerantProposal(reply: string, opts: { parent: string; needsContext: boolean }, strict: Proposal): Proposal {
  const open = reply.lastIndexOf('<prompt>');
  const close = reply.lastIndexOf('</prompt>');
  const repaired: string[] = [];
  let body: string;
  if (open >= 0 && close > open) body = reply.slice(open + '<prompt>'.length, close);
  else if (open >= 0) {
    body = reply.slice(open + '<prompt>'.length);
    repaired.push('unclosed-prompt-tag');
  } else return strict;
  let text = unwrapCodeFence(body.trim());
  const names = placeholdersOf(text);
  if (!names.includes('question')) {
    text += '\nQuestion: {{question}}';
    repaired.push('appended-question');
  }
  if ((opts.needsContext || placeholdersOf(opts.parent).includes('context')) && !names.includes('context')) {
    text += '\nContext: {{context}}';
    repaired.push('appended-context');
  }
  const again = parseProposal(`<prompt>${text}</prompt>`, { parent: opts.parent, needsContext: opts.needsContext, profile: 'fixed' });
  return again.ok ? { ...again, repaired: [...again.repaired, ...repaired] } : again;
}
