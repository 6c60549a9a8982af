/**
 * Reads a config file (YAML or JSON), validates it with the zod schema and resolves it into a workflow
 * input. Every problem becomes a `ConfigError` whose one-line message names the file and the field (or
 * the dataset file and line); nothing is started before this succeeds.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { BENCHMARK_DEFAULT_PATHS, ConfigSchema, formatConfigIssue, type MaspoConfig } from '../core/config';
import type { DatasetRef, EvaluateInput, MasSpec } from '../core/evaluation';
import { graphOf, predecessors } from '../core/graph';
import { checkTemplate } from '../core/template';
import { promptsFromFileContent } from '../core/run-record';
import type { ModelSpec } from '../core/llm';
import { DatasetError } from '../activities/datasets/errors';
import { parseJsonl, readDatasetFile } from '../activities/datasets/jsonl';
import { parseBenchmark } from '../activities/datasets/benchmarks';

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
  if (!parsed.success) throw new ConfigError(`${file}: ${formatConfigIssue(parsed.error)}`);
  return parsed.data;
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
  if (!m) return undefined;
  const { concurrency: _c, ratePerSecond: _r, ...spec } = m;
  return m.provider === 'sim' ? { ...spec, sim: config.sim } : spec;
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
