/**
 * The three kinds of LLM call the search makes, each an activity on its role's task queue, each counted in
 * the workflow's `CallTotals`. Prompts are built by the pure modules in core/maspo; this file only wires them.
 */
import type { AgentSpec } from '../../core/evaluation';
import type { LlmResult, ModelRole } from '../../core/llm';
import { countCall, type CallTotals, type SearchContext } from '../../core/optimization';
import { buildHandoffSummaryPrompt } from '../../core/maspo/prompts';
import { llmActivity } from '../activities';
import type { AgentCaller, RunMasOptions } from '../run-mas';

async function call(ctx: SearchContext, role: ModelRole, prompt: string, sampleIndex: number, label: string, totals: CallTotals): Promise<LlmResult> {
  const spec = ctx.models[role];
  const result = await llmActivity(ctx.taskQueue, role, spec, ctx.llmHeartbeatTimeoutMs, label).llmCall(spec, {
    role,
    messages: [{ role: 'user', content: prompt }],
    sampleIndex,
    label,
  });
  countCall(totals, role, result, ctx.pricing?.prices[role]);
  return result;
}

/** Backbone calls for one item of a batch. */
export function agentCaller(ctx: SearchContext, itemId: string, totals: CallTotals): AgentCaller {
  return (agent: AgentSpec, prompt: string) => call(ctx, 'backbone', prompt, 0, `item ${itemId} · agent ${agent.id}`, totals);
}

/**
 * Hand-off options for `runMas`: summaries on every edge in the faithful profile (`handoffSummaryWords`), else
 * only on edges the config marks `handoff: summary`.
 */
export function handoffFor(ctx: SearchContext, itemId: string, totals: CallTotals): Pick<RunMasOptions, 'handoff' | 'summarizeAll'> {
  const all = ctx.settings.handoffSummaryWords;
  if (all === null && !ctx.mas.edges.some((e) => e.handoff === 'summary')) return {};
  const words = all ?? ctx.mas.summaryWords ?? 30;
  return {
    summarizeAll: all !== null,
    handoff: (agent: AgentSpec, output: string) =>
      call(ctx, 'backbone', buildHandoffSummaryPrompt(output, words, ctx.settings.taskType), 0, `item ${itemId} · summary of ${agent.id}`, totals),
  };
}

export function judgeCall(ctx: SearchContext, prompt: string, label: string, totals: CallTotals): Promise<LlmResult> {
  return call(ctx, 'judge', prompt, 0, label, totals);
}

export function optimizerCall(ctx: SearchContext, prompt: string, sampleIndex: number, label: string, totals: CallTotals): Promise<LlmResult> {
  return call(ctx, 'optimizer', prompt, sampleIndex, label, totals);
}
