/**
 * Call forecast for a configured search on a given graph (for `maspo plan`, budget reservations and the
 * study §8.1 comparison). Pure arithmetic from the algorithm; no model is called.
 *
 * Two accountings:
 * - `maspo` (default): the calls OUR workflows request, by this contract —
 *   · an agent execution is 1 backbone call, plus 1 hand-off summary call when `handoffSummaryWords` is set and
 *     the agent is not the terminal (the terminal's summary would be thrown away: never requested);
 *   · a candidate re-runs only `rerunAgents` (the agent and, with joint evaluation, its descendants); all other
 *     outputs are reused from the parent's baseline run on the same item;
 *   · baselines: the agents the comparisons need (all agents with joint evaluation, else the agent's ancestors
 *     and itself); upstream of the re-run set once per batch item, the re-run set once per beam node per item.
 *     With `batchPerNode` (faithful) every node has its own batch, so nothing is shared between nodes;
 *   · refresh (rounds 2..D): the best's baseline on a batch plus E re-runs. Faithful draws a fresh batch; fixed
 *     (`refreshSharesFirstBatch`) draws the batch of the turn's first step, which then reuses the refresh's runs
 *     of the upstream agents and of the best (counted in the refresh, not in that step). E = 0: no refresh calls;
 *   · judges: per candidate per item, `comparisonsFor` minus reused verdicts, × 2 with `judgeBothOrders`.
 * - `reference`: the reference code as measured by the study (§8.1): every node baseline is a full MAS run, every
 *   execution is generation + summary (the terminal's included), refresh = full MAS + E re-runs.
 *
 * Assumptions (both): every proposal is usable and distinct (C = Ksub candidates per parent; fewer means fewer
 * evaluation calls), no outputs are identical or empty (no skipped comparisons), beams fill as fast as possible
 * (faithful min(K, m·C); fixed min(K, m + m·C), i.e. as if every candidate were accepted), a refresh evaluates
 * E = (beam size − 1) nodes (the study observed 1 with K = 2). The response cache (identical requests answered
 * once, e.g. upstream outputs of a question drawn twice) is not modelled: it can only lower the paid calls.
 */
import { descendants, terminalAgent, topologicalOrder, type AgentGraph } from '../common/graph';
import { comparisonsFor, judgeCallsPerItem, rerunAgents, type PlannedComparison } from '../search/comparisons';
import type { ComparisonKind, SearchSettings } from '../search/types';

export interface RoleCalls {
  backbone: number;
  optimizer: number;
  judge: number;
}

export interface PlanOptions {
  accounting?: 'maspo' | 'reference';
  /** E: beam nodes evaluated per refresh (default: beam size − 1). */
  refreshEvaluated?: number;
  /** C: distinct usable candidates per parent (default: Ksub). */
  candidatesPerParent?: number;
}

export interface TurnPlan {
  round: number;
  agentId: string;
  /** Beam sizes at each step of the turn (node expansions = their sum). */
  beamSizes: number[];
  /** Calls of each step, in order (their sum is `steps`). */
  stepCalls: RoleCalls[];
  steps: RoleCalls;
  refresh: RoleCalls;
}

export interface SearchPlan {
  turns: TurnPlan[];
  rounds: Array<{ round: number; calls: RoleCalls }>;
  total: RoleCalls;
  /** Backbone calls that are hand-off summaries (included in `backbone`). */
  summaries: number;
  judgeByKind: Record<ComparisonKind, number>;
}

export const zeroCalls = (): RoleCalls => ({ backbone: 0, optimizer: 0, judge: 0 });
export const addCalls = (a: RoleCalls, b: RoleCalls): RoleCalls => ({ backbone: a.backbone + b.backbone, optimizer: a.optimizer + b.optimizer, judge: a.judge + b.judge });

