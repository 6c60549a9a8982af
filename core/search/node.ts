/** A beam node (see beam.ts for how nodes are made, ranked and refreshed). Pure. */

export interface BeamNode {
  /** Unique per run ("<agent>#seed", "<agent>#<n>"); faithful parent copies share their parent's id. */
  id: string;
  agentId: string;
  prompt: string;
  /** Cumulative score: sum of parent-relative rewards along the path since the last refresh. */
  J: number;
  parentId: string | null;
  /** Where it was created (0/0 for the seed). */
  round: number;
  step: number;
  /** The reward that created it (null for the seed). */
  R: number | null;
}

export function seedNode(agentId: string, prompt: string): BeamNode {
  return { id: `${agentId}#seed`, agentId, prompt, J: 0, parentId: null, round: 0, step: 0, R: null };
}
