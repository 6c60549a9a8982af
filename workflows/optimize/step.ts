/**
 * Child workflow: one step of one agent's turn (paper Alg. 1, inner loop).
 *
 *   1. traces: run the system with each beam parent's prompt on the mini-batch (other agents at their current
 *      best; agents that do not depend on this one are run once per item and shared by all parents);
 *   2. proposals: Ksub optimizer calls per parent, each shown the parent prompt, the role, the task
 *      requirements, execution traces and the cases of the agent's buffer;
 *   3. candidates: one `evaluateCandidate` child per distinct usable proposal.
 *
 * The parent (round) workflow turns the scored candidates into the next beam.
 */
import { executeChild, setHandler, workflowInfo } from '@temporalio/workflow';
import { deriveSeed } from '../../core/prng';
import { descendants, predecessors, successors } from '../../core/graph';
import type { ItemView } from '../../core/evaluation';
import { addTotals, emptyTotals, type BaselineItem, type CallTotals, type ParentOutcome, type SearchContext, type StepInput, type StepResult } from '../../core/optimization';
import { candidatePrompts, type BeamNode } from '../../core/maspo/beam';
import { buildOptimizerPrompt, parseProposal, proposalTraceSets } from '../../core/maspo/prompts';
import type { AgentInfo, Trace } from '../../core/maspo/types';
import { evaluation } from '../activities';
import { mapBounded } from '../pool';
import { graphOf, runMas, withPrompt, withPrompts, type AgentOutput } from '../run-mas';
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

  // 1. Traces of every parent; the agents independent of this one are computed once per item.
  const shared = new Map<number, Record<string, AgentOutput>>();
  const baselines: BaselineItem[][] = [];
  const dependent = new Set([agentId, ...descendants(graphOf(ctx.mas), agentId)]);
  for (const b of input.known?.baseline ?? []) shared.set(b.index, Object.fromEntries(Object.entries(b.agents).filter(([id]) => !dependent.has(id))));
  for (let i = 0; i < input.beam.length; i++) {
    const batch = input.batches[i];
    const known = input.known;
    if (known && known.prompt === input.beam[i].prompt && sameItems(known.baseline, batch)) {
      baselines.push(known.baseline); // the refresh already ran this parent on this batch
      continue;
    }
    const items = batch.map((index) => views.get(index)!);
    baselines.push(await runBaselines(ctx, input.prompts, agentId, input.beam[i].prompt, items, shared, totals));
  }

  // 2 + 3. Proposals and candidate evaluations, parents in parallel.
  const parents = await Promise.all(input.beam.map((parent, i) => expandParent(input, parent, i, baselines[i], totals, progress)));
  return { parents: parents.map((p) => p.outcome), totals: parents.reduce((t, p) => addTotals(t, p.totals), totals) };
}

function sameItems(baseline: readonly BaselineItem[], batch: readonly number[]): boolean {
  return baseline.length === batch.length && baseline.every((b, i) => b.index === batch[i]);
}

/**
 * Runs the system with `prompt` for `agentId` on each item. Agents that neither are nor descend from
 * `agentId` do not depend on its prompt: their outputs are taken from (or stored into) `shared`.
 */
export async function runBaselines(
  ctx: SearchContext,
  prompts: Record<string, string>,
  agentId: string,
  prompt: string,
  items: ItemView[],
  shared: Map<number, Record<string, AgentOutput>>,
  totals: CallTotals,
): Promise<BaselineItem[]> {
  const graph = graphOf(ctx.mas);
  const dependent = new Set([agentId, ...descendants(graph, agentId)]);
  const system = withPrompt(withPrompts(ctx.mas, prompts), agentId, prompt);
  return mapBounded(items, ctx.concurrency, async (item) => {
    const run = await runMas(system, item.question, agentCaller(ctx, item.id, totals), { reuse: shared.get(item.index), ...handoffFor(ctx, item.id, totals) });
    if (!shared.has(item.index)) shared.set(item.index, Object.fromEntries(Object.entries(run.agents).filter(([id]) => !dependent.has(id))));
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
