/**
 * The run configuration: one zod schema, parsed once at the edge (CLI / library) and then passed around as
 * plain data. Secrets never appear here: a model names the env var that holds its key (`apiKeyEnv`).
 *
 * Not imported by workflow code (zod stays out of the workflow bundle); workflows receive the parsed,
 * resolved `EvaluateInput` instead.
 */
import { z } from 'zod';
import { GraphError, graphOf, validateGraph, predecessors } from '../common/graph';
import { LLM_DISPATCH, MODEL_ROLES } from '../contracts/llm';
import { checkTemplate } from '../common/template';
import { SimWorldSchema } from './sim-config';
import { PricesSchema } from './prices';
import { BENCHMARK_FORMATS, type BenchmarkFormat } from '../contracts/dataset';
import { OptimizeSchema, requireSearchModels } from './optimize';
import { expandPreset, PRESET_LIMITS, PRESET_TASKS, PRESETS } from './topologies';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const AGENT_ID = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * One model's settings. `provider` is any name here: which providers exist, and which of them need `apiKeyEnv`, is
 * the provider registry's business, checked at the edge after this parse (client/config.ts `validateConfig`).
 */
export const ModelSpecSchema = z
  .object({
    provider: z.string().min(1),
    model: z.string().min(1),
    baseURL: z.string().url().optional(),
    apiKeyEnv: z.string().regex(ENV_NAME, 'must be an environment variable name such as OPENAI_API_KEY').optional(),
    temperature: z.number().min(0).max(2).default(0),
    maxTokens: z.number().int().positive().max(1_000_000).default(1024),
    timeoutMs: z.number().int().min(1000).max(3_600_000).default(120_000),
    extraBody: z.record(z.string(), z.unknown()).optional(),
    /** Max calls in flight for this role on one worker (activity slots of the role's task queue). */
    concurrency: z.number().int().min(1).max(1024).default(8),
    /** Optional server-side rate limit for the role's task queue (activities per second, whole cluster). */
    ratePerSecond: z.number().positive().optional(),
  })
  .strict();
export type ModelConfig = z.infer<typeof ModelSpecSchema>;

/** A key written into the config is refused with advice, before the generic "unknown field" error. */
const NoInlineSecrets = z.unknown().superRefine((v, ctx) => {
  if (v && typeof v === 'object') {
    for (const k of ['apiKey', 'api_key', 'key', 'token']) {
      if (k in (v as object)) {
        ctx.addIssue({
          code: 'custom',
          path: [k],
          message: 'API keys are never read from config files; put the key in an environment variable and name it in apiKeyEnv',
        });
      }
    }
  }
});

const ModelsSchema = z
  .object({
    backbone: NoInlineSecrets.pipe(ModelSpecSchema),
    optimizer: NoInlineSecrets.pipe(ModelSpecSchema).optional(),
    judge: NoInlineSecrets.pipe(ModelSpecSchema).optional(),
  })
  .strict();

export const AgentSchema = z
  .object({
    id: z.string().regex(AGENT_ID, 'must start with a letter and contain only letters, digits, _ or -'),
    /** Role label shown to the optimizer and judge (e.g. "predictor", "reflector"). */
    role: z.string().min(1).default('agent'),
    /** One-line description of the agent's job, shown to the optimizer and judge. */
    description: z.string().optional(),
    /** Prompt template with {{question}} and (for agents with predecessors) {{context}}. */
    prompt: z.string().min(1),
  })
  .strict();

const EdgeSchema = z.union([
  z
    .object({
      from: z.string().min(1),
      to: z.string().min(1),
      /** What the successor receives: the predecessor's full output (default) or a short summary of it. */
      handoff: z.enum(['full', 'summary']).optional(),
    })
    .strict(),
  z
    .string()
    .regex(/^\s*[^\s>-][^>]*?\s*->\s*\S.*$/, 'must look like "solver -> reviewer"')
    .transform((s) => {
      const [from, to] = s.split('->').map((x) => x.trim());
      return { from, to };
    }),
]);

