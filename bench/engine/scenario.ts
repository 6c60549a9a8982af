/**
 * What one bench run is, and how it becomes a MASPO search input. Every scenario starts from the paper
 * configuration in examples/sim-optimize.yaml (D=3, T=3, K=2, Ksub=2, |D|=50, |B|=10, predictor → reviewer) and
 * changes only what the scenario names: profile, simulated latency, reply length, chain length, |B| (and, in quick
 * mode, D and T). The models are the simulator behind its OpenAI-compatible HTTP server, reached through the real
 * `openai` client (`provider: openai` + `baseURL`). The held-out evaluation is off: the bench measures the search.
 */
import path from 'node:path';
import { readStructuredFile, validateConfig } from '../../client/config';
import { buildOptimizeInput } from '../../client/optimize';
import { graphOf, type AgentGraph } from '../../core/common/graph';
import type { OptimizeInput } from '../../core/contracts/optimize';
import type { SimWorldInput } from '../../core/schema/sim-config';
import type { Profile } from '../../core/search/types';

export const ROOT = path.resolve(__dirname, '..', '..');
export const PAPER_CONFIG = path.join(ROOT, 'examples', 'sim-optimize.yaml');

/** Activity slots per role on the one worker: high enough that no role queue throttles the search's own parallelism. */
export const ROLE_CONCURRENCY = 256;
/** Tokens per backbone reply in the long-reply scenarios (the simulator pads replies to this length). */
export const LONG_REPLY_TOKENS = 8000;

export interface Scenario {
  id: string;
  profile: Profile;
  /** Fixed simulated latency per call, ms (0: none). */
  latencyMs: number;
  /** Backbone replies padded to LONG_REPLY_TOKENS tokens. */
  longReplies: boolean;
  /** Agents in the chain (predictor → reviewer → reviewer-2 → …). */
  agents: number;
  batchSize: number;
  /** Overrides of the paper's D, T and Ksub (quick mode, growth runs). */
  rounds?: number;
  stepsPerRound?: number;
  proposalsPerParent?: number;
  /** MASPO_PAYLOAD_THRESHOLD for the run (0: no claim-check codec); default: the project's. */
  payloadThresholdBytes?: number;
}

export interface ScenarioInput {
  input: OptimizeInput;
  /** The simulator world the HTTP server runs (latency and reply length included). */
  world: SimWorldInput;
  graph: AgentGraph;
}

type Raw = Record<string, any>;

export interface LoadedScenario {
  /** The simulator world the HTTP server runs (latency and reply length included). */
  world: SimWorldInput;
  /** The search input once the simulator's server is listening at `simUrl`. */
  build(simUrl: string): Promise<ScenarioInput>;
}

export async function loadScenario(s: Scenario): Promise<LoadedScenario> {
  const paper = (await readStructuredFile(PAPER_CONFIG, 'config')) as Raw;
  const world: SimWorldInput = {
    ...(paper.sim ?? {}),
    latency: s.latencyMs > 0 ? { distribution: 'fixed', meanMs: s.latencyMs } : { distribution: 'none' },
    output: { longReplies: s.longReplies, longReplyTokens: LONG_REPLY_TOKENS },
  };
  return { world, build: (simUrl) => scenarioInput(structuredClone(paper), s, world, simUrl) };
}

async function scenarioInput(raw: Raw, s: Scenario, world: SimWorldInput, simUrl: string): Promise<ScenarioInput> {
  raw.name = `bench-${s.id}`;
  raw.taskQueue = 'bench';
  raw.sim = world;
  raw.mas = chainOf(raw.mas, s.agents);
  for (const role of ['backbone', 'optimizer', 'judge'] as const) {
    const m = raw.models[role];
    raw.models[role] = {
      provider: 'openai',
      model: m.model,
      baseURL: `${simUrl}/v1`,
      temperature: m.temperature,
      ...(role === 'backbone' && s.longReplies ? { maxTokens: 2 * LONG_REPLY_TOKENS } : {}),
      concurrency: ROLE_CONCURRENCY,
    };
  }
  raw.optimize = {
    ...raw.optimize,
    profile: s.profile,
    batchSize: s.batchSize,
    heldOut: false,
    ...(s.rounds !== undefined ? { rounds: s.rounds } : {}),
    ...(s.stepsPerRound !== undefined ? { stepsPerRound: s.stepsPerRound } : {}),
    ...(s.proposalsPerParent !== undefined ? { proposalsPerParent: s.proposalsPerParent } : {}),
  };
  // Items of one batch run side by side, as in the paper's code; the config's 10 would queue a larger batch.
  raw.evaluate = { ...raw.evaluate, concurrency: Math.max(raw.evaluate?.concurrency ?? 10, s.batchSize) };
  const config = validateConfig(PAPER_CONFIG, raw);
  const input = await buildOptimizeInput({ file: PAPER_CONFIG, config });
  return { input, world, graph: graphOf(input.ctx.mas) };
}

/** The paper's 2-agent chain, extended with more reviewers (same role and prompt) for the growth runs. */
function chainOf(mas: Raw, n: number): Raw {
  const [first, reviewer] = mas.agents as Raw[];
  if (!first || !reviewer || (mas.agents as Raw[]).length !== 2) throw new Error(`${PAPER_CONFIG}: mas: the bench expects the 2-agent predictor → reviewer chain`);
  const agents = [first, reviewer];
  for (let k = 2; k < n; k++) agents.push({ ...reviewer, id: `${reviewer.id}-${k}` });
  const edges = agents.slice(1).map((a, i) => `${agents[i].id} -> ${a.id}`);
  return { ...mas, agents, edges };
}
