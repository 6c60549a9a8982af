/**
 * What `maspo optimize` and `maspo fork` do once their search has started: say where it runs, then either print its
 * id (`--detach`) or follow it with progress and print the winning prompts (`--json`: the whole result, plus `extra`).
 */
import type { WorkflowHandle } from '@temporalio/client';
import { formatOptimization } from '../client/format';
import { awaitOptimization, writePromptsFile } from '../client/optimize';
import { searchProgressReporter } from '../client/progress';
import type { TemporalConnection } from '../client/temporal/connection';
import { workflowUrl } from '../client/workers';
import type { optimizeMas } from '../workflows/optimize/run';

export interface FollowOptions {
  json?: boolean;
  out?: string;
  detach?: boolean;
  progress: boolean;
  watch?: boolean;
}

export async function followSearch(
  temporal: TemporalConnection,
  handle: WorkflowHandle<typeof optimizeMas>,
  opts: FollowOptions,
  about: { note?: string; extra?: Record<string, unknown> } = {},
): Promise<void> {
  const uiUrl = workflowUrl(temporal, handle.workflowId);
  process.stderr.write(`started ${handle.workflowId}${about.note ? ` (${about.note})` : ''}${uiUrl ? `\nTemporal UI: ${uiUrl}` : ''}\n`);
  if (opts.detach) {
    process.stdout.write(`${handle.workflowId}\n`);
    return;
  }
  const reporter = searchProgressReporter(opts.watch || (!opts.json && opts.progress) ? (process.stderr.isTTY ? 'tty' : 'lines') : 'off');
  const result = await awaitOptimization(temporal.client, handle, (p) => reporter.update(p)).finally(() => reporter.stop());
  if (opts.out) await writePromptsFile(opts.out, result.prompts);
  process.stdout.write(opts.json ? `${JSON.stringify({ workflowId: handle.workflowId, ...about.extra, ...result }, null, 2)}\n` : `${formatOptimization(result, handle.workflowId)}\n`);
}
