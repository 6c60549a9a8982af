/**
 * The small seeded search every chaos scenario runs: the paper's MASPO loop on a 2-agent chain (a brief solver and a
 * reviewer), all three roles — backbone, optimizer, judge — sent through the real `openai` client to `baseURL` (the
 * fault proxy in front of the simulator). examples/sim-optimize.yaml is the paper configuration; this one keeps its
 * shape with |D|, |B| and the rounds scaled down, so one run takes seconds to a minute.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseConfigText } from '../../client/config';
import { buildOptimizeInput } from '../../client/optimize';
import type { OptimizeInput, OptimizeResult } from '../../core/optimization';

export interface SearchConfigOptions {
  name: string;
  seed: number;
  taskQueue: string;
  /** OpenAI-compatible base URL, ending in /v1. */
  baseURL: string;
  /** Name of the env var holding the key; none = keyless endpoint. */
  apiKeyEnv?: string;
  /** Per-attempt deadline of one LLM call (a hang past it is a timeout). Default 5 s. */
  timeoutMs?: number;
  /** 'small' for the trials, 'tiny' for the short tests. */
  size?: 'tiny' | 'small';
  /** Held-out items evaluated after the search (0: none). */
  heldOut?: number;
}

const SEARCH = {
  tiny: '{ rounds: 1, stepsPerRound: 1, beamWidth: 2, proposalsPerParent: 2, poolSize: 4, batchSize: 2 }',
  small: '{ rounds: 2, stepsPerRound: 1, beamWidth: 2, proposalsPerParent: 2, poolSize: 6, batchSize: 3 }',
};

/** The 2-agent chain of the small searches (a brief solver and a reviewer: the simulator's planted trap). */
export const TRAP_CHAIN_MAS = `mas:
  topology: chain
  agents:
    - { id: solver, role: predictor, prompt: "Be concise. Solve: {{question}}" }
    - { id: checker, role: reflector, prompt: "Review the previous solution and answer. {{context}} {{question}}" }
  edges: [solver -> checker]
`;

export function searchYaml(o: SearchConfigOptions): string {
  const key = o.apiKeyEnv ? `, apiKeyEnv: ${o.apiKeyEnv}` : '';
  const common = `baseURL: "${o.baseURL}"${key}, timeoutMs: ${o.timeoutMs ?? 5000}`;
  const heldOut = o.heldOut ?? 6;
  return `
name: ${o.name}
seed: ${o.seed}
taskQueue: ${o.taskQueue}
dataset: { kind: sim, split: test, size: ${Math.max(heldOut, 1)} }
${TRAP_CHAIN_MAS}models:
  backbone: { provider: openai, model: sim-agent, ${common}, concurrency: 4 }
  optimizer: { provider: openai, model: sim-optimizer, temperature: 0.7, ${common}, concurrency: 2 }
  judge: { provider: openai, model: sim-judge, ${common}, concurrency: 4 }
optimize: ${SEARCH[o.size ?? 'small'].replace(' }', `, heldOut: ${heldOut > 0} }`)}
evaluate: { concurrency: 4, llmHeartbeatTimeoutMs: 2000 }
`;
}

/** Writes the config to `<dir>/<name>.yaml` and resolves it into the workflow input. */
export async function writeSearchConfig(dir: string, o: SearchConfigOptions): Promise<{ file: string; input: OptimizeInput }> {
  const file = path.join(dir, `${o.name}.yaml`);
  const text = searchYaml(o);
  fs.writeFileSync(file, text);
  return { file, input: await buildOptimizeInput({ file, config: parseConfigText(file, text) }) };
}

/**
 * What must be equal between an interrupted run and an uninterrupted one: prompts, beams, scores, calls made, held-out
 * accuracy. Not how many calls were answered from the response cache (and so paid): whether a duplicate request
 * finds its twin's reply already stored depends on timing.
 */
export function outcomeOf(r: OptimizeResult): unknown {
  return {
    prompts: r.prompts,
    agents: r.agents,
    rounds: r.rounds.map((s) => ({ round: s.round, prompts: s.prompts, bestJ: s.bestJ, improvements: s.improvements, anchorShifts: s.anchorShifts })),
    calls: r.totals.calls,
    heldOut: r.heldOut && { seed: r.heldOut.seed, optimized: r.heldOut.optimized },
  };
}

export function sameOutcome(a: OptimizeResult, b: OptimizeResult): boolean {
  return JSON.stringify(outcomeOf(a)) === JSON.stringify(outcomeOf(b));
}

/** Writes both outcomes next to each other for a diff; returns the two file names. */
export function writeOutcomes(dir: string, name: string, got: OptimizeResult, want: OptimizeResult): string {
  const a = path.join(dir, `${name}.outcome.json`);
  const b = path.join(dir, `${name}.reference-outcome.json`);
  fs.writeFileSync(a, `${JSON.stringify(outcomeOf(got), null, 1)}\n`);
  fs.writeFileSync(b, `${JSON.stringify(outcomeOf(want), null, 1)}\n`);
  return `diff ${a} ${b}`;
}
