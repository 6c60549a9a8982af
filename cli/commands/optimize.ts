/** `maspo optimize <config>`: run the MASPO search as a durable workflow and print the winning prompts. */
import { Command } from 'commander';
import { loadConfig } from '../../client/config';
import { buildOptimizeInput, defaultOptimizationId, startOptimization } from '../../client/optimize';
import { withTemporal, type WorkerMode } from '../../client/workers';
import { followSearch } from '../follow-search';
import { workerOption } from '../flags';

export function registerOptimize(program: Command): void {
  program
    .command('optimize')
    .description('jointly optimise every agent prompt with MASPO as a durable Temporal workflow; print the winning prompts')
    .argument('<config>', 'run config with an `optimize:` section (YAML or JSON)')
    .option('--json', 'print the full result as JSON on stdout')
    .option('-o, --out <file>', 'write the winning prompts as JSON ({ agentId: prompt })')
    .option('--id <workflowId>', 'workflow id (default: optimize-<name>-<UTC timestamp>)')
    .addOption(workerOption())
    .option('--detach', 'start the workflow, print its id and exit (then: maspo status / result / pause / stop)')
    .option('--no-progress', 'do not show progress')
    .option('--watch', 'show live progress on stderr even with --json (bars in a terminal, lines when piped)')
    .action(async (file: string, opts: { json?: boolean; out?: string; id?: string; worker: WorkerMode; detach?: boolean; progress: boolean; watch?: boolean }) => {
      const loaded = await loadConfig(file);
      const input = await buildOptimizeInput(loaded);
      await withTemporal(
        loaded.config,
        opts.worker,
        async (temporal) => {
          await followSearch(temporal, await startOptimization(temporal.client, input, opts.id ?? defaultOptimizationId(input)), opts);
        },
        { detach: opts.detach },
      );
    });
}
