/**
 * The commands that act on a running (or finished) search by workflow id: `pause`, `resume`, `stop`, `watch`,
 * `budget` and `result`.
 */
import { Command } from 'commander';
import { ConfigError } from '../../client/config';
import { withConnection } from '../../client/connect';
import { formatOptimization } from '../../client/format';
import { awaitOptimization, controlOptimization, optimizationResult, setBudget, writePromptsFile } from '../../client/optimize';
import { searchProgressReporter } from '../../client/progress';

/** Parses a cap option: a positive number, or `none` to remove that cap (commander turns a null into ''). */
function budgetValue(flag: string): (v: string) => number | 'none' {
  return (v) => {
    if (v === 'none') return 'none';
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0 || (flag === '--calls' && !Number.isInteger(n))) throw new ConfigError(`${flag}: expected a positive ${flag === '--calls' ? 'integer' : 'number'} or "none", got '${v}'`);
    return n;
  };
}

export function registerSearchControl(program: Command): void {
  for (const [command, what] of [
    ['pause', 'pause a search at its next boundary (between steps); nothing in flight is lost'],
    ['resume', 'resume a paused search'],
    ['stop', 'stop a search at its next boundary; it completes with the best prompts so far'],
  ] as const) {
    program
      .command(command)
      .description(what)
      .argument('<workflowId>', 'the optimize workflow id')
      .action(async (workflowId: string) => {
        const state = await withConnection((temporal) => controlOptimization(temporal.client, workflowId, command));
        process.stdout.write(`${workflowId}: ${state}\n`);
      });
  }

  program
    .command('watch')
    .description('follow a running search: live progress bars (plain lines when piped) until it ends, then its result')
    .argument('<workflowId>', 'the optimize workflow id')
    .action(async (workflowId: string) => {
      await withConnection(async (temporal) => {
        const reporter = searchProgressReporter(process.stderr.isTTY ? 'tty' : 'lines');
        const result = await awaitOptimization(temporal.client, temporal.client.workflow.getHandle(workflowId), (p) => reporter.update(p)).finally(() => reporter.stop());
        process.stdout.write(`${formatOptimization(result, workflowId)}\n`);
      });
    });

  program
    .command('budget')
    .description('set the spending cap of a search; a run waiting with budget_exhausted goes on when the new cap covers its next unit')
    .argument('<workflowId>', 'the optimize workflow id')
    .option('--usd <dollars>', 'dollar cap (list prices; "none" removes it)', budgetValue('--usd'))
    .option('--calls <n>', 'cap on paid LLM calls ("none" removes it)', budgetValue('--calls'))
    .action(async (workflowId: string, opts: { usd?: number | 'none'; calls?: number | 'none' }) => {
      if (opts.usd === undefined && opts.calls === undefined) throw new ConfigError('budget: give --usd and/or --calls');
      const value = (v: number | 'none' | undefined) => (v === 'none' ? null : v);
      const cap = await withConnection((temporal) => setBudget(temporal.client, workflowId, { usd: value(opts.usd), calls: value(opts.calls) }));
      process.stdout.write(`${workflowId}: budget ${cap.usd !== undefined ? `$${cap.usd}` : 'no dollar cap'}, ${cap.calls !== undefined ? `${cap.calls} calls` : 'no call cap'}\n`);
    });

  program
    .command('result')
    .description('wait for a search and print its winning prompts; -o writes them as JSON for `evaluate --prompts` and the library')
    .argument('<workflowId>', 'the optimize workflow id')
    .option('-o, --out <file>', 'write the winning prompts as JSON ({ agentId: prompt })')
    .option('--json', 'print the full result as JSON')
    .action(async (workflowId: string, opts: { out?: string; json?: boolean }) => {
      await withConnection(async (temporal) => {
        const result = await optimizationResult(temporal.client, workflowId);
        if (opts.out) await writePromptsFile(opts.out, result.prompts);
        process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatOptimization(result, workflowId)}\n`);
      });
    });
}
