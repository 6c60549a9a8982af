/** `maspo evaluate <config>`: run the MAS over the dataset as a durable workflow and print accuracy with a CI. */
import { Command } from 'commander';
import { applyPromptsFile, buildEvaluateInput, loadConfig } from '../config';
import { awaitEvaluation, defaultEvaluationId, startEvaluation } from '../evaluate';
import { formatEvaluation } from '../format';
import { progressReporter } from '../progress';
import type { Client } from '@temporalio/client';
import { hasWorkerPolling, withTemporal, workerOption, workflowUrl } from './inline-worker';

async function warnIfNoWorker(client: Client, namespace: string, taskQueue: string): Promise<void> {
  if (!(await hasWorkerPolling(client, namespace, taskQueue).catch(() => true))) {
    process.stderr.write(`no worker polls task queue '${taskQueue}': start one with \`maspo worker --config <config>\` (the run waits for it)\n`);
  }
}

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('run the multi-agent system over the dataset as a durable Temporal workflow; print accuracy with a 95% bootstrap CI')
    .argument('<config>', 'run config (YAML or JSON)')
    .option('--json', 'print the full result (with per-item records) as JSON on stdout')
    .option('--id <workflowId>', 'workflow id (default: evaluate-<name>-<UTC timestamp>)')
    .option('-p, --prompts <file>', 'replace agent prompts with those in this JSON file ({ agentId: prompt }, e.g. from `maspo optimize -o`)')
    .addOption(workerOption())
    .option('--detach', 'start the workflow, print its id and exit without waiting')
    .option('--no-progress', 'do not show progress')
    .action(async (file: string, opts: { json?: boolean; id?: string; prompts?: string; worker: 'auto' | 'inline' | 'none'; detach?: boolean; progress: boolean }) => {
      const loaded = await loadConfig(file);
      const input = await buildEvaluateInput(loaded);
      if (opts.prompts) input.mas = await applyPromptsFile(input.mas, opts.prompts);
      await withTemporal(
        loaded.config,
        opts.worker,
        async (temporal, inline) => {
          const handle = await startEvaluation(temporal.client, input, opts.id ?? defaultEvaluationId(input));
          const uiUrl = workflowUrl(temporal, handle.workflowId);
          if (opts.detach) {
            process.stdout.write(opts.json ? `${JSON.stringify({ workflowId: handle.workflowId, uiUrl })}\n` : `started ${handle.workflowId}${uiUrl ? ` · ${uiUrl}` : ''}\n`);
            return;
          }
          if (!opts.json) process.stderr.write(`started ${handle.workflowId}${inline ? ' (worker in this process)' : ''}${uiUrl ? `\nTemporal UI: ${uiUrl}` : ''}\n`);
          const reporter = progressReporter(opts.json || !opts.progress ? 'off' : process.stderr.isTTY ? 'tty' : 'lines');
          const hint = inline ? undefined : setTimeout(() => void warnIfNoWorker(temporal.client, temporal.namespace, input.taskQueue), 15_000);
          const result = await awaitEvaluation(temporal.client, handle, (p) => reporter.update(p)).finally(() => {
            clearTimeout(hint);
            reporter.stop();
          });
          process.stdout.write(opts.json ? `${JSON.stringify({ workflowId: handle.workflowId, ...result }, null, 2)}\n` : `${formatEvaluation(result, handle.workflowId, uiUrl)}\n`);
        },
        { detach: opts.detach },
      );
    });
}
