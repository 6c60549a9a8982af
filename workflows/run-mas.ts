/**
 * Runs a multi-agent system on one question: every agent starts as soon as all its predecessors have
 * answered (so independent agents run in parallel and the critical path is the graph's depth), and each
 * agent's `{{context}}` is what its predecessors handed on: their full output, or, on edges marked
 * `handoff: summary` (or everywhere with `summarizeAll`, the reference's 30-word behaviour), a short summary. Deterministic orchestration only: the LLM calls are
 * the injected `callAgent` / `handoff` (activities).
 *
 * `reuse` supplies agents whose results are already known (e.g. upstream agents when only one agent's prompt
 * changed): they are not re-run, which is how candidate evaluation avoids re-paying for upstream work. `shared`
 * does the same for runs that go on at the same time: the first run of a question to reach a shared agent runs it,
 * the others await its output (beam parents whose traces are taken side by side share their upstream agents).
 */
import { graphOf, predecessors, topologicalOrder, terminalAgent } from '../core/common/graph';
import { joinContext, renderTemplate } from '../core/common/template';
import { summarizesFor, type AgentSpec, type MasSpec } from '../core/contracts/mas';
import type { AgentCallRecord, AgentOutput } from '../core/contracts/evaluate';
import type { LlmResult } from '../core/contracts/llm';

export type AgentCaller = (agent: AgentSpec, prompt: string) => Promise<LlmResult>;

/** Summarises an agent's output for its successors (one LLM call); only called for non-terminal agents. */
export type Handoff = (agent: AgentSpec, output: string) => Promise<LlmResult>;

export type { AgentOutput };

export interface MasRun {
  /** Every agent (reused ones included). */
  agents: Record<string, AgentOutput>;
  /** The calls actually made (agent calls, then hand-off calls), in topological order. */
  calls: AgentCallRecord[];
  /** Output of the terminal agent: the system's answer. */
  final: string;
}

/** Agents whose run is shared by several runs of one question, and the runs started so far (per agent id). */
export interface SharedAgents {
  agents: ReadonlySet<string>;
  runs: Map<string, Promise<AgentOutput>>;
}

export interface RunMasOptions {
  reuse?: Readonly<Record<string, AgentOutput>>;
  shared?: SharedAgents;
  /** The summariser for hand-offs: used for agents with an outgoing `handoff: summary` edge (or all, see below). */
  handoff?: Handoff;
  /** Every edge hands on a summary, whatever the edges say (the reference's behaviour; faithful profile). */
  summarizeAll?: boolean;
  /** Told each agent's output (reused and shared ones included) as soon as it is in. */
  onOutput?: (agentId: string, output: AgentOutput) => void;
}

/** The same system with one agent's prompt replaced. */
export function withPrompt(mas: MasSpec, agentId: string, prompt: string): MasSpec {
  return { ...mas, agents: mas.agents.map((a) => (a.id === agentId ? { ...a, prompt } : a)) };
}

/** The same system with every agent's prompt taken from `prompts` (agents not in the map keep theirs). */
export function withPrompts(mas: MasSpec, prompts: Readonly<Record<string, string>>): MasSpec {
  return { ...mas, agents: mas.agents.map((a) => (prompts[a.id] !== undefined ? { ...a, prompt: prompts[a.id] } : a)) };
}

export async function runMas(mas: MasSpec, question: string, callAgent: AgentCaller, options: RunMasOptions = {}): Promise<MasRun> {
  const graph = graphOf(mas);
  const order = topologicalOrder(graph);
  const terminal = terminalAgent(graph);
  const byId = new Map(mas.agents.map((a) => [a.id, a]));
  const results = new Map<string, LlmResult[]>();
  const started = new Map<string, Promise<AgentOutput>>();

  const run = (id: string): Promise<AgentOutput> => {
    let p = started.get(id);
    if (!p) {
      const reused = options.reuse?.[id];
      const shared = options.shared?.agents.has(id) ? options.shared.runs.get(id) : undefined;
      p = reused
        ? Promise.resolve(reused)
        : shared ?? (async () => {
            const preds = predecessors(graph, id);
            const upstream = await Promise.all(preds.map(run));
            const summarized = (from: string) => options.summarizeAll || mas.edges.some((e) => e.from === from && e.to === id && e.handoff === 'summary');
            const context = joinContext(preds.map((agentId, i) => ({ agentId, text: summarized(agentId) ? upstream[i].handoff : upstream[i].output })));
            const agent = byId.get(id)!;
            const made: LlmResult[] = [];
            results.set(id, made);
            const result = await callAgent(agent, renderTemplate(agent.prompt, { question, context }));
            made.push(result);
            // The terminal's output goes nowhere, so it is never summarised (the reference wastes that call).
            let handoff = result.text;
            if (options.handoff && id !== terminal && (options.summarizeAll || summarizesFor(mas, id))) {
              const summary = await options.handoff(agent, result.text);
              made.push(summary);
              handoff = summary.text;
            }
            return { output: result.text, handoff, context };
          })();
      started.set(id, p);
      if (options.shared?.agents.has(id) && !reused) options.shared.runs.set(id, p);
      if (options.onOutput) {
        const tell = options.onOutput;
        p.then((o) => tell(id, o), () => {}); // a failure reaches the caller through the run's own promise
      }
    }
    return p;
  };

  const outputs = await Promise.all(order.map(run));
  const agents = Object.fromEntries(order.map((id, i) => [id, outputs[i]]));
  const calls = order.flatMap((id) =>
    (results.get(id) ?? []).map((r) => ({ agentId: id, finishReason: r.finishReason.unified, empty: r.empty, cached: r.cached, usage: r.usage })),
  );
  return { agents, calls, final: agents[terminal].output };
}

/** A run in progress: the whole run, and each agent's output as soon as it is in. */
export interface MasRunInProgress {
  run: Promise<MasRun>;
  /** Resolves with `agentId`'s output once it is in; rejects if the run fails first. */
  output(agentId: string): Promise<AgentOutput>;
}

/**
 * `runMas`, with each agent's output available before the whole run ends: what waits on one agent (a judge of its
 * output, the optimizer reading its traces) starts while its successors still run.
 */
export function startMas(mas: MasSpec, question: string, callAgent: AgentCaller, options: RunMasOptions = {}): MasRunInProgress {
  const outputs = new Map<string, Deferred<AgentOutput>>();
  const slot = (id: string) => {
    let d = outputs.get(id);
    if (!d) outputs.set(id, (d = deferred()));
    return d;
  };
  const run = runMas(mas, question, callAgent, {
    ...options,
    onOutput: (id, o) => {
      slot(id).resolve(o);
      options.onOutput?.(id, o);
    },
  });
  return { run, output: (id) => Promise.race([slot(id).promise, run.then((r) => r.agents[id])]) };
}

/** A promise and the function that resolves it, for a value that arrives through a callback. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
