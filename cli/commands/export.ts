/**
 * `maspo export <workflowId>`: an optimize run's record (JSON) and/or its winning prompts ({ agentId: prompt }, what
 * `evaluate --prompts`, `compare` and `applyPromptsFile` take). The work is in client/report/export.ts. The credit
 * table (client/report/credit-text.ts) goes to stderr, so stdout stays the record alone: credit is derived, and the
 * record holds facts only (`maspo status <id> --json` gives the credit as JSON).
 */
import { Command } from 'commander';
import { creditTable } from '../../client/report/credit-text';
import { exportRun, runRecordJson } from '../../client/report/export';
import { recordFromTemporal } from '../../client/run-record';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write an optimize run as JSON: its record (config, every step with its beam, cases and scored candidates, calls by role) and/or its winning prompts')
    .argument('<workflowId>', 'the optimize workflow id (finished, running or stopped)')
    .option('-o, --out <file>', 'write the run record (JSON; `evaluate --prompts` and `compare` also take it)')
    .option('--prompts <file>', 'write the winning prompts as JSON ({ agentId: prompt })')
    .action(async (workflowId: string, opts: { out?: string; prompts?: string }) => {
      const record = await recordFromTemporal(workflowId);
      process.stdout.write(!opts.out && !opts.prompts ? runRecordJson(record) : `${await exportRun(record, opts)}\n`);
      process.stderr.write(`${creditTable(record)}\n`);
    });
}
