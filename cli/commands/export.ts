/**
 * `maspo export <workflowId>`: an optimize run's record (JSON) and/or its winning prompts ({ agentId: prompt }, what
 * `evaluate --prompts`, `compare` and `applyPromptsFile` take). The work is in client/report/export.ts.
 */
import { Command } from 'commander';
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
    });
}
