/**
 * Runs a multi-agent system on one question: every agent starts as soon as all its predecessors have
 * answered (so independent agents run in parallel and the critical path is the graph's depth), and each
 * agent's `{{context}}` is its predecessors' full outputs. Deterministic orchestration only: the LLM call
 * itself is the injected `callAgent` (an activity).
 *
 * `reuse` supplies outputs that are already known (e.g. upstream agents' outputs when only one agent's prompt
 * changed): those agents are not re-run, which is how candidate evaluation avoids re-paying for upstream.
 */
import { predecessors, topologicalOrder, terminalAgent, type AgentGraph } from '../core/graph';
import { joinContext, renderTemplate } from '../core/template';
import type { AgentCallRecord, AgentSpec, MasSpec } from '../core/evaluation';
import type { LlmResult } from '../core/llm';

export type AgentCaller = (agent: AgentSpec, prompt: string) => Promise<LlmResult>;

export interface MasRun {
  /** Output text of every agent (reused ones included). */
  outputs: Record<string, string>;
  /** The calls actually made, in topological order. */
  calls: AgentCallRecord[];
  /** Output of the terminal agent: the system's answer. */
  final: string;
}

export function graphOf(mas: MasSpec): AgentGraph {
  return { agents: mas.agents.map((a) => a.id), edges: mas.edges };
}

export async function runMas(
  mas: MasSpec,
  question: string,
  callAgent: AgentCaller,
  reuse: Record<string, string> = {},
): Promise<MasRun> {
  const graph = graphOf(mas);
  const order = topologicalOrder(graph);
  const byId = new Map(mas.agents.map((a) => [a.id, a]));
  const results = new Map<string, LlmResult>();
  const started = new Map<string, Promise<string>>();

  const outputOf = (id: string): Promise<string> => {
    let p = started.get(id);
    if (!p) {
      p = Object.prototype.hasOwnProperty.call(reuse, id)
        ? Promise.resolve(reuse[id])
        : (async () => {
            const preds = predecessors(graph, id);
            const upstream = await Promise.all(preds.map(outputOf));
            const context = joinContext(preds.map((agentId, i) => ({ agentId, text: upstream[i] })));
            const agent = byId.get(id)!;
            const result = await callAgent(agent, renderTemplate(agent.prompt, { question, context }));
            results.set(id, result);
            return result.text;
          })();
      started.set(id, p);
    }
    return p;
  };

  const texts = await Promise.all(order.map(outputOf));
  const outputs = Object.fromEntries(order.map((id, i) => [id, texts[i]]));
  const calls = order
    .filter((id) => results.has(id))
    .map((id) => {
      const r = results.get(id)!;
      return { agentId: id, finishReason: r.finishReason.unified, empty: r.empty, cached: r.cached, usage: r.usage };
    });
  return { outputs, calls, final: outputs[terminalAgent(graph)] };
}
