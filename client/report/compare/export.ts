/**
 * `writeComparison`: two run records compared into one HTML page (`maspo report --compare`); returns the plain-text
 * summary followed by the line saying what was written.
 */
import type { RunRecord } from '../../../core/contracts/run-record';
import { kb, writeOut } from '../export';
import { compareRuns } from './model';
import { renderComparison } from './render';
import { formatRunComparison } from './summary';

export async function writeComparison(a: RunRecord, b: RunRecord, out: string, opts: { generatedAt?: string } = {}): Promise<string> {
  const comparison = compareRuns(a, b);
  const page = renderComparison(comparison, { generatedAt: opts.generatedAt ?? new Date().toISOString() });
  await writeOut(out, page);
  return `${formatRunComparison(comparison)}\nwrote ${out} (${kb(page)}) · A ${a.workflowId} vs B ${b.workflowId}`;
}
