/**
 * Which scenarios a bench invocation runs. Full mode: the paper configuration per profile at L = 200 ms (wall-clock
 * against the critical path), at L = 0 (orchestration overhead) and with 8K-token replies (history sizes); the
 * evaluation job alone on 1,000 items at L = 0 (its overhead per call against the search's); the growth series at
 * L = 0: 2-, 3-, 4-agent chains, |B| = 10, 20, 50 and Ksub = 2, 3, 4, on a shorter search (D=1, T=2 by default: one
 * round whose second step expands a 2-node beam) so the whole bench stays near 20 minutes on 2 cores (what grows
 * with each parameter is the same per step); last, unless `--no-real`, a reduced search on a real local model (slot
 * occupancy). Quick mode: the same kinds of run on a one-round, one-step search and 100 evaluation items, to check
 * the pipeline in minutes.
 */
import type { Profile } from '../../core/search/types';
import { EVALUATION_ITEMS } from './evaluation-input';
import type { Scenario } from './scenario';

export const PROFILES: Profile[] = ['fixed', 'faithful'];
export const WALL_LATENCY_MS = 200;
/** Items of the evaluation-only run in quick mode (about the quick search's number of calls). */
export const QUICK_EVALUATION_ITEMS = 100;

export type Series = 'agents' | 'batch' | 'candidates';

export interface PlanOptions {
  quick: boolean;
  /** Rounds (D) and steps per round (T) of the growth runs. */
  growthRounds: number;
  growthSteps: number;
  /** The real-model scenario runs on this catalogue model; undefined: it does not run (`--no-real`). */
  realModel?: string;
}

/** Growth scenarios carry the series they belong to (the base point belongs to all three). */
export interface PlannedScenario extends Scenario {
  series?: Series[];
  /** The paper configuration (full mode) or its quick stand-in. */
  paper?: 'wall' | 'overhead' | 'history' | 'history-without-codec';
}

/** The real-model search: one round, one step, |B| = 4 of a pool of 8 (real-model.ts sets the models). */
export function realModelScenario(model: string): PlannedScenario {
  return { id: `real-${model}`, realModel: model, profile: 'fixed', latencyMs: 0, longReplies: false, agents: 2, batchSize: 4, poolSize: 8, rounds: 1, stepsPerRound: 1, proposalsPerParent: 2 };
}

export function benchPlan(opts: PlanOptions): PlannedScenario[] {
  const size = opts.quick ? { rounds: 1, stepsPerRound: 1 } : {};
  const growthSize = opts.quick ? { rounds: 1, stepsPerRound: 1 } : { rounds: opts.growthRounds, stepsPerRound: opts.growthSteps };
  const out: PlannedScenario[] = [];
  for (const profile of PROFILES) {
    const paper = { profile, agents: 2, batchSize: 10, longReplies: false, ...size };
    out.push(
      { ...paper, id: `paper-${profile}-L${WALL_LATENCY_MS}`, latencyMs: WALL_LATENCY_MS, paper: 'wall' },
      { ...paper, id: `paper-${profile}-L0`, latencyMs: 0, paper: 'overhead' },
      { ...paper, id: `paper-${profile}-8k`, latencyMs: 0, longReplies: true, paper: 'history' },
    );
    // What the claim-check codec saves: the profile that hands full outputs downstream, codec off.
    if (profile === 'fixed') out.push({ ...paper, id: `paper-${profile}-8k-nocodec`, latencyMs: 0, longReplies: true, payloadThresholdBytes: 0, paper: 'history-without-codec' });
  }
  // The held-out evaluation's work alone, on the paper's MAS with its seed prompts (`profile` only names the search
  // whose overhead per call it is compared with).
  out.push({ id: 'eval-L0', workload: 'evaluation', items: opts.quick ? QUICK_EVALUATION_ITEMS : EVALUATION_ITEMS, profile: 'fixed', latencyMs: 0, longReplies: false, agents: 2, batchSize: 10 });
  for (const profile of PROFILES) {
    const g = { profile, latencyMs: 0, longReplies: false, agents: 2, batchSize: 10, ...growthSize };
    const all: PlannedScenario[] = [
      { ...g, id: `growth-${profile}-base`, series: ['agents', 'batch', 'candidates'] },
      { ...g, id: `growth-${profile}-agents3`, agents: 3, series: ['agents'] },
      { ...g, id: `growth-${profile}-agents4`, agents: 4, series: ['agents'] },
      { ...g, id: `growth-${profile}-batch20`, batchSize: 20, series: ['batch'] },
      { ...g, id: `growth-${profile}-batch50`, batchSize: 50, series: ['batch'] },
      { ...g, id: `growth-${profile}-ksub3`, proposalsPerParent: 3, series: ['candidates'] },
      { ...g, id: `growth-${profile}-ksub4`, proposalsPerParent: 4, series: ['candidates'] },
    ];
    // Quick mode: one step up in two series, enough to exercise the growth report.
    out.push(...(opts.quick ? all.filter((s) => /-(base|agents3|batch20)$/.test(s.id)) : all));
  }
  if (opts.realModel) out.push(realModelScenario(opts.realModel));
  return out;
}

/** The x value of a growth scenario in a series. */
export function seriesValue(s: Scenario, series: Series): number {
  return series === 'agents' ? s.agents : series === 'batch' ? s.batchSize : (s.proposalsPerParent ?? 2);
}
