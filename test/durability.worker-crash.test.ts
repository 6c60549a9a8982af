/**
 * Durability: SIGKILL the worker process several times during an evaluation that calls an LLM over HTTP
 * (the simulator's OpenAI-compatible server through the real `openai` client), restart it each time, and
 * check that the workflow completes with the same result as an uninterrupted run, and that no LLM call whose
 * response had reached the worker is sent to the LLM server again (only calls in flight at a kill may repeat).
 *
 * "Reached the worker" is exact, as in the chaos bench (`InFlightLedger` in bench/chaos/worker-crash.ts): right after
 * each kill (the worker is dead, nothing more gets recorded), every request the LLM server has seen since the last
 * kill is classified as "reply recorded" (its response-cache file exists, under the key the worker computes) or
 * "lost with the worker". A recorded reply must never be requested again; the requests beyond one per call must
 * not exceed the calls lost at the kills.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { cacheKey } from '../activities/llm/cache';
import { buildEvaluateInput, parseConfigText } from '../client/config';
import { startEvaluation } from '../client/evaluate';
import { SimWorldSchema } from '../core/schema/sim-config';
import type { EvaluateInput, EvaluateResult } from '../core/contracts/evaluate';
import { startSimServer, type SimServer } from '../sim/server';
import { createTestEnv } from './support/temporal';
import { startWorkers, tempHome } from './support/evaluation';
import { spawnCli, waitFor, type CliProcess } from './support/processes';

let env: TestWorkflowEnvironment | undefined;
let sim: SimServer;

beforeAll(async () => {
  env = await createTestEnv();
  sim = await startSimServer({ world: SimWorldSchema.parse({ seed: 5, latency: { distribution: 'fixed', meanMs: 25 } }), keepRequests: true });
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

/**
 * Whether the worker has recorded the reply to the request behind `digest` in its response cache
 * (`<dir>/<first two hex>/<key>.json`), with the key computed as the LLM activity does for the backbone:
 * the sample index travels as the OpenAI `seed`.
 */
function recorded(input: EvaluateInput, cacheDir: string, digest: string): boolean {
  const request = sim.requestOf(digest);
  if (!request) throw new Error(`the simulator kept no request for digest ${digest}`);
  const key = cacheKey(input.models.backbone, { role: 'backbone', messages: request.messages, sampleIndex: request.seed ?? 0 });
  return existsSync(path.join(cacheDir, key.slice(0, 2), `${key}.json`));
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
  const cacheDir = path.join(home, 'cache', 'llm');
  /** This run's arrivals per digest at the LLM server (the server is shared with the reference run below). */
  const attemptsNow = (): Map<string, number> => {
    const stats = sim.stats();
    const out = new Map<string, number>();
    for (const [d, c] of Object.entries(stats.byDigest)) {
      const n = c.attempts - (before.byDigest[d]?.attempts ?? 0);
      if (n > 0) out.set(d, n);
    }
    return out;
  };
  /** Arrivals per digest already classified at an earlier kill. */
  const classified = new Map<string, number>();
  /** Digests whose reply the worker had recorded at a kill → their arrivals then (must not grow afterwards). */
  const recordedAtKill = new Map<string, number>();
  // Lost with the worker = requests that reached the LLM server (answered or not) whose reply the worker had not
  // recorded when it died; only these may be sent again.
  let lostAtKills = 0;
  const kills: Array<{ afterReplies: number; lost: number }> = [];
  const killAts = [12, 34, 58];
  const slots = 4; // the backbone's activity slots (models.backbone.concurrency)
  for (const killAt of killAts) {
    await waitFor(`${killAt} completed LLM calls`, () => sim.stats().completed - before.completed >= killAt, 90_000);
    worker.child.kill('SIGKILL');
    await worker.exited;
    let lost = 0;
    for (const [d, n] of attemptsNow()) {
      const fresh = n - (classified.get(d) ?? 0);
      if (fresh === 0) continue;
      classified.set(d, n);
      if (recorded(input, cacheDir, d)) {
        if (!recordedAtKill.has(d)) recordedAtKill.set(d, n);
      } else lost += fresh;
    }
    lostAtKills += lost;
    kills.push({ afterReplies: sim.stats().completed - before.completed, lost });
    worker = spawnCli(['worker', '--config', configFile], workerEnv);
  }
  const interrupted = await handle.result();
  worker.child.kill('SIGTERM');
  await worker.exited;

  const atEnd = attemptsNow();
  const requests = [...atEnd.values()].reduce((a, b) => a + b, 0);
  const repeated = requests - atEnd.size; // requests beyond one per distinct call
  const recordedThenResent = [...recordedAtKill].filter(([d, n]) => atEnd.get(d) !== n).map(([d]) => d);
  console.log(
    `worker crash test: kills after ${kills.map((k) => k.afterReplies).join(', ')} completed calls; ` +
      `${recordedAtKill.size} replies recorded at kills, ${recordedThenResent.length} of them re-sent; ` +
      `${lostAtKills} calls lost with the worker at kills (${kills.map((k) => k.lost).join(' + ')}), ${repeated} requests repeated`,
  );
  expect(interrupted.summary.n).toBe(40);
  expect(interrupted.errors).toBe(0);
  expect(atEnd.size).toBe(80);
  // The key is the worker's: every call's reply is in the cache at the end (else nothing would count as recorded).
  expect([...atEnd.keys()].filter((d) => !recorded(input, cacheDir, d))).toEqual([]);
  expect(lostAtKills).toBeLessThanOrEqual(killAts.length * slots); // never more than the activity slots per kill
  // Not vacuous: of the ≥ 58 replies answered before the last kill, all but those lost had been recorded.
  expect(recordedAtKill.size).toBeGreaterThanOrEqual(killAts[killAts.length - 1] - killAts.length * slots);
  expect(recordedThenResent).toEqual([]);
  expect(repeated).toBeLessThanOrEqual(lostAtKills);

  // The uninterrupted reference run: same config, fresh cache, workers in this process.
  const w = await startWorkers(e, `${taskQueue}-ref`, path.join(tempHome(), 'cache'));
  try {
    const reference = await (await startEvaluation(e.client, { ...input, taskQueue: `${taskQueue}-ref` }, `eval-${taskQueue}-ref`)).result();
    expect(comparable(interrupted)).toEqual(comparable(reference));
    expect(interrupted.summary).toEqual(reference.summary);
  } finally {
    await w.stop();
  }
}, 240_000);
