/**
 * Durability: SIGKILL the worker process several times during an evaluation that calls an LLM over HTTP
 * (the simulator's OpenAI-compatible server through the real `openai` client), restart it each time, and
 * check that the workflow completes with the same result as an uninterrupted run, and that no LLM call whose
 * response had reached the worker is sent to the LLM server again (only calls in flight at a kill may repeat).
 */
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { buildEvaluateInput, parseConfigText } from '../client/config';
import { startEvaluation } from '../client/evaluate';
import { SimWorldSchema } from '../core/sim-config';
import type { EvaluateResult } from '../core/evaluation';
import { startSimServer, type SimServer } from '../sim/server';
import { createTestEnv } from './support/temporal';
import { startWorkers, tempHome } from './support/evaluation';
import { spawnCli, waitFor, type CliProcess } from './support/processes';

let env: TestWorkflowEnvironment | undefined;
let sim: SimServer;

beforeAll(async () => {
  env = await createTestEnv();
  sim = await startSimServer({ world: SimWorldSchema.parse({ seed: 5, latency: { distribution: 'fixed', meanMs: 25 } }) });
}, 60_000);

afterAll(async () => {
  await sim?.close();
  await env?.teardown();
});

function configYaml(taskQueue: string): string {
  return `
name: crash-test
seed: 5
taskQueue: ${taskQueue}
dataset: { kind: sim, split: test, size: 40 }
mas:
  topology: chain
  agents:
    - id: solver
      prompt: "Think step by step and show each intermediate result. Put the final answer inside <answer></answer>. {{question}}"
    - id: checker
      prompt: "Verify each step of the previous solution. Put the final answer inside <answer></answer>. {{context}} {{question}}"
  edges: [solver -> checker]
models:
  backbone: { provider: openai, model: sim, baseURL: "${sim.url}/v1", concurrency: 4, timeoutMs: 10000 }
evaluate: { batchSize: 10, concurrency: 4, llmHeartbeatTimeoutMs: 2000 }
`;
}

/** Responses the worker has recorded: one file per call in the persistent response cache. */
function cachedResponses(dir: string): number {
  try {
    return readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.json')).length;
  } catch {
    return 0;
  }
}

const comparable = (r: EvaluateResult) => r.records.map(({ calls: _calls, ...rest }) => rest);

test('SIGKILLed workers: same result as an uninterrupted run, completed calls never re-sent', async () => {
  if (!env) return console.warn('SKIPPED: no temporal CLI');
  const e = env;
  const home = tempHome();
  const taskQueue = `crash-${Date.now()}`;
  const configFile = path.join(home, 'crash.yaml');
  writeFileSync(configFile, configYaml(taskQueue));
  const input = await buildEvaluateInput({ file: configFile, config: parseConfigText(configFile, configYaml(taskQueue)) });

  const workerEnv = { ...process.env, TEMPORAL_ADDRESS: e.address, TEMPORAL_NAMESPACE: 'default', MASPO_HOME: home, MASPO_LOG_LEVEL: 'ERROR' };
  const before = sim.stats();
  const handle = await startEvaluation(e.client, input, `eval-${taskQueue}`);

  let worker: CliProcess = spawnCli(['worker', '--config', configFile], workerEnv);
  // In flight at a kill = calls that reached the LLM server but whose response the worker had not recorded yet.
  const distinctSent = () => Object.entries(sim.stats().byDigest).filter(([d, c]) => c.attempts > (before.byDigest[d]?.attempts ?? 0)).length;
  const cacheDir = path.join(home, 'cache', 'llm');
  let inFlightAtKills = 0;
  const kills: number[] = [];
  for (const killAt of [12, 34, 58]) {
    await waitFor(`${killAt} completed LLM calls`, () => sim.stats().completed - before.completed >= killAt, 90_000);
    worker.child.kill('SIGKILL');
    await worker.exited;
    inFlightAtKills += distinctSent() - cachedResponses(cacheDir);
    kills.push(sim.stats().completed - before.completed);
    worker = spawnCli(['worker', '--config', configFile], workerEnv);
  }
  const interrupted = await handle.result();
  worker.child.kill('SIGTERM');
  await worker.exited;

  const after = sim.stats();
  const digests = Object.entries(after.byDigest).map(([d, c]) => ({ d, completed: c.completed - (before.byDigest[d]?.completed ?? 0) }));
  const resent = digests.reduce((n, x) => n + Math.max(0, x.completed - 1), 0);
  expect(interrupted.summary.n).toBe(40);
  expect(interrupted.errors).toBe(0);
  expect(digests.filter((x) => x.completed > 0)).toHaveLength(80);
  expect(resent).toBeLessThanOrEqual(inFlightAtKills);
  expect(inFlightAtKills).toBeLessThanOrEqual(3 * 4); // never more than the backbone's activity slots per kill

  // The uninterrupted reference run: same config, fresh cache, workers in this process.
  const w = await startWorkers(e, `${taskQueue}-ref`, path.join(tempHome(), 'cache'));
  try {
    const reference = await (await startEvaluation(e.client, { ...input, taskQueue: `${taskQueue}-ref` }, `eval-${taskQueue}-ref`)).result();
    expect(comparable(interrupted)).toEqual(comparable(reference));
    expect(interrupted.summary).toEqual(reference.summary);
  } finally {
    await w.stop();
  }
  console.log(`worker crash test: kills after ${kills.join(', ')} completed calls; ${inFlightAtKills} in flight at kills; ${resent} completed calls re-sent`);
}, 240_000);
