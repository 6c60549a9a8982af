/**
 * The LLM calls of a MAS run, built in one place for `evaluateBatch` (workflows/evaluate-batch.ts) and the search
 * (workflows/optimize/units.ts, calls.ts): the request (one user message), the labels of an item's calls, and the
 * hand-off summaries. Pure builders, no Temporal import (units.ts also runs in process); the activity that sends a
 * request is proxies.ts `callLlm`.
 */
import { datasetGrader, type DatasetRef } from '../core/contracts/dataset';
import type { LlmRequest, LlmResult, ModelRole } from '../core/contracts/llm';
import type { AgentSpec, MasSpec } from '../core/contracts/mas';
import { buildHandoffSummaryPrompt } from '../core/search/prompts';
import type { TaskType } from '../core/search/types';
import type { RunMasOptions } from './run-mas';

/** The request of one call: the prompt as a single user message. */
export function llmRequest(role: ModelRole, prompt: string, sampleIndex: number, label: string): LlmRequest {
  return { role, messages: [{ role: 'user', content: prompt }], sampleIndex, label };
}

/** The task an evaluation's hand-off summaries are written for: code, or math for every answer-graded dataset. */
export function evaluationTaskType(dataset: DatasetRef): TaskType {
  return datasetGrader(dataset) === 'code' ? 'code' : 'math';
}

/** Label of an agent's call on a dataset item. */
export const agentCallLabel = (itemId: string, agentId: string) => `item ${itemId} · agent ${agentId}`;
/** Label of the hand-off summary of an agent's output on a dataset item. */
export const summaryCallLabel = (itemId: string, agentId: string) => `item ${itemId} · summary of ${agentId}`;

/**
 * Hand-off options for `runMas`. `summarizeAllWords` null: summaries only on the edges the config marks `handoff:
 * summary` (`mas.summaryWords`, default 30 words); a number: summaries of that length on every edge (the faithful
 * profile). `summarize` makes the call for the summary prompt built here. No summaries at all: no options.
 */
export function handoffOptions(
  mas: MasSpec,
  o: { summarizeAllWords: number | null; taskType: TaskType },
  summarize: (agent: AgentSpec, prompt: string) => Promise<LlmResult>,
): Pick<RunMasOptions, 'handoff' | 'summarizeAll'> {
  const all = o.summarizeAllWords;
  if (all === null && !mas.edges.some((e) => e.handoff === 'summary')) return {};
  const words = all ?? mas.summaryWords ?? 30;
  return {
    summarizeAll: all !== null,
    handoff: (agent: AgentSpec, output: string) => summarize(agent, buildHandoffSummaryPrompt(output, words, o.taskType)),
  };
}
