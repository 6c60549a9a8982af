/**
 * Wall-clock forecast for models served on this host's hardware (a managed llama-server). An API's floor is its
 * critical path × latency; a local server's floor is its total work divided by its aggregate throughput, which grows
 * with the requests it serves at once (its slots) but far less than linearly on a CPU. So the forecast is work-based:
 *
 *   time(role, phase) = output tokens ÷ aggregate rate(requests in flight) + long-prompt tokens ÷ prompt rate
 *
 * with the requests in flight bounded by what the phase can offer at once (a search step evaluates K·Ksub
 * candidates on |B| items; the judge and optimizer by their concurrency; the held-out run by its concurrency). Local
 * models take turns on the CPU (activities/llm/providers/local/model-gate.ts), so roles' times add up.
 *
 * The aggregate rates are measured end to end with short prompts (bench/local-throughput.ts: output tokens ÷ wall),
 * so the prompt processing of an ordinary call is already in them, and llama-server reuses each slot's cached prompt
 * prefix. Only what a call reads beyond `SHORT_PROMPT_TOKENS` (the optimizer's meta-prompt with its traces, the
 * judge's pair of outputs) is added at the prompt rate. Checked against the real runs (bench/results/real/): AQuA
 * search 16 min forecast vs 19 measured, held-out 25 vs 16; MBPP held-out 37 vs 47 — an estimate for sizing a run,
 * within about ±50%. Pure.
 */
import type { CostBlock, Role } from './pricing';
import { ROLES } from './pricing';

/** A model's measured speed on the host: prompt processing, and aggregate generation at a few slot counts. */
export interface ThroughputProfile {
  /** Prompt tokens per second (one request). */
  promptTokPerSec: number;
  /** [requests at once, aggregate output tokens per second end to end (prompt included)], ascending in requests. */
  generation: ReadonlyArray<readonly [number, number]>;
  /** Where the figures come from (a measurement on this host, or the catalogue's reference machine). */
  source: string;
}

/** Aggregate generation rate with `inFlight` requests: linear between measured points, flat beyond the last. */
export function generationRate(p: ThroughputProfile, inFlight: number): number {
  const pts = p.generation;
  if (pts.length === 0) throw new Error('a throughput profile needs at least one generation point');
  if (inFlight <= pts[0][0]) return pts[0][1];
  for (let i = 1; i < pts.length; i++) {
    const [s1, r1] = pts[i];
    if (inFlight <= s1) {
      const [s0, r0] = pts[i - 1];
      return r0 + ((r1 - r0) * (inFlight - s0)) / (s1 - s0);
    }
  }
  return pts[pts.length - 1][1];
}

/** Prompt tokens per call that the end-to-end aggregate rates already account for. */
export const SHORT_PROMPT_TOKENS = 512;

export interface PhaseTime {
  roles: Record<Role, number | null>;
  /** Sum over the roles that run on profiled models; null when no role does. */
  seconds: number | null;
}

/**
 * Seconds per role for a block of calls and tokens, given each role's profile (undefined: not a local model, no
 * forecast) and how many of its requests can be in flight at once in this phase.
 */
export function forecastPhaseSeconds(block: CostBlock, profiles: Partial<Record<Role, ThroughputProfile>>, inFlight: Record<Role, number>): PhaseTime {
  const roles = {} as Record<Role, number | null>;
  let seconds: number | null = null;
  for (const role of ROLES) {
    const p = profiles[role];
    const line = block.roles[role];
    if (!p) {
      roles[role] = null;
      continue;
    }
    const longPrompt = Math.max(0, line.inputTokens - line.calls * SHORT_PROMPT_TOKENS);
    const t = line.calls === 0 ? 0 : longPrompt / p.promptTokPerSec + line.outputTokens / generationRate(p, Math.max(1, Math.min(inFlight[role], line.calls)));
    roles[role] = t;
    seconds = (seconds ?? 0) + t;
  }
  return { roles, seconds };
}
