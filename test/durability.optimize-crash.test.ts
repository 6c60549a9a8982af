/**
 * Durability of the search: SIGKILL the worker twice during a small MASPO run whose three roles (backbone,
 * optimizer, judge) all call the simulator over HTTP through the real `openai` client; the run must end with
 * exactly the prompts, beams and scores of an uninterrupted run.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { parseConfigText } from '../client/config';
import { buildOptimizeInput, startOptimization } from '../client/optimize';
import { SimWorldSchema } from '../core/schema/sim-config';
import type { OptimizeResult } from '../core/contracts/optimize';
import { startSimServer, type SimServer } from '../sim/server';
import { createTestEnv } from './support/temporal';
import { startWorkers, tempHome, tinySearchYaml } from './support/evaluation';
import { spawnCli, waitFor, type CliProcess } from './support/processes';

let env: TestWorkflowEnvironment | undefined;
let sim: SimServer;
beforeAll(async () => {
  env = await createTestEnv();
  sim = await startSimServer({ world: SimWorldSchema.parse({ seed: 8, latency: { distribution: 'fixed', meanMs: 10 } }) });
}, 60_000);
afterAll(async () => {
  await sim?.close();
  await env?.teardown();
});

const yaml = (queue: string) =>
  tinySearchYaml({
    name: 'crash-search',
    seed: 8,
    heldOut: 10,
    extra: `taskQueue: ${queue}`,
    models: [
      `  backbone: { provider: openai, model: sim-agent, baseURL: "${sim.url}/v1", concurrency: 6 }`,
      `  optimizer: { provider: openai, model: sim-optimizer, baseURL: "${sim.url}/v1", temperature: 0.7 }`,
      `  judge: { provider: openai, model: sim-judge, baseURL: "${sim.url}/v1", concurrency: 6 }`,
    ].join('\n'),
    optimize: '{ rounds: 2, stepsPerRound: 1, beamWidth: 2, proposalsPerParent: 2, poolSize: 6, batchSize: 3 }',
  });

const outcome = (r: OptimizeResult) => ({ prompts: r.prompts, agents: r.agents, rounds: r.rounds.map(({ totals: _t, byAgent: _a, ...s }) => s), heldOut: r.heldOut && { seed: r.heldOut.seed, optimized: r.heldOut.optimized } });

test('SIGKILLed workers during a search: same final prompts and scores as an uninterrupted run', async () => {
  if (!env) return console.warn('SKIPPED: no temporal CLI');
  const e = env;
  const home = tempHome();
  const queue = `ocrash-${Date.now()}`;
  const file = path.join(home, 'search.yaml');
  writeFileSync(file, yaml(queue));
  const input = await buildOptimizeInput({ file, config: parseConfigText(file, yaml(queue)) });
  const workerEnv = { ...process.env, TEMPORAL_ADDRESS: e.address, TEMPORAL_NAMESPACE: 'default', MASPO_HOME: home, MASPO_LOG_LEVEL: 'ERROR' };

  const start = sim.stats().completed;
  const handle = await startOptimization(e.client, input, `search-${queue}`);
  let worker: CliProcess = spawnCli(['worker', '--config', file], workerEnv);
  for (const killAt of [40, 160]) {
    await waitFor(`${killAt} completed LLM calls`, () => sim.stats().completed - start >= killAt, 120_000);
    worker.child.kill('SIGKILL');
    await worker.exited;
    worker = spawnCli(['worker', '--config', file], workerEnv);
  }
  const interrupted = await handle.result();
  worker.child.kill('SIGTERM');
  await worker.exited;

  const w = await startWorkers(e, `${queue}-ref`, path.join(tempHome(), 'cache'));
  try {
    const reference = await (await startOptimization(e.client, { ...input, ctx: { ...input.ctx, taskQueue: `${queue}-ref` } }, `search-${queue}-ref`)).result();
    expect(outcome(interrupted)).toEqual(outcome(reference));
    expect(interrupted.totals.calls).toEqual(reference.totals.calls);
  } finally {
    await w.stop();
  }
}, 300_000);
