/**
 * The search loop, written once: the units of a round in cursor order, what each unit draws from the run's PRNG,
 * and what its result does to the search state (`applyStep`: children → `nextBeam` → `updateBest` →
 * `updateBuffer`; `applyRefresh`: the refreshed beam and best). The units themselves are executed by an injected
 * `RoundIo`: the round workflow (workflows/optimize/round.ts) starts step and refresh child workflows and adds its
 * boundaries (pause, stop, budget); `searchInProcess` runs the same units directly (units.ts) with an injected LLM
 * caller, for tests and benchmarks without Temporal. Deterministic; no I/O of its own.
 */
import { graphOf, type AgentGraph } from '../graph';
import type { BaselineItem, CallTotals, ParentOutcome, RefreshInput, RefreshResultData, SearchContext, StepInput, StepResult } from '../optimization';
import { Prng } from '../prng';
import { sampleBatch } from './batch';
import { childrenOf, nextBeam, refreshTargets, rescoreBeam, updateBest } from './beam';
import type { ObservedUnit } from './calibration';
import { casesForProposal, injectedItems, updateBuffer } from './misalignment';
import { advanceCursor, allocateNodeId, assertConsistent, currentUnit, promptMap, type AgentSearchState, type SearchState, type SearchUnit } from './state';
import type { MisalignmentCase, SearchSettings } from './types';
import { evaluateCandidate, runRefresh, runStep, type UnitIo } from './units';

export type WorkUnit = Exclude<SearchUnit, { kind: 'done' }>;

/**
 * With `refreshSharesFirstBatch`, the refresh draws the batch of the turn's first step and its runs of the current
 * best serve as that step's baselines. Lives for one round (not part of the durable state: a stop never falls
 * between a refresh and its first step's reservation, see round.ts).
 */
export interface Carried {
  agentId: string;
  batch: number[];
  known?: { prompt: string; baseline: BaselineItem[] };
}

/** The step's beam update: children of every parent → `nextBeam` → `updateBest` → `updateBuffer`; `stepsDone++`. */
export function applyStep(state: SearchState, settings: SearchSettings, unit: WorkUnit, parents: readonly ParentOutcome[], prng: Prng): { improved: boolean } {
  const agent = state.agents[unit.agentId];
  const children = agent.beam.map((node, i) =>
    childrenOf(settings, node, parents[i].scored, { round: unit.round, step: unit.step + 1, newId: () => allocateNodeId(state, unit.agentId) }),
  );
  agent.beam = nextBeam(settings, agent.beam, children, prng);
  const { best, improved } = updateBest(settings, agent.best, agent.beam);
  const casesOf = (prompt: string): MisalignmentCase[] => parents.flatMap((p) => p.scored.filter((s) => s.prompt === prompt).flatMap((s) => s.cases));
  agent.buffer = updateBuffer(settings, agent.buffer, {
    stepCases: parents.flatMap((p) => p.scored.map((s) => s.cases)),
    newBestCases: improved ? casesOf(best.prompt) : undefined,
  });
  agent.best = best;
  agent.stepsDone++;
  return { improved };
}

/** The beam refresh: `rewards[p]` = R(p, p_best) for every refresh target → the rescored beam and best. */
export function applyRefresh(state: SearchState, settings: SearchSettings, unit: WorkUnit, rewards: Readonly<Record<string, number>>, prng: Prng): { anchorShift: boolean } {
  const agent = state.agents[unit.agentId];
  const refreshed = rescoreBeam(settings, agent.beam, agent.best, rewards, prng);
  agent.beam = refreshed.beam;
  agent.best = refreshed.best;
  agent.refreshes++;
  return { anchorShift: refreshed.anchorShift };
}

/** The state after a unit: the PRNG's state stored, the cursor advanced, the invariants checked. */
export function finishUnit(state: SearchState, settings: SearchSettings, prng: Prng): void {
  state.prngState = prng.getState();
  state.cursor = advanceCursor(state, settings);
  assertConsistent(state, settings);
}

/** The refresh's input: the batch (one draw) and the prompts to score against the best. */
export function refreshInput(ctx: SearchContext, state: SearchState, unit: WorkUnit, prng: Prng): RefreshInput {
  const agent = state.agents[unit.agentId];
  const batch = sampleBatch(state.pool, ctx.settings.batchSize, prng);
  return { ctx, prompts: promptMap(state), agentId: unit.agentId, round: unit.round, batch, targets: refreshTargets(agent.beam, agent.best), best: agent.best.prompt };
}

/**
 * The step's input. Draws in this order: the injected items (faithful), the shared batch (unless the refresh's is
 * carried), a batch per further node (`batchPerNode`).
 */
export function stepInput(ctx: SearchContext, state: SearchState, graph: AgentGraph, unit: WorkUnit, prng: Prng, carried: Carried | undefined): StepInput {
  const settings = ctx.settings;
  const agent = state.agents[unit.agentId];
  const buffers = Object.fromEntries(Object.entries(state.agents).map(([id, a]) => [id, a.buffer]));
  const front = injectedItems(settings, graph, unit.agentId, buffers, prng);
  const reuse = carried?.agentId === unit.agentId && unit.step === 0 ? carried : undefined;
  const shared = reuse ? reuse.batch : sampleBatch(state.pool, settings.batchSize, prng, front);
  const batches = agent.beam.map((_, i) => (settings.batchPerNode && i > 0 ? sampleBatch(state.pool, settings.batchSize, prng, front) : shared));
  return { ctx, prompts: promptMap(state), agentId: unit.agentId, round: unit.round, step: unit.step + 1, beam: agent.beam, batches, cases: casesForProposal(settings, agent.buffer), known: reuse?.known };
}