/**
 * One unit of an agent's turn: a step from a beam of `beamSize` nodes, or a refresh that evaluates `evaluated` nodes.
 * `afterRefresh`: the step is the first of a turn whose refresh (evaluating ≥ 1 node, `refreshSharesFirstBatch`)
 * already ran the upstream agents and the best's baseline on its batch. `candidates`: the number of candidates each
 * parent really had evaluated, and `upstreamItems` the distinct items of the step's batches (the agents upstream
 * of the re-run set run once per item in a step, so batches that overlap share them) — a run's decisions, for
 * reconciling it with the formula (core/forecast/calibration.ts); by default C for every parent and no overlap.
 */
export type PlanUnit =
  | { kind: 'step'; beamSize: number; afterRefresh?: boolean; candidates?: readonly number[]; upstreamItems?: number }
  | { kind: 'refresh'; evaluated: number };

export interface UnitPlan {
  calls: RoleCalls;
  /** Backbone calls that are hand-off summaries (included in `calls.backbone`). */
  summaries: number;
  /** Judge calls per comparison kind (included in `calls.judge`). */
  judgeByKind: Record<ComparisonKind, number>;
}

/**
 * Calls of ONE unit by the header's contract — an upper bound on what the workflows request for it (fewer usable
 * proposals, identical outputs and cache hits only lower it), so budget reservations use it too.
 */
export function unitCalls(settings: SearchSettings, graph: AgentGraph, agentId: string, unit: PlanUnit, options: PlanOptions = {}): UnitPlan {
  const reference = options.accounting === 'reference';
  const C = options.candidatesPerParent ?? settings.proposalsPerParent;
  const B = settings.batchSize;
  const orders = settings.judgeBothOrders ? 2 : 1;
  const terminal = terminalAgent(graph);
  const summarised = (id: string) => settings.handoffSummaryWords !== null && (reference || id !== terminal);
  const cost = (ids: readonly string[]) => ids.reduce((s, id) => s + 1 + (summarised(id) ? 1 : 0), 0);
  const summaryCount = (ids: readonly string[]) => ids.filter(summarised).length;
  const rerun = rerunAgents(settings, graph, agentId);
  const needed = settings.jointEvaluation ? graph.agents : [...ancestors(graph, agentId), agentId];
  const upstream = needed.filter((x) => !rerun.includes(x));
  const all = graph.agents;

  const out: UnitPlan = { calls: zeroCalls(), summaries: 0, judgeByKind: { local: 0, lookahead: 0, global: 0, terminal: 0 } };
  const countJudges = (planned: readonly PlannedComparison[], times: number) => {
    for (const c of planned) if (!c.reuseGlobal) out.judgeByKind[c.kind] += times * orders;
    out.calls.judge += times * judgeCallsPerItem(planned) * orders;
  };
  if (unit.kind === 'refresh') {
    const E = unit.evaluated;
    if (reference) {
      out.calls.backbone = cost(all) * B + E * cost(rerun) * B;
      out.summaries = summaryCount(all) * B + E * summaryCount(rerun) * B;
    } else if (!settings.refreshSharesFirstBatch) {
      out.calls.backbone = (cost(upstream) + cost(rerun)) * B + E * cost(rerun) * B;
      out.summaries = (summaryCount(upstream) + summaryCount(rerun)) * B + E * summaryCount(rerun) * B;
    } else if (E > 0) {
      // The best's baselines on the first step's batch (that step reuses them) and the E re-scored nodes.
      out.calls.backbone = (cost(upstream) + cost(rerun)) * B + E * cost(rerun) * B;
      out.summaries = (summaryCount(upstream) + summaryCount(rerun)) * B + E * summaryCount(rerun) * B;
    }
    countJudges(comparisonsFor(settings, graph, agentId, 'refresh'), E * B);
    return out;
  }
  const m = unit.candidates?.length ?? unit.beamSize;
  // Σ over parents of their evaluated candidates
  const mC = unit.candidates ? unit.candidates.reduce((a, b) => a + b, 0) : m * C;
  if (reference) {
    out.calls.backbone = m * cost(all) * B + mC * cost(rerun) * B;
    out.summaries = m * summaryCount(all) * B + mC * summaryCount(rerun) * B;
  } else {
    const upstreamRuns = unit.upstreamItems ?? (settings.batchPerNode ? m : 1) * B;
    out.calls.backbone = upstreamRuns * cost(upstream) + (m + mC) * cost(rerun) * B;
    out.summaries = upstreamRuns * summaryCount(upstream) + (m + mC) * summaryCount(rerun) * B;
    if (unit.afterRefresh && settings.refreshSharesFirstBatch) {
      out.calls.backbone -= (cost(upstream) + cost(rerun)) * B;
      out.summaries -= (summaryCount(upstream) + summaryCount(rerun)) * B;
    }
  }
  out.calls.optimizer = m * settings.proposalsPerParent;
  countJudges(comparisonsFor(settings, graph, agentId, 'step'), mC * B);
  return out;
}