const ExplicitMasSchema = z
  .object({
    /** Label for search attributes and reports: chain, hierarchical, debate, dag, … */
    topology: z.string().min(1).default('dag'),
    agents: z.array(AgentSchema).min(1, 'at least one agent is required'),
    edges: z.array(EdgeSchema).default([]),
    /** Length limit of hand-off summaries (edges with `handoff: summary`), in words. */
    summaryWords: z.number().int().min(5).max(1000).default(30),
  })
  .strict()
  .superRefine((mas, ctx) => {
    const graph = graphOf(mas);
    try {
      validateGraph(graph);
    } catch (e) {
      if (!(e instanceof GraphError)) throw e;
      ctx.addIssue({ code: 'custom', path: e.path.replace(/^mas\.?/, '').split(/[.[\]]+/).filter(Boolean).map(pathPart), message: e.message });
      return;
    }
    mas.agents.forEach((agent, i) => {
      for (const p of checkTemplate(agent.prompt, predecessors(graph, agent.id).length > 0)) {
        ctx.addIssue({ code: 'custom', path: ['agents', i, 'prompt'], message: `agent '${agent.id}': ${p.message}` });
      }
    });
  });

/** Per-agent changes to a preset's prompts, keyed by agent id. */
const PresetOverrideSchema = z
  .object({ prompt: z.string().min(1).optional(), description: z.string().optional() })
  .strict();

/**
 * The preset form (core/schema/topologies.ts): `{ preset, task, agents?, rounds?, overrides? }`, expanded here into the
 * explicit form and then validated by it like a hand-written graph.
 */
const PresetMasSchema = z
  .object({
    preset: z.enum(PRESETS),
    task: z.enum(PRESET_TASKS),
    /** Number of predictors (preset llm-aggregator only; default 3). */
    agents: z.number().int().min(PRESET_LIMITS.agents.min).max(PRESET_LIMITS.agents.max).optional(),
    /** Predictor → reflector rounds (preset chain only; default 1). */
    rounds: z.number().int().min(PRESET_LIMITS.rounds.min).max(PRESET_LIMITS.rounds.max).optional(),
    overrides: z.record(z.string(), PresetOverrideSchema).optional(),
  })
  .strict()
  .transform((p, ctx): z.input<typeof ExplicitMasSchema> => {
    let ok = true;
    if (p.agents !== undefined && p.preset !== 'llm-aggregator') {
      ctx.addIssue({ code: 'custom', path: ['agents'], message: `only applies to preset llm-aggregator, not '${p.preset}'` });
      ok = false;
    }
    if (p.rounds !== undefined && p.preset !== 'chain') {
      ctx.addIssue({ code: 'custom', path: ['rounds'], message: `only applies to preset chain, not '${p.preset}'` });
      ok = false;
    }
    if (!ok) return z.NEVER;
    const mas = expandPreset({ preset: p.preset, task: p.task, agents: p.agents, rounds: p.rounds });
    const graph = graphOf(mas);
    for (const [id, o] of Object.entries(p.overrides ?? {})) {
      const agent = mas.agents.find((a) => a.id === id);
      if (!agent) {
        ctx.addIssue({ code: 'custom', path: ['overrides', id], message: `preset '${p.preset}' has no agent '${id}' (its agents: ${graph.agents.join(', ')})` });
        ok = false;
        continue;
      }
      if (o.prompt !== undefined) {
        for (const problem of checkTemplate(o.prompt, predecessors(graph, id).length > 0)) {
          ctx.addIssue({ code: 'custom', path: ['overrides', id, 'prompt'], message: `agent '${id}': ${problem.message}` });
          ok = false;
        }
        agent.prompt = o.prompt;
      }
      if (o.description !== undefined) agent.description = o.description;
    }
    return ok ? mas : z.NEVER;
  })
  .pipe(ExplicitMasSchema);

