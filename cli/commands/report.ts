/**
 * `maspo report <workflowId> -o report.html`: an optimize run's record as one self-contained HTML page (`--from
 * run.json` renders an exported record offline, without Temporal). The work is in client/report/export.ts.
 */
import { Command } from 'commander';
import { UsageError } from '../../client/errors';
import { writeReport } from '../../client/report/export';
import { readRunRecord, recordFromTemporal } from '../../client/run-record';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('render an optimize run as one self-contained HTML file (no network): prompt evolution with diffs and the cases behind each change, beam lineage, reward and score charts, held-out accuracy, spend')
    .argument('[workflowId]', 'the optimize workflow id (read from Temporal)')
    .option('-o, --out <file>', 'HTML file to write', 'report.html')
    .option('--from <file>', 'render a run record written by `maspo export -o` instead of reading Temporal (offline)')
    .action(async (workflowId: string | undefined, opts: { out: string; from?: string }) => {
      if (!workflowId === !opts.from) throw new UsageError(workflowId ? 'give a workflow id or --from <run.json>, not both' : 'give the optimize workflow id, or --from <run.json> for an exported record');
      const record = opts.from ? await readRunRecord(opts.from) : await recordFromTemporal(workflowId!);
      process.stdout.write(`${await writeReport(record, opts.out)}\n`);
    });
}
