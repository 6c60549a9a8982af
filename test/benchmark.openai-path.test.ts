/**
 * The real-provider path end to end on a benchmark file: the real `maspo` CLI (a child process) runs
 * `evaluate` and then `compare` on a MATH-500-layout JSONL file with the chain preset, its backbone being the
 * `openai` provider (the real `openai` SDK client) pointed at the simulator's OpenAI-compatible HTTP server,
 * on a real Temporal dev server with the workers inline in the CLI process.
 *
 * It proves the plumbing — config, benchmark loader, workflows, the openai client over HTTP, the math grader,
 * the response cache and the paired statistics — not a model: the simulator cannot solve MATH problems, so
 * accuracy is only checked to be a number in [0, 1]. That the HTTP server was really hit is checked through its
 * request counts: one request per item and agent for `evaluate`; for `compare` (same cache), set A (the seed
 * prompts) is served entirely from the cache, and set B, which changes only the reflector, costs one new request
 * per item.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CompareResult } from '../client/compare';
import type { EvaluateResult } from '../core/contracts/evaluate';
import { SimWorldSchema } from '../core/schema/sim-config';
import { startSimServer, type SimServer } from '../sim/server';
import { tempHome } from './support/evaluation';
import { spawnCli } from './support/processes';
import { createTestEnv } from './support/temporal';

// Eight items in the MATH-500 file layout (fields of HuggingFaceH4/MATH-500's test.jsonl).
const ROWS = [
  ['What is $1+1$?', '2', 'Prealgebra', 1],
  ['Compute $\\frac{1}{2}+\\frac{1}{3}$.', '\\frac{5}{6}', 'Prealgebra', 2],
  ['Solve $2x+3=11$ for $x$.', '4', 'Algebra', 1],
  ['What is $\\sqrt{144}$?', '12', 'Prealgebra', 1],
  ['Convert $(0,3)$ to polar coordinates.', '\\left( 3, \\frac{\\pi}{2} \\right)', 'Precalculus', 2],
  ['How many positive divisors does $12$ have?', '6', 'Number Theory', 2],
  ['Find the sum of the interior angles of a hexagon, in degrees.', '720', 'Geometry', 2],
  ['What is $\\binom{5}{2}$?', '10', 'Counting & Probability', 1],
].map(([problem, answer, subject, level], i) => ({
  problem,
  solution: `... $\\boxed{${answer}}$`,
  answer,
  subject,
  level,
  unique_id: `test/${String(subject).toLowerCase().replace(/[^a-z]+/g, '_')}/${100 + i}.json`,
}));
const N = ROWS.length;
const AGENTS = ['predictor', 'reflector']; // `preset: chain` (core/schema/topologies.ts), one round

let env: TestWorkflowEnvironment | undefined;
let sim: SimServer;
const home = tempHome();

beforeAll(async () => {
  env = await createTestEnv();
  sim = await startSimServer({ world: SimWorldSchema.parse({ seed: 3, latency: { distribution: 'fixed', meanMs: 20 } }) });
}, 60_000);

afterAll(async () => {
  await sim?.close();
  await env?.teardown();
  rmSync(home, { recursive: true, force: true });
});

/** Runs the CLI to completion; stdout is kept apart from stderr so `--json` output parses. */
async function cli(args: string[]): Promise<{ code: number | null; stdout: string; all: string }> {
  const p = spawnCli(args, { ...process.env, TEMPORAL_ADDRESS: env!.address, TEMPORAL_NAMESPACE: 'default', MASPO_HOME: home, MASPO_LOG_LEVEL: 'ERROR' });
  let stdout = '';
  p.child.stdout!.on('data', (d) => (stdout += d));
  const code = await p.exited;
  return { code, stdout, all: p.output() };
}

