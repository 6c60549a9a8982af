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
 *   · refresh (rounds 2..D): faithful draws a fresh batch and runs the best's baseline plus E re-runs; fixed
 *     (`refreshSharesFirstBatch`) judges on the first step's batch, whose baselines it shares: judge calls only;
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
import { descendants, terminalAgent, topologicalOrder, type AgentGraph } from '../graph';
import { comparisonsFor, judgeCallsPerItem, rerunAgents, type PlannedComparison } from './comparisons';
import type { ComparisonKind, SearchSettings } from './types';

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

const zero = (): RoleCalls => ({ backbone: 0, optimizer: 0, judge: 0 });
const add = (a: RoleCalls, b: RoleCalls): RoleCalls => ({ backbone: a.backbone + b.backbone, optimizer: a.optimizer + b.optimizer, judge: a.judge + b.judge });

export function planSearch(settings: SearchSettings, graph: AgentGraph, options: PlanOptions = {}): SearchPlan {
  const reference = options.accounting === 'reference';
  const C = options.candidatesPerParent ?? settings.proposalsPerParent;
  const B = settings.batchSize;
  const K = settings.beamWidth;
  const orders = settings.judgeBothOrders ? 2 : 1;
  const terminal = terminalAgent(graph);
  const summary = settings.handoffSummaryWords !== null;
  const summarised = (id: string) => summary && (reference || id !== terminal);
  const cost = (ids: readonly string[]) => ids.reduce((s, id) => s + 1 + (summarised(id) ? 1 : 0), 0);
  const summaryCount = (ids: readonly string[]) => ids.filter(summarised).length;

  const plan: SearchPlan = { turns: [], rounds: [], total: zero(), summaries: 0, judgeByKind: { local: 0, lookahead: 0, global: 0, terminal: 0 } };
  if (!settings.search) return plan;
  const beamSize: Record<string, number> = Object.fromEntries(graph.agents.map((a) => [a, 1]));
  const order = topologicalOrder(graph);
  const countJudges = (planned: readonly PlannedComparison[], times: number) => {
    for (const c of planned) if (!c.reuseGlobal) plan.judgeByKind[c.kind] += times * orders;
  };

  for (let round = 1; round <= settings.rounds; round++) {
    let roundCalls = zero();
    for (const a of order) {
      const rerun = rerunAgents(settings, graph, a);
      const needed = settings.jointEvaluation ? graph.agents : [...ancestors(graph, a), a];
      const upstream = needed.filter((x) => !rerun.includes(x));
      const all = graph.agents;
      const stepComparisons = comparisonsFor(settings, graph, a, 'step');
      const jStep = judgeCallsPerItem(stepComparisons) * orders;

      const refresh = zero();
      if (round > 1 && settings.beamRefresh) {
        const refreshComparisons = comparisonsFor(settings, graph, a, 'refresh');
        const E = Math.min(options.refreshEvaluated ?? beamSize[a] - 1, beamSize[a]);
        if (reference) {
          refresh.backbone = cost(all) * B + E * cost(rerun) * B;
          plan.summaries += summaryCount(all) * B + E * summaryCount(rerun) * B;
        } else if (!settings.refreshSharesFirstBatch) {
          refresh.backbone = (cost(upstream) + cost(rerun)) * B + E * cost(rerun) * B;
          plan.summaries += (summaryCount(upstream) + summaryCount(rerun)) * B + E * summaryCount(rerun) * B;
        }
        refresh.judge = E * B * judgeCallsPerItem(refreshComparisons) * orders;
        countJudges(refreshComparisons, E * B);
      }

      const steps = zero();
      const sizes: number[] = [];
      for (let s = 0; s < settings.stepsPerRound; s++) {
        const m = beamSize[a];
        sizes.push(m);
        if (reference) {
          steps.backbone += m * (cost(all) * B + C * cost(rerun) * B);
          plan.summaries += m * (summaryCount(all) * B + C * summaryCount(rerun) * B);
        } else {
          const shared = settings.batchPerNode ? m : 1;
          steps.backbone += shared * cost(upstream) * B + m * (1 + C) * cost(rerun) * B;
          plan.summaries += shared * summaryCount(upstream) * B + m * (1 + C) * summaryCount(rerun) * B;
        }
        steps.optimizer += m * settings.proposalsPerParent;
        steps.judge += m * C * B * jStep;
        countJudges(stepComparisons, m * C * B);
        beamSize[a] = Math.min(K, settings.parentCopies ? m * Math.max(1, C) : m + m * C);
      }
      plan.turns.push({ round, agentId: a, beamSizes: sizes, steps, refresh });
      roundCalls = add(roundCalls, add(steps, refresh));
    }
    plan.rounds.push({ round, calls: roundCalls });
    plan.total = add(plan.total, roundCalls);
  }
  return plan;
}

function ancestors(graph: AgentGraph, id: string): string[] {
  return graph.agents.filter((x) => x !== id && descendants(graph, x).includes(id));
}
