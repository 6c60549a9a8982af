/**
 * `maspo compare <config> --a <seed|prompts.json> --b <seed|prompts.json> [--held-out]`: evaluate two prompt sets on the
 * same items as two durable workflows and report both accuracies, the paired difference with its CI and an
 * exact McNemar test.
 */
import { Command } from 'commander';
import { buildEvaluateInput, loadConfig } from '../../client/config';
import { heldOutDataset } from '../../client/optimize';
import { formatComparison, resolvePromptSet, startComparison } from '../../client/compare';
import { progressReporter } from '../../client/progress';
import { withTemporal, workflowUrl, type WorkerMode } from '../../client/workers';
import { positiveInteger, workerOption } from '../flags';

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('evaluate two prompt sets on the same items; print both accuracies, the paired difference with a 95% CI and an exact McNemar test')
    .argument('<config>', 'run config (YAML or JSON)')
    .requiredOption('--a <seed|file>', "prompt set A: 'seed' (the config's prompts) or a prompts JSON file ({ agentId: prompt })")
    .requiredOption('--b <seed|file>', "prompt set B: 'seed' or a prompts JSON file")
    .option('--held-out [items]', "evaluate on the held-out items of the config's optimisation split (seed and optimize.poolSize), the items a search with this config never saw; only the first N of them if given", positiveInteger('--held-out'))
    .option('--json', 'print the full result (both evaluations with per-item records, and the paired statistics) as JSON on stdout')
    .addOption(workerOption())
    .option('--no-progress', 'do not show progress')
    .action(async (file: string, opts: { a: string; b: string; heldOut?: boolean | number; json?: boolean; worker: WorkerMode; progress: boolean }) => {
      // All input is validated before anything starts: config, dataset, both prompt sets, API keys.
      const loaded = await loadConfig(file);
      const input = await buildEvaluateInput(loaded);
      if (opts.heldOut !== undefined && opts.heldOut !== false) input.dataset = await heldOutDataset(loaded, typeof opts.heldOut === 'number' ? opts.heldOut : undefined);
      const sides = { a: await resolvePromptSet(input.mas, opts.a), b: await resolvePromptSet(input.mas, opts.b) };
      await withTemporal(loaded.config, opts.worker, async (temporal, inline) => {
        const reporter = progressReporter(opts.json || !opts.progress ? 'off' : process.stderr.isTTY ? 'tty' : 'lines');
        const started = await startComparison(temporal.client, input, sides, { onProgress: (p) => reporter.update(p) });
        if (!opts.json) process.stderr.write(`started ${started.workflowIds.a} (A) and ${started.workflowIds.b} (B)${inline ? ' (worker in this process)' : ''}\n`);
        const result = await started.result.finally(() => reporter.stop());
        process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatComparison(result, (id) => workflowUrl(temporal, id))}\n`);
      });
    });
}