/** True when a `mas` value is written in the preset form (has a `preset` key). */
function isPresetForm(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && 'preset' in v;
}

/**
 * The agent graph: EITHER explicit (`topology`, `agents`, `edges`) OR a preset
 * (`preset`, `task`, `agents?`, `rounds?`, `overrides?`; see core/schema/topologies.ts), which is expanded into the
 * explicit form. Either way the output is the explicit form, validated the same way.
 */
export const MasSchema = z.unknown().transform((v, ctx): z.output<typeof ExplicitMasSchema> => {
  const parsed = (isPresetForm(v) ? PresetMasSchema : ExplicitMasSchema).safeParse(v);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, input: issue.input } as Parameters<typeof ctx.addIssue>[0]);
  return z.NEVER;
});
export type MasConfig = z.output<typeof MasSchema>;

function pathPart(p: string): string | number {
  return /^\d+$/.test(p) ? Number(p) : p;
}

export const GRADERS = ['exact', 'numeric', 'choice', 'math', 'code'] as const;

const SimDatasetSchema = z
  .object({
    kind: z.literal('sim'),
    /** `train` items form optimisation pools, `test` items held-out evaluation; disjoint by construction. */
    split: z.enum(['train', 'test']).default('test'),
    size: z.number().int().min(1).max(100_000).default(50),
    /** Task generator seed; defaults to the world seed. */
    seed: z.number().int().nonnegative().optional(),
  })
  .strict();

const JsonlDatasetSchema = z
  .object({
    kind: z.literal('jsonl'),
    /** Path to a JSONL file; relative paths resolve against the config file; `${VAR}` expands from env. */
    path: z.string().min(1),
    /** Which item fields hold the id, question, answer and (for multiple choice) options. */
    fields: z
      .object({
        id: z.string().optional(),
        question: z.string().default('question'),
        answer: z.string().default('answer'),
        options: z.string().optional(),
      })
      .strict()
      .default({ question: 'question', answer: 'answer' }),
    grader: z
      .enum(GRADERS)
      .refine((g) => g !== 'code', 'code grading needs each item\'s tests: use kind: benchmark with format mbpp or humaneval-et')
      .default('exact'),
    /** Evaluate only the first N items. */
    limit: z.number().int().positive().optional(),
  })
  .strict();

/** Where each benchmark file lives under `${MASPO_DATA_DIR}` when `path` is not given. */
export const BENCHMARK_DEFAULT_PATHS: Record<BenchmarkFormat, string> = {
  'math-500': 'math-500/math_500.jsonl',
  'agieval-math': 'agieval-math/test.jsonl',
  aqua: 'aqua/aqua.jsonl',
  gpqa: 'gpqa/gpqa_diamond.jsonl',
  mbpp: 'mbpp/sanitized-mbpp.jsonl',
  'humaneval-et': 'humaneval-et/HumanEval_ET.jsonl',
};

const BenchmarkDatasetSchema = z
  .object({
    kind: z.literal('benchmark'),
    /** The file's layout, which also fixes the grader: math (math-500, agieval-math), choice (aqua, gpqa), code (mbpp, humaneval-et). */
    format: z.enum(BENCHMARK_FORMATS),
    /** Path to the file; relative paths resolve against the config file; `${VAR}` expands from env. Default `${MASPO_DATA_DIR}/<usual place>`. */
    path: z.string().min(1).optional(),
    /** Evaluate only the first N items (every line is still validated). */
    limit: z.number().int().positive().optional(),
    /** HumanEval-ET: `check` runs the original check(candidate) tests, `et` the extended test_list asserts. */
    tests: z.enum(['check', 'et']).optional(),
  })
  .strict()
  .refine((d) => d.tests === undefined || d.format === 'humaneval-et', { path: ['tests'], message: 'only applies to format humaneval-et' });

export const DatasetSchema = z.discriminatedUnion('kind', [SimDatasetSchema, JsonlDatasetSchema, BenchmarkDatasetSchema]);
export type DatasetConfig = z.infer<typeof DatasetSchema>;

