/**
 * Child workflow: one round of the coordinate-ascent beam search. Agents take turns in topological order; a
 * turn is a Beam Refresh (on revisits) followed by T steps. Every random choice comes from the run's PRNG,
 * whose state is part of the search state, and the state is checked for consistency after every unit.
 */
import { condition, executeChild, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import { graphOf } from '../../core/graph';
import { Prng } from '../../core/prng';
import { addTotals, emptyTotals, type CallTotals, type RoundSummary, type SearchContext } from '../../core/optimization';
import {
  advanceCursor,
  allocateNodeId,
  applyRefresh,
  assertConsistent,
  childrenOf,
  currentUnit,
  nextBeam,
  promptMap,
  refreshTargets,
  updateBest,
  type SearchState,
} from '../../core/maspo/beam';
import { sampleBatch } from '../../core/maspo/batch';
import { reservedCalls } from '../../core/maspo/plan';
import { addLedgers, checkBudget, reservationFor, spendOf, type Budget, type Ledger } from '../../core/ledger';
import { casesForProposal, injectedItems, updateBuffer } from '../../core/maspo/misalignment';
import type { MisalignmentCase } from '../../core/maspo/types';
import type { BaselineItem } from '../../core/optimization';
import { budgetSignal, controlSignal, roundProgressQuery, type RoundProgress, type SearchControl } from './messages';
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
  // With `refreshSharesFirstBatch`, the refresh draws the batch of the turn's first step and its runs of the
  // current best serve as that step's baselines.
  let carried: { agentId: string; batch: number[]; known?: { prompt: string; baseline: BaselineItem[] } } | undefined;
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

  for (let unit = currentUnit(state, settings); unit.kind !== 'done' && unit.round === round; unit = currentUnit(state, settings)) {
    // Boundaries: a pause waits here; a stop ends the round with the state as it is.
    await condition(() => control !== 'paused');
    if (control === 'stopping') {
      stopped = true;
      break;
    }
    const stepWorkflowId = unit.kind === 'step' ? `${base}/${unit.agentId}/step-${unit.step + 1}` : undefined;
    progress = { round, agentId: unit.agentId, unit: unit.kind, step: unit.step + 1, stepsPerRound: settings.stepsPerRound, control, totals, bestJ: bestJ(), unitsInRound, stepWorkflowId };
    const agent = state.agents[unit.agentId];
    const refreshTargetsNow = unit.kind === 'refresh' ? refreshTargets(agent.beam, agent.best) : [];
    // Reserve the unit's worst case before starting it; never start what the cap cannot cover. A step that uses the
    // refresh's batch (`carried`) was reserved with that refresh (`reservedCalls`), so a resumed run decides exactly
    // as an uncapped one.
    const reservedWithRefresh = unit.kind === 'step' && carried?.agentId === unit.agentId && unit.step === 0;
    if (budget && !reservedWithRefresh) {
      const beamSize = agent.beam.length;
      const planned = reservedCalls(settings, graph, unit.agentId, unit.kind === 'refresh' ? { kind: 'refresh', evaluated: refreshTargetsNow.length, beamSize } : { kind: 'step', beamSize });
      const ledger = addLedgers(input.spent, totals.ledger);
      const check = checkBudget(budget, spendOf(ledger), reservationFor(planned, ctx.pricing, ledger));
      if (!check.ok) {
        budgetExhausted = `before round ${round} · ${unit.agentId} · ${unit.kind === 'refresh' ? 'beam refresh' : `step ${unit.step + 1}`}: ${check.reason}`;
        break;
      }
    }
    const prng = Prng.fromState(state.prngState);
    setCurrentDetails(`round ${round}/${settings.rounds} · agent ${unit.agentId} · ${unit.kind === 'refresh' ? 'beam refresh' : `step ${unit.step + 1}/${settings.stepsPerRound}`}`);

    if (unit.kind === 'refresh') {
      const targets = refreshTargetsNow;
      const batch = sampleBatch(state.pool, settings.batchSize, prng);
      let rewards: Record<string, number> = {};
      let known: { prompt: string; baseline: BaselineItem[] } | undefined;
      if (targets.length > 0) {
        const r = await executeChild(refreshBeam, {
          workflowId: `${base}/${unit.agentId}/refresh`,
          staticSummary: `beam refresh of ${unit.agentId} (${targets.length} prompt${targets.length > 1 ? 's' : ''} vs current best)`,
          args: [{ ctx, prompts: promptMap(state), agentId: unit.agentId, round, batch, targets, best: agent.best.prompt }],
        });
        rewards = r.rewards;
        known = { prompt: agent.best.prompt, baseline: r.baseline };
        account(unit.agentId, r.totals);
      }
      if (settings.refreshSharesFirstBatch) carried = { agentId: unit.agentId, batch, known };
      const refreshed = applyRefresh(settings, agent.beam, agent.best, rewards, prng);
      agent.beam = refreshed.beam;
      agent.best = refreshed.best;
      agent.refreshes++;
      if (refreshed.anchorShift) anchorShifts++;
    } else {
      const buffers = Object.fromEntries(Object.entries(state.agents).map(([id, a]) => [id, a.buffer]));
      const front = injectedItems(settings, graph, unit.agentId, buffers, prng);
      const reuse = carried?.agentId === unit.agentId && unit.step === 0 ? carried : undefined;
      carried = undefined;
      const shared = reuse ? reuse.batch : sampleBatch(state.pool, settings.batchSize, prng, front);
      const batches = agent.beam.map((_, i) => (settings.batchPerNode && i > 0 ? sampleBatch(state.pool, settings.batchSize, prng, front) : shared));
      const result = await executeChild(optimizeStep, {
        workflowId: stepWorkflowId!,
        staticSummary: `${unit.agentId} step ${unit.step + 1}: ${agent.beam.length} parent(s) × ${settings.proposalsPerParent} proposals`,
        args: [{ ctx, prompts: promptMap(state), agentId: unit.agentId, round, step: unit.step + 1, beam: agent.beam, batches, cases: casesForProposal(settings, agent.buffer), known: reuse?.known }],
      });
      account(unit.agentId, result.totals);

      const children = agent.beam.map((node, i) =>
        childrenOf(settings, node, result.parents[i].scored, { round, step: unit.step + 1, newId: () => allocateNodeId(state, unit.agentId) }),
      );
      agent.beam = nextBeam(settings, agent.beam, children, prng);
      const { best, improved } = updateBest(settings, agent.best, agent.beam);
      const casesOf = (prompt: string): MisalignmentCase[] => result.parents.flatMap((p) => p.scored.filter((s) => s.prompt === prompt).flatMap((s) => s.cases));
      agent.buffer = updateBuffer(settings, agent.buffer, {
        stepCases: result.parents.flatMap((p) => p.scored.map((s) => s.cases)),
        newBestCases: improved ? casesOf(best.prompt) : undefined,
      });
      agent.best = best;
      agent.stepsDone++;
      if (improved) improvements++;
    }
    state.prngState = prng.getState();
    state.cursor = advanceCursor(state, settings);
    unitsDone++;
    assertConsistent(state, settings);
  }

  const prompts = promptMap(state);
  return {
    state,
    summary: { round, prompts, bestJ: bestJ(), improvements, anchorShifts, totals, byAgent },
    stopped,
    budgetExhausted,
  };
}

