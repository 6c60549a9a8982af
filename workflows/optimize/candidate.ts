/**
 * Child workflow: the joint reward of one candidate prompt against its parent on a mini-batch (paper §3).
 *
 * Per item: re-run the agent and its descendants under the candidate on top of the parent's upstream outputs
 * (identical context for both), then ask the judge to compare candidate and parent outputs: the agent's own
 * (local), its successors' (lookahead), the system's final answer (global) — or, for the terminal agent, its
 * answer (terminal). Verdicts become R = weighted win rate − 0.5, and misaligned items become cases for the
 * optimizer. All arithmetic and parsing is in core/maspo; this file only orders the calls.
 */
import { deriveSeed, hashString, Prng } from '../../core/prng';
import { graphOf, terminalAgent } from '../../core/graph';
import { emptyTotals, type BaselineItem, type CandidateInput, type CandidateResult } from '../../core/optimization';
import { comparisonsFor, rerunAgents, type PlannedComparison } from '../../core/maspo/comparisons';
import { casesFromEvaluation, misalignmentRate, type MiningItem } from '../../core/maspo/misalignment';
import { judgePrompts, orderFor, parseVerdict } from '../../core/maspo/prompts';
import { itemVerdicts, jointReward, type JudgedComparison } from '../../core/maspo/reward';
import type { AgentInfo } from '../../core/maspo/types';
import { mapBounded } from '../pool';
import { runMas, withPrompt, withPrompts, type MasRun } from '../run-mas';
import { agentCaller, handoffFor, judgeCall } from './calls';

export async function evaluateCandidate(input: CandidateInput): Promise<CandidateResult> {
  const { ctx, agentId } = input;
  const settings = ctx.settings;
  const graph = graphOf(ctx.mas);
  const terminal = terminalAgent(graph);
  const planned = comparisonsFor(settings, graph, agentId, input.mode);
  const rerun = new Set(rerunAgents(settings, graph, agentId));
  const system = withPrompt(withPrompts(ctx.mas, input.prompts), agentId, input.candidate);
  const info = (id: string): AgentInfo => {
    const a = ctx.mas.agents.find((x) => x.id === id)!;
    return { id, role: a.role, description: a.description };
  };
  const totals = emptyTotals();
  const candidateKey = hashString(input.candidate).toString(36);

  // One entry per batch item, in batch order, so the outcome never depends on which call finished first.
  const perItem = await mapBounded(input.baseline, ctx.concurrency, async (item) => {
    const reuse = Object.fromEntries(Object.entries(item.agents).filter(([id]) => !rerun.has(id)));
    const run = await runMas(system, item.question, agentCaller(ctx, item.id, totals), { reuse, ...handoffFor(ctx, item.id, totals) });
    const judged = await Promise.all(planned.map((p) => judge(input, p, item, run, info, candidateKey, totals)));
    return { item, run, judged: judged.filter((j): j is JudgedComparison => j !== null) };
  });

  const { items, tally } = itemVerdicts(perItem.flatMap((x) => x.judged), planned);
  totals.unparseableVerdicts += tally.unparseable;
  totals.orderDisagreements += tally.disagreements;
  const breakdown = jointReward(items, { settings, terminal: agentId === terminal, mode: input.mode });

  const byIndex = new Map(items.map((v) => [v.item, v]));
  const mining: MiningItem[] = perItem.flatMap(({ item, run }) => {
    const verdicts = byIndex.get(item.index);
    if (!verdicts) return [];
    const downstream = Object.fromEntries([...rerun].filter((id) => id !== agentId).map((id) => [id, run.agents[id].output]));
    return [{ verdicts, question: item.question, context: item.agents[agentId].context, output: run.agents[agentId].output, downstream }];
  });
  const prng = new Prng(deriveSeed(ctx.seed, 'cases', input.round, agentId, input.step, candidateKey));
  const cases = input.mode === 'step' ? casesFromEvaluation(mining, { settings, agentId, terminalId: terminal, round: input.round, step: input.step }, prng) : [];

  return { candidate: input.candidate, R: breakdown.R, breakdown, tally, verdicts: items, cases, misalignmentRate: misalignmentRate(mining), totals };
}

/** One planned comparison on one item: null when it is not made (faithful: an empty lookahead output). */
async function judge(
  input: CandidateInput,
  p: PlannedComparison,
  item: BaselineItem,
  run: MasRun,
  info: (id: string) => AgentInfo,
  candidateKey: string,
  totals: ReturnType<typeof emptyTotals>,
): Promise<JudgedComparison | null> {
  const settings = input.ctx.settings;
  if (p.reuseGlobal) return null; // same pair of outputs as the global comparison: its verdict is reused
  const candidate = run.agents[p.agentId].output;
  const parent = item.agents[p.agentId].output;
  if (p.kind === 'lookahead' && settings.skipEmptyLookahead && (candidate === '' || parent === '')) return null;
  if (settings.skipIdenticalOutputs && candidate === parent) {
    return { item: item.index, kind: p.kind, agentId: p.agentId, orders: [], verdicts: [], decided: 'identical' };
  }
  const orders = orderFor(settings, input.ctx.seed, `${input.round}/${input.step}/${candidateKey}/${item.index}/${p.kind}/${p.agentId}`);
  const requests = judgePrompts(settings, { kind: p.kind, question: item.question, agent: info(p.agentId), candidate, parent }, orders);
  const verdicts = await Promise.all(
    requests.map((r) =>
      judgeCall(input.ctx, r.prompt, `${p.kind} · ${p.agentId} · item ${item.id} · ${r.order}`, totals).then((res) => parseVerdict(res.text, settings.profile)),
    ),
  );
  return { item: item.index, kind: p.kind, agentId: p.agentId, orders, verdicts };
}
