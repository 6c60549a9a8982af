/** `maspo experiment <grid>`: run a grid of searches (client/experiment.ts) and write its held-out comparison table. */
import path from 'node:path';
import { Command } from 'commander';
import { defaultExperimentDir, defaultExperimentId, loadExperiment, startExperiment, withExperimentProgress, writeExperiment } from '../../client/experiment';
import { runDetails } from '../../client/experiment-details';
import { withTemporal, type WorkerMode } from '../../client/workers';
import { maspoHome } from '../../platform/home';
import type { experimentGrid } from '../../workflows/experiment';
import { workerOption } from '../flags';

export function registerExperiment(program: Command): void {
  program
    .command('experiment')
    .description('run strategies × ablations × seeds of a base config as durable searches; write a held-out comparison table (Markdown + JSON)')
    .argument('<grid>', 'experiment grid (YAML or JSON): { base: <config>, seeds: [..], variants: [{ name, optimize: {..} }] }')
    .option('-o, --out <dir>', 'results directory for experiment.md and experiment.json (default: <grid name>-results)')
    .option('--json', 'print the full result as JSON on stdout instead of the Markdown table')
    .option('--id <workflowId>', 'workflow id (default: experiment-<grid name>-<UTC timestamp>)')
    .option('--attach <workflowId>', 'do not start anything: wait for this experiment of the same grid (running or finished) and write its results')
    .addOption(workerOption())
    .option('--no-progress', 'do not print progress lines')
    .action(async (file: string, opts: { out?: string; json?: boolean; id?: string; attach?: string; worker: WorkerMode; progress: boolean }) => {
      const exp = await loadExperiment(file);
      const dir = opts.out ?? defaultExperimentDir(file);
      await withTemporal(exp.base.config, opts.worker, async (temporal) => {
        const handle = opts.attach
          ? temporal.client.workflow.getHandle<typeof experimentGrid>(opts.attach)
          : await startExperiment(temporal.client, exp, opts.id ?? defaultExperimentId(file));
        process.stderr.write(`${opts.attach ? 'attached to' : 'started'} ${handle.workflowId}: ${exp.runs.length} run(s), ${exp.grid.concurrency} at a time\n`);
        const result = opts.progress && !opts.json ? await withExperimentProgress(temporal.client, handle.workflowId, handle.result(), process.stderr) : await handle.result();
        const details = await runDetails(temporal.client, result.runs, maspoHome());
        const table = await writeExperiment(dir, exp, handle.workflowId, result, details);
        process.stderr.write(`wrote ${path.join(dir, 'experiment.md')} and ${path.join(dir, 'experiment.json')}\n`);
        process.stdout.write(opts.json ? `${JSON.stringify({ workflowId: handle.workflowId, ...result }, null, 2)}\n` : table);
      });
    });
}
