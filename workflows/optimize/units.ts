/**
 * The bodies of the search's units of work — one step of an agent, one candidate's evaluation, one beam refresh —
 * written once over injected I/O (`UnitIo`): the LLM caller, the dataset's items and how a candidate evaluation is
 * run. No Temporal import (like run-mas.ts): the workflows (step.ts, candidate.ts, refresh.ts) inject activities and
 * child workflows (calls.ts `workflowIo`); `searchInProcess` below injects a direct caller (e.g. the simulator, for
 * tests and benchmarks) and calls `evaluateCandidate` itself. Deterministic: no clock, no unseeded randomness, no
 * Node built-ins, and the calls are made in the same order either way. The arithmetic is core/search's.
 *
 * Step (paper Alg. 1, inner loop):
 *   1. traces: run the system with each beam parent's prompt on the mini-batch (other agents at their current
 *      best; agents that do not depend on this one are run once per item and shared by all parents);
 *   2. proposals: Ksub optimizer calls per parent, each shown the parent prompt, the role, the task
 *      requirements, execution traces and the cases of the agent's buffer;
 *   3. candidates: one evaluation per distinct usable proposal (`io.candidate`).
 * Parents go through 1–3 side by side, each as soon as its own traces are in (`io.pipelined('parents')`, the
 * workflows' patch `pipelined-parents`; histories from before it ran every parent's traces first, one after another).
 * A parent's proposals start once the optimised agent's own outputs are in, while its successors still run
 * (`'proposals'`): the optimizer reads that agent's traces only; the candidates need the whole runs.
 * What the scored candidates do to the beam is core/search/search.ts `applyStep`.
 *
 * Candidate (paper §3): per item, re-run the agent and its descendants under the candidate on top of the parent's
 * upstream outputs (identical context for both), then ask the judge to compare candidate and parent outputs: the
 * agent's own (local), its successors' (lookahead), the system's final answer (global) — or, for the terminal agent,
 * its answer (terminal). Each comparison goes to the judge as soon as its agent's re-run output is in (`'judges'`):
 * the local one while the successors still run. Verdicts become R (reward.ts `jointReward`), misaligned items cases (misalignment.ts).
 *
 * Refresh (paper §3.4): the current best's runs on a batch, then every target prompt evaluated against them in mode
 * `'refresh'`: R(p, p_best). What the rewards do to the beam is core/search/search.ts `applyRefresh`.
 */
import type { AgentSpec } from '../../core/contracts/mas';
import type { DatasetRef, ItemView } from '../../core/contracts/dataset';
import { descendants, graphOf, predecessors, successors, terminalAgent } from '../../core/common/graph';
import type { LlmResult, ModelRole } from '../../core/contracts/llm';
import {
  addTotals,
  countCall,
  emptyComparisons,
  emptyTotals,
  type BaselineItem,
  type ComparisonCounts,
  type CallTotals,
  type CandidateInput,
  type CandidateResult,
  type ParentOutcome,
  type RefreshInput,
  type RefreshResultData,
  type SearchContext,
  type StepInput,
  type StepResult,
} from '../../core/contracts/optimize';
import { deriveSeed, hashString, Prng } from '../../core/common/prng';
import type { ObservedUnit } from '../../core/forecast/calibration';
import type { BeamNode } from '../../core/search/node';
import { searchRound } from '../../core/search/search';
import { currentUnit, promptMap, type SearchState } from '../../core/search/state';
import { candidatePrompts } from '../../core/search/beam';
import { comparisonsFor, rerunAgents, type PlannedComparison } from '../../core/search/comparisons';
import { casesFromEvaluation, misalignmentRate, type MiningItem } from '../../core/search/misalignment';
import { buildOptimizerPrompt, judgePrompts, orderFor, parseProposal, parseVerdict, proposalTraceSets } from '../../core/search/prompts';
import { itemVerdicts, jointReward, type JudgedComparison } from '../../core/search/reward';
import type { AgentInfo, Trace } from '../../core/search/types';
import { mapBounded } from '../../core/common/bounded';
import { agentCallLabel, handoffOptions, summaryCallLabel } from '../llm-calls';
import { deferred, runMas, startMas, withPrompt, withPrompts, type AgentCaller, type AgentOutput, type RunMasOptions } from '../run-mas';

/** One LLM call of `role` (the workflows: an activity on the role's task queue). The units count it in their totals. */
export type LlmCaller = (role: ModelRole, prompt: string, sampleIndex: number, label: string) => Promise<LlmResult>;

