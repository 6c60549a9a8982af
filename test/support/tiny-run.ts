/** A tiny MASPO search on a test server with the project's workers, for the run record, export and report tests. */
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { parseConfigText } from '../../client/config';
import { buildOptimizeInput, startOptimization } from '../../client/optimize';
import type { OptimizeInput, OptimizeResult } from '../../core/contracts/optimize';
import { startWorkers } from './evaluation';

export async function runTinySearch(e: TestWorkflowEnvironment, o: { id: string; yaml: string; cacheDir: string }): Promise<{ input: OptimizeInput; result: OptimizeResult; queue: string }> {
  const queue = `q-${o.id}`;
  const built = await buildOptimizeInput({ file: path.join(process.cwd(), 'tiny.yaml'), config: parseConfigText('tiny.yaml', o.yaml) });
  const input: OptimizeInput = { ...built, ctx: { ...built.ctx, taskQueue: queue } };
  const w = await startWorkers(e, queue, o.cacheDir);
  try {
    return { input, result: await (await startOptimization(e.client, input, o.id)).result(), queue };
  } finally {
    await w.stop();
  }
}
