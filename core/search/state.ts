/**
 * The search's whole durable state, carried through continue-as-new: plain JSON with a `schemaVersion`, checked
 * by `assertConsistent` (call it after restoring and at each round boundary). Pure.
 *
 * Schedule (the cursor names the NEXT unit of work):
 *   for round 1..D, for agent in topological order:
 *     if round > 1 and beamRefresh: a `refresh` unit, then steps 0..T−1 (`step` units).
 * `currentUnit` reads the cursor; after completing that unit the workflow stores its results in `agents[a]`,
 * calls `advanceCursor`, and may continue-as-new with the state (round boundaries, or when Temporal suggests it).
 * `stepsDone` per agent must equal the steps the cursor has passed (checked).
 *
 * Draws: `prngState` is the state of the run's single `Prng` (pool, batches, tie breaks, case sampling, in
 * schedule order): `const prng = Prng.fromState(state.prngState)` … `state.prngState = prng.getState()`.
 */
import { graphOf, topologicalOrder, type AgentGraph } from '../common/graph';
import { Prng, deriveSeed, hashString } from '../common/prng';
import { samplePool } from './batch';
import { seedNode, type BeamNode } from './node';
import type { MisalignmentCase, SearchSettings } from './types';

export const SEARCH_STATE_VERSION = 1;

export interface AgentSearchState {
  agentId: string;
  seedPrompt: string;
  beam: BeamNode[];
  /** Best-so-far; its prompt is this agent's entry in the global prompt map. */
  best: BeamNode;
  /** Misalignment (or ablation) cases, ≤ Kmis; see misalignment.ts for the update rule. */
  buffer: MisalignmentCase[];
  stepsDone: number;
  refreshes: number;
}

export interface SearchCursor {
  /** 1..D; D + 1 when done. */
  round: number;
  /** Index into `order`. */
  agentIndex: number;
  /** Next step within the turn, 0..T−1. */
  step: number;
  /** The refresh of this turn is done (or not due). */
  refreshed: boolean;
}

export interface SearchState {
  schemaVersion: typeof SEARCH_STATE_VERSION;
  /** Digest of the SearchSettings: a state is resumed only under the settings that produced it. */
  settingsDigest: string;
  seed: number;
  prngState: number;
  /** Dataset indices of the optimisation pool. */
  pool: number[];
  /** Optimised agents in topological order. */
  order: string[];
  cursor: SearchCursor;
  agents: Record<string, AgentSearchState>;
  /** Next numeric node id (ids are "<agent>#<n>"). */
  nextNodeId: number;
}

export type SearchUnit =
  | { kind: 'refresh' | 'step'; round: number; agentId: string; agentIndex: number; step: number }
  | { kind: 'done' };

