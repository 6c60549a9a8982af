/**
 * The agent graph: a DAG with exactly one terminal agent (the one whose output is the system's answer).
 * Pure; used by config validation, by workflows to schedule agents and by the optimizer for descendants.
 */

export interface Edge {
  from: string;
  to: string;
}

export interface AgentGraph {
  /** Agent ids in declaration order. */
  agents: string[];
  edges: Edge[];
}

/** The graph of a system: its agents' ids in declaration order and its edges (other fields of either ignored). */
export function graphOf(mas: { agents: ReadonlyArray<{ id: string }>; edges: ReadonlyArray<Edge> }): AgentGraph {
  return { agents: mas.agents.map((a) => a.id), edges: mas.edges.map((e) => ({ from: e.from, to: e.to })) };
}

export class GraphError extends Error {
  constructor(
    message: string,
    /** Path of the offending config field, e.g. `mas.edges[2].to`. */
    readonly path: string,
  ) {
    super(message);
    this.name = 'GraphError';
  }
}

/** Direct predecessors of `id`, in agent declaration order (deterministic context order). */
export function predecessors(g: AgentGraph, id: string): string[] {
  const from = new Set(g.edges.filter((e) => e.to === id).map((e) => e.from));
  return g.agents.filter((a) => from.has(a));
}

/** Direct successors of `id`, in agent declaration order. */
export function successors(g: AgentGraph, id: string): string[] {
  const to = new Set(g.edges.filter((e) => e.from === id).map((e) => e.to));
  return g.agents.filter((a) => to.has(a));
}

/**
 * Kahn topological order; ties broken by declaration order so the order is stable.
 * Throws `GraphError` naming the agents on a cycle.
 */
export function topologicalOrder(g: AgentGraph): string[] {
  const indegree = new Map(g.agents.map((a) => [a, 0]));
  for (const e of g.edges) indegree.set(e.to, (indegree.get(e.to) ?? 0) + 1);
  const order: string[] = [];
  const ready = g.agents.filter((a) => indegree.get(a) === 0);
  while (ready.length > 0) {
    const a = ready.shift()!;
    order.push(a);
    for (const s of successors(g, a)) {
      const d = indegree.get(s)! - 1;
      indegree.set(s, d);
      if (d === 0) {
        // keep declaration order among ready agents
        ready.push(s);
        ready.sort((x, y) => g.agents.indexOf(x) - g.agents.indexOf(y));
      }
    }
  }
  if (order.length !== g.agents.length) {
    const stuck = g.agents.filter((a) => !order.includes(a));
    throw new GraphError(`the agent graph has a cycle through: ${stuck.join(' → ')}`, 'mas.edges');
  }
  return order;
}

/**
 * Topological levels: agents in the same level have no path between them and can run in parallel.
 * Level of an agent = 1 + max level of its predecessors.
 */
export function topologicalLevels(g: AgentGraph): string[][] {
  const level = new Map<string, number>();
  for (const a of topologicalOrder(g)) {
    const preds = predecessors(g, a);
    level.set(a, preds.length === 0 ? 0 : 1 + Math.max(...preds.map((p) => level.get(p)!)));
  }
  const levels: string[][] = [];
  for (const a of g.agents) {
    const l = level.get(a)!;
    (levels[l] ??= []).push(a);
  }
  return levels;
}

/** All agents reachable from `id` (excluding `id`), in topological order. */
export function descendants(g: AgentGraph, id: string): string[] {
  const seen = new Set<string>();
  const stack = [id];
  while (stack.length) {
    for (const s of successors(g, stack.pop()!)) {
      if (!seen.has(s)) {
        seen.add(s);
        stack.push(s);
      }
    }
  }
  return topologicalOrder(g).filter((a) => seen.has(a));
}

/** The single agent with no successors. */
export function terminalAgent(g: AgentGraph): string {
  const sinks = g.agents.filter((a) => successors(g, a).length === 0);
  if (sinks.length !== 1) {
    throw new GraphError(
      sinks.length === 0
        ? 'the agent graph has no terminal agent (every agent has a successor)'
        : `the agent graph must have exactly one terminal agent, found ${sinks.length}: ${sinks.join(', ')}`,
      'mas.edges',
    );
  }
  return sinks[0];
}

/**
 * Full validation: unique ids, edges between known agents, no self-loops or duplicates, acyclic,
 * exactly one terminal. Throws `GraphError` with a field path.
 */
export function validateGraph(g: AgentGraph): void {
  if (g.agents.length === 0) throw new GraphError('at least one agent is required', 'mas.agents');
  const seen = new Set<string>();
  g.agents.forEach((a, i) => {
    if (seen.has(a)) throw new GraphError(`duplicate agent id '${a}'`, `mas.agents[${i}].id`);
    seen.add(a);
  });
  const pairs = new Set<string>();
  g.edges.forEach((e, i) => {
    if (!seen.has(e.from)) throw new GraphError(`unknown agent '${e.from}'`, `mas.edges[${i}].from`);
    if (!seen.has(e.to)) throw new GraphError(`unknown agent '${e.to}'`, `mas.edges[${i}].to`);
    if (e.from === e.to) throw new GraphError(`self-loop on agent '${e.from}'`, `mas.edges[${i}]`);
    const key = `${e.from}\u0000${e.to}`;
    if (pairs.has(key)) throw new GraphError(`duplicate edge ${e.from} → ${e.to}`, `mas.edges[${i}]`);
    pairs.add(key);
  });
  topologicalOrder(g);
  // In a DAG every agent reaches some sink, so a single sink means every agent's work reaches the answer.
  terminalAgent(g);
}
