/**
 * A synchronous, in-process MASPO search over the simulated world, built only from core/maspo's pure functions.
 * Test-only: it proves the pieces compose and serves as a worked example of the call order the search workflows
 * follow (units from the cursor, batches from the PRNG, proposals → candidates → evaluation → children → beam →
 * best → buffer; refresh at each revisit). No Temporal, no retries. Like the product's response cache, an identical
 * request (same role, text, temperature and sample) is paid once: `calls` counts paid calls per role, `requests`
 * all of them.
 * Supports both profiles except faithful's hand-off summaries (successors read full outputs here).
 */
import { predecessors, terminalAgent, topologicalOrder, successors, type AgentGraph } from '../../core/graph';
import { Prng } from '../../core/prng';
import { joinContext, renderTemplate } from '../../core/template';
import type { SimWorldConfig } from '../../core/sim-config';
import {
  advanceCursor,
  applyRefresh,
  candidatePrompts,
  childrenOf,
  currentUnit,
  initialSearchState,
  allocateNodeId,
  nextBeam,
  promptMap,
  refreshTargets,
  updateBest,
  assertConsistent,
  type BeamNode,
  type SearchState,
} from '../../core/maspo/beam';
import { sampleBatch } from '../../core/maspo/batch';
import type { ObservedUnit } from '../../core/maspo/calibration';
import { comparisonsFor, rerunAgents } from '../../core/maspo/comparisons';
import { casesForProposal, casesFromEvaluation, injectedItems, updateBuffer, type MiningItem } from '../../core/maspo/misalignment';
import { buildOptimizerPrompt, judgePrompts, orderFor, parseProposal, parseVerdict, proposalTraceSets } from '../../core/maspo/prompts';
import { itemVerdicts, jointReward, type JudgedComparison } from '../../core/maspo/reward';
import type { MisalignmentCase, SearchSettings } from '../../core/maspo/types';
import { respond } from '../../sim/world';

export interface DriverAgent {
  id: string;
  role: string;
  prompt: string;
}

export interface DriverResult {
  prompts: Record<string, string>;
  state: SearchState;
  calls: { backbone: number; optimizer: number; judge: number };
  requests: { backbone: number; optimizer: number; judge: number };
  anchorShifts: number;
  casesMined: number;
  /** Requests of every unit (step, refresh), as a run record reports them (core/maspo/calibration.ts). */
  units: ObservedUnit[];
}

type Outputs = Record<string, string>;

