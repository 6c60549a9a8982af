/**
 * The search loop, written once: the units of a round in cursor order, what each unit draws from the run's PRNG,
 * and what its result does to the search state (`applyStep`: children → `nextBeam` → `updateBest` →
 * `updateBuffer`; `applyRefresh`: the refreshed beam and best). The units themselves are executed by an injected
 * `RoundIo`: the round workflow (workflows/optimize/round.ts) starts step and refresh child workflows and adds its
 * boundaries (pause, stop, budget); workflows/optimize/units.ts `searchInProcess` runs the same units directly with an
 * injected LLM caller, for tests and benchmarks without Temporal. Deterministic; no I/O of its own. `K` is what a
 * refresh hands its turn's first step (the best's runs on the shared batch), opaque here.
 */
import { graphOf, type AgentGraph } from '../common/graph';
import { Prng } from '../common/prng';
import { sampleBatch } from './batch';
import { childrenOf, nextBeam, refreshTargets, rescoreBeam, updateBest } from './beam';
import { casesForProposal, injectedItems, liveCases, promptKey, updateBuffer } from './misalignment';
import type { BeamNode } from './node';
import { advanceCursor, allocateNodeId, assertConsistent, currentUnit, promptMap, type AgentSearchState, type SearchState, type SearchUnit } from './state';
import type { MisalignmentCase, SearchSettings } from './types';

export type WorkUnit = Exclude<SearchUnit, { kind: 'done' }>;

/** The scored candidates of one beam parent (a step's result, per parent in beam order). */
export interface ScoredParent {
  /** R null: identical to the parent (not evaluated). */
  scored: ReadonlyArray<{ prompt: string; R: number | null; cases: MisalignmentCase[] }>;
}

/** What a refresh evaluates: `targets` against `best` on `batch`, the other agents at `prompts`. */
export interface RefreshRequest {
  prompts: Record<string, string>;
  agentId: string;
  round: number;
  batch: number[];
  targets: string[];
  best: string;
}

/** What a step runs: every parent of `beam` on its batch, proposals with `cases`; step numbered from 1. */
export interface StepRequest<K> {
  prompts: Record<string, string>;
  agentId: string;
  round: number;
  step: number;
  beam: BeamNode[];
  batches: number[][];
  cases: MisalignmentCase[];
  /** The refresh's runs of `prompt` on this step's batch (`refreshSharesFirstBatch`), reused as they are. */
  known?: { prompt: string; baseline: K };
}

/**
 * With `refreshSharesFirstBatch`, the refresh draws the batch of the turn's first step and its runs of the current
 * best serve as that step's baselines. Lives for one round (not part of the durable state: a stop never falls
 * between a refresh and its first step's reservation, see round.ts).
 */
interface Carried<K> {
  agentId: string;
  batch: number[];
  known?: { prompt: string; baseline: K };
}

/** The step's beam update: children of every parent → `nextBeam` → `updateBest` → `updateBuffer`; `stepsDone++`. */
export function applyStep(state: SearchState, settings: SearchSettings, unit: WorkUnit, parents: readonly ScoredParent[], prng: Prng): { improved: boolean } {
  const agent = state.agents[unit.agentId];
  const turn = agent.stepsDone + 1;
  // Each case remembers when it was mined and against which parent prompt (for `caseExpiry`).
  const scored = parents.map((p, i) => p.scored.map((s) => ({ ...s, cases: s.cases.map((c) => ({ ...c, turn, against: promptKey(agent.beam[i].prompt) })) })));
  const children = agent.beam.map((node, i) =>
    childrenOf(settings, node, scored[i], { round: unit.round, step: unit.step + 1, newId: () => allocateNodeId(state, unit.agentId) }),
  );
  agent.beam = nextBeam(settings, agent.beam, children, prng);
  const { best, improved } = updateBest(settings, agent.best, agent.beam);
  const casesOf = (prompt: string): MisalignmentCase[] => scored.flatMap((p) => p.filter((s) => s.prompt === prompt).flatMap((s) => s.cases));
  const buffer = updateBuffer(settings, agent.buffer, {
    stepCases: scored.flatMap((p) => p.map((s) => s.cases)),
    newBestCases: improved ? casesOf(best.prompt) : undefined,
  });
  agent.buffer = liveCases(settings, buffer, { turn, beamPrompts: agent.beam.map((n) => n.prompt) });
  agent.best = best;
  agent.stepsDone = turn;
  return { improved };
}

/** The beam refresh: `rewards[p]` = R(p, p_best) for every refresh target → the rescored beam and best. */
export function applyRefresh(state: SearchState, settings: SearchSettings, unit: WorkUnit, rewards: Readonly<Record<string, number>>, prng: Prng): { anchorShift: boolean } {
  const agent = state.agents[unit.agentId];
  const refreshed = rescoreBeam(settings, agent.beam, agent.best, rewards, prng);
  agent.beam = refreshed.beam;
  agent.best = refreshed.best;
  agent.buffer = liveCases(settings, agent.buffer, { turn: agent.stepsDone, beamPrompts: agent.beam.map((n) => n.prompt) });
  agent.refreshes++;
  return { anchorShift: refreshed.anchorShift };
}

