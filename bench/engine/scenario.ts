/**
 * What one bench run is. Every scenario starts from the paper configuration in examples/sim-optimize.yaml (D=3, T=3,
 * K=2, Ksub=2, |D|=50, |B|=10, predictor → reviewer) and changes only what the scenario names: the workload (the
 * search, or the evaluation job alone), profile, simulated latency, reply length, chain length, |B| (and, in quick
 * mode, D and T), or the model (a real one on the managed llama.cpp server instead of the simulator). How a scenario
 * becomes a workflow input is workload.ts's business; the pieces every workload shares are here.
 */
import path from 'node:path';
import { readStructuredFile } from '../../client/config';
import type { ModelRole } from '../../core/contracts/llm';
import type { SimWorldInput } from '../../core/schema/sim-config';
import type { Profile } from '../../core/search/types';

export const ROOT = path.resolve(__dirname, '..', '..');
export const PAPER_CONFIG = path.join(ROOT, 'examples', 'sim-optimize.yaml');
/** Task queue of every bench worker; the call recorder also watches it (LLM calls dispatched on the workflow queue). */
export const BENCH_TASK_QUEUE = 'bench';

/** Activity slots per role on the one worker: high enough that no role queue throttles the search's own parallelism. */
export const ROLE_CONCURRENCY = 256;
/** Tokens per backbone reply in the long-reply scenarios (the simulator pads replies to this length). */
export const LONG_REPLY_TOKENS = 8000;

export interface Scenario {
  id: string;
  /** What runs: the MASPO search (`optimizeMas`, the default) or the evaluation job alone (`evaluateMas`). */
  workload?: 'search' | 'evaluation';
  /** The search's profile (an evaluation has none: its overhead is compared with this profile's search). */
  profile: Profile;
  /** Fixed simulated latency per call, ms (0: none). */
  latencyMs: number;
  /** Backbone replies padded to LONG_REPLY_TOKENS tokens. */
  longReplies: boolean;
  /** Agents in the chain (predictor → reviewer → reviewer-2 → …). */
  agents: number;
  batchSize: number;
  /** Overrides of the paper's D, T and Ksub (quick mode, growth runs, the real-model search). */
  rounds?: number;
  stepsPerRound?: number;
  proposalsPerParent?: number;
  /** Overrides the paper's |D| (the real-model search). */
  poolSize?: number;
  /** MASPO_PAYLOAD_THRESHOLD for the run (0: no claim-check codec); default: the project's. */
  payloadThresholdBytes?: number;
  /** Evaluation: items of the simulator's test split. */
  items?: number;
  /** Every role on this catalogue model of the managed llama.cpp server instead of the simulator. */
  realModel?: string;
}

export type Raw = Record<string, any>;

export async function readPaperConfig(): Promise<Raw> {
  return (await readStructuredFile(PAPER_CONFIG, 'config')) as Raw;
}

/** The simulator world of a scenario: the paper's, with the scenario's latency and reply length. */
export function simWorld(paper: Raw, s: Scenario): SimWorldInput {
  return {
    ...(paper.sim ?? {}),
    latency: s.latencyMs > 0 ? { distribution: 'fixed', meanMs: s.latencyMs } : { distribution: 'none' },
    output: { longReplies: s.longReplies, longReplyTokens: LONG_REPLY_TOKENS },
  };
}

/**
 * The paper config's models switched to the simulator's HTTP server (`provider: openai` + `baseURL`, the real
 * `openai` client), each role with ROLE_CONCURRENCY slots.
 */
export function simulatedModels(paper: Raw, s: Scenario, simUrl: string): Raw {
  const models: Raw = {};
  for (const role of ['backbone', 'optimizer', 'judge'] as const satisfies readonly ModelRole[]) {
    const m = paper.models[role];
    models[role] = {
      provider: 'openai',
      model: m.model,
      baseURL: `${simUrl}/v1`,
      temperature: m.temperature,
      ...(role === 'backbone' && s.longReplies ? { maxTokens: 2 * LONG_REPLY_TOKENS } : {}),
      concurrency: ROLE_CONCURRENCY,
    };
  }
  return models;
}

/** The paper's 2-agent chain, extended with more reviewers (same role and prompt) for the growth runs. */
export function chainOf(mas: Raw, n: number): Raw {
  const [first, reviewer] = mas.agents as Raw[];
  if (!first || !reviewer || (mas.agents as Raw[]).length !== 2) throw new Error(`${PAPER_CONFIG}: mas: the bench expects the 2-agent predictor → reviewer chain`);
  const agents = [first, reviewer];
  for (let k = 2; k < n; k++) agents.push({ ...reviewer, id: `${reviewer.id}-${k}` });
  const edges = agents.slice(1).map((a, i) => `${agents[i].id} -> ${a.id}`);
  return { ...mas, agents, edges };
}
