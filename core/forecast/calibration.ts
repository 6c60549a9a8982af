/**
 * Calibrated forecasts: from "how many calls could this search make" to "how many will it make".
 *
 * `planSearch` is an upper bound by contract (budget reservations rely on that): it assumes every proposal is
 * usable and distinct, beams fill as fast as possible and no comparison is skipped. Real searches make fewer calls:
 * the optimizer repeats a prompt, a candidate is rejected, and in the fixed profile a comparison of two identical
 * outputs is a tie without a judge call. How much fewer depends on the models and the task — a forecast cannot know
 * it without data. A finished (or stopped) run of the same profile and strategy supplies that data: for each unit of
 * the run (step, refresh) the calls it made, against what the plan of the run's own configuration forecast for it.
 *
 * The realisation of a role in a unit kind is Σ made / Σ forecast over the units the run completed; the expected
 * forecast of another configuration is its upper bound scaled by those ratios, unit by unit. A ratio the run cannot
 * tell (no unit of that kind, e.g. no refresh in a one-round pilot) stays 1: the upper bound is kept and said so.
 *
 * `reconcile` checks the formula itself against a run: each unit's forecast evaluated on the run's own decisions
 * (candidates evaluated per parent, refresh targets, batch items) against the calls the unit made. Equal, except
 * judge calls the fixed profile skips for identical outputs — the one thing the formula cannot know.
 * Pure arithmetic; the run comes in as the run record's units (core/contracts/run-record.ts).
 */
import type { AgentGraph } from '../common/graph';
import type { ModelRole } from '../contracts/llm';
import type { RunRecord, UnitRecord } from '../contracts/run-record';
import { addCalls as add, unitCalls, zeroCalls as zero, type RoleCalls, type SearchPlan, type TurnPlan } from './plan';
import type { SearchSettings } from '../search/types';

export type UnitKind = 'step' | 'refresh';
const ROLES: readonly ModelRole[] = ['backbone', 'optimizer', 'judge'];
const KINDS: readonly UnitKind[] = ['step', 'refresh'];

/** The calls one completed unit of a run made (paid and cached alike: a cache hit is still a request). */
export interface ObservedUnit {
  kind: UnitKind;
  round: number;
  agentId: string;
  /** 1-based step number (steps only). */
  step?: number;
  calls: RoleCalls;
}

export interface Realisation {
  /** Made ÷ forecast per unit kind and role (1 where the run cannot tell). */
  ratio: Record<UnitKind, RoleCalls>;
  /** The sums behind each ratio. */
  made: Record<UnitKind, RoleCalls>;
  forecast: Record<UnitKind, RoleCalls>;
  /** Units of the run matched with a unit of its plan. */
  units: Record<UnitKind, number>;
  /** Unit kinds the run has none of: their ratios stay 1 (a role with nothing forecast in a kind also keeps 1). */
  unobserved: UnitKind[];
}

const requests = (u: UnitRecord, role: ModelRole) => u.ledger[role].paidCalls + u.ledger[role].cachedCalls;
const callsOf = (u: UnitRecord): RoleCalls => ({ backbone: requests(u, 'backbone'), optimizer: requests(u, 'optimizer'), judge: requests(u, 'judge') });

/** The completed units of a run record with the calls each made. */
export function observedUnits(record: Pick<RunRecord, 'units'>): ObservedUnit[] {
  return record.units
    .filter((u) => u.status === 'completed')
    .map((u) => ({
      kind: u.kind,
      round: u.round,
      agentId: u.agentId,
      ...(u.kind === 'step' ? { step: u.step } : {}),
      calls: callsOf(u),
    }));
}

function plannedUnit(plan: SearchPlan, u: ObservedUnit): RoleCalls | undefined {
  const turn: TurnPlan | undefined = plan.turns.find((t) => t.round === u.round && t.agentId === u.agentId);
  if (!turn) return undefined;
  if (u.kind === 'refresh') return turn.refresh;
  return u.step === undefined ? undefined : turn.stepCalls[u.step - 1];
}

/**
 * Ratios of a run's calls to the forecast of ITS OWN configuration (`plan` = planSearch of the run's settings and
 * graph). Units the plan does not have (another round count, a stopped turn) are ignored.
 */
