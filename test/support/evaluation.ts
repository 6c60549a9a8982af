/** Helpers shared by the evaluation workflow tests: configs, workers and history checks. */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { buildEvaluateInput, parseConfigText } from '../../client/config';
import type { EvaluateInput } from '../../core/contracts/evaluate';
import { createMaspoWorkers, runWorkers } from '../../workers/worker';
import { TRAP_CHAIN_MAS } from '../../fixtures/search-config';

export const CHAIN_YAML = `
name: test-chain
seed: 11
dataset: { kind: sim, split: test, size: 12 }
mas:
  topology: chain
  agents:
    - id: solver
      role: predictor
      prompt: |
        Solve the problem step by step and show each intermediate result.
        Put the final answer inside <answer></answer>.
        Problem: {{question}}
    - id: reviewer
      role: reflector
      prompt: |
        Verify each step of the previous solution and fix any mistake.
        Put the final answer inside <answer></answer>.
        Previous solution: {{context}}
        Problem: {{question}}
  edges: ["solver -> reviewer"]
models:
  backbone: { provider: sim, model: sim-agent }
evaluate: { batchSize: 5, concurrency: 3, llmHeartbeatTimeoutMs: 2000 }
`;

export async function inputFrom(yaml: string, overrides: (text: string) => string = (t) => t): Promise<EvaluateInput> {
  const text = overrides(yaml);
  const config = parseConfigText('test.yaml', text);
  const input = await buildEvaluateInput({ file: path.join(process.cwd(), 'test.yaml'), config });
  return { ...input, taskQueue: `test-${randomUUID().slice(0, 8)}` };
}

export function tempHome(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'maspo-test-'));
}

/** Starts the project's workers for `taskQueue` on the test server; returns a stopper. */
export async function startWorkers(env: TestWorkflowEnvironment, taskQueue: string, cacheDir: string): Promise<{ workers: Worker[]; stop: () => Promise<void> }> {
  const workers = await createMaspoWorkers({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, cacheDir });
  const running = runWorkers(workers);
  return {
    workers,
    async stop() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await running;
    },
  };
}

const SIM_ROLES = `  backbone: { provider: sim, model: sim-agent }
  optimizer: { provider: sim, model: sim-optimizer, temperature: 0.7 }
  judge: { provider: sim, model: sim-judge }`;

/**
 * A small search on a 2-agent chain (a brief solver and a reviewer, the simulator's planted trap) — the fixture of
 * the search tests. Tests vary only what they are about: name, seed, held-out size, the optimize section, models.
 */
export function tinySearchYaml(o: { name: string; seed: number; heldOut: number; optimize: string; models?: string; extra?: string }): string {
  return `
name: ${o.name}
seed: ${o.seed}
${o.extra ?? ''}
dataset: { kind: sim, split: test, size: ${o.heldOut} }
${TRAP_CHAIN_MAS}models:
${o.models ?? SIM_ROLES}
optimize: ${o.optimize}
evaluate: { concurrency: 4, llmHeartbeatTimeoutMs: 2000 }
`;
}
