/**
 * The LLM calls a workflow makes, built in one place for `evaluateBatch` (workflows/evaluate-batch.ts) and the
 * search (workflows/optimize/calls.ts, units.ts): the request (one user message), the activity on the role's task
 * queue with the label as its summary, the labels of a MAS run's calls, and the hand-off summaries. Pure request
 * builders plus the activity proxy call: deterministic, and each call schedules exactly one activity.
 */
import type { LlmRequest, LlmResult, ModelRole, ModelSpec } from '../core/contracts/llm';
import type { AgentSpec, MasSpec } from '../core/contracts/mas';
import { buildHandoffSummaryPrompt } from '../core/search/prompts';
import type { TaskType } from '../core/search/types';
import { llmActivity } from './proxies';
import type { RunMasOptions } from './run-mas';

/** Where a workflow's LLM activities go: `<taskQueue>-llm-<role>`, heartbeating within `llmHeartbeatTimeoutMs`. */
export interface LlmRoute {
  taskQueue: string;
  llmHeartbeatTimeoutMs: number;
}

/** The request of one call: the prompt as a single user message. */
export function llmRequest(role: ModelRole, prompt: string, sampleIndex: number, label: string): LlmRequest {
  return { role, messages: [{ role: 'user', content: prompt }], sampleIndex, label };
}

/** One LLM call: an `llmCall` activity on `role`'s task queue, `label` as its summary in the Temporal UI. */
export function callLlm(route: LlmRoute, role: ModelRole, spec: ModelSpec, prompt: string, sampleIndex: number, label: string): Promise<LlmResult> {
  return llmActivity(route.taskQueue, role, spec, route.llmHeartbeatTimeoutMs, label).llmCall(spec, llmRequest(role, prompt, sampleIndex, label));
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