/**
 * The calls a budget reserves before a unit: its `unitCalls` upper bound, and for a refresh whose batch and baselines
 * the turn's first step shares (`refreshSharesFirstBatch`) that step's too — the two are reserved as one, so a budget
 * stop never falls between them (the shared batch is not part of the search state).
 */
export function reservedCalls(settings: SearchSettings, graph: AgentGraph, agentId: string, unit: { kind: 'refresh'; evaluated: number; beamSize: number } | { kind: 'step'; beamSize: number }): RoleCalls {
  const afterRefresh = unit.kind === 'refresh' && unit.evaluated > 0;
  const step = () => unitCalls(settings, graph, agentId, { kind: 'step', beamSize: unit.beamSize, afterRefresh }).calls;
  if (unit.kind === 'step') return step();
  const refresh = unitCalls(settings, graph, agentId, { kind: 'refresh', evaluated: unit.evaluated }).calls;
  return settings.refreshSharesFirstBatch ? addCalls(refresh, step()) : refresh;
}

export function planSearch(settings: SearchSettings, graph: AgentGraph, options: PlanOptions = {}): SearchPlan {
  const C = options.candidatesPerParent ?? settings.proposalsPerParent;
  const K = settings.beamWidth;
  const plan: SearchPlan = { turns: [], rounds: [], total: zeroCalls(), summaries: 0, judgeByKind: { local: 0, lookahead: 0, global: 0, terminal: 0 } };
  if (!settings.search) return plan;
  const beamSize: Record<string, number> = Object.fromEntries(graph.agents.map((a) => [a, 1]));
  const take = (u: UnitPlan): RoleCalls => {
    plan.summaries += u.summaries;
    for (const k of Object.keys(u.judgeByKind) as ComparisonKind[]) plan.judgeByKind[k] += u.judgeByKind[k];
    return u.calls;
  };

  for (let round = 1; round <= settings.rounds; round++) {
    let roundCalls = zeroCalls();
    for (const a of topologicalOrder(graph)) {
      let refresh = zeroCalls();
      let afterRefresh = false;
      if (round > 1 && settings.beamRefresh) {
        const evaluated = Math.min(options.refreshEvaluated ?? beamSize[a] - 1, beamSize[a]);
        refresh = take(unitCalls(settings, graph, a, { kind: 'refresh', evaluated }, options));
        afterRefresh = evaluated > 0;
      }
      let steps = zeroCalls();
      const sizes: number[] = [];
      const stepCalls: RoleCalls[] = [];
      for (let s = 0; s < settings.stepsPerRound; s++) {
        const m = beamSize[a];
        sizes.push(m);
        stepCalls.push(take(unitCalls(settings, graph, a, { kind: 'step', beamSize: m, afterRefresh: afterRefresh && s === 0 }, options)));
        steps = addCalls(steps, stepCalls[s]);
        beamSize[a] = Math.min(K, settings.parentCopies ? m * Math.max(1, C) : m + m * C);
      }
      plan.turns.push({ round, agentId: a, beamSizes: sizes, stepCalls, steps, refresh });
      roundCalls = addCalls(roundCalls, addCalls(steps, refresh));
    }
    plan.rounds.push({ round, calls: roundCalls });
    plan.total = addCalls(plan.total, roundCalls);
  }
  return plan;
}

function ancestors(graph: AgentGraph, id: string): string[] {
  return graph.agents.filter((x) => x !== id && descendants(graph, x).includes(id));
}