export const EvaluateOptionsSchema = z
  .object({
    /** Items run concurrently inside one batch workflow. */
    concurrency: z.number().int().min(1).max(256).default(8),
    /** Items per child workflow (keeps each history small). */
    batchSize: z.number().int().min(1).max(500).default(20),
    bootstrapResamples: z.number().int().min(100).max(100_000).default(2000),
    /** Heartbeat timeout of LLM activities: how soon calls of a crashed worker are retried elsewhere. */
    llmHeartbeatTimeoutMs: z.number().int().min(1000).max(600_000).default(20_000),
    /**
     * Where LLM calls are scheduled: `workflow-queue` (eager dispatch, per-role bounds inside each worker) or
     * `role-queues` (`<taskQueue>-llm-<role>`, bounded by the role workers' slots). See core/contracts/llm.ts.
     */
    llmDispatch: z.enum(LLM_DISPATCH).default('workflow-queue'),
  })
  .strict();

export const ConfigSchema = z
  .object({
    name: z.string().min(1).default('maspo'),
    seed: z.number().int().nonnegative().max(2 ** 32 - 1).default(0),
    /** Base name of the Temporal task queues (`<base>` for workflows, `<base>-llm-<role>` for LLM calls). */
    taskQueue: z.string().regex(/^[A-Za-z0-9._-]+$/).default('maspo'),
    dataset: DatasetSchema,
    mas: MasSchema,
    models: ModelsSchema,
    sim: SimWorldSchema.default(SimWorldSchema.parse({})),
    evaluate: EvaluateOptionsSchema.default(EvaluateOptionsSchema.parse({})),
    /** The prompt search (MASPO); absent = evaluation only. See core/schema/optimize.ts. */
    optimize: OptimizeSchema.optional(),
    /** Price overrides, USD per 1M tokens: { model (or prefix*): { input, output } }. See core/forecast/pricing.ts. */
    prices: PricesSchema.optional(),
  })
  .strict()
  .superRefine(requireSearchModels);
export type MaspoConfig = z.infer<typeof ConfigSchema>;

export { MODEL_ROLES };

/**
 * A union's issue says only "Invalid input"; this descends into the branch written in the input's type (the one
 * that failed on more than its type), so `a => b` as an edge reports the edge format and `{ from: a }` the missing
 * `to`. When no branch matches the type, the message lists the types the union accepts.
 */
function unionReason(issue: z.core.$ZodIssue): { path: PropertyKey[]; issue: z.core.$ZodIssue } {
  if (issue.code !== 'invalid_union' || !issue.errors.length) return { path: issue.path, issue };
  const typeOnly = (branch: z.core.$ZodIssue[]) => branch.length === 1 && (branch[0].code === 'invalid_type' || branch[0].code === 'invalid_value') && branch[0].path.length === 0;
  const matched = issue.errors.find((branch) => branch.length > 0 && !typeOnly(branch));
  if (matched) {
    const inner = unionReason(matched[0]);
    return { path: [...issue.path, ...inner.path], issue: inner.issue };
  }
  const expected = issue.errors.flatMap(([b]) => (b.code === 'invalid_type' ? [b.expected] : b.code === 'invalid_value' ? b.values.map((v) => JSON.stringify(v)) : []));
  return { path: issue.path, issue: { ...issue, message: `Invalid input: expected ${[...new Set(expected)].join(' or ')}` } };
}

/** Renders a zod error as one line: `<field.path>: <reason>` for the first issue, and how many more. */
export function formatConfigIssue(error: z.ZodError): string {
  const { path: issuePath, issue: first } = unionReason(error.issues[0]);
  const path = issuePath.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
  let message = first.message;
  if (first.code === 'unrecognized_keys') message = `unknown field${first.keys.length > 1 ? 's' : ''} ${first.keys.map((k) => `'${k}'`).join(', ')}`;
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})` : '';
  return `${path || '(root)'}: ${message}${more}`;
}
