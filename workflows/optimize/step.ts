/**
 * Child workflow: one step of one agent's turn (paper Alg. 1, inner loop).
 *
 *   1. traces: run the system with each beam parent's prompt on the mini-batch (other agents at their current
 *      best; agents that do not depend on this one are run once per item and shared by all parents);
 *   2. proposals: Ksub optimizer calls per parent, each shown the parent prompt, the role, the task
 *      requirements, execution traces and the cases of the agent's buffer;
 *   3. candidates: one `evaluateCandidate` child per distinct usable proposal.
 * Parents go through 1–3 side by side, each as soon as its own traces are in (patch `pipelined-parents`;
 * histories from before it ran every parent's traces first, one parent after another).
 *
 * The parent (round) workflow turns the scored candidates into the next beam.
 */
import { executeChild, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { deriveSeed } from '../../core/prng';
import { descendants, graphOf, predecessors, successors } from '../../core/graph';
import type { ItemView } from '../../core/evaluation';
import { addTotals, emptyTotals, type BaselineItem, type CallTotals, type ParentOutcome, type SearchContext, type StepInput, type StepResult } from '../../core/optimization';
import { candidatePrompts, type BeamNode } from '../../core/maspo/beam';
import { buildOptimizerPrompt, parseProposal, proposalTraceSets } from '../../core/maspo/prompts';
import type { AgentInfo, Trace } from '../../core/maspo/types';
import { evaluation } from '../activities';
import { mapBounded } from '../pool';
import { runMas, withPrompt, withPrompts, type AgentOutput } from '../run-mas';
import { agentCaller, handoffFor, optimizerCall } from './calls';
import { stepProgressQuery, type StepProgress } from './messages';
import { evaluateCandidate } from './candidate';

export async function optimizeStep(input: StepInput): Promise<StepResult> {
  const { ctx, agentId } = input;
  const totals = emptyTotals();
  const progress: StepProgress = { candidatesDone: 0, candidatesPlanned: 0 };
  setHandler(stepProgressQuery, () => progress);
  const indices = [...new Set(input.batches.flat())];
  const views = new Map((await evaluation.loadItems(ctx.dataset, indices)).map((v) => [v.index, v]));

  // 1. Traces of a parent; the agents independent of this one run once per item, shared by all parents.
  const shared: SharedUpstream = new Map();
  const independent = independentAgents(ctx, agentId);
  for (const b of input.known?.baseline ?? []) shared.set(b.index, new Map([...independent].map((id) => [id, Promise.resolve(b.agents[id])])));
  const baselineOf = async (i: number): Promise<BaselineItem[]> => {
    const known = input.known;
    if (known && known.prompt === input.beam[i].prompt && sameItems(known.baseline, input.batches[i])) return known.baseline; // the refresh already ran this parent on this batch
    const items = input.batches[i].map((index) => views.get(index)!);
    return runBaselines(ctx, input.prompts, agentId, input.beam[i].prompt, items, shared, totals);
  };

  // 2 + 3. Proposals and candidate evaluations of each parent once its traces are in, parents side by side.
  let parents: Array<{ outcome: ParentOutcome; totals: CallTotals }>;
  if (patched('pipelined-parents')) {
    parents = await Promise.all(input.beam.map(async (parent, i) => expandParent(input, parent, i, await baselineOf(i), totals, progress)));
  } else {
    const baselines: BaselineItem[][] = [];
    for (let i = 0; i < input.beam.length; i++) baselines.push(await baselineOf(i));
    parents = await Promise.all(input.beam.map((parent, i) => expandParent(input, parent, i, baselines[i], totals, progress)));
  }
  return { parents: parents.map((p) => p.outcome), totals: parents.reduce((t, p) => addTotals(t, p.totals), totals) };
}

/** Per batch item, the runs of the agents that do not depend on the agent being optimised (see runMas `shared`). */
export type SharedUpstream = Map<number, Map<string, Promise<AgentOutput>>>;

/** Agents that neither are nor descend from `agentId`: their outputs do not depend on its prompt. */
function independentAgents(ctx: SearchContext, agentId: string): Set<string> {
  const graph = graphOf(ctx.mas);
  const dependent = new Set([agentId, ...descendants(graph, agentId)]);
  return new Set(graph.agents.filter((id) => !dependent.has(id)));
}

function sameItems(baseline: readonly BaselineItem[], batch: readonly number[]): boolean {
  return baseline.length === batch.length && baseline.every((b, i) => b.index === batch[i]);
}

/**
 * Runs the system with `prompt` for `agentId` on each item. Agents that neither are nor descend from
 * `agentId` do not depend on its prompt: the first run of an item runs them, later and concurrent runs of the same
 * item (other beam parents) take their outputs from `shared`.
 */
export async function runBaselines(
  ctx: SearchContext,
  prompts: Record<string, string>,
  agentId: string,
  prompt: string,
  items: ItemView[],
  shared: SharedUpstream,
  totals: CallTotals,
): Promise<BaselineItem[]> {
  const agents = independentAgents(ctx, agentId);
  const system = withPrompt(withPrompts(ctx.mas, prompts), agentId, prompt);
  return mapBounded(items, ctx.concurrency, async (item) => {
    let runs = shared.get(item.index);
    if (!runs) shared.set(item.index, (runs = new Map()));
    const run = await runMas(system, item.question, agentCaller(ctx, item.id, totals), { shared: { agents, runs }, ...handoffFor(ctx, item.id, totals) });
    return { ...item, agents: run.agents };
  });
}

async function expandParent(
  input: StepInput,
  parent: BeamNode,
  parentIndex: number,
  baseline: BaselineItem[],
  stepTotals: CallTotals,
  progress: StepProgress,
): Promise<{ outcome: ParentOutcome; totals: CallTotals }> {
  const { ctx, agentId } = input;
  const settings = ctx.settings;
  const graph = graphOf(ctx.mas);
  const spec = ctx.mas.agents.find((a) => a.id === agentId)!;
  const agent: AgentInfo = { id: agentId, role: spec.role, description: spec.description };
  const preds = predecessors(graph, agentId);
  const traces: Trace[] = baseline.map((b) => ({ question: b.question, context: b.agents[agentId].context, output: b.agents[agentId].output }));
  const sets = proposalTraceSets(traces, settings.proposalsPerParent, settings.proposalTraces);

  const proposals = await Promise.all(
    sets.map(async (set, k) => {
      const prompt = buildOptimizerPrompt({
        profile: settings.profile,
        agent,
        taskType: settings.taskType,
        parentPrompt: parent.prompt,
        traces: set,
        predecessors: preds,
        successors: successors(graph, agentId),
        cases: input.cases,
      });
      const sample = deriveSeed(ctx.seed, 'proposal', input.round, agentId, input.step, parent.id, k);
      const reply = await optimizerCall(ctx, prompt, sample, `propose ${agentId} · round ${input.round} step ${input.step} · from ${parent.id} #${k + 1}`, stepTotals);
      return parseProposal(reply.text, { parent: parent.prompt, needsContext: preds.length > 0, profile: settings.profile });
    }),
  );
  stepTotals.rejectedProposals += proposals.filter((p) => !p.ok).length;

  const candidates = candidatePrompts(settings, parent, proposals, input.beam);
  progress.candidatesPlanned += candidates.filter((c) => c !== parent.prompt).length;
  const base = workflowInfo().workflowId;
  let totals = emptyTotals();
  const scored = await Promise.all(
    candidates.map(async (prompt, c) => {
      if (prompt === parent.prompt) return { prompt, R: null, cases: [], misalignmentRate: null }; // faithful: an unusable proposal is the parent, R = 0
      const r = await executeChild(evaluateCandidate, {
        workflowId: `${base}/parent-${parentIndex}/cand-${c}`,
        staticSummary: `candidate ${c + 1} for ${agentId} from ${parent.id}`,
        args: [{ ctx, prompts: input.prompts, agentId, candidate: prompt, parent: parent.prompt, baseline, mode: 'step' as const, round: input.round, step: input.step }],
      });
      totals = addTotals(totals, r.totals);
      progress.candidatesDone++;
      return { prompt, R: r.R, breakdown: r.breakdown, cases: r.cases, misalignmentRate: r.misalignmentRate };
    }),
  );
  return {
    outcome: { parentId: parent.id, proposals: proposals.map((p) => (p.ok ? { ok: true } : { ok: false, reason: p.reason })), scored },
    totals,
  };
}
