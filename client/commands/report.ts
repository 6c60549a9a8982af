/**
 * The run record commands: `maspo export <workflowId>` writes an optimize run's record (JSON) and/or its winning
 * prompts ({ agentId: prompt }, what `evaluate --prompts`, `compare` and `applyPromptsFile` take); `maspo report
 * <workflowId> -o report.html` renders the record as one self-contained HTML page (`--from run.json` renders an
 * exported record offline, without Temporal).
 */
import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import type { RunRecord } from '../../core/contracts/run-record';
import { UsageError } from '../errors';
import { renderReport } from '../report/render';
import { assembleRunRecord, readRunRecord } from '../run-record';
import { openTemporal } from './connect';

/** An optimize run's record read from Temporal (connects like every command; closes the connection after). */
export async function recordFromTemporal(workflowId: string): Promise<RunRecord> {
  const temporal = await openTemporal();
  try {
    return await assembleRunRecord(temporal.client, workflowId);
  } finally {
    await temporal.close();
  }
}

async function writeOut(file: string, text: string): Promise<void> {
  try {
    await writeFile(file, text);
  } catch (e) {
    throw new UsageError(`${file}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

const kb = (text: string) => `${(Buffer.byteLength(text) / 1024).toFixed(1)} KB`;

export function registerReport(program: Command): void {
  program
    .command('export')
    .description('write an optimize run as JSON: its record (config, every step with its beam, cases and scored candidates, calls by role) and/or its winning prompts')
    .argument('<workflowId>', 'the optimize workflow id (finished, running or stopped)')
    .option('-o, --out <file>', 'write the run record (JSON; `evaluate --prompts` and `compare` also take it)')
    .option('--prompts <file>', 'write the winning prompts as JSON ({ agentId: prompt })')
    .action(async (workflowId: string, opts: { out?: string; prompts?: string }) => {
      const record = await recordFromTemporal(workflowId);
      const json = `${JSON.stringify(record, null, 2)}\n`;
      if (!opts.out && !opts.prompts) {
        process.stdout.write(json);
        return;
      }
      if (opts.out) await writeOut(opts.out, json);
      if (opts.prompts) await writeOut(opts.prompts, `${JSON.stringify(record.prompts, null, 2)}\n`);
      const wrote = [opts.out ? `run record ${opts.out} (${kb(json)}, ${record.units.length} units)` : '', opts.prompts ? `prompts ${opts.prompts} (${Object.keys(record.prompts).length} agents)` : ''].filter(Boolean);
      const note = record.promptsFrom === 'result' ? '' : ` · the run is ${record.status}: prompts are the best so far (${record.promptsFrom.replace('-', ' ')})`;
      process.stdout.write(`wrote ${wrote.join(' and ')}${note}\n`);
    });

  program
    .command('report')
    .description('render an optimize run as one self-contained HTML file (no network): prompt evolution with diffs and the cases behind each change, beam lineage, reward and score charts, held-out accuracy, spend')
    .argument('[workflowId]', 'the optimize workflow id (read from Temporal)')
    .option('-o, --out <file>', 'HTML file to write', 'report.html')
    .option('--from <file>', 'render a run record written by `maspo export -o` instead of reading Temporal (offline)')
    .action(async (workflowId: string | undefined, opts: { out: string; from?: string }) => {
      if (!workflowId === !opts.from) throw new UsageError(workflowId ? 'give a workflow id or --from <run.json>, not both' : 'give the optimize workflow id, or --from <run.json> for an exported record');
      const record = opts.from ? await readRunRecord(opts.from) : await recordFromTemporal(workflowId!);
      const started = performance.now();
      const page = renderReport(record, { generatedAt: new Date().toISOString() });
      const ms = performance.now() - started;
      await writeOut(opts.out, page);
      process.stdout.write(`wrote ${opts.out} (${kb(page)}, rendered in ${ms.toFixed(0)} ms) · run ${record.workflowId} · ${record.status}\n`);
    });
}
