/**
 * The multi-agent system a run evaluates and optimises: agents (role, prompt template) and the edges between them.
 * Pure types plus a tiny helper; safe inside workflows.
 */
import type { Edge } from '../common/graph';

export interface AgentSpec {
  id: string;
  role: string;
  description?: string;
  /** Template with {{question}} / {{context}}. */
  prompt: string;
}

export interface MasEdge extends Edge {
  /** What the successor receives: the predecessor's full output (default) or a short summary of it. */
  handoff?: 'full' | 'summary';
}

export interface MasSpec {
  topology: string;
  agents: AgentSpec[];
  edges: MasEdge[];
  /** Length limit of hand-off summaries, in words (default 30). */
  summaryWords?: number;
}

/** True when some edge out of `agentId` hands on a summary instead of the full output. */
export function summarizesFor(mas: MasSpec, agentId: string): boolean {
  return mas.edges.some((e) => e.from === agentId && e.handoff === 'summary');
}
