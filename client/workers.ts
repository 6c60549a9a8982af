/**
 * The project's workers as the client runs them: inside this process when no worker is serving the task queue (so
 * a single `maspo evaluate` works out of the box on the embedded server), or as a long-running worker service
 * (`maspo worker`).
 */
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import type { MaspoConfig } from '../core/schema/config';
import { MODEL_ROLES, type ModelRole } from '../core/contracts/llm';
import { createMaspoWorkers, DEFAULT_ROLE_LIMITS, runWorkers, type RoleLimits } from '../workers/worker';
import { homePaths } from '../platform/home';
import { ConfigError } from './config';
import type { TemporalConnection } from './temporal/connection';
import { openTemporal } from './connect';

/** True when some worker polls the workflow task queue (recently seen by the server). */
export async function hasWorkerPolling(client: Client, namespace: string, taskQueue: string): Promise<boolean> {
  const res = await client.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return (res.pollers ?? []).length > 0;
}

/**
 * What the workers in this process need from a job: its task queue and each role's model, key variable and limits.
 * A config is one; so is a recorded run's context (`maspo fork`), whose models carry no limits (defaults apply).
 */
export interface WorkerPlan {
  taskQueue: string;
  models: Partial<Record<ModelRole, { provider: string; model: string; apiKeyEnv?: string; concurrency?: number; ratePerSecond?: number }>>;
}

export function roleLimits(config: WorkerPlan): Partial<Record<ModelRole, RoleLimits>> {
  const out: Partial<Record<ModelRole, RoleLimits>> = {};
  for (const role of MODEL_ROLES) {
    const m = config.models[role];
    if (m) out[role] = { concurrency: m.concurrency ?? DEFAULT_ROLE_LIMITS.concurrency, ratePerSecond: m.ratePerSecond, model: m.model };
  }
  return out;
}

/** A worker in this process reads keys from this process's env: check them before anything starts. */
export function checkApiKeys(config: WorkerPlan, env: NodeJS.ProcessEnv = process.env): void {
  for (const role of MODEL_ROLES) {
    const m = config.models[role];
    if (m?.apiKeyEnv && !env[m.apiKeyEnv]) {
      throw new ConfigError(`models.${role}.apiKeyEnv: environment variable ${m.apiKeyEnv} is not set (the ${m.provider} key for model ${m.model})`);
    }
  }
}

export interface InlineWorkers {
  stop(): Promise<void>;
}

export async function startInlineWorkers(connection: NativeConnection, namespace: string, config: WorkerPlan): Promise<InlineWorkers> {
  const workers: Worker[] = await createMaspoWorkers({
    connection,
    namespace,
    taskQueue: config.taskQueue,
    cacheDir: homePaths().llmCacheDir,
    roles: roleLimits(config),
  });
  const running = runWorkers(workers);
  return {
    async stop() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await running;
    },
  };
}

/** Where a job's workers run: auto = in this process on the embedded server, not on a remote cluster; inline = always; none = never. */
export type WorkerMode = 'auto' | 'inline' | 'none';
export const WORKER_MODES: readonly WorkerMode[] = ['auto', 'inline', 'none'];

/**
 * Runs `job` connected to Temporal, with the project's workers in this process when needed. A deployed cluster
 * has its own workers; the embedded server has none but ours (poller lists cannot decide this: the server keeps
 * reporting a stopped worker's pollers for minutes). API keys are checked before anything starts, because the
 * worker in this process reads them.
 */
export async function withTemporal<T>(
  config: WorkerPlan,
  mode: WorkerMode,
  job: (temporal: TemporalConnection, inline: boolean) => Promise<T>,
  options: { detach?: boolean } = {},
): Promise<T> {
  const embedded = !process.env.TEMPORAL_ADDRESS?.trim();
  const inline = !options.detach && (mode === 'inline' || (mode === 'auto' && embedded));
  if (inline) checkApiKeys(config);
  const temporal = await openTemporal();
  let workers: InlineWorkers | undefined;
  try {
    if (inline) workers = await startInlineWorkers(await temporal.nativeConnection(), temporal.namespace, config);
    return await job(temporal, inline);
  } finally {
    await workers?.stop();
    await temporal.close();
  }
}

/** Link to a workflow in the Temporal UI, when the UI's address is known. */
export function workflowUrl(temporal: TemporalConnection, workflowId: string): string | undefined {
  return temporal.uiUrl ? `${temporal.uiUrl}/namespaces/${temporal.namespace}/workflows/${encodeURIComponent(workflowId)}` : undefined;
}

/** A hint when no worker polls the task queue (a run started elsewhere waits for one); undefined when one does. */
export async function noWorkerWarning(client: Client, namespace: string, taskQueue: string): Promise<string | undefined> {
  if (await hasWorkerPolling(client, namespace, taskQueue).catch(() => true)) return undefined;
  return `no worker polls task queue '${taskQueue}': start one with \`maspo worker --config <config>\` (the run waits for it)`;
}

export interface WorkerServiceOptions {
  /** Task queue and per-role concurrency / rate limits from this config (when given). */
  config?: MaspoConfig;
  /** Base task queue (default: the config's, else 'maspo'). */
  taskQueue?: string;
  /** Per-role overrides of the config's limits. */
  roles?: Partial<Record<ModelRole, RoleLimits>>;
}

export interface WorkerService {
  taskQueue: string;
  temporal: TemporalConnection;
  /** Resolves when every worker has shut down (after `stop()`); closes the connection. */
  run(): Promise<void>;
  /** Asks every running worker to shut down. */
  stop(): void;
}

/** The workers of `maspo worker`: workflows on the task queue, LLM calls on one queue per role. */
export async function startWorkerService(opts: WorkerServiceOptions = {}): Promise<WorkerService> {
  const taskQueue = opts.taskQueue ?? opts.config?.taskQueue ?? 'maspo';
  const roles: Partial<Record<ModelRole, RoleLimits>> = { ...(opts.config ? roleLimits(opts.config) : {}) };
  for (const role of MODEL_ROLES) if (opts.roles?.[role]) roles[role] = { ...roles[role], ...opts.roles[role]! };
  const temporal = await openTemporal();
  let workers: Worker[];
  try {
    workers = await createMaspoWorkers({
      connection: await temporal.nativeConnection(),
      namespace: temporal.namespace,
      taskQueue,
      cacheDir: homePaths().llmCacheDir,
      roles,
    });
  } catch (err) {
    await temporal.close();
    throw err;
  }
  return {
    taskQueue,
    temporal,
    stop: () => workers.forEach((w) => w.getState() === 'RUNNING' && w.shutdown()),
    async run() {
      try {
        await runWorkers(workers);
      } finally {
        await temporal.close();
      }
    },
  };
}
