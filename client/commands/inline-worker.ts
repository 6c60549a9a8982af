/**
 * Runs the project's workers inside the CLI process when no worker is serving the task queue, so a single
 * `maspo evaluate` works out of the box on the embedded server.
 */
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import path from 'node:path';
import type { MaspoConfig } from '../../core/config';
import { MODEL_ROLES, type ModelRole } from '../../core/llm';
import { createMaspoWorkers, runWorkers, type RoleLimits } from '../../workers/worker';
import { maspoHome } from '../temporal/paths';
import { ConfigError } from '../config';

/** True when some worker polls the workflow task queue (recently seen by the server). */
export async function hasWorkerPolling(client: Client, namespace: string, taskQueue: string): Promise<boolean> {
  const res = await client.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return (res.pollers ?? []).length > 0;
}

export function roleLimits(config: MaspoConfig): Partial<Record<ModelRole, RoleLimits>> {
  const out: Partial<Record<ModelRole, RoleLimits>> = {};
  for (const role of MODEL_ROLES) {
    const m = config.models[role];
    if (m) out[role] = { concurrency: m.concurrency, ratePerSecond: m.ratePerSecond };
  }
  return out;
}

/** A worker in this process reads keys from this process's env: check them before anything starts. */
export function checkApiKeys(config: MaspoConfig, env: NodeJS.ProcessEnv = process.env): void {
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

export async function startInlineWorkers(connection: NativeConnection, namespace: string, config: MaspoConfig): Promise<InlineWorkers> {
  const workers: Worker[] = await createMaspoWorkers({
    connection,
    namespace,
    taskQueue: config.taskQueue,
    cacheDir: path.join(maspoHome(), 'cache', 'llm'),
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
