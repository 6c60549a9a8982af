/**
 * Every text MASPO sends to the optimizer and the judge, and the parsers for their replies. Pure (no Node
 * built-ins): workflows build requests with these functions. Split by job:
 * - prompts-optimizer.ts: the meta-prompt and `parseProposal`;
 * - prompts-judge.ts: the four pairwise judge prompts and `parseVerdict`;
 * - prompts-common.ts: title lines (the simulator dispatches on them), the fence notice, task requirement strings;
 * - this file: the hand-off summary prompt (faithful profile) and the re-exports (import from here).
 *
 * Untrusted text (questions, outputs, the prompt being optimised) is always fenced (fence.ts) and every prompt
 * tells the model to ignore instructions inside fences.
 */
import type { TaskType } from './types';
import { fence, fenceId } from './fence';
import { FENCE_NOTICE, SUMMARY_TITLE } from './prompts-common';

export { OPTIMIZER_TITLE, JUDGE_TITLES, SUMMARY_TITLE, FENCE_NOTICE, taskRequirements } from './prompts-common';

/**
 * The faithful profile's hand-off summary (study §1.2): successors read at most `words` words of each
 * non-terminal output. The request carries no question: only the output being summarised.
 */
export function buildHandoffSummaryPrompt(output: string, words: number, taskType: TaskType): string {
  const id = fenceId([output]);
  const what =
    taskType === 'code'
      ? `Summarise the key logic of the Python code below in at most ${words} words.`
      : `Summarise the key reasoning steps and the final answer of the solution below in at most ${words} words. Keep the intermediate results and the final answer exactly as written.`;
  return [SUMMARY_TITLE, what, FENCE_NOTICE, '', fence('output', output === '' ? '(empty)' : output, id), '', 'Reply with the summary only.'].join('\n');
}

export { buildOptimizerPrompt, parseProposal, proposalTraceSets } from './prompts-optimizer';
export type { OptimizerPromptInput, Proposal, ProposalProblem } from './prompts-optimizer';
export { buildJudgePrompt, judgePrompts, parseVerdict, orderFor } from './prompts-judge';
export type { JudgePromptInput, PairToJudge, JudgeRequest } from './prompts-judge';
