/**
 * The `optimize:` section of the run config and its resolution into the flat `SearchSettings` a search workflow
 * carries. Parsed once at the edge (CLI / library); uses zod, so workflows import only the *type* from here
 * (`import type { SearchSettings } from '../core/search/types'`).
 *
 * Defaults are the paper's (D=3, T=3, K=2, Ksub=2, |D|=50, |B|=10, α/β/θ = 0.4/0.4/0.2, lookahead 1 hop, Kmis=3).
 * The optimizer's temperature (paper 0.7) and the judge's (paper 0) are NOT set here: they belong to
 * `models.optimizer.temperature` and `models.judge.temperature` in the main config.
 *
 * Switches left unset take their value from the strategy and profile (so presets can be told apart from explicit
 * choices, and contradictions are refused with a message instead of being silently overridden):
 *
 * | switch            | maspo            | local-only | note                                                 |
 * |-------------------|------------------|------------|------------------------------------------------------|
 * | jointEvaluation   | true             | false      | false = local reward only (Table 2 "w/o joint eval") |
 * | misalignment      | hard-negatives   | off        | defaults to off when jointEvaluation is false        |
 * | beamRefresh       | true             | false      |                                                      |
 * | judgeBothOrders   | fixed: true, faithful: false                 | faithful shows the candidate first always |
 *
 * Profile semantics (see types.ts for each field):
 *
 * | field                  | fixed                          | faithful (study)                  |
 * |------------------------|--------------------------------|-----------------------------------|
 * | verdictParsing         | strict, tie allowed            | lenient, binary                   |
 * | batchPerNode           | false (one batch per step)     | true                              |
 * | parentCopies           | false (no duplicate prompts)   | true                              |
 * | caseDelivery           | marked-self                    | successor-questions (cap 5)       |
 * | noLookaheadWeights     | α, θ renormalised              | 0.7 / 0.3                         |
 * | refreshWeights         | the step weights (Eq. 8)       | 0.7 local + 0.3 global            |
 * | handoffSummaryWords    | null (full outputs)            | 30 (code: 50)                     |
 * | reuseTerminalLookahead | true                           | false                             |
 * | skipIdenticalOutputs   | true                           | false                             |
 * | proposalTraces         | all (sample index varies)      | split (one slice per proposal)    |
 * | refreshSharesFirstBatch| true (`refreshBatch: fresh`: false) | false (fresh batch)            |
 * | tieBreak               | seeded                         | stable                            |
 */
import { z } from 'zod';
import type { RewardWeights, SearchSettings, TaskType } from '../search/types';

const Weight = z.number().min(0).max(1);
const WEIGHT_TOLERANCE = 1e-6;

export const WeightsSchema = z
  .object({
    /** α: local validity. Default 0.4. */
    local: Weight.default(0.4),
    /** β: lookahead potential (successors' re-run outputs). Default 0.4. */
    lookahead: Weight.default(0.4),
    /** θ: global alignment (final system output). Default 0.2. */
    global: Weight.default(0.2),
  })
  .strict()
  .superRefine((w, ctx) => {
    const sum = w.local + w.lookahead + w.global;
    if (Math.abs(sum - 1) > WEIGHT_TOLERANCE) {
      ctx.addIssue({
        code: 'custom',
        message: `weights must sum to 1, but local ${w.local} + lookahead ${w.lookahead} + global ${w.global} = ${+sum.toFixed(6)} (paper: 0.4 / 0.4 / 0.2; unset weights take those defaults)`,
      });
    }
  });

