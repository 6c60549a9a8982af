/**
 * Reads a config file (YAML or JSON), validates it with the zod schema and resolves it into a workflow
 * input. Every problem becomes a `ConfigError` whose one-line message names the file and the field (or
 * the dataset file and line); nothing is started before this succeeds.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { BENCHMARK_DEFAULT_PATHS, ConfigSchema, formatConfigIssue, type MaspoConfig, type ModelConfig } from '../core/schema/config';
import type { DatasetRef } from '../core/contracts/dataset';
import type { EvaluateInput } from '../core/contracts/evaluate';
import type { MasSpec } from '../core/contracts/mas';
import { graphOf, predecessors } from '../core/common/graph';
import { checkTemplate } from '../core/common/template';
import { promptsFromFileContent } from '../core/contracts/run-record';
import { MODEL_ROLES, type ModelSpec } from '../core/contracts/llm';
import { PROVIDER_NAMES, providerDefinition } from '../activities/llm/providers/registry';
import { DatasetError } from '../datasets/errors';
import { parseJsonl, readDatasetFile } from '../datasets/jsonl';
import { parseBenchmark } from '../datasets/benchmarks';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  file: string;
  config: MaspoConfig;
}

export async function loadConfig(file: string): Promise<LoadedConfig> {
  return { file, config: validateConfig(file, await readStructuredFile(file, 'config')) };
}

export function parseConfigText(file: string, text: string): MaspoConfig {
  return validateConfig(file, parseStructured(file, text));
}

/** Validates plain data (from YAML or JSON) against the config schema; errors name the file and the field. */
export function validateConfig(file: string, raw: unknown): MaspoConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${file}: expected a mapping of settings at the top level`);
  const parsed = ConfigSchema.safeParse(raw);
  // The schema takes any provider name; the registry's checks run on the models either way, so a broken config
  // still counts their problems among the "(and N more problems)".
  const models = parsed.success ? parsed.data.models : (raw as { models?: unknown }).models;
  const problems = withProviderIssues(parsed.success ? [] : parsed.error.issues, providerIssues(models));
  if (problems.length) throw new ConfigError(`${file}: ${formatConfigIssue(new z.ZodError(problems))}`);
  return parsed.data!;
}

const TOP_LEVEL = Object.keys(ConfigSchema.shape);
const MODELS = TOP_LEVEL.indexOf('models');

/**
 * The schema's issues with the registry's merged in where the schema used to put them, so the first problem
 * reported stays the first in the file: a model's unknown provider before its other problems, a missing key env var
 * after them, and the config-wide rules (`requireSearchModels`, unknown fields of `models` or the top level) last.
 */
function withProviderIssues(schema: readonly z.core.$ZodIssue[], registry: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  /** Position in the walk: [top-level field, role, 0 provider | 1 other fields | 2 the model's key rule]. */
  const place = (issue: z.core.$ZodIssue): number[] => {
    const [top, role] = issue.path.map(String);
    const configWide = issue.path.length === 0 || (top === 'models' && issue.path.length <= 2 && issue.code !== 'invalid_type');
    return configWide || !TOP_LEVEL.includes(top) ? [Infinity] : [TOP_LEVEL.indexOf(top), roleIndex(role), 1];
  };
  const registryPlace = (issue: z.core.$ZodIssue): number[] => [MODELS, roleIndex(String(issue.path[1])), issue.path[2] === 'provider' ? 0 : 2];
  const earlier = (a: number[], b: number[]): boolean => {
    const i = a.findIndex((x, k) => x !== (b[k] ?? -1));
    return i >= 0 && a[i] < (b[i] ?? -1);
  };
  // A provider that is not a name at all (missing, empty, a number) is answered with the names there are.
  const out = schema.map((i) => (i.path.length === 3 && i.path[0] === 'models' && i.path[2] === 'provider' ? { ...i, message: unknownProvider() } : i));
  for (const extra of registry) {
    const at = out.findIndex((i) => earlier(registryPlace(extra), place(i)));
    out.splice(at < 0 ? out.length : at, 0, extra);
  }
  return out;
}

function unknownProvider(): string {
  return `Invalid option: expected one of ${PROVIDER_NAMES.map((n) => JSON.stringify(n)).join('|')}`;
}

function roleIndex(role: string | undefined): number {
  return (MODEL_ROLES as readonly string[]).indexOf(role ?? '');
}

/**
 * What the schema cannot know, from the provider registry: each model's provider exists, and the model names the key
 * env var its provider needs (activities/llm/providers/types.ts `ApiKeyRule`). Models too broken to tell (no
 * provider name) are the schema's to report.
 */
export function providerIssues(models: unknown): z.core.$ZodIssue[] {
  const issues: z.core.$ZodIssue[] = [];
  const issue = (role: string, field: string, message: string) => issues.push({ code: 'custom', path: ['models', role, field], message, input: undefined });
  for (const role of MODEL_ROLES) {
    const m: unknown = models && typeof models === 'object' ? (models as Record<string, unknown>)[role] : undefined;
    if (!m || typeof m !== 'object') continue;
    const { provider, apiKeyEnv, baseURL } = m as Record<string, unknown>;
    if (typeof provider !== 'string' || provider === '') continue;
    const definition = providerDefinition(provider);
    if (!definition) issue(role, 'provider', unknownProvider());
    else if (!apiKeyEnv && definition.apiKey === 'required') issue(role, 'apiKeyEnv', `required for provider ${provider}`);
    else if (!apiKeyEnv && !baseURL && definition.apiKey === 'unless-base-url') issue(role, 'apiKeyEnv', `required for provider ${provider} without a baseURL`);
  }
  return issues;
}

/** Reads a YAML or JSON file (`what` names it in errors: config, experiment grid, …) into plain data. */
export async function readStructuredFile(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(`${file}: cannot read ${what} (${code === 'ENOENT' ? 'no such file' : code ?? String(e)})`);
  }
  // YAML reads most binary files as one long string; say what the file is instead of "expected a mapping".
  if (text.includes('\0')) throw new ConfigError(`${file}: binary file (contains NUL bytes), expected YAML or JSON text`);
  return parseStructured(file, text);
}

/** JSON for `.json` files, YAML otherwise; a syntax error is one line naming the file (and line:column). */
export function parseStructured(file: string, text: string): unknown {
  if (file.endsWith('.json')) {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new ConfigError(`${file}: invalid JSON (${(e as Error).message})`);
    }
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter: lines });
  if (doc.errors.length) {
    const err = doc.errors[0];
    const at = lines.linePos(err.pos[0]);
    throw new ConfigError(`${file}${at ? `:${at.line}:${at.col}` : ''}: invalid YAML (${err.message.split('\n')[0]})`);
  }
  return doc.toJS();
}

/** Expands `${VAR}` from the environment; an unset variable is an error naming the field. */
export function expandEnv(value: string, field: string, env: NodeJS.ProcessEnv = process.env): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const v = env[name];
    if (v === undefined || v === '') throw new ConfigError(`${field}: environment variable ${name} is not set`);
    return v;
  });
}

/** Resolves the dataset to a reference the worker can load, validating every line of a file dataset now. */
export async function resolveDataset(loaded: LoadedConfig): Promise<DatasetRef> {
  const { config, file } = loaded;
  const ds = config.dataset;
  if (ds.kind === 'sim') {
    return { kind: 'sim', name: `sim-${ds.split}`, split: ds.split, size: ds.size, seed: ds.seed ?? config.sim.seed, world: config.sim };
  }
  const rawPath = ds.kind === 'benchmark' ? (ds.path ?? `\${MASPO_DATA_DIR}/${BENCHMARK_DEFAULT_PATHS[ds.format]}`) : ds.path;
  const datasetPath = path.resolve(path.dirname(path.resolve(file)), expandEnv(rawPath, `${file}: dataset.path`));
  try {
    const { bytes, digest } = await readDatasetFile(datasetPath);
    if (ds.kind === 'benchmark') {
      // Every line is validated now, so a broken file fails before any workflow starts.
      parseBenchmark(ds.format, datasetPath, bytes, { tests: ds.tests });
      return {
        kind: 'benchmark',
        name: ds.format,
        format: ds.format,
        path: datasetPath,
        digest,
        ...(ds.limit !== undefined ? { limit: ds.limit } : {}),
        ...(ds.tests !== undefined ? { tests: ds.tests } : {}),
      };
    }
    parseJsonl(datasetPath, bytes, ds.fields, ds.limit);
    return {
      kind: 'jsonl',
      name: path.basename(datasetPath).replace(/\.jsonl?$/i, ''),
      path: datasetPath,
      fields: ds.fields,
      grader: ds.grader,
      limit: ds.limit,
      digest,
    };
  } catch (e) {
    if (e instanceof DatasetError) throw new ConfigError(e.message);
    throw e;
  }
}

/** The model settings a workflow carries: no secrets, and the simulator's world when provider is `sim`. */
export function modelSpec(config: MaspoConfig, role: 'backbone' | 'optimizer' | 'judge'): ModelSpec | undefined {
  const m = config.models[role];
  return m ? specOfModel(m, config.sim) : undefined;
}

/** One model's config as a workflow carries it: its worker limits dropped, `world` attached to a simulated model. */
export function specOfModel(m: ModelConfig, world: ModelSpec['sim']): ModelSpec {
  const { concurrency: _c, ratePerSecond: _r, ...spec } = m;
  return m.provider === 'sim' ? { ...spec, sim: world } : spec;
}

export async function buildEvaluateInput(loaded: LoadedConfig): Promise<EvaluateInput> {
  const { config } = loaded;
  return {
    runName: config.name,
    seed: config.seed,
    taskQueue: config.taskQueue,
    dataset: await resolveDataset(loaded),
    mas: { topology: config.mas.topology, agents: config.mas.agents, edges: config.mas.edges, summaryWords: config.mas.summaryWords },
    models: { backbone: modelSpec(config, 'backbone')! },
    options: config.evaluate,
  };
}

/**
 * Replaces agent prompts with those of a JSON file `{ agentId: prompt }` (as written by `maspo optimize -o` and
 * `maspo export --prompts`), or of a run record (`maspo export -o run.json`: its winning prompts).
 * Unknown agents and prompts that break the template rules are errors naming the file and the agent.
 */
export async function applyPromptsFile(mas: MasSpec, file: string): Promise<MasSpec> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(`${file}: ${code === 'ENOENT' ? 'no such file' : `invalid JSON (${(e as Error).message})`}`);
  }
  const content = promptsFromFileContent(raw);
  if ('error' in content) throw new ConfigError(`${file}: ${content.error}`);
  const graph = graphOf(mas);
  for (const [id, prompt] of Object.entries(content.prompts)) {
    if (!graph.agents.includes(id)) throw new ConfigError(`${file}: ${id}: unknown agent (agents: ${graph.agents.join(', ')})`);
    if (typeof prompt !== 'string') throw new ConfigError(`${file}: ${id}: the prompt must be a string`);
    const problem = checkTemplate(prompt, predecessors(graph, id).length > 0)[0];
    if (problem) throw new ConfigError(`${file}: ${id}: ${problem.message}`);
  }
  const prompts = content.prompts as Record<string, string>;
  return { ...mas, agents: mas.agents.map((a) => (prompts[a.id] !== undefined ? { ...a, prompt: prompts[a.id] } : a)) };
}