export interface UnitIo {
  llm: LlmCaller;
  /** The dataset's items by index (questions only; answers are never loaded). */
  loadItems(dataset: DatasetRef, indices: number[]): Promise<ItemView[]>;
  /**
   * One candidate's evaluation, named `child.name` under the calling unit (the workflows: an `evaluateCandidate`
   * child workflow; in process: `evaluateCandidate(io, input)`).
   */
  candidate(input: CandidateInput, child: { name: string; summary: string }): Promise<CandidateResult>;
  /**
   * Whether a pipelining of the units applies (the workflows: a patch, so histories from before it replay as they
   * ran; in process: always). Asked once per unit, at the same point of it: `parents` and `proposals` in a step
   * after its items are loaded, `judges` at the start of a candidate's evaluation.
   */
  pipelined(feature: PipelinedFeature): boolean;
}

/** Work that starts as soon as what it reads is in (see the header); each is a patch in the workflows. */
export type PipelinedFeature = 'parents' | 'proposals' | 'judges';

/** Candidate evaluations of a step: planned so far, and finished. */
export interface StepProgress {
  candidatesDone: number;
  candidatesPlanned: number;
}

// ── calls ──────────────────────────────────────────────────────────────────────────────────────────────────────

async function call(io: UnitIo, ctx: SearchContext, role: ModelRole, prompt: string, sampleIndex: number, label: string, totals: CallTotals): Promise<LlmResult> {
  const result = await io.llm(role, prompt, sampleIndex, label);
  countCall(totals, role, result, ctx.pricing?.prices[role]);
  return result;
}

/** Backbone calls for one item of a batch. */
export function agentCaller(io: UnitIo, ctx: SearchContext, itemId: string, totals: CallTotals): AgentCaller {
  return (agent: AgentSpec, prompt: string) => call(io, ctx, 'backbone', prompt, 0, agentCallLabel(itemId, agent.id), totals);
}

/**
 * Hand-off options for `runMas`: summaries on every edge in the faithful profile (`handoffSummaryWords`), else
 * only on edges the config marks `handoff: summary`.
 */
export function handoffFor(io: UnitIo, ctx: SearchContext, itemId: string, totals: CallTotals): Pick<RunMasOptions, 'handoff' | 'summarizeAll'> {
  return handoffOptions(ctx.mas, { summarizeAllWords: ctx.settings.handoffSummaryWords, taskType: ctx.settings.taskType }, (agent, prompt) =>
    call(io, ctx, 'backbone', prompt, 0, summaryCallLabel(itemId, agent.id), totals),
  );
}

// ── step ───────────────────────────────────────────────────────────────────────────────────────────────────────

/** One step of one agent: every beam parent's traces, proposals and scored candidates (see the header). */
export async function runStep(io: UnitIo, input: StepInput, progress: StepProgress = { candidatesDone: 0, candidatesPlanned: 0 }): Promise<StepResult> {
  const { ctx, agentId } = input;
  const totals = emptyTotals();
  const indices = [...new Set(input.batches.flat())];
  const views = new Map((await io.loadItems(ctx.dataset, indices)).map((v) => [v.index, v]));

  // 1. Traces of a parent; the agents independent of this one run once per item, shared by all parents.
  const shared: SharedUpstream = new Map();
  const independent = independentAgents(ctx, agentId);
  for (const b of input.known?.baseline ?? []) shared.set(b.index, new Map([...independent].map((id) => [id, Promise.resolve(b.agents[id])])));
  const earlyProposals = io.pipelined('proposals');
  const runsOf = (i: number): ParentRuns => {
    const known = input.known;
    if (known && known.prompt === input.beam[i].prompt && sameItems(known.baseline, input.batches[i])) {
      return { traces: Promise.resolve(tracesOf(known.baseline, agentId)), baseline: Promise.resolve(known.baseline) }; // the refresh already ran this parent on this batch
    }
    const items = input.batches[i].map((index) => views.get(index)!);
    if (!earlyProposals) {
      const baseline = runBaselines(io, ctx, input.prompts, agentId, input.beam[i].prompt, items, shared, totals);
      return { traces: baseline.then((b) => tracesOf(b, agentId)), baseline };
    }
    const own = items.map(() => deferred<AgentOutput>());
    const baseline = runBaselines(io, ctx, input.prompts, agentId, input.beam[i].prompt, items, shared, totals, (k, out) => own[k].resolve(out));
    const early = Promise.all(own.map((d) => d.promise)).then((outs) => outs.map((o, k) => ({ question: items[k].question, context: o.context, output: o.output })));
    // Raced with the whole runs, so a failed run fails the step instead of leaving the proposals waiting.
    return { traces: Promise.race([early, baseline.then((b) => tracesOf(b, agentId))]), baseline };
  };

  // 2 + 3. Proposals and candidate evaluations of each parent once its traces are in, parents side by side.
  let parents: Array<{ outcome: ParentOutcome; totals: CallTotals }>;
  if (io.pipelined('parents')) {
    parents = await Promise.all(input.beam.map((parent, i) => expandParent(io, input, parent, i, runsOf(i), totals, progress)));
  } else {
    const runs: ParentRuns[] = [];
    for (let i = 0; i < input.beam.length; i++) {
      const r = runsOf(i);
      await r.baseline;
      runs.push(r);
    }
    parents = await Promise.all(input.beam.map((parent, i) => expandParent(io, input, parent, i, runs[i], totals, progress)));
  }
  return { parents: parents.map((p) => p.outcome), totals: parents.reduce((t, p) => addTotals(t, p.totals), totals) };
}

