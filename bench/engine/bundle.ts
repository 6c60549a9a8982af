/**
 * The workflow bundle, built once per bench invocation (as a production deployment does) and handed to every worker
 * process, so that webpack's time and memory are not charged to the measured worker.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ROOT } from './scenario';

export async function buildWorkflowBundle(dir: string): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.join(ROOT, 'workflows', 'index.ts'),
    logger: { trace() {}, debug() {}, info() {}, warn: (m) => process.stderr.write(`bundle: ${m}\n`), error: (m) => process.stderr.write(`bundle: ${m}\n`), log() {} },
  });
  const file = path.join(dir, 'workflow-bundle.js');
  fs.writeFileSync(file, code);
  return file;
}