/** The state after a unit: the PRNG's state stored, the cursor advanced, the invariants checked. */
export function finishUnit(state: SearchState, settings: SearchSettings, prng: Prng): void {
  state.prngState = prng.getState();
  state.cursor = advanceCursor(state, settings);
  assertConsistent(state, settings);
}

/** The refresh's request: the batch (one draw) and the prompts to score against the best. */
export function refreshRequest(settings: SearchSettings, state: SearchState, unit: WorkUnit, prng: Prng): RefreshRequest {
  const agent = state.agents[unit.agentId];
  const batch = sampleBatch(state.pool, settings.batchSize, prng);
  return { prompts: promptMap(state), agentId: unit.agentId, round: unit.round, batch, targets: refreshTargets(agent.beam, agent.best), best: agent.best.prompt };
}

/**
 * The step's request. Draws in this order: the injected items (faithful), the shared batch (unless the refresh's is
 * carried), a batch per further node (`batchPerNode`).
 */
export function stepRequest<K>(settings: SearchSettings, state: SearchState, graph: AgentGraph, unit: WorkUnit, prng: Prng, carried: Carried<K> | undefined): StepRequest<K> {
  const agent = state.agents[unit.agentId];
  const buffers = Object.fromEntries(Object.entries(state.agents).map(([id, a]) => [id, a.buffer]));
  const front = injectedItems(settings, graph, unit.agentId, buffers, prng);
  const reuse = carried?.agentId === unit.agentId && unit.step === 0 ? carried : undefined;
  const shared = reuse ? reuse.batch : sampleBatch(state.pool, settings.batchSize, prng, front);
  const batches = agent.beam.map((_, i) => (settings.batchPerNode && i > 0 ? sampleBatch(state.pool, settings.batchSize, prng, front) : shared));
  return { prompts: promptMap(state), agentId: unit.agentId, round: unit.round, step: unit.step + 1, beam: agent.beam, batches, cases: casesForProposal(settings, agent.buffer), known: reuse?.known };
}

/** How a round's units are executed, and what happens at its boundaries. */
export interface RoundIo<K> {
  /**
   * Before each unit, nothing drawn yet: false ends the round there (a stop, or a budget that cannot cover the
   * unit). `reservedWithRefresh`: the unit is a step whose batch and baselines come from the refresh just done.
   */
  beforeUnit(unit: WorkUnit, agent: AgentSearchState, plan: { refreshTargets: string[]; reservedWithRefresh: boolean }): Promise<boolean> | boolean;
  /** R(p, p_best) per target, and the best's runs on the batch. Not called when there is no target. */
  refresh(unit: WorkUnit, request: RefreshRequest): Promise<{ rewards: Record<string, number>; baseline: K }>;
  step(unit: WorkUnit, request: StepRequest<K>): Promise<{ parents: readonly ScoredParent[] }>;
  /** After each unit, the state finished (`finishUnit`). */
  afterUnit?(unit: WorkUnit, outcome: { improved?: boolean; anchorShift?: boolean }): void;
}

/**
 * Runs the units of the state's current round (mutating `state`, the caller's working copy) until the round ends
 * or `io.beforeUnit` says stop. Returns true when it stopped early.
 */
export async function searchRound<K>(settings: SearchSettings, mas: Pick<AgentGraph, 'edges'> & { agents: ReadonlyArray<{ id: string }> }, state: SearchState, io: RoundIo<K>): Promise<boolean> {
  const round = state.cursor.round;
  const graph = graphOf(mas);
  let carried: Carried<K> | undefined;
  for (let unit = currentUnit(state, settings); unit.kind !== 'done' && unit.round === round; unit = currentUnit(state, settings)) {
    const agent = state.agents[unit.agentId];
    const targets = unit.kind === 'refresh' ? refreshTargets(agent.beam, agent.best) : [];
    const reservedWithRefresh = unit.kind === 'step' && carried?.agentId === unit.agentId && unit.step === 0;
    if (!(await io.beforeUnit(unit, agent, { refreshTargets: targets, reservedWithRefresh }))) return true;
    const prng = Prng.fromState(state.prngState);

    if (unit.kind === 'refresh') {
      const request = refreshRequest(settings, state, unit, prng);
      let rewards: Record<string, number> = {};
      let known: Carried<K>['known'];
      if (request.targets.length > 0) {
        const r = await io.refresh(unit, request);
        rewards = r.rewards;
        known = { prompt: request.best, baseline: r.baseline };
      }
      if (settings.refreshSharesFirstBatch) carried = { agentId: unit.agentId, batch: request.batch, known };
      const { anchorShift } = applyRefresh(state, settings, unit, rewards, prng);
      finishUnit(state, settings, prng);
      io.afterUnit?.(unit, { anchorShift });
    } else {
      const request = stepRequest(settings, state, graph, unit, prng, carried);
      carried = undefined;
      const result = await io.step(unit, request);
      const { improved } = applyStep(state, settings, unit, result.parents, prng);
      finishUnit(state, settings, prng);
      io.afterUnit?.(unit, { improved });
    }
  }
  return false;
}
