/** `maspo worker`: serve the project's workflows and LLM activities until SIGINT/SIGTERM. */
import { Command } from 'commander';
import type { ModelRole } from '../../core/contracts/llm';
import type { RoleLimits } from '../../workers/worker';
import { loadConfig } from '../../client/config';
import { UsageError } from '../../client/errors';
import { startWorkerService } from '../../client/workers';

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
      const service = await startWorkerService({ config, taskQueue: opts.taskQueue, roles: opts.concurrency });
      process.once('SIGINT', service.stop);
      process.once('SIGTERM', service.stop);
      process.stderr.write(
        `worker serving task queue '${service.taskQueue}' and its LLM queues on ${service.temporal.address} (namespace ${service.temporal.namespace}); Ctrl-C to stop\n`,
      );
      await service.run();
    });
}
