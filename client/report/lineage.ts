/**
 * The beam lineage of every agent, rebuilt from a run record: which nodes each step created, from which parent,
 * with which reward; which entered a beam; and the path from the seed to the winning prompt.
 *
 * Node ids are not in the step results (the round allocates them), so they are re-derived by replaying the
 * round's pure rule over the recorded step results: `childrenOf` in schedule order with the run's one id counter
 * (`<agent>#<n>`, n from 1). The replay is checked against every beam the record holds (each step's input beam
 * and the final beams); a mismatch is reported in `problems` and the observed beams are used as they are.
 */
import { childrenOf } from '../../core/search/beam';
import { seedNode, type BeamNode } from '../../core/search/node';
import type { ParentOutcome } from '../../core/contracts/optimize';
import type { MisalignmentCase } from '../../core/search/types';
import { agentOrder, type RunRecord, type StepRecord } from '../../core/contracts/run-record';

export type Scored = ParentOutcome['scored'][number];

export interface LineageNode extends BeamNode {
  /** The step that created it; undefined for the seed (and for nodes only seen in a beam). */
  createdBy?: StepRecord;
  /** The candidate's evaluation (R, breakdown, mined cases). */
  scored?: Scored;
  /** Seen in a beam after it was created (or in the final beam). */
  inBeam: boolean;
  onBestPath: boolean;
}

export interface RejectedCandidate {
  agentId: string;
  parentId: string;
  prompt: string;
  /** null: identical to its parent (not evaluated). */
  R: number | null;
  round: number;
  step: number;
  scored: Scored;
}

/** One accepted change along the winning lineage: the node, the prompt before it, and the cases behind it. */
export interface EvolutionStep {
  node: LineageNode;
  previous: LineageNode;
  /** Cases injected into the proposals of the step that produced the node. */
  injected: MisalignmentCase[];
  /** Cases mined from the winning candidate's own evaluation. */
  mined: MisalignmentCase[];
}

export interface AgentLineage {
  agentId: string;
  nodes: LineageNode[];
  rejected: RejectedCandidate[];
  best?: LineageNode;
  /** Seed → … → best. */
  path: LineageNode[];
  evolution: EvolutionStep[];
  steps: StepRecord[];
}

export interface Lineage {
  agents: Record<string, AgentLineage>;
  /** Why the replay disagrees with the recorded beams (empty when it agrees everywhere). */
  problems: string[];
}

export function buildLineage(record: RunRecord): Lineage {
  const settings = record.input.ctx.settings;
  const order = agentOrder(record);
  const problems: string[] = [];
  const nodes = new Map<string, LineageNode>();
  const rejected: RejectedCandidate[] = [];
  const add = (n: BeamNode, extra: Partial<LineageNode> = {}) => {
    if (!nodes.has(n.id)) nodes.set(n.id, { ...n, inBeam: false, onBestPath: false, ...extra });
  };
  for (const id of order) add(seedNode(id, record.seedPrompts[id] ?? ''), { inBeam: true });

  // Replay id allocation over the completed steps, in schedule order; stop at the first step without a result.
  let next = 1;
  let replayable = true;
  for (const unit of record.units) {
    if (unit.kind !== 'step') continue;
    if (!unit.parents) {
      replayable = false;
      continue;
    }
    if (!replayable) problems.push(`${unit.workflowId}: after an unfinished step, node ids cannot be re-derived`);
    unit.beam.forEach((parent, i) => {
      const outcome = unit.parents![i];
      if (!outcome) return;
      const kids = childrenOf(settings, parent, outcome.scored, { round: unit.round, step: unit.step, newId: () => `${unit.agentId}#${next++}` });
      for (const kid of kids) if (kid.id !== parent.id) add(kid, { createdBy: unit, scored: outcome.scored.find((s) => s.prompt === kid.prompt) });
      for (const s of outcome.scored) {
        if (!kids.some((k) => k.prompt === s.prompt && k.id !== parent.id)) {
          rejected.push({ agentId: unit.agentId, parentId: parent.id, prompt: s.prompt, R: s.R, round: unit.round, step: unit.step, scored: s });
        }
      }
    });
  }

  // Check the replay against every beam on record; take what the record says where they differ.
  const observe = (n: BeamNode, where: string) => {
    const known = nodes.get(n.id);
    if (!known) {
      problems.push(`${where}: node ${n.id} was not re-derived`);
      add(n, { inBeam: true });
    } else if (known.prompt !== n.prompt) {
      problems.push(`${where}: node ${n.id} has another prompt than re-derived`);
    } else {
      known.inBeam = true;
    }
  };
  for (const unit of record.units) if (unit.kind === 'step') for (const n of unit.beam) observe(n, unit.workflowId);
  for (const [id, a] of Object.entries(record.result?.agents ?? {})) {
    for (const n of a.beam) observe(n, `final beam of ${id}`);
    observe(a.best, `best of ${id}`);
  }

  const agents: Record<string, AgentLineage> = {};
  for (const agentId of order) {
    const own = [...nodes.values()].filter((n) => n.agentId === agentId);
    const bestId = record.result?.agents[agentId]?.best.id;
    const best = bestId ? nodes.get(bestId) : [...own].reverse().find((n) => n.prompt === record.prompts[agentId]);
    const path: LineageNode[] = [];
    for (let n = best; n && path.length <= own.length; n = n.parentId ? nodes.get(n.parentId) : undefined) {
      if (path.includes(n)) break;
      path.unshift(n);
    }
    for (const n of path) n.onBestPath = true;
    const evolution: EvolutionStep[] = path.slice(1).map((node, i) => ({
      node,
      previous: path[i],
      injected: node.createdBy?.cases ?? [],
      mined: node.scored?.cases ?? [],
    }));
    agents[agentId] = {
      agentId,
      nodes: own,
      rejected: rejected.filter((r) => r.agentId === agentId),
      best,
      path,
      evolution,
      steps: record.units.filter((u): u is StepRecord => u.kind === 'step' && u.agentId === agentId),
    };
  }
  return { agents, problems };
}