export function realisationOf(plan: SearchPlan, observed: readonly ObservedUnit[]): Realisation {
  const made = { step: zero(), refresh: zero() };
  const forecast = { step: zero(), refresh: zero() };
  const units = { step: 0, refresh: 0 };
  for (const u of observed) {
    const p = plannedUnit(plan, u);
    if (!p) continue;
    units[u.kind]++;
    for (const r of ROLES) {
      made[u.kind][r] += u.calls[r];
      forecast[u.kind][r] += p[r];
    }
  }
  const ratio = { step: zero(), refresh: zero() };
  for (const k of KINDS) for (const r of ROLES) ratio[k][r] = forecast[k][r] > 0 ? made[k][r] / forecast[k][r] : 1;
  return { ratio, made, forecast, units, unobserved: KINDS.filter((k) => units[k] === 0) };
}

const scale = (c: RoleCalls, f: RoleCalls): RoleCalls => ({ backbone: c.backbone * f.backbone, optimizer: c.optimizer * f.optimizer, judge: c.judge * f.judge });

/**
 * The expected calls of a plan given a realisation: every unit's upper bound scaled by its kind's ratios (not
 * rounded; callers round for display). Only the call counts change; `summaries` and `judgeByKind` scale with the
 * backbone and judge step ratios as an approximation.
 */
export function expectedPlan(plan: SearchPlan, r: Realisation): SearchPlan {
  const turns = plan.turns.map((t) => {
    const stepCalls = t.stepCalls.map((c) => scale(c, r.ratio.step));
    return { ...t, stepCalls, steps: stepCalls.reduce(add, zero()), refresh: scale(t.refresh, r.ratio.refresh) };
  });
  const rounds = plan.rounds.map(({ round }) => ({
    round,
    calls: turns.filter((t) => t.round === round).reduce((s, t) => add(s, add(t.steps, t.refresh)), zero()),
  }));
  const judgeByKind = Object.fromEntries(Object.entries(plan.judgeByKind).map(([k, v]) => [k, v * r.ratio.step.judge])) as SearchPlan['judgeByKind'];
  return { turns, rounds, total: rounds.reduce((s, x) => add(s, x.calls), zero()), summaries: plan.summaries * r.ratio.step.backbone, judgeByKind };
}

export interface Reconciliation {
  /** The formula evaluated on the run's decisions, summed over its completed units. */
  formula: RoleCalls;
  made: RoleCalls;
  /** Units whose calls differ from the formula, with both figures. */
  differing: Array<{ unit: string; formula: RoleCalls; made: RoleCalls }>;
  units: number;
}

/** The formula on a run's own decisions vs the calls each completed unit made (settings and graph: the run's). */
export function reconcile(settings: SearchSettings, graph: AgentGraph, record: Pick<RunRecord, 'units'>): Reconciliation {
  const out: Reconciliation = { formula: zero(), made: zero(), differing: [], units: 0 };
  for (const u of record.units) {
    if (u.status !== 'completed') continue;
    let formula: RoleCalls;
    if (u.kind === 'refresh') formula = unitCalls(settings, graph, u.agentId, { kind: 'refresh', evaluated: u.targets.length }).calls;
    else {
      if (!u.parents) continue;
      const refresh = record.units.find((r) => r.kind === 'refresh' && r.round === u.round && r.agentId === u.agentId);
      formula = unitCalls(settings, graph, u.agentId, {
        kind: 'step',
        beamSize: u.beam.length,
        candidates: u.parents.map((p) => p.scored.filter((c) => c.R !== null).length),
        upstreamItems: new Set(u.batches.flat()).size,
        afterRefresh: u.step === 1 && refresh?.kind === 'refresh' && refresh.targets.length > 0,
      }).calls;
    }
    const calls = callsOf(u);
    out.units++;
    out.formula = add(out.formula, formula);
    out.made = add(out.made, calls);
    if (ROLES.some((r) => formula[r] !== calls[r])) out.differing.push({ unit: `round ${u.round} ${u.agentId} ${u.kind === 'step' ? `step ${u.step}` : 'refresh'}`, formula, made: calls });
  }
  return out;
}