export const OptimizeSchema = z
  .object({
    /** `fixed` (default) repairs the reference's defects; `faithful` reproduces its decisions (study §11.1). */
    profile: z.enum(['fixed', 'faithful']).default('fixed'),
    /** `maspo` (default), `local-only` (SPO-style) or `none` (seed prompts, no calls). */
    strategy: z.enum(['maspo', 'local-only', 'none']).default('maspo'),
    /** D: rounds. Default 3. */
    rounds: z.number().int().min(1).max(100).default(3),
    /** T: steps per agent per round. Default 3. */
    stepsPerRound: z.number().int().min(1).max(100).default(3),
    /** K: beam width. Default 2. */
    beamWidth: z.number().int().min(1, 'beamWidth (K) must be at least 1').max(32).default(2),
    /** Ksub: proposals per beam parent per step. Default 2. */
    proposalsPerParent: z.number().int().min(1, 'proposalsPerParent (Ksub) must be at least 1').max(32).default(2),
    /** |D|: optimisation pool size (unlabelled items). Default 50. */
    poolSize: z.number().int().min(1).max(100_000).default(50),
    /** |B|: mini-batch size. Default 10. */
    batchSize: z.number().int().min(1).max(10_000).default(10),
    /** α/β/θ; must sum to 1. Defaults 0.4/0.4/0.2. */
    weights: WeightsSchema.prefault({}),
    /** Successors within this many hops get a lookahead comparison (1–3). Default 1 (direct successors). */
    lookaheadDepth: z.number().int().min(1).max(3).default(1),
    /** Ablation: lookahead + global comparisons on (default, per strategy) or local reward only. */
    jointEvaluation: z.boolean().optional(),
    /** Ablation: hard-negatives (default), off, random or success-case sampling. */
    misalignment: z.enum(['hard-negatives', 'off', 'random', 'success']).optional(),
    /** Kmis: cases per proposal. Default 3. */
    maxMisalignmentCases: z.number().int().min(1).max(20).default(3),
    /** Ablation: Beam Refresh at every revisit (default, per strategy). */
    beamRefresh: z.boolean().optional(),
    /**
     * fixed profile: the batch a Beam Refresh re-scores on. `shared` (default): the batch of the agent's next step,
     * whose runs of the best prompt the step then reuses (fewer calls). `fresh`: a batch of its own, so the sample
     * that re-scores the beam is not the one that scores the step's candidates (faithful always draws fresh).
     */
    refreshBatch: z.enum(['shared', 'fresh']).optional(),
    /** fixed profile: `false` = a refresh re-ranks the beam but never replaces the agent's best prompt (default true). */
    refreshMovesBest: z.boolean().optional(),
    /** Judge both presentation orders (default: true in fixed, false in faithful). */
    judgeBothOrders: z.boolean().optional(),
    /**
     * fixed profile: `strict` (default) reads exactly one <choose>A|B|tie</choose>; `tolerant` also reads what small
     * local judges write instead — a reply that is only the verdict ("B", "**A**.") or one <choose>X left unclosed at
     * the end. Anything else stays unparseable (counted, scored as a tie).
     */
    verdictParsing: z.enum(['strict', 'tolerant']).optional(),
    /**
     * fixed profile: `strict` (default) takes the last complete <prompt>…</prompt> with every placeholder in place;
     * `tolerant` also takes a <prompt> cut off at the end of the reply and appends a missing {{question}} / {{context}}
     * (listed as repairs). Other problems still reject the proposal (counted).
     */
    proposalParsing: z.enum(['strict', 'tolerant']).optional(),
    /**
     * `analysis-first` (default): the judge gives a short analysis, then the verdict tag. `verdict-first`: the tag first,
     * then one sentence — with `extraBody: { stop: ["</choose>"] }` on the judge model the reply ends at the verdict
     * (small judges otherwise start solving the problem and run out of tokens before any verdict).
     */
    judgeReply: z.enum(['analysis-first', 'verdict-first']).optional(),
    /** Requirement string for optimizer and judge; default inferred from the dataset (`math` unless choice). */
    taskType: z.enum(['math', 'choice', 'code']).optional(),
    /** Hand-off summaries of at most N words instead of full outputs (default: faithful 30 / 50 for code, fixed off). */
    handoffSummaryWords: z.union([z.literal(false), z.number().int().min(5).max(1000)]).optional(),
    /** Faithful successor-side injection cap. Default 5. */
    maxInjectedQuestions: z.number().int().min(0).max(100).default(5),
    /** After the search, evaluate seed vs optimised prompts on the held-out split (disjoint from the pool). Default true. */
    heldOut: z.boolean().default(true),
    /** Characters kept per text in a misalignment case. Default 2000. */
    caseCharLimit: z.number().int().min(100).max(100_000).default(2000),
    /**
     * fixed profile: when a buffered misalignment case stops being shown to the agent's proposals — after `turns`
     * later steps of the agent, and/or (`beamExit`) once the prompt it was mined against has left the beam.
     * Default: never (a case stays until newer ones push it out of the Kmis-sized buffer).
     */
    caseExpiry: z.object({ turns: z.number().int().min(1).max(100).optional(), beamExit: z.boolean().default(false) }).strict().optional(),
    /**
     * Spending cap: `usd` (list prices, see `prices:`) and/or `calls` (paid LLM calls; cache hits are free). The run
     * reserves each unit's worst case first and stops at a boundary with status budget_exhausted when it would pass;
     * `maspo budget <id> --usd N` raises it and the run goes on. Not a search setting: it travels beside them.
     */
    budget: z
      .object({
        usd: z.number().positive('budget.usd must be a positive number of dollars').max(1_000_000).optional(),
        calls: z.number().int().positive('budget.calls must be a positive integer').optional(),
      })
      .strict()
      .refine((b) => b.usd !== undefined || b.calls !== undefined, { message: 'give usd and/or calls' })
      .optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.profile === 'faithful' && o.verdictParsing !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['verdictParsing'], message: 'applies to the fixed profile only (faithful reads verdicts with the reference parser)' });
    }
    if (o.profile === 'faithful' && o.refreshMovesBest !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['refreshMovesBest'], message: 'applies to the fixed profile only (faithful re-ranks the beam as the reference does)' });
    }
    if (o.profile === 'faithful' && o.refreshBatch !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['refreshBatch'], message: 'applies to the fixed profile only (faithful always refreshes on a fresh batch)' });
    }
    if (o.profile === 'faithful' && o.proposalParsing !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['proposalParsing'], message: 'applies to the fixed profile only (faithful reads proposals with the reference parser)' });
    }
    if (o.batchSize > o.poolSize) {
      ctx.addIssue({ code: 'custom', path: ['batchSize'], message: `batchSize (${o.batchSize}) must not exceed poolSize (${o.poolSize})` });
    }
    if (o.strategy === 'local-only') {
      const implied: Array<[keyof typeof o, unknown, string]> = [
        ['jointEvaluation', false, 'it scores with the local reward only'],
        ['misalignment', 'off', 'it mines no misalignment cases'],
        ['beamRefresh', false, 'it does not refresh the beam'],
      ];
      for (const [key, value, why] of implied) {
        if (o[key] !== undefined && o[key] !== value) {
          ctx.addIssue({ code: 'custom', path: [key], message: `strategy local-only implies ${key}: ${String(value)} (${why}); remove ${key} or use strategy maspo` });
        }
      }
    }
    if (o.jointEvaluation === false && (o.misalignment === 'hard-negatives' || o.misalignment === 'success')) {
      ctx.addIssue({
        code: 'custom',
        path: ['misalignment'],
        message: `misalignment ${o.misalignment} needs the lookahead/global verdicts that jointEvaluation: false turns off; use off or random`,
      });
    }
  });

