/**
 * What evaluating one candidate prompt of agent `a` involves, from the settings and the graph:
 * which agents are re-run under the candidate (upstream outputs are reused), and which pairwise comparisons are
 * judged per batch item. Shared by the workflow (to schedule), reward.ts (to aggregate) and plan.ts (to count).
 *
 * Comparisons per item, in this order:
 * - `a` is the terminal: one `terminal` comparison (its output is the system's output);
 * - otherwise `local` on `a`; then, with joint evaluation, one `lookahead` per agent within `lookaheadDepth` hops
 *   downstream (if lookahead is on for this mode), and `global` on the terminal. In the fixed profile a lookahead
 *   on the terminal itself shows exactly the pair the global comparison shows, so it is not sent again: it is
 *   marked `reuseGlobal` and takes the global verdict (reward.ts).
 */
import { descendants, successors, terminalAgent, type AgentGraph } from '../common/graph';
import type { ComparisonKind, SearchSettings } from './types';

export interface PlannedComparison {
  kind: ComparisonKind;
  /** The agent whose two outputs are compared. */
  agentId: string;
  /** No judge call: the verdict is the same item's global verdict (same pair of outputs). */
  reuseGlobal?: boolean;
}

export type EvaluationMode = 'step' | 'refresh';

type Needs = Pick<SearchSettings, 'jointEvaluation' | 'lookahead' | 'refreshLookahead' | 'lookaheadDepth' | 'reuseTerminalLookahead'>;

/** Agents 1..depth hops downstream of `agentId`, in topological order. */
export function lookaheadAgents(graph: AgentGraph, agentId: string, depth: number): string[] {
  const seen = new Set<string>();
  let frontier = [agentId];
  for (let hop = 0; hop < depth; hop++) {
    const next: string[] = [];
    for (const f of frontier) for (const s of successors(graph, f)) if (!seen.has(s)) (seen.add(s), next.push(s));
    frontier = next;
  }
  return descendants(graph, agentId).filter((d) => seen.has(d));
}

export function comparisonsFor(settings: Needs, graph: AgentGraph, agentId: string, mode: EvaluationMode): PlannedComparison[] {
  const terminal = terminalAgent(graph);
  if (agentId === terminal) return [{ kind: 'terminal', agentId }];
  const out: PlannedComparison[] = [{ kind: 'local', agentId }];
  if (!settings.jointEvaluation) return out;
  if (mode === 'step' ? settings.lookahead : settings.refreshLookahead) {
    for (const s of lookaheadAgents(graph, agentId, settings.lookaheadDepth)) {
      out.push(s === terminal && settings.reuseTerminalLookahead ? { kind: 'lookahead', agentId: s, reuseGlobal: true } : { kind: 'lookahead', agentId: s });
    }
  }
  out.push({ kind: 'global', agentId: terminal });
  return out;
}

/**
 * Agents whose outputs must be produced under the candidate, in topological order: `a` and, with joint
 * evaluation, all its descendants (each of them lies on a path to the terminal). Local-only scoring needs `a`
 * alone. Every other agent's output is reused from the parent's baseline run on the same item.
 */
export function rerunAgents(settings: Pick<SearchSettings, 'jointEvaluation'>, graph: AgentGraph, agentId: string): string[] {
  return settings.jointEvaluation ? [agentId, ...descendants(graph, agentId)] : [agentId];
}

/** Judge calls one candidate costs per item in one presentation order (reused verdicts cost nothing). */
export function judgeCallsPerItem(planned: readonly PlannedComparison[]): number {
  return planned.filter((c) => !c.reuseGlobal).length;
}
