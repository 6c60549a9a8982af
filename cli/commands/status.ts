/** `maspo status <workflowId>`: state, progress, pending LLM calls with their retry state, and the result. */
import { Command } from 'commander';
import { withConnection } from '../../client/connect';
import { formatStatus, statusReport } from '../../client/status';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('show a workflow: state, progress, LLM calls being retried (attempt, last error), result or failure')
    .argument('<workflowId>', 'workflow id printed by evaluate')
    .option('--json', 'print as JSON')
    .action(async (workflowId: string, opts: { json?: boolean }) => {
      const r = await withConnection((temporal) => statusReport(temporal.client, workflowId));
      process.stdout.write(opts.json ? `${JSON.stringify(r, null, 2)}\n` : `${formatStatus(r)}\n`);
    });
}
