/**
 * Parameters of the simulated LLM world (see sim/README.md). Every knob is set from config and every default is
 * documented here; nothing is tuned per run. Pure zod schema, shared by the config parser, the in-process
 * simulator provider and `maspo sim serve`.
 *
 * Probabilities are in [0, 1]; "multiplier" fields scale the per-step error probability.
 */
import { z } from 'zod';

const Probability = z.number().min(0).max(1);
const Multiplier = z.number().min(0).max(10);

/** Difficulty of the generated arithmetic word problems (sim/tasks.ts). */
export const SimTasksSchema = z
  .object({
    /** Fewest operations in one problem. Default 3. */
    minSteps: z.number().int().min(1).max(20).default(3),
    /** Most operations in one problem. Default 6. */
    maxSteps: z.number().int().min(1).max(20).default(6),
    /** Smallest starting amount. Default 5. */
    minStart: z.number().int().min(1).max(1_000_000).default(5),
    /** Largest starting amount. Default 60. */
    maxStart: z.number().int().min(1).max(1_000_000).default(60),
    /** Largest amount added or removed in one step. Default 30. */
    maxOperand: z.number().int().min(2).max(1_000_000).default(30),
    /** The running total never exceeds this (multiplications that would are not generated). Default 2000. */
    maxValue: z.number().int().min(10).max(1_000_000_000).default(2000),
  })
  .strict()
  .refine((t) => t.minSteps <= t.maxSteps, { message: 'minSteps must not exceed maxSteps', path: ['minSteps'] })
  .refine((t) => t.minStart <= t.maxStart, { message: 'minStart must not exceed maxStart', path: ['minStart'] })
  .refine((t) => t.maxStart <= t.maxValue, { message: 'maxStart must not exceed maxValue', path: ['maxStart'] });
export type SimTasksConfig = z.infer<typeof SimTasksSchema>;

/** How a backbone agent behaves with no directive in its prompt. */
export const SimAgentSchema = z
  .object({
    /** Probability that one arithmetic step goes wrong, before directives and operation weights. Default 0.08. */
    stepError: Probability.default(0.08),
    /** Relative difficulty of each operation (multiplies `stepError`). Defaults: + and − 1, × and ÷ 1.5. */
    opWeight: z
      .object({
        add: Multiplier.default(1),
        subtract: Multiplier.default(1),
        multiply: Multiplier.default(1.5),
        divide: Multiplier.default(1.5),
      })
      .strict()
      .prefault({}),
    /** Added error per unit of temperature: error × (1 + scale × temperature). Default 0.2. */
    temperatureErrorScale: z.number().min(0).max(10).default(0.2),
    /** Probability that each step's equation ("Step 2: 25 × 3 = 75") is written out. Default 0.4. */
    showRate: Probability.default(0.4),
    /** Probability that a successor checks each upstream result it can see. Default 0.25. */
    reviewRate: Probability.default(0.25),
    /**
     * When a check disagrees with an upstream result and the value just before it is known to both sides, the
     * probability that the re-check settles on the right value (else it defers to upstream). Default 0.9.
     */
    resolveAccuracy: Probability.default(0.9),
    /** The same when the disagreement cannot be localised (e.g. only a bare final answer was handed on). Default 0.5. */
    unlocalizedResolveAccuracy: Probability.default(0.5),
    /**
     * Probability that an untagged ending mentions a count after the answer ("That leaves 63 crates after all 4
     * steps."), so a last-number or "answer is" reader misses it. Default 0.25.
     */
    untaggedAmbiguity: Probability.default(0.25),
  })
  .strict();