export type OptimizeConfig = z.infer<typeof OptimizeSchema>;
export type OptimizeInput = z.input<typeof OptimizeSchema>;

export interface ResolveContext {
  /** The dataset's grader, used when `taskType` is not set: `choice` → choice, `code` → code, anything else → math. */
  grader?: string;
}

const FAITHFUL_FALLBACK: RewardWeights = { local: 0.7, lookahead: 0, global: 0.3 };

/** Applies strategy presets and profile semantics (tables above). Pure; the result is plain JSON. */
export function resolveOptimizeSettings(o: OptimizeConfig, context: ResolveContext = {}): SearchSettings {
  const faithful = o.profile === 'faithful';
  const localOnly = o.strategy === 'local-only';
  const jointEvaluation = o.jointEvaluation ?? !localOnly;
  const misalignment = o.misalignment ?? (localOnly || !jointEvaluation ? 'off' : 'hard-negatives');
  const beamRefresh = o.beamRefresh ?? !localOnly;
  const taskType: TaskType = o.taskType ?? (context.grader === 'choice' ? 'choice' : context.grader === 'code' ? 'code' : 'math');
  const summary = o.handoffSummaryWords ?? (faithful ? (taskType === 'code' ? 50 : 30) : false);
  return {
    profile: o.profile,
    strategy: o.strategy,
    search: o.strategy !== 'none',
    rounds: o.rounds,
    stepsPerRound: o.stepsPerRound,
    beamWidth: o.beamWidth,
    proposalsPerParent: o.proposalsPerParent,
    poolSize: o.poolSize,
    batchSize: o.batchSize,
    ...weightSettings(o.weights, { faithful, jointEvaluation }),
    jointEvaluation,
    lookaheadDepth: o.lookaheadDepth,
    misalignment,
    maxMisalignmentCases: o.maxMisalignmentCases,
    beamRefresh,
    judgeBothOrders: o.judgeBothOrders ?? !faithful,
    taskType,
    verdictParsing: faithful ? 'lenient' : (o.verdictParsing ?? 'strict'),
    ...(!faithful && o.proposalParsing === 'tolerant' ? { proposalParsing: 'tolerant' as const } : {}),
    ...(o.judgeReply === 'verdict-first' ? { judgeReply: 'verdict-first' as const } : {}),
    allowTieVerdict: !faithful,
    batchPerNode: faithful,
    parentCopies: faithful,
    caseDelivery: faithful ? 'successor-questions' : 'marked-self',
    maxInjectedQuestions: o.maxInjectedQuestions,
    handoffSummaryWords: summary === false ? null : summary,
    reuseTerminalLookahead: !faithful,
    skipIdenticalOutputs: !faithful,
    skipEmptyLookahead: faithful,
    proposalTraces: faithful ? 'split' : 'all',
    refreshSharesFirstBatch: !faithful && o.refreshBatch !== 'fresh',
    tieBreak: faithful ? 'stable' : 'seeded',
    improvementEpsilon: 1e-6,
    caseCharLimit: o.caseCharLimit,
    ...(!faithful && o.refreshMovesBest === false ? { refreshKeepsBest: true } : {}),
    ...(!faithful && o.caseExpiry && (o.caseExpiry.turns !== undefined || o.caseExpiry.beamExit) ? { caseExpiry: { ...o.caseExpiry } } : {}),
  };
}