export function settingsDigest(settings: SearchSettings): string {
  return hashString(canonicalJson(settings)).toString(36);
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

/** Fresh state: seed beams, the pool drawn from the run's PRNG (seeded by `deriveSeed(seed, 'maspo-search')`). */
export function initialSearchState(
  settings: SearchSettings,
  mas: { agents: ReadonlyArray<{ id: string; prompt: string }>; edges: AgentGraph['edges'] },
  opts: { seed: number; datasetSize: number },
): SearchState {
  const graph = graphOf(mas);
  const order = topologicalOrder(graph);
  const prng = new Prng(deriveSeed(opts.seed, 'maspo-search'));
  const pool = samplePool(opts.datasetSize, settings.poolSize, prng);
  const agents: Record<string, AgentSearchState> = {};
  for (const a of mas.agents) {
    const seed = seedNode(a.id, a.prompt);
    agents[a.id] = { agentId: a.id, seedPrompt: a.prompt, beam: [seed], best: seed, buffer: [], stepsDone: 0, refreshes: 0 };
  }
  return {
    schemaVersion: SEARCH_STATE_VERSION,
    settingsDigest: settingsDigest(settings),
    seed: opts.seed,
    prngState: prng.getState(),
    pool,
    order,
    cursor: { round: 1, agentIndex: 0, step: 0, refreshed: false },
    agents,
    nextNodeId: 1,
  };
}

/** Allocates node ids by bumping `state.nextNodeId` (mutates `state`; deterministic in call order). */
export function allocateNodeId(state: SearchState, agentId: string): string {
  return `${agentId}#${state.nextNodeId++}`;
}

export function currentUnit(state: SearchState, settings: SearchSettings): SearchUnit {
  const c = state.cursor;
  if (!settings.search || c.round > settings.rounds) return { kind: 'done' };
  const agentId = state.order[c.agentIndex];
  const refresh = c.round > 1 && settings.beamRefresh && !c.refreshed && c.step === 0 && state.agents[agentId].beam.length > 0;
  return { kind: refresh ? 'refresh' : 'step', round: c.round, agentId, agentIndex: c.agentIndex, step: c.step };
}

/** The cursor after completing `currentUnit` (returns a new cursor; store it in `state.cursor`). */
export function advanceCursor(state: SearchState, settings: SearchSettings): SearchCursor {
  const unit = currentUnit(state, settings);
  const c = { ...state.cursor };
  if (unit.kind === 'done') return c;
  if (unit.kind === 'refresh') return { ...c, refreshed: true };
  if (c.step + 1 < settings.stepsPerRound) return { ...c, step: c.step + 1, refreshed: true };
  if (c.agentIndex + 1 < state.order.length) return { round: c.round, agentIndex: c.agentIndex + 1, step: 0, refreshed: false };
  return { round: c.round + 1, agentIndex: 0, step: 0, refreshed: false };
}

/** The current global prompt map: every agent's best prompt. */
export function promptMap(state: SearchState): Record<string, string> {
  return Object.fromEntries(state.order.map((id) => [id, state.agents[id].best.prompt]));
}

export class SearchStateError extends Error {
  constructor(readonly problems: string[]) {
    super(`inconsistent search state: ${problems.join('; ')}`);
    this.name = 'SearchStateError';
  }
}

/** Throws `SearchStateError` listing every violated invariant. */
export function assertConsistent(state: SearchState, settings?: SearchSettings): void {
  const p: string[] = [];
  const check = (ok: boolean, msg: string) => ok || p.push(msg);
  check(state.schemaVersion === SEARCH_STATE_VERSION, `schemaVersion ${state.schemaVersion} (expected ${SEARCH_STATE_VERSION})`);
  check(Number.isInteger(state.prngState) && state.prngState >= 0 && state.prngState < 2 ** 32, 'prngState is not a uint32');
  check(new Set(state.pool).size === state.pool.length && state.pool.every((i) => Number.isInteger(i) && i >= 0), 'pool holds duplicate or invalid indices');
  check(state.order.length > 0 && new Set(state.order).size === state.order.length, 'order is empty or has duplicates');
  check(Object.keys(state.agents).sort().join() === [...state.order].sort().join(), 'agents do not match order');
  const c = state.cursor;
  check(c.agentIndex >= 0 && c.agentIndex < state.order.length, `cursor.agentIndex ${c.agentIndex} out of range`);
  check(c.round >= 1 && c.step >= 0, 'cursor round/step out of range');
  let maxId = 0;
  for (const [i, id] of state.order.entries()) {
    const a = state.agents[id];
    if (!a) continue;
    const nodes = [...a.beam, a.best];
    check(a.beam.length > 0, `${id}: empty beam`);
    check(nodes.every((n) => n.agentId === id && Number.isFinite(n.J) && n.prompt.length > 0), `${id}: a node has a wrong agent, a non-finite J or an empty prompt`);
    for (const n of nodes) {
      const m = /#(\d+)$/.exec(n.id);
      if (m) maxId = Math.max(maxId, Number(m[1]));
    }
    if (settings) {
      check(a.beam.length <= settings.beamWidth, `${id}: beam holds ${a.beam.length} nodes (K = ${settings.beamWidth})`);
      if (settings.profile === 'fixed') {
        check(new Set(a.beam.map((n) => n.prompt)).size === a.beam.length, `${id}: duplicate prompts in the beam`);
        check(a.beam.some((n) => n.prompt === a.best.prompt), `${id}: the best prompt is not in the beam`);
      }
      check(a.buffer.length <= settings.maxMisalignmentCases, `${id}: buffer holds ${a.buffer.length} cases (Kmis = ${settings.maxMisalignmentCases})`);
      const T = settings.stepsPerRound;
      const passed = Math.min(c.round - 1, settings.rounds) * T + (c.round <= settings.rounds ? (i < c.agentIndex ? T : i === c.agentIndex ? c.step : 0) : 0);
      check(a.stepsDone === passed, `${id}: stepsDone ${a.stepsDone} but the cursor has passed ${passed} steps`);
    }
  }
  check(state.nextNodeId > maxId, `nextNodeId ${state.nextNodeId} is not above the largest node id ${maxId}`);
  if (settings) {
    check(state.settingsDigest === settingsDigest(settings), 'settingsDigest differs: the state belongs to other settings');
    check(c.round <= settings.rounds + 1, `cursor.round ${c.round} beyond D + 1`);
    check(c.step < settings.stepsPerRound, `cursor.step ${c.step} ≥ T`);
  }
  if (p.length) throw new SearchStateError(p);
}