/** Effect sizes of the lexicon directives (sim/lexicon.ts; the table is in sim/README.md). */
export const SimEffectsSchema = z
  .object({
    /** "think step by step": error × 0.5 while the reasoning is written out; each equation shown with prob. 0.75. */
    stepByStep: z
      .object({ errorMultiplier: Multiplier.default(0.5), showRate: Probability.default(0.75) })
      .strict()
      .prefault({}),
    /** "double-check your arithmetic": error × 0.65, plus one check line. */
    doubleCheck: z.object({ errorMultiplier: Multiplier.default(0.65) }).strict().prefault({}),
    /** "show each intermediate result": each equation shown with prob. 1. */
    showIntermediates: z.object({ showRate: Probability.default(1) }).strict().prefault({}),
    /** "be concise": no prose; error × 1 (brevity alone neither helps nor hurts the agent's own accuracy). */
    brevity: z.object({ errorMultiplier: Multiplier.default(1) }).strict().prefault({}),
    /** "verify each step of the previous solution": checks each visible upstream result with prob. 0.95. */
    verifyUpstream: z.object({ checkRate: Probability.default(0.95) }).strict().prefault({}),
  })
  .strict();

/** The planted local–global misalignment. */
export const SimMisalignmentSchema = z
  .object({
    /**
     * Share of the intermediate results that brevity drops from the written output (0: brevity only removes
     * prose and is harmless downstream; 1: a brief output hands on nothing but the final answer). Default 1.
     */
    strength: Probability.default(1),
  })
  .strict();

/**
 * The simulated pairwise judge (sim/judge.ts). Label-free: it re-solves the question from its text with its own
 * error rate and never reads a stored answer.
 */
export const SimJudgeSchema = z
  .object({
    /** Per-step slip probability of the judge's own re-solution (× the operation weights). Default 0.02. */
    stepError: Probability.default(0.02),
    /** Probability that a verdict is a coin flip between A and B. Default 0.1. */
    noise: Probability.default(0.1),
    /** Probability that the judge picks the first-shown output (A) whatever it shows (position bias). Default 0.1. */
    positionBias: Probability.default(0.1),
    /**
     * Preference for the shorter output in LOCAL comparisons only, in score points at the largest length difference
     * (scaled by the relative difference). Below `weights.answer`, so correctness still dominates; it decides
     * between equally correct outputs, which makes "be concise" win locally: the planted misalignment. Default 1.
     */
    localBrevity: z.number().min(0).max(100).default(1),
    /** Score points: final answer equals the judge's own; answer tag present; per inconsistent equation; no readable answer. */
    weights: z
      .object({
        answer: z.number().min(0).max(100).default(3),
        format: z.number().min(0).max(100).default(1),
        inconsistency: z.number().min(0).max(100).default(1),
        missingAnswer: z.number().min(0).max(100).default(2),
      })
      .strict()
      .prefault({}),
    /** Probability of a reply without a verdict tag (exercises the unparseable path). Default 0. */
    unparseable: Probability.default(0),
  })
  .strict();

/**
 * The simulated prompt optimizer (sim/optimizer.ts): edits the parent prompt with lexicon directives at random,
 * biased only by evidence visible in the meta-prompt. Never reads the world's hidden utility.
 */
export const SimOptimizerSchema = z
  .object({
    /** How strongly visible evidence tilts the choice of edit (0: uniform exploration). Default 4. */
    evidenceWeight: z.number().min(0).max(100).default(4),
    /** Relative weight of removing a present directive vs adding an absent one. Default 0.5. */
    removeWeight: z.number().min(0).max(10).default(0.5),
    /** Probability of a second directive edit in the same proposal. Default 0.35. */
    secondEditRate: Probability.default(0.35),
    /** Probability of also adding a neutral sentence (changes wording, not behaviour). Default 0.15. */
    rewordRate: Probability.default(0.15),
    /** Probability of a reply without <prompt> tags (exercises the unusable-proposal path). Default 0. */
    malformed: Probability.default(0),
    /**
     * What a proposal's random draws depend on. `reroll` (default, as recorded in every committed result): a hash of
     * the whole meta-prompt, so showing a case re-rolls the proposal entirely and a case's effect drowns in that noise.
     * `local`: the parent prompt and its traces only, so the same request with and without cases draws the same
     * numbers and a case changes a proposal only where its evidence tilts the choice of edit.
     */
    caseReaction: z.enum(['reroll', 'local']).default('reroll'),
  })
  .strict();