/** A beam parent's runs on its batch: the optimised agent's outputs (its traces) and the whole system's runs. */
interface ParentRuns {
  traces: Promise<Trace[]>;
  baseline: Promise<BaselineItem[]>;
}

function tracesOf(baseline: readonly BaselineItem[], agentId: string): Trace[] {
  return baseline.map((b) => ({ question: b.question, context: b.agents[agentId].context, output: b.agents[agentId].output }));
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
 * item (other beam parents) take their outputs from `shared`. `onAgentOutput` hears, per item (its position in
 * `items`), the output of `agentId` as soon as it is in.
 */
export async function runBaselines(
  io: UnitIo,
  ctx: SearchContext,
  prompts: Record<string, string>,
  agentId: string,
  prompt: string,
  items: ItemView[],
  shared: SharedUpstream,
  totals: CallTotals,
  onAgentOutput?: (position: number, output: AgentOutput) => void,
): Promise<BaselineItem[]> {
  const agents = independentAgents(ctx, agentId);
  const system = withPrompt(withPrompts(ctx.mas, prompts), agentId, prompt);
  return mapBounded(items, ctx.concurrency, async (item, position) => {
    let runs = shared.get(item.index);
    if (!runs) shared.set(item.index, (runs = new Map()));
    const onOutput = onAgentOutput && ((id: string, out: AgentOutput) => id === agentId && onAgentOutput(position, out));
    const run = await runMas(system, item.question, agentCaller(io, ctx, item.id, totals), {
      shared: { agents, runs },
      ...handoffFor(io, ctx, item.id, totals),
      ...(onOutput ? { onOutput } : {}),
    });
    return { ...item, agents: run.agents };
  });
}

async function expandParent(
  io: UnitIo,
  input: StepInput,
  parent: BeamNode,
  parentIndex: number,
  runs: ParentRuns,
  stepTotals: CallTotals,
  progress: StepProgress,
): Promise<{ outcome: ParentOutcome; totals: CallTotals }> {
  const { ctx, agentId } = input;
  const settings = ctx.settings;
  const graph = graphOf(ctx.mas);
  const spec = ctx.mas.agents.find((a) => a.id === agentId)!;
  const agent: AgentInfo = { id: agentId, role: spec.role, description: spec.description };
  const preds = predecessors(graph, agentId);
  const sets = proposalTraceSets(await runs.traces, settings.proposalsPerParent, settings.proposalTraces);

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
      const reply = await call(io, ctx, 'optimizer', prompt, sample, `propose ${agentId} · round ${input.round} step ${input.step} · from ${parent.id} #${k + 1}`, stepTotals);
      return parseProposal(reply.text, { parent: parent.prompt, needsContext: preds.length > 0, profile: settings.profile, tolerant: settings.proposalParsing === 'tolerant' });
    }),
  );
  stepTotals.rejectedProposals += proposals.filter((p) => !p.ok).length;

  const candidates = candidatePrompts(settings, parent, proposals, input.beam);
  const baseline = await runs.baseline;
  progress.candidatesPlanned += candidates.filter((c) => c !== parent.prompt).length;
  let totals = emptyTotals();
  const scored = await Promise.all(
    candidates.map(async (prompt, c) => {
      if (prompt === parent.prompt) return { prompt, R: null, cases: [], misalignmentRate: null }; // faithful: an unusable proposal is the parent, R = 0
      const r = await io.candidate(
        { ctx, prompts: input.prompts, agentId, candidate: prompt, parent: parent.prompt, baseline, mode: 'step' as const, round: input.round, step: input.step },
        { name: `parent-${parentIndex}/cand-${c}`, summary: `candidate ${c + 1} for ${agentId} from ${parent.id}` },
      );
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

// ── candidate ──────────────────────────────────────────────────────────────────────────────────────────────────

/** The joint reward of one candidate prompt against its parent on the parent's baseline runs (see the header). */
export async function evaluateCandidate(io: UnitIo, input: CandidateInput): Promise<CandidateResult> {
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
  const judgeEarly = io.pipelined('judges');

  // One entry per batch item, in batch order, so the outcome never depends on which call finished first.
  const perItem = await mapBounded(input.baseline, ctx.concurrency, async (item) => {
    const reuse = Object.fromEntries(Object.entries(item.agents).filter(([id]) => !rerun.has(id)));
    const options = { reuse, ...handoffFor(io, ctx, item.id, totals) };
    if (!judgeEarly) {
      // Histories from before the pipelining: every comparison once the item's whole re-run is in.
      const run = await runMas(system, item.question, agentCaller(io, ctx, item.id, totals), options);
      const judged = await Promise.all(planned.map((p) => judge(io, input, p, item, run.agents[p.agentId].output, info, candidateKey, totals)));
      return { item, run, judged: judged.filter((j): j is JudgedComparison => j !== null) };
    }
    const started = startMas(system, item.question, agentCaller(io, ctx, item.id, totals), options);
    const judged = await Promise.all(planned.map(async (p) => judge(io, input, p, item, (await started.output(p.agentId)).output, info, candidateKey, totals)));
    return { item, run: await started.run, judged: judged.filter((j): j is JudgedComparison => j !== null) };
  });

  const { items, tally } = itemVerdicts(perItem.flatMap((x) => x.judged), planned);
  totals.unparseableVerdicts += tally.unparseable;
  totals.orderDisagreements += tally.disagreements;
  totals.comparisons = countComparisons(perItem.flatMap((x) => x.judged), planned, perItem.length);
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

/** Which comparisons went to the judge (at least one call), and how many lookahead verdicts were the global one's. */
function countComparisons(judged: readonly JudgedComparison[], planned: readonly PlannedComparison[], items: number): ComparisonCounts {
  const counts = emptyComparisons();
  for (const j of judged) if (j.verdicts.length > 0) counts.judged[j.kind]++;
  counts.copiedLookahead = planned.filter((p) => p.reuseGlobal).length * items;
  return counts;
}

/** One planned comparison on one item: null when it is not made (faithful: an empty lookahead output). */
async function judge(
  io: UnitIo,
  input: CandidateInput,
  p: PlannedComparison,
  item: BaselineItem,
  candidate: string,
  info: (id: string) => AgentInfo,
  candidateKey: string,
  totals: CallTotals,
): Promise<JudgedComparison | null> {
  const settings = input.ctx.settings;
  if (p.reuseGlobal) return null; // same pair of outputs as the global comparison: its verdict is reused
  const parent = item.agents[p.agentId].output;
  if (p.kind === 'lookahead' && settings.skipEmptyLookahead && (candidate === '' || parent === '')) return null;
  if (settings.skipIdenticalOutputs && candidate === parent) {
    return { item: item.index, kind: p.kind, agentId: p.agentId, orders: [], verdicts: [], decided: 'identical' };
  }
  const orders = orderFor(settings, input.ctx.seed, `${input.round}/${input.step}/${candidateKey}/${item.index}/${p.kind}/${p.agentId}`);
  const requests = judgePrompts(settings, { kind: p.kind, question: item.question, agent: info(p.agentId), candidate, parent }, orders);
  const verdicts = await Promise.all(
    requests.map((r) =>
      call(io, input.ctx, 'judge', r.prompt, 0, `${p.kind} · ${p.agentId} · item ${item.id} · ${r.order}`, totals).then((res) => parseVerdict(res.text, settings.profile, settings.verdictParsing === 'tolerant')),
    ),
  );
  return { item: item.index, kind: p.kind, agentId: p.agentId, orders, verdicts };
}

// ── refresh ────────────────────────────────────────────────────────────────────────────────────────────────────

/** R(p, p_best) for every target prompt on the refresh batch, and the best's runs on it (see the header). */
export async function runRefresh(io: UnitIo, input: RefreshInput): Promise<RefreshResultData> {
  const { ctx, agentId } = input;
  let totals = emptyTotals();
  const items = await io.loadItems(ctx.dataset, input.batch);
  const baseline = await runBaselines(io, ctx, input.prompts, agentId, input.best, items, new Map(), totals);
  const rewards: Record<string, number> = {};
  await Promise.all(
    input.targets.map(async (target, i) => {
      const r = await io.candidate(
        { ctx, prompts: input.prompts, agentId, candidate: target, parent: input.best, baseline, mode: 'refresh' as const, round: input.round, step: 0 },
        { name: `beam-${i}`, summary: `refresh: beam prompt ${i + 1} of ${agentId} vs current best` },
      );
      rewards[target] = r.R;
      totals = addTotals(totals, r.totals);
    }),
  );
  return { rewards, baseline, totals };
}

// ── a whole search in process ──────────────────────────────────────────────────────────────────────────────────

export interface InProcessSearch {
  state: SearchState;
  prompts: Record<string, string>;
  /** Calls of every unit (step, refresh), as a run record reports them (core/forecast/calibration.ts). */
  units: ObservedUnit[];
  anchorShifts: number;
  /** Cases mined by the step evaluations. */
  casesMined: number;
  /** Calls, verdict tallies and comparisons of every unit, summed (what a run's totals say). */
  totals: CallTotals;
  /** Each agent's best node id at the end of each round (the beam's top-1, for its overlap across rounds). */
  roundBest: Array<Record<string, string>>;
  /** Every step: the cases its proposals were shown and the candidate prompts they produced (for reaction rates). */
  steps: Array<{ round: number; agentId: string; cases: number; candidates: string[] }>;
}

/**
 * A whole search without Temporal: every round through core/search/search.ts `searchRound`, every unit through the
 * functions above with `io` (candidates evaluated directly, parents side by side). The same calls as the workflows
 * make (test/plan.forecast.test.ts compares them with a Temporal run). Mutates `state`.
 */
export async function searchInProcess(ctx: SearchContext, state: SearchState, io: Pick<UnitIo, 'llm' | 'loadItems'>): Promise<InProcessSearch> {
  const unitIo: UnitIo = { ...io, candidate: (input) => evaluateCandidate(unitIo, input), pipelined: () => true };
  const units: ObservedUnit[] = [];
  let anchorShifts = 0;
  let casesMined = 0;
  let made: CallTotals | undefined;
  let totals = emptyTotals();
  const roundBest: InProcessSearch['roundBest'] = [];
  const steps: InProcessSearch['steps'] = [];
  while (currentUnit(state, ctx.settings).kind !== 'done') {
    await searchRound<BaselineItem[]>(ctx.settings, ctx.mas, state, {
      beforeUnit: () => {
        made = undefined;
        return true;
      },
      refresh: async (_unit, request) => {
        const r = await runRefresh(unitIo, { ctx, ...request });
        made = r.totals;
        totals = addTotals(totals, r.totals);
        return r;
      },
      step: async (_unit, request) => {
        const r = await runStep(unitIo, { ctx, ...request });
        made = r.totals;
        totals = addTotals(totals, r.totals);
        casesMined += r.parents.reduce((n, p) => n + p.scored.reduce((m, s) => m + s.cases.length, 0), 0);
        steps.push({ round: request.round, agentId: request.agentId, cases: request.cases.length, candidates: r.parents.flatMap((p) => p.scored.map((s) => s.prompt)) });
        return r;
      },
      afterUnit: (unit, outcome) => {
        if (outcome.anchorShift) anchorShifts++;
        const calls = { ...(made?.calls ?? { backbone: 0, optimizer: 0, judge: 0 }) };
        units.push({ kind: unit.kind, round: unit.round, agentId: unit.agentId, ...(unit.kind === 'step' ? { step: unit.step + 1 } : {}), calls });
      },
    });
    roundBest.push(Object.fromEntries(state.order.map((id) => [id, state.agents[id].best.id])));
  }
  return { state, prompts: promptMap(state), units, anchorShifts, casesMined, totals, roundBest, steps };
}
