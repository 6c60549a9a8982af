/**
 * A run record to files: `exportRun` writes the record (JSON) and/or its winning prompts ({ agentId: prompt }, what
 * `evaluate --prompts`, `compare` and `applyPromptsFile` take), `writeReport` renders it as one self-contained HTML
 * page. Both return the one-line summary `maspo export` / `maspo report` print.
 */
import { writeFile } from 'node:fs/promises';
import type { RunRecord } from '../../core/contracts/run-record';
import { UsageError } from '../errors';
import { renderReport } from './render';

/** Writes `text` to `file`; a file that cannot be written is bad input (UsageError), not a failed job. */
export async function writeOut(file: string, text: string): Promise<void> {
  try {
    await writeFile(file, text);
  } catch (e) {
    throw new UsageError(`${file}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

export const kb = (text: string) => `${(Buffer.byteLength(text) / 1024).toFixed(1)} KB`;

/** The record as `maspo export` prints or writes it. */
export function runRecordJson(record: RunRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

/** Writes the record to `out` and/or its prompts to `prompts`; returns what was written (and whether the prompts are final). */
export async function exportRun(record: RunRecord, files: { out?: string; prompts?: string }): Promise<string> {
  const json = runRecordJson(record);
  if (files.out) await writeOut(files.out, json);
  if (files.prompts) await writeOut(files.prompts, `${JSON.stringify(record.prompts, null, 2)}\n`);
  const wrote = [
    files.out ? `run record ${files.out} (${kb(json)}, ${record.units.length} units)` : '',
    files.prompts ? `prompts ${files.prompts} (${Object.keys(record.prompts).length} agents)` : '',
  ].filter(Boolean);
  const note = record.promptsFrom === 'result' ? '' : ` · the run is ${record.status}: prompts are the best so far (${record.promptsFrom.replace('-', ' ')})`;
  return `wrote ${wrote.join(' and ')}${note}`;
}

/** Renders the record's HTML report into `out`; returns what was written. */
export async function writeReport(record: RunRecord, out: string, opts: { generatedAt?: string } = {}): Promise<string> {
  const started = performance.now();
  const page = renderReport(record, { generatedAt: opts.generatedAt ?? new Date().toISOString() });
  const ms = performance.now() - started;
  await writeOut(out, page);
  return `wrote ${out} (${kb(page)}, rendered in ${ms.toFixed(0)} ms) · run ${record.workflowId} · ${record.status}`;
}