export const SimOutputSchema = z
  .object({
    /** Characters per token for usage accounting (input and output). Default 4. */
    charsPerToken: z.number().min(1).max(16).default(4),
    /** Pads every reply with restatements up to `longReplyTokens` (for history and payload-limit tests). Default false. */
    longReplies: z.boolean().default(false),
    /** Target output length in tokens when `longReplies` is on. Default 8000. */
    longReplyTokens: z.number().int().min(100).max(1_000_000).default(8000),
  })
  .strict();

/** Simulated response time (server, and in-process when `faults.inProcess`). */
export const SimLatencySchema = z
  .object({
    /** `none`: answer at once; `fixed`: always `meanMs`; `lognormal`: mean `meanMs`, log-space s.d. `sigma`. Default none. */
    distribution: z.enum(['none', 'fixed', 'lognormal']).default('none'),
    /** Mean response time in ms. Default 0. */
    meanMs: z.number().min(0).max(600_000).default(0),
    /** Spread of the lognormal distribution (standard deviation of the log). Default 0.5. */
    sigma: z.number().min(0).max(5).default(0.5),
  })
  .strict();

/**
 * Injected failures, drawn per attempt from (world seed, request digest, attempt number), so a retry of the same
 * request draws again and can succeed. Rates are per attempt; their sum must not exceed 1.
 */
export const SimFaultsSchema = z
  .object({
    /** 429 with a Retry-After header. Default 0. */
    rateLimited: Probability.default(0),
    /** Value of the Retry-After header, in seconds. Default 1. */
    retryAfterSeconds: z.number().int().min(0).max(3600).default(1),
    /** 500 with an OpenAI-style error body. Default 0. */
    serverError: Probability.default(0),
    /** The request is never answered (the client's timeout must fire). Default 0. */
    hang: Probability.default(0),
    /** The reply is cut in half with finish_reason "length". Default 0. */
    truncated: Probability.default(0),
    /** The reply has null content. Default 0. */
    empty: Probability.default(0),
    /** Also inject faults and latency in the in-process `sim` provider (not only over HTTP). Default false. */
    inProcess: z.boolean().default(false),
  })
  .strict()
  .refine((f) => f.rateLimited + f.serverError + f.hang + f.truncated + f.empty <= 1, {
    message: 'fault rates must sum to at most 1',
  });

export const SimWorldSchema = z
  .object({
    /** World seed: with the request, it fully determines every reply. Default 0. */
    seed: z.number().int().nonnegative().max(2 ** 32 - 1).default(0),
    tasks: SimTasksSchema.prefault({}),
    agent: SimAgentSchema.prefault({}),
    effects: SimEffectsSchema.prefault({}),
    misalignment: SimMisalignmentSchema.prefault({}),
    judge: SimJudgeSchema.prefault({}),
    optimizer: SimOptimizerSchema.prefault({}),
    output: SimOutputSchema.prefault({}),
    latency: SimLatencySchema.prefault({}),
    faults: SimFaultsSchema.prefault({}),
  })
  .strict();

export type SimWorldConfig = z.infer<typeof SimWorldSchema>;
/** What config files and `spec.sim` may hold: any subset, defaults filled in by `SimWorldSchema.parse`. */
export type SimWorldInput = z.input<typeof SimWorldSchema>;
export type SimFaultsConfig = z.infer<typeof SimFaultsSchema>;
export type SimLatencyConfig = z.infer<typeof SimLatencySchema>;
export type SimJudgeConfig = z.infer<typeof SimJudgeSchema>;
export type SimOptimizerConfig = z.infer<typeof SimOptimizerSchema>;

/** The world with every default filled in. */
export function defaultSimWorld(overrides: SimWorldInput = {}): SimWorldConfig {
  return SimWorldSchema.parse(overrides);
}