export function runSearch(settings: SearchSettings, agents: DriverAgent[], edges: AgentGraph['edges'], world: SimWorldConfig, questions: string[], seed: number): DriverResult {
  const graph: AgentGraph = { agents: agents.map((a) => a.id), edges };
  const order = topologicalOrder(graph);
  const terminal = terminalAgent(graph);
  const info = new Map(agents.map((a) => [a.id, a]));
  const calls = { backbone: 0, optimizer: 0, judge: 0 };
  const requests = { backbone: 0, optimizer: 0, judge: 0 };
  let anchorShifts = 0;
  let casesMined = 0;
  const units: ObservedUnit[] = [];
  const cache = new Map<string, string>();
  const llm = (role: keyof typeof calls, content: string, temperature: number, sample = 0) => {
    requests[role]++;
    const key = `${role}\u0000${temperature}\u0000${sample}\u0000${content}`;
    let text = cache.get(key);
    if (text === undefined) {
      calls[role]++;
      text = respond(world, { model: `sim-${role}`, messages: [{ role: 'user', content }], temperature, maxTokens: 100_000, seed: sample }).text;
      cache.set(key, text);
    }
    return text;
  };
  /** Runs the agents not in `reuse`, in topological order, with `prompts`. */
  const runMas = (prompts: Record<string, string>, question: string, reuse: Outputs = {}): Outputs => {
    const out: Outputs = { ...reuse };
    for (const id of order) {
      if (id in reuse) continue;
      const context = joinContext(predecessors(graph, id).map((p) => ({ agentId: p, text: out[p] })));
      out[id] = llm('backbone', renderTemplate(prompts[id], { question, context }), 0);
    }
    return out;
  };
  const contextOf = (id: string, outputs: Outputs) => joinContext(predecessors(graph, id).map((p) => ({ agentId: p, text: outputs[p] })));

  const state = initialSearchState(settings, { agents, edges }, { seed, datasetSize: questions.length });
  const prng = Prng.fromState(state.prngState);
  // Fixed profile: the refresh draws the turn's first batch and its runs are that step's baselines (plan.ts contract).
  let refreshBatch: number[] | null = null;
  let refreshRuns = new Map<string, Outputs[]>();

  /** R(candidate vs parent) on `batch`, given the parent's baselines; also the mining items. */
  const evaluate = (a: string, candidate: string, parentOutputs: Outputs[], batch: number[], mode: 'step' | 'refresh', key: string) => {
    const planned = comparisonsFor(settings, graph, a, mode);
    const rerun = new Set(rerunAgents(settings, graph, a));
    const comparisons: JudgedComparison[] = [];
    const mining: MiningItem[] = [];
    batch.forEach((item, i) => {
      const base = parentOutputs[i];
      const reuse = Object.fromEntries(Object.entries(base).filter(([id]) => !rerun.has(id)));
      const cand = runMas({ ...promptMap(state), [a]: candidate }, questions[item], reuse);
      for (const c of planned) {
        if (c.reuseGlobal) continue;
        const pair = { kind: c.kind, question: questions[item], agent: info.get(c.agentId)!, candidate: cand[c.agentId], parent: base[c.agentId] };
        if (settings.skipEmptyLookahead && c.kind === 'lookahead' && (!pair.candidate || !pair.parent)) continue;
        if (settings.skipIdenticalOutputs && pair.candidate === pair.parent) {
          comparisons.push({ item, kind: c.kind, agentId: c.agentId, orders: [], verdicts: [], decided: 'identical' });
          continue;
        }
        const orders = orderFor(settings, seed, `${key}|${item}|${c.kind}|${c.agentId}`);
        const verdicts = judgePrompts(settings, pair, orders).map((r) => parseVerdict(llm('judge', r.prompt, 0), settings.profile));
        comparisons.push({ item, kind: c.kind, agentId: c.agentId, orders, verdicts });
      }
      mining.push({ verdicts: { item, lookahead: [] }, question: questions[item], context: contextOf(a, base), output: cand[a], downstream: cand });
    });
    const { items } = itemVerdicts(comparisons, planned);
    const candidateRuns = mining.map((m) => m.downstream as Outputs);
    const byItem = new Map(items.map((v) => [v.item, v]));
    for (const m of mining) m.verdicts = byItem.get(m.verdicts.item) ?? m.verdicts;
    return { R: jointReward(items, { settings, terminal: a === terminal, mode }).R, mining, candidateRuns };
  };

  for (let guard = 0; guard < 10_000; guard++) {
    assertConsistent(state, settings);
    const unit = currentUnit(state, settings);
    if (unit.kind === 'done') break;
    const a = unit.agentId;
    const A = state.agents[a];
    const before = { ...requests };
    const baselines = (prompt: string, batch: number[]) => batch.map((item) => runMas({ ...promptMap(state), [a]: prompt }, questions[item]));

    if (unit.kind === 'refresh') {
      const batch = sampleBatch(state.pool, settings.batchSize, prng);
      if (settings.refreshSharesFirstBatch) refreshBatch = batch;
      const bestRuns = baselines(A.best.prompt, batch);
      const rewards: Record<string, number> = {};
      refreshRuns = new Map([[A.best.prompt, bestRuns]]);
      for (const p of refreshTargets(A.beam, A.best)) {
        const e = evaluate(a, p, bestRuns, batch, 'refresh', `${a}|refresh|${unit.round}|${p}`);
        rewards[p] = e.R;
        if (settings.refreshSharesFirstBatch) refreshRuns.set(p, e.candidateRuns);
      }
      const r = applyRefresh(settings, A.beam, A.best, rewards, prng);
      if (r.anchorShift) anchorShifts++;
      A.beam = r.beam;
      A.best = r.best;
      A.refreshes++;
    } else {
      const shared = settings.batchPerNode ? null : (refreshBatch ?? sampleBatch(state.pool, settings.batchSize, prng));
      const reused = refreshBatch ? refreshRuns : new Map<string, Outputs[]>();
      refreshBatch = null;
      const front = injectedItems(settings, graph, a, Object.fromEntries(order.map((id) => [id, state.agents[id].buffer])), prng);
      const children: BeamNode[][] = [];
      const stepCases: MisalignmentCase[][] = [];
      const casesOf = new Map<string, MisalignmentCase[]>();
      A.beam.forEach((node, n) => {
        const batch = shared ?? sampleBatch(state.pool, settings.batchSize, prng, front);
        const runs = reused.get(node.prompt) ?? baselines(node.prompt, batch);
        const traces = batch.map((item, i) => ({ question: questions[item], context: contextOf(a, runs[i]), output: runs[i][a] }));
        const proposals = proposalTraceSets(traces, settings.proposalsPerParent, settings.proposalTraces).map((ts, k) => {
          const meta = buildOptimizerPrompt({
            profile: settings.profile,
            agent: info.get(a)!,
            taskType: settings.taskType,
            parentPrompt: node.prompt,
            traces: ts,
            predecessors: predecessors(graph, a),
            successors: successors(graph, a),
            cases: casesForProposal(settings, A.buffer),
          });
          return parseProposal(llm('optimizer', meta, 0.7, k), { parent: node.prompt, needsContext: predecessors(graph, a).length > 0, profile: settings.profile });
        });
        const scored = candidatePrompts(settings, node, proposals, A.beam).map((prompt, c) => {
          if (prompt === node.prompt) return { prompt, R: null };
          const { R, mining } = evaluate(a, prompt, runs, batch, 'step', `${node.id}|${unit.round}.${unit.step}|${n}.${c}`);
          const cases = casesFromEvaluation(mining, { settings, agentId: a, terminalId: terminal, round: unit.round, step: unit.step }, prng);
          casesMined += cases.length;
          stepCases.push(cases);
          casesOf.set(prompt, cases);
          return { prompt, R };
        });
        children.push(childrenOf(settings, node, scored, { round: unit.round, step: unit.step, newId: () => allocateNodeId(state, a) }));
      });
      A.beam = nextBeam(settings, A.beam, children, prng);
      const { best, improved } = updateBest(settings, A.best, A.beam);
      A.buffer = updateBuffer(settings, A.buffer, { stepCases, newBestCases: improved ? casesOf.get(best.prompt) : undefined });
      A.best = best;
      A.stepsDone++;
    }
    const made = { backbone: requests.backbone - before.backbone, optimizer: requests.optimizer - before.optimizer, judge: requests.judge - before.judge };
    units.push({ kind: unit.kind, round: unit.round, agentId: a, ...(unit.kind === 'step' ? { step: unit.step + 1 } : {}), calls: made });
    state.prngState = prng.getState();
    state.cursor = advanceCursor(state, settings);
  }
  return { prompts: promptMap(state), state, calls, requests, anchorShifts, casesMined, units };
}
