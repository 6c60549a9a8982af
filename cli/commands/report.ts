/**
 * `maspo report <workflowId> -o report.html`: an optimize run's record as one self-contained HTML page (`--from
 * run.json` renders an exported record offline, without Temporal). The work is in client/report/export.ts.
 *
 * `maspo report --compare <a> <b> -o compare.html` (or `--compare --from a.json --from b.json`): two runs side by
 * side in one page, with a plain-text summary on stdout. The work is in client/report/compare/.
 */
import { Command } from 'commander';
import { UsageError } from '../../client/errors';
import { writeReport } from '../../client/report/export';
import { writeComparison } from '../../client/report/compare/export';
import { withConnection } from '../../client/connect';
import { assembleRunRecord, readRunRecord } from '../../client/run-record';
import type { RunRecord } from '../../core/contracts/run-record';

interface ReportOptions {
  out?: string;
  from?: string[];
  compare?: boolean;
}

/** Checks the runs asked for: workflow ids or record files, never a mix, one of them (two with --compare). */
function checkRunCount(ids: string[], files: string[], compare: boolean): void {
  if (compare) {
    if (ids.length && files.length) throw new UsageError('--compare: give two workflow ids or two --from files, not a mix');
    if (ids.length + files.length !== 2) throw new UsageError(`--compare needs two runs (two workflow ids, or --from a.json --from b.json); got ${ids.length + files.length}`);
  } else {
    if (ids.length && files.length) throw new UsageError('give a workflow id or --from <run.json>, not both');
    if (ids.length + files.length === 0) throw new UsageError('give the optimize workflow id, or --from <run.json> for an exported record');
    if (ids.length + files.length > 1) throw new UsageError(`${ids.length + files.length} runs given: report renders one; add --compare to compare two side by side`);
  }
}

/** The records, in the order given: files read offline, workflow ids from Temporal over one connection. */
async function readRecords(ids: string[], files: string[]): Promise<RunRecord[]> {
  const records: RunRecord[] = [];
  if (files.length) {
    for (const file of files) records.push(await readRunRecord(file));
    return records;
  }
  return withConnection(async (temporal) => {
    for (const id of ids) records.push(await assembleRunRecord(temporal.client, id));
    return records;
  });
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'render an optimize run as one self-contained HTML file (no network): prompt evolution with diffs and the cases behind each change, beam lineage, reward and score charts, held-out accuracy, spend; --compare puts two runs side by side',
    )
    .argument('[workflowIds...]', 'the optimize workflow id (read from Temporal); two with --compare')
    .option('-o, --out <file>', 'HTML file to write (default: report.html, or compare.html with --compare)')
    .option('--from <file>', 'render a run record written by `maspo export -o` instead of reading Temporal (offline); twice with --compare', (file: string, files: string[] = []) => [...files, file])
    .option('--compare', 'compare two runs side by side: final prompts as diffs, held-out accuracy with the paired difference on shared items, configuration differences, calls and spend')
    .action(async (ids: string[], opts: ReportOptions) => {
      checkRunCount(ids, opts.from ?? [], !!opts.compare);
      // Every record is read before anything is written: bad input leaves no file behind.
      const records = await readRecords(ids, opts.from ?? []);
      const text = opts.compare ? await writeComparison(records[0], records[1], opts.out ?? 'compare.html') : await writeReport(records[0], opts.out ?? 'report.html');
      process.stdout.write(`${text}\n`);
    });
}
