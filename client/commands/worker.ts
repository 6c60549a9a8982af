/** `maspo worker`: serve the project's workflows and LLM activities until SIGINT/SIGTERM. */
import { Command } from 'commander';
import path from 'node:path';
import { MODEL_ROLES, type ModelRole } from '../../core/contracts/llm';
import { createMaspoWorkers, runWorkers, type RoleLimits } from '../../workers/worker';
import { loadConfig } from '../config';
import { UsageError } from '../errors';
import { openTemporal } from './connect';
import { maspoHome } from '../../platform/home';
import { roleLimits } from './inline-worker';

function parseConcurrency(value: string, previous: Partial<Record<ModelRole, RoleLimits>> = {}) {
  const m = /^(backbone|optimizer|judge)=(\d+)$/.exec(value);
  if (!m || Number(m[2]) < 1) throw new UsageError(`--concurrency: expected <role>=<n> with role backbone|optimizer|judge, got '${value}'`);
  return { ...previous, [m[1]]: { ...previous[m[1] as ModelRole], concurrency: Number(m[2]) } };
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run a worker: workflows on <task-queue>, LLM calls on <task-queue>-llm-<role> with bounded concurrency per role')
    .option('-c, --config <file>', 'take the task queue and per-role concurrency / rate limits from this run config')
    .option('--task-queue <name>', 'base task queue', undefined)
    .option('--concurrency <role=n>', 'concurrent LLM calls for a role (repeatable), e.g. backbone=16', parseConcurrency)
    .action(async (opts: { config?: string; taskQueue?: string; concurrency?: Partial<Record<ModelRole, RoleLimits>> }) => {
      const config = opts.config ? (await loadConfig(opts.config)).config : undefined;
      const taskQueue = opts.taskQueue ?? config?.taskQueue ?? 'maspo';
      const roles: Partial<Record<ModelRole, RoleLimits>> = { ...(config ? roleLimits(config) : {}) };
      for (const role of MODEL_ROLES) if (opts.concurrency?.[role]) roles[role] = { ...roles[role], ...opts.concurrency[role]! };

      const temporal = await openTemporal();
      const workers = await createMaspoWorkers({
        connection: await temporal.nativeConnection(),
        namespace: temporal.namespace,
        taskQueue,
        cacheDir: path.join(maspoHome(), 'cache', 'llm'),
        roles,
      });
      const stop = () => workers.forEach((w) => w.getState() === 'RUNNING' && w.shutdown());
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      process.stderr.write(`worker serving task queue '${taskQueue}' and its LLM queues on ${temporal.address} (namespace ${temporal.namespace}); Ctrl-C to stop\n`);
      try {
        await runWorkers(workers);
      } finally {
        await temporal.close();
      }
    });
}
