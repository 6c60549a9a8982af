/**
 * What `maspo fork <runId> --round R -c overrides.yaml` may change, and what it refuses.
 *
 * A fork starts from the search state recorded at the start of round R: beams, best prompts, misalignment buffers,
 * the pool and the PRNG. Settings that only shape what happens next are safe to change (more rounds, bigger
 * batches, other weights, another optimizer or judge, a budget). Settings the recorded state was built from are not:
 * changing them would resume a state that no run with the new settings could have reached. Each refusal names the
 * field and says why, in one line.
 */
import { z } from 'zod';
import { ModelSpecSchema } from './config';
import { OptimizeSchema, WeightsSchema } from './optimize';

const ForkOptimizeSchema = z
  .object({
    rounds: OptimizeSchema.shape.rounds.unwrap(),
    stepsPerRound: OptimizeSchema.shape.stepsPerRound.unwrap(),
    proposalsPerParent: OptimizeSchema.shape.proposalsPerParent.unwrap(),
    batchSize: OptimizeSchema.shape.batchSize.unwrap(),
    weights: WeightsSchema,
    budget: OptimizeSchema.shape.budget,
  })
  .partial()
  .strict();

const ForkModelsSchema = z.object({ optimizer: ModelSpecSchema, judge: ModelSpecSchema }).partial().strict();

export const ForkOverridesSchema = z.object({ optimize: ForkOptimizeSchema, models: ForkModelsSchema }).partial().strict();
export type ForkOverrides = z.infer<typeof ForkOverridesSchema>;

const STATE = 'the recorded search state was built with it';

/** Fields a fork refuses, with the reason; paths not listed here and not in the schema are unknown fields. */
export const UNSAFE_FORK_FIELDS: Record<string, string> = {
  name: 'a fork keeps its parent run name (its workflow id and search attributes name the fork)',
  seed: 'the pool, the held-out split and the PRNG come from it',
  taskQueue: 'the fork runs where its parent ran',
  dataset: 'the pool and every recorded score come from it',
  mas: 'the agents and edges are the system the recorded beams belong to',
  sim: 'every recorded output was produced in that simulated world',
  evaluate: 'the held-out evaluation must match its parent to be compared',
  prices: 'spend is accounted with the parent run’s prices',
  'models.backbone': 'every recorded output and score was measured on it',
  'optimize.profile': STATE,
  'optimize.strategy': STATE,
  'optimize.poolSize': 'the pool was drawn with it',
  'optimize.beamWidth': 'the recorded beams were kept at that width',
  'optimize.lookaheadDepth': STATE,
  'optimize.jointEvaluation': STATE,
  'optimize.misalignment': 'the recorded misalignment buffers were mined with it',
  'optimize.maxMisalignmentCases': 'the recorded misalignment buffers were sized with it',
  'optimize.beamRefresh': STATE,
  'optimize.refreshBatch': STATE,
  'optimize.refreshMovesBest': STATE,
  'optimize.judgeBothOrders': STATE,
  'optimize.verdictParsing': STATE,
  'optimize.proposalParsing': STATE,
  'optimize.judgeReply': STATE,
  'optimize.taskType': STATE,
  'optimize.handoffSummaryWords': 'the recorded outputs were handed on with it',
  'optimize.maxInjectedQuestions': STATE,
  'optimize.heldOut': 'the held-out evaluation must match its parent to be compared',
  'optimize.caseCharLimit': 'the recorded misalignment cases were clipped with it',
  'optimize.caseExpiry': 'the recorded misalignment buffers were kept with it',
};

/** The first field of `raw` a fork refuses, as `<path>: cannot change in a fork (<why>)`; undefined if none. */
export function unsafeForkField(raw: unknown): string | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  for (const [top, value] of Object.entries(raw)) {
    const paths = value && typeof value === 'object' && !Array.isArray(value) ? [top, ...Object.keys(value).map((k) => `${top}.${k}`)] : [top];
    for (const path of paths) {
      const why = UNSAFE_FORK_FIELDS[path];
      if (why) return `${path}: cannot change in a fork (${why}); start a new run with \`maspo optimize\` instead`;
    }
  }
  return undefined;
}