/**
 * The settings that follow from α/β/θ: whether lookahead is judged, and the weights of the no-lookahead and refresh
 * formulas. One function, because a fork (client/fork.ts) may change the weights of a resolved run.
 */
export function weightSettings(
  w: RewardWeights,
  run: { faithful: boolean; jointEvaluation: boolean },
): Pick<SearchSettings, 'weights' | 'lookahead' | 'noLookaheadWeights' | 'refreshWeights' | 'refreshLookahead'> {
  const weights = { ...w };
  const lookahead = run.jointEvaluation && weights.lookahead > 0;
  return {
    weights,
    lookahead,
    noLookaheadWeights: run.faithful ? FAITHFUL_FALLBACK : renormalise({ local: weights.local, lookahead: 0, global: weights.global }),
    refreshWeights: run.faithful ? FAITHFUL_FALLBACK : weights,
    refreshLookahead: !run.faithful && lookahead,
  };
}

/** Scales weights to sum to 1 (all-zero stays all-zero). */
export function renormalise(w: RewardWeights): RewardWeights {
  const sum = w.local + w.lookahead + w.global;
  if (sum <= 0) return { local: 0, lookahead: 0, global: 0 };
  return { local: w.local / sum, lookahead: w.lookahead / sum, global: w.global / sum };
}

/** Parses and resolves in one go (tests, library callers with a plain object). */
export function optimizeSettings(input: OptimizeInput = {}, context: ResolveContext = {}): SearchSettings {
  return resolveOptimizeSettings(OptimizeSchema.parse(input), context);
}

/**
 * Config-level rule, attached to `ConfigSchema` with `.superRefine`: a search needs an optimizer and a judge model.
 * Reports one issue per missing role at `models.<role>`.
 */
export function requireSearchModels(
  config: { optimize?: { strategy: string }; models: { optimizer?: unknown; judge?: unknown } },
  ctx: z.RefinementCtx,
): void {
  if (!config.optimize || config.optimize.strategy === 'none') return;
  for (const role of ['optimizer', 'judge'] as const) {
    if (!config.models[role]) {
      ctx.addIssue({
        code: 'custom',
        path: ['models', role],
        message: `required when optimize.strategy is ${config.optimize.strategy} (the ${role === 'optimizer' ? 'model that proposes prompts, paper: temperature 0.7' : 'pairwise judge, paper: temperature 0'})`,
      });
    }
  }
}
