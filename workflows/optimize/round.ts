/**
 * Child workflow: one round of the coordinate-ascent beam search. Agents take turns in topological order; a
 * turn is a Beam Refresh (on revisits) followed by T steps. Every random choice comes from the run's PRNG,
 * whose state is part of the search state, and the state is checked for consistency after every unit.
 */
import { condition, executeChild, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import { graphOf } from '../../core/common/graph';
import { addTotals, emptyTotals, type BaselineItem, type CallTotals, type RoundSummary, type SearchContext } from '../../core/contracts/optimize';
import { promptMap, type SearchState } from '../../core/search/state';
import { searchRound } from '../../core/search/search';
import { reservedCalls } from '../../core/forecast/plan';
import { addLedgers, checkBudget, reservationFor, spendOf, type Budget, type Ledger } from '../../core/contracts/ledger';
import { budgetSignal, controlSignal, roundProgressQuery, type RoundProgress, type SearchControl } from './control';
import { refreshBeam } from './refresh';
import { optimizeStep } from './step';

export interface RoundInput {
  ctx: SearchContext;
  state: SearchState;
  control: SearchControl;
  /** The cap in force and the spend of the earlier rounds (the round reserves each unit's worst case against both). */
  budget?: Budget;
  spent?: Ledger;
}

export interface RoundOutput {
  state: SearchState;
  summary: RoundSummary;
  /** True when a stop request ended the round at a boundary before its last unit. */
  stopped: boolean;
  /** Set when the next unit's worst case would pass the budget: the round ended before it (the reason, one line). */
  budgetExhausted?: string;
}

export async function optimizeRound(input: RoundInput): Promise<RoundOutput> {
  const { ctx } = input;
  const settings = ctx.settings;
  const state: SearchState = JSON.parse(JSON.stringify(input.state)); // mutated below; inputs stay as recorded
  const round = state.cursor.round;
  const graph = graphOf(ctx.mas);
  const base = workflowInfo().workflowId;
  let totals: CallTotals = emptyTotals();
  let improvements = 0;
  let anchorShifts = 0;
  let control = input.control;
  let budget = input.budget;
  let stopped = false;
  let budgetExhausted: string | undefined;
  const byAgent: Record<string, CallTotals> = {};
  const account = (agentId: string, t: CallTotals) => {
    totals = addTotals(totals, t);
    byAgent[agentId] = addTotals(byAgent[agentId] ?? emptyTotals(), t);
  };
  const bestJ = () => Object.fromEntries(state.order.map((id) => [id, state.agents[id].best.J]));
  const unitsInRound = state.order.length * settings.stepsPerRound + (round > 1 && settings.beamRefresh ? state.order.length : 0);
  let unitsDone = 0;
  let progress: RoundProgress = { round, agentId: state.order[0], unit: 'step', step: 0, stepsPerRound: settings.stepsPerRound, control, totals, bestJ: bestJ(), unitsDone, unitsInRound };
  setHandler(controlSignal, (c) => void (control = c));
  setHandler(budgetSignal, (b) => void (budget = b));
  setHandler(roundProgressQuery, () => ({ ...progress, control, totals, unitsDone }));
  const stepWorkflowIdOf = (agentId: string, step: number) => `${base}/${agentId}/step-${step + 1}`;

  // The units, their draws and what their results do to the state are core/search/search.ts's; here: the boundaries
  // (pause, stop, budget), progress, and each unit as a child workflow.
  await searchRound<BaselineItem[]>(settings, ctx.mas, state, {
    beforeUnit: async (unit, agent, plan) => {
      // Boundaries: a pause waits here; a stop ends the round with the state as it is.
      await condition(() => control !== 'paused');
      if (control === 'stopping') {
        stopped = true;
        return false;
      }
      const stepWorkflowId = unit.kind === 'step' ? stepWorkflowIdOf(unit.agentId, unit.step) : undefined;
      progress = { round, agentId: unit.agentId, unit: unit.kind, step: unit.step + 1, stepsPerRound: settings.stepsPerRound, control, totals, bestJ: bestJ(), unitsInRound, stepWorkflowId };
      // Reserve the unit's worst case before starting it; never start what the cap cannot cover. A step that uses the
      // refresh's batch was reserved with that refresh (`reservedCalls`), so a resumed run decides exactly as an
      // uncapped one.
      if (budget && !plan.reservedWithRefresh) {
        const beamSize = agent.beam.length;
        const planned = reservedCalls(settings, graph, unit.agentId, unit.kind === 'refresh' ? { kind: 'refresh', evaluated: plan.refreshTargets.length, beamSize } : { kind: 'step', beamSize });
        const ledger = addLedgers(input.spent, totals.ledger);
        const check = checkBudget(budget, spendOf(ledger), reservationFor(planned, ctx.pricing, ledger));
        if (!check.ok) {
          budgetExhausted = `before round ${round} · ${unit.agentId} · ${unit.kind === 'refresh' ? 'beam refresh' : `step ${unit.step + 1}`}: ${check.reason}`;
          return false;
        }
      }
      setCurrentDetails(`round ${round}/${settings.rounds} · agent ${unit.agentId} · ${unit.kind === 'refresh' ? 'beam refresh' : `step ${unit.step + 1}/${settings.stepsPerRound}`}`);
      return true;
    },
    refresh: async (unit, request) => {
      const r = await executeChild(refreshBeam, {
        workflowId: `${base}/${unit.agentId}/refresh`,
        staticSummary: `beam refresh of ${unit.agentId} (${request.targets.length} prompt${request.targets.length > 1 ? 's' : ''} vs current best)`,
        args: [{ ctx, ...request }],
      });
      account(unit.agentId, r.totals);
      return r;
    },
    step: async (unit, request) => {
      const r = await executeChild(optimizeStep, {
        workflowId: stepWorkflowIdOf(unit.agentId, unit.step),
        staticSummary: `${unit.agentId} step ${unit.step + 1}: ${request.beam.length} parent(s) × ${settings.proposalsPerParent} proposals`,
        args: [{ ctx, ...request }],
      });
      account(unit.agentId, r.totals);
      return r;
    },
    afterUnit: (_unit, outcome) => {
      if (outcome.improved) improvements++;
      if (outcome.anchorShift) anchorShifts++;
      unitsDone++;
    },
  });

  const prompts = promptMap(state);
  return {
    state,
    summary: { round, prompts, bestJ: bestJ(), improvements, anchorShifts, totals, byAgent },
    stopped,
    budgetExhausted,
  };
}