/** How a round's units are executed, and what happens at its boundaries. */
export interface RoundIo {
  /**
   * Before each unit, nothing drawn yet: false ends the round there (a stop, or a budget that cannot cover the
   * unit). `reservedWithRefresh`: the unit is a step whose batch and baselines come from the refresh just done.
   */
  beforeUnit(unit: WorkUnit, agent: AgentSearchState, plan: { refreshTargets: string[]; reservedWithRefresh: boolean }): Promise<boolean> | boolean;
  refresh(unit: WorkUnit, input: RefreshInput): Promise<RefreshResultData>;
  step(unit: WorkUnit, input: StepInput): Promise<StepResult>;
  /** After each unit, the state finished (`finishUnit`): the unit's calls and what it did. */
  afterUnit?(unit: WorkUnit, outcome: { totals?: CallTotals; improved?: boolean; anchorShift?: boolean }): void;
}

/**
 * Runs the units of the state's current round (mutating `state`, the caller's working copy) until the round ends
 * or `io.beforeUnit` says stop. Returns true when it stopped early.
 */
export async function searchRound(ctx: SearchContext, state: SearchState, io: RoundIo): Promise<boolean> {
  const settings = ctx.settings;
  const round = state.cursor.round;
  const graph = graphOf(ctx.mas);
  let carried: Carried | undefined;
  for (let unit = currentUnit(state, settings); unit.kind !== 'done' && unit.round === round; unit = currentUnit(state, settings)) {
    const agent = state.agents[unit.agentId];
    const targets = unit.kind === 'refresh' ? refreshTargets(agent.beam, agent.best) : [];
    const reservedWithRefresh = unit.kind === 'step' && carried?.agentId === unit.agentId && unit.step === 0;
    if (!(await io.beforeUnit(unit, agent, { refreshTargets: targets, reservedWithRefresh }))) return true;
    const prng = Prng.fromState(state.prngState);

    if (unit.kind === 'refresh') {
      const input = refreshInput(ctx, state, unit, prng);
      let rewards: Record<string, number> = {};
      let known: Carried['known'];
      let totals: CallTotals | undefined;
      if (input.targets.length > 0) {
        const r = await io.refresh(unit, input);
        rewards = r.rewards;
        known = { prompt: input.best, baseline: r.baseline };
        totals = r.totals;
      }
      if (settings.refreshSharesFirstBatch) carried = { agentId: unit.agentId, batch: input.batch, known };
      const { anchorShift } = applyRefresh(state, settings, unit, rewards, prng);
      finishUnit(state, settings, prng);
      io.afterUnit?.(unit, { totals, anchorShift });
    } else {
      const input = stepInput(ctx, state, graph, unit, prng, carried);
      carried = undefined;
      const result = await io.step(unit, input);
      const { improved } = applyStep(state, settings, unit, result.parents, prng);
      finishUnit(state, settings, prng);
      io.afterUnit?.(unit, { totals: result.totals, improved });
    }
  }
  return false;
}

export interface InProcessSearch {
  state: SearchState;
  prompts: Record<string, string>;
  /** Calls of every unit (step, refresh), as a run record reports them (calibration.ts). */
  units: ObservedUnit[];
  anchorShifts: number;
  /** Cases mined by the step evaluations. */
  casesMined: number;
}

/**
 * A whole search without Temporal: every round through `searchRound`, every unit through units.ts with `io`
 * (candidates evaluated directly). The same calls as the workflows make, in the same order per unit.
 */
export async function searchInProcess(ctx: SearchContext, state: SearchState, io: Omit<UnitIo, 'candidate' | 'pipelinedParents'>): Promise<InProcessSearch> {
  const unitIo: UnitIo = { ...io, candidate: (input) => evaluateCandidate(unitIo, input), pipelinedParents: () => true };
  const units: ObservedUnit[] = [];
  let anchorShifts = 0;
  let casesMined = 0;
  const calls = (t?: CallTotals) => ({ ...(t?.calls ?? { backbone: 0, optimizer: 0, judge: 0 }) });
  while (currentUnit(state, ctx.settings).kind !== 'done') {
    await searchRound(ctx, state, {
      beforeUnit: () => true,
      refresh: (_unit, input) => runRefresh(unitIo, input),
      step: async (_unit, input) => {
        const result = await runStep(unitIo, input);
        casesMined += result.parents.reduce((n, p) => n + p.scored.reduce((m, s) => m + s.cases.length, 0), 0);
        return result;
      },
      afterUnit: (unit, outcome) => {
        if (outcome.anchorShift) anchorShifts++;
        units.push({ kind: unit.kind, round: unit.round, agentId: unit.agentId, ...(unit.kind === 'step' ? { step: unit.step + 1 } : {}), calls: calls(outcome.totals) });
      },
    });
  }
  return { state, prompts: promptMap(state), units, anchorShifts, casesMined };
}
