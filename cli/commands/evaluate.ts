/** `maspo evaluate <config>`: run the MAS over the dataset as a durable workflow and print accuracy with a CI. */
import { Command } from 'commander';
import { applyPromptsFile, buildEvaluateInput, loadConfig } from '../../client/config';
import { awaitEvaluation, defaultEvaluationId, startEvaluation } from '../../client/evaluate';
import { formatEvaluation } from '../../client/format';
import { progressReporter } from '../../client/progress';
import { noWorkerWarning, withTemporal, workflowUrl, type WorkerMode } from '../../client/workers';
import { workerOption } from '../flags';

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
    .action(async (file: string, opts: { json?: boolean; id?: string; prompts?: string; worker: WorkerMode; detach?: boolean; progress: boolean }) => {
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
          const hint = inline
            ? undefined
            : setTimeout(() => void noWorkerWarning(temporal.client, temporal.namespace, input.taskQueue).then((w) => w && process.stderr.write(`${w}\n`)), 15_000);
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
