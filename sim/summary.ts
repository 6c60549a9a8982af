/**
 * The simulated hand-off summariser (faithful profile: successors read at most N words of each upstream output).
 * Answers a prompt built by `buildHandoffSummaryPrompt` (recognised by its title line): keeps the output's step
 * equations, in order, while they fit in the word budget, then its final answer ("<answer>N</answer>" if the output
 * was tagged, else "Answer: N"). So a summary hands on fewer intermediate results than the full output, as a
 * 30-word summary would. Pure and deterministic (no draws).
 */
import { fenced, readFences } from '../core/search/fence';
import { SUMMARY_TITLE } from '../core/search/prompts-common';
import { readFinalAnswer } from './answer';
import { hasAnswerTag } from './inspect';

export function isSummaryPrompt(prompt: string): boolean {
  return prompt.startsWith(SUMMARY_TITLE + '\n');
}

const STEP_LINE_RE = /Step (\d+):[^\n]*?(-?\d+ [+\-−×÷] -?\d+ = -?\d+)/g;

export function summaryReply(prompt: string): string {
  const words = Number(/at most (\d+) words/.exec(prompt)?.[1] ?? 30);
  const output = fenced(readFences(prompt), 'output') ?? '';
  const final = readFinalAnswer(output);
  const ending = final === null ? null : hasAnswerTag(output) ? `<answer>${final.value}</answer>` : `Answer: ${final.value}`;
  const budget = words - (ending ? ending.split(/\s+/).length : 0);
  const lines: string[] = [];
  let used = 0;
  for (const m of output.matchAll(STEP_LINE_RE)) {
    const line = `Step ${m[1]}: ${m[2]}`;
    const n = line.split(/\s+/).length;
    if (used + n > budget) break;
    lines.push(line);
    used += n;
  }
  if (ending) lines.push(ending);
  if (!lines.length) return output.split(/\s+/).filter(Boolean).slice(0, words).join(' ');
  return lines.join('\n');
}