function checkRun(r: EvaluateResult, cachedAgents: string[]): void {
  expect(r.model).toBe('openai:sim');
  expect(r.summary.n).toBe(N);
  expect(r.summary.accuracy).toBeGreaterThanOrEqual(0);
  expect(r.summary.accuracy).toBeLessThanOrEqual(1);
  expect(r.errors).toBe(0);
  expect(r.records.map((x) => x.id).sort()).toEqual(ROWS.map((x) => x.unique_id).sort());
  for (const rec of r.records) {
    expect(rec.error).toBeUndefined();
    expect(typeof rec.correct).toBe('boolean'); // graded by the math grader
    expect(rec.expected).toBe(ROWS.find((x) => x.unique_id === rec.id)!.answer);
    expect(rec.calls.map((c) => c.agentId)).toEqual(AGENTS);
    for (const c of rec.calls) {
      expect(c.cached).toBe(cachedAgents.includes(c.agentId));
      if (!c.cached) expect(c.usage.totalTokens).toBeGreaterThan(0); // usage came back over HTTP
    }
  }
}

test('evaluate and compare on a MATH-500 file through the openai provider against an OpenAI-compatible server', async () => {
  if (!env) return console.warn('SKIPPED: no temporal CLI');
  const started = Date.now();
  const dataFile = path.join(home, 'math_500.jsonl');
  writeFileSync(dataFile, ROWS.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const configFile = path.join(home, 'math500-openai.yaml');
  writeFileSync(
    configFile,
    `name: math500-openai-test
seed: 1
taskQueue: openai-path-${Date.now()}
dataset: { kind: benchmark, format: math-500, path: ${JSON.stringify(dataFile)} }
mas: { preset: chain, task: math }
models:
  backbone: { provider: openai, model: sim, baseURL: "${sim.url}/v1", temperature: 0, maxTokens: 1024, concurrency: 8, timeoutMs: 10000 }
evaluate: { batchSize: 4, concurrency: 4, bootstrapResamples: 200 }
`,
  );

  // evaluate: every item × agent goes through the openai client to the HTTP server.
  const before = sim.stats().completed;
  const distinct = () => Object.keys(sim.stats().byDigest).length; // distinct requests the server has seen
  const ev = await cli(['evaluate', configFile, '--worker', 'inline', '--json']);
  if (ev.code !== 0) throw new Error(`maspo evaluate exited ${ev.code}:\n${ev.all}`);
  const evaluated = JSON.parse(ev.stdout) as EvaluateResult;
  checkRun(evaluated, []);
  expect(evaluated.calls).toBe(N * AGENTS.length);
  const afterEvaluate = sim.stats().completed;
  expect(afterEvaluate - before).toBeGreaterThanOrEqual(N * AGENTS.length);
  const distinctAfterEvaluate = distinct();
  expect(distinctAfterEvaluate).toBe(N * AGENTS.length);

  // compare: B changes the reflector only, so A is all cache hits and B sends one new request per item.
  const promptsFile = path.join(home, 'prompts.json');
  writeFileSync(promptsFile, JSON.stringify({ reflector: 'Check the previous solution line by line, then give the final answer inside <answer></answer>. {{context}} {{question}}' }));
  const cmp = await cli(['compare', configFile, '--a', 'seed', '--b', promptsFile, '--worker', 'inline', '--json']);
  if (cmp.code !== 0) throw new Error(`maspo compare exited ${cmp.code}:\n${cmp.all}`);
  const compared = JSON.parse(cmp.stdout) as CompareResult;
  checkRun(compared.a.result, AGENTS);
  checkRun(compared.b.result, ['predictor']);
  expect(compared.a.result.records.map((r) => r.correct)).toEqual(evaluated.records.map((r) => r.correct));
  expect(compared.paired.n).toBe(N);
  for (const acc of [compared.paired.accuracyA, compared.paired.accuracyB]) {
    expect(acc).toBeGreaterThanOrEqual(0);
    expect(acc).toBeLessThanOrEqual(1);
  }
  const afterCompare = sim.stats().completed;
  expect(afterCompare - afterEvaluate).toBeGreaterThanOrEqual(N);
  expect(distinct() - distinctAfterEvaluate).toBe(N); // exactly the changed reflector's calls

  console.log(
    `openai path on a MATH-500 file (${N} items, chain): evaluate accuracy ${evaluated.summary.accuracy.toFixed(3)}, ` +
      `${afterEvaluate - before} HTTP requests completed; compare A ${compared.paired.accuracyA.toFixed(3)} vs B ${compared.paired.accuracyB.toFixed(3)} ` +
      `(paired n ${compared.paired.n}, McNemar p ${compared.paired.mcnemar.pValue}), ${afterCompare - afterEvaluate} more requests; ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}, 120_000);
