/**
 * A real model in the loop: `provider: local` through Temporal against the managed llama.cpp server (the smallest
 * catalogue model, SmolLM2-135M: these tests prove the plumbing, not the model's skill).
 *
 * - `evaluate` on a few items: the worker starts the server itself, roles share it, replies are real text;
 * - a one-step `optimize` (backbone, optimizer and judge all local) completes, with every proposal and verdict
 *   accounted for, however badly the tiny model keeps the formats;
 * - `llama-server` SIGKILLed during an evaluation: the calls in flight fail as connection errors, Temporal retries
 *   them, the provider starts a new server, the run completes, and no reply recorded before the kill is requested
 *   from the server again (every later execution of such a call is a cache hit).
 *
 * Needs `npx maspo llm setup` (llama-server + smollm2-135m-instruct); with CI set a missing install fails the test.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next, WorkerOptions } from '@temporalio/worker';
import { cacheKey } from '../activities/llm/cache';
import { catalogueModel, modelFilePath, SMALLEST_MODEL } from '../activities/llm/providers/local/catalogue';
import { findLlamaServer, isVerified } from '../activities/llm/providers/local/install';
import { localLlmPaths } from '../activities/llm/providers/local/paths';
import { serverStatuses, stopServers } from '../activities/llm/providers/local/server';
import { buildEvaluateInput, parseConfigText } from '../client/config';
import { startEvaluation } from '../client/evaluate';
import { buildOptimizeInput, startOptimization } from '../client/optimize';
import { maspoHome } from '../platform/home';
import type { LlmRequest, LlmResult, ModelSpec } from '../core/contracts/llm';
import { createMaspoWorkers, runWorkers } from '../workers/worker';
import { useTestEnv } from './support/temporal';
import { tempHome } from './support/evaluation';

const testEnv = useTestEnv();

/** The installed server and model, from the project's maspo home (where `npx maspo llm setup` put them). */
function installed(): { binary: string; model: string } | undefined {
  const home = maspoHome();
  const binary = findLlamaServer(home);
  const model = modelFilePath({ kind: 'catalogue', model: catalogueModel(SMALLEST_MODEL)! }, localLlmPaths(home).modelsDir);
  if (binary && isVerified(model, catalogueModel(SMALLEST_MODEL)!.sha256)) return { binary: binary.path, model };
  const ci = process.env.CI?.trim().toLowerCase();
  if (ci && ci !== 'false' && ci !== '0') throw new Error('CI is set but llama-server or smollm2-135m-instruct is not installed: run `npx maspo llm setup` first');
  console.warn('SKIPPED: run `npx maspo llm setup` for the real-model tests');
  return undefined;
}

const QUESTIONS = [
  ['What is 2 + 3?', '5'],
  ['What is 10 - 4?', '6'],
  ['What is 3 * 3?', '9'],
  ['What is 12 / 4?', '3'],
  ['What is 7 + 8?', '15'],
  ['What is 9 - 1?', '8'],
  ['What is 6 * 2?', '12'],
  ['What is 20 / 5?', '4'],
  ['What is 11 + 11?', '22'],
  ['What is 15 - 7?', '8'],
  ['What is 4 * 5?', '20'],
  ['What is 18 / 3?', '6'],
];

function writeDataset(dir: string, n: number): string {
  const file = path.join(dir, 'arith.jsonl');
  const lines = Array.from({ length: n }, (_, i) => {
    const [q, a] = QUESTIONS[i % QUESTIONS.length];
    return JSON.stringify({ question: `${q} (item ${i + 1})`, answer: a });
  });
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function configYaml(o: { taskQueue: string; dataset: string; model: string; limit?: number; optimize?: string }): string {
  const local = (temperature: number, maxTokens: number, concurrency: number) =>
    `{ provider: local, model: "${o.model}", temperature: ${temperature}, maxTokens: ${maxTokens}, concurrency: ${concurrency}, timeoutMs: 60000 }`;
  return `
name: local-test
seed: 3
taskQueue: ${o.taskQueue}
dataset: { kind: jsonl, path: "${o.dataset}", grader: numeric${o.limit ? `, limit: ${o.limit}` : ''} }
mas:
  topology: chain
  agents:
    - id: solver
      role: predictor
      prompt: "Solve the problem. Put the final answer inside <answer></answer>. Problem: {{question}}"
    - id: checker
      role: reflector
      prompt: "Check the solution below and give the final answer inside <answer></answer>. Solution: {{context}} Problem: {{question}}"
  edges: [solver -> checker]
models:
  backbone: ${local(0, 48, 2)}
  optimizer: ${local(0.7, 160, 1)}
  judge: ${local(0, 24, 1)}
${o.optimize ? `optimize: ${o.optimize}` : ''}
evaluate: { concurrency: 2, llmHeartbeatTimeoutMs: 20000 }
`;
}

interface Execution {
  key: string;
  cached: boolean | undefined;
  ok: boolean;
  at: number;
}

/** Records every llmCall execution (its cache key, whether it was a cache hit) through an activity interceptor. */
function executionRecorder() {
  const executions: Execution[] = [];
  const interceptor: ActivityInboundCallsInterceptor = {
    async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
      if (Context.current().info.activityType !== 'llmCall') return next(input); // the workflow queue also runs items and grading
      const key = cacheKey(input.args[0] as ModelSpec, input.args[1] as LlmRequest);
      try {
        const result = (await next(input)) as LlmResult;
        executions.push({ key, cached: result.cached, ok: true, at: Date.now() });
        return result;
      } catch (err) {
        executions.push({ key, cached: undefined, ok: false, at: Date.now() });
        throw err;
      }
    },
  };
  const plugin = {
    name: 'local-test-recorder',
    configureWorker(options: WorkerOptions): WorkerOptions {
      const interceptors = options.interceptors ?? {};
      return { ...options, interceptors: { ...interceptors, activity: [...(interceptors.activity ?? []), () => ({ inbound: interceptor })] } };
    },
  };
  return { executions, plugin };
}

/** Workers whose local provider manages servers under `serverHome`; each test has its own response cache. */
async function startLocalWorkers(taskQueue: string, cacheDir: string, plugins: WorkerOptions['plugins'] = []) {
  const e = testEnv()!;
  const workers = await createMaspoWorkers({
    connection: e.nativeConnection,
    namespace: e.namespace ?? 'default',
    taskQueue,
    cacheDir,
    home: serverHome,
    roles: { backbone: { concurrency: 2 }, optimizer: { concurrency: 1 }, judge: { concurrency: 1 } },
    plugins,
  });
  const running = runWorkers(workers);
  return async () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await running;
  };
}

/**
 * One maspo home for the file's server (the tests share one llama-server, as the roles of a run do), whose runtime
 * is the installed one: MASPO_LLAMA_SERVER and a GGUF path, so nothing is copied. Each test has its own directory.
 */
const serverHome = tempHome();
afterAll(async () => {
  await stopServers(serverHome);
});

function localHome(binary: string): string {
  process.env.MASPO_LLAMA_SERVER = binary;
  return tempHome();
}

/** A run of `items` arithmetic items on the installed model, its config parsed; undefined when tests skip. */
function prepareRun(kind: string, items: number, optimize?: string) {
  const e = testEnv();
  const rt = installed();
  if (!e || !rt) return undefined;
  const home = localHome(rt.binary);
  const taskQueue = `local-${kind}-${Date.now()}`;
  const file = path.join(home, 'run.yaml');
  const config = parseConfigText(file, configYaml({ taskQueue, dataset: writeDataset(home, items), model: rt.model, optimize }));
  return { e, taskQueue, loaded: { file, config }, cacheDir: path.join(home, 'cache') };
}

/** Cache keys of every reply recorded so far (the response cache writes one `<key>.json` per reply). */
function recordedKeys(cacheDir: string): Set<string> {
  if (!fs.existsSync(cacheDir)) return new Set();
  return new Set(fs.readdirSync(cacheDir).flatMap((d) => fs.readdirSync(path.join(cacheDir, d)).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''))));
}

/**
 * Waits until `replies` replies are recorded in `cacheDir`, then SIGKILLs the test's llama-server: what was recorded
 * at that moment, and when. `afterKill` then reads what happened to those replies.
 */
async function killServerAfter(cacheDir: string, replies: number) {
  const deadline = Date.now() + 120_000;
  while (recordedKeys(cacheDir).size < replies && Date.now() < deadline) await sleep(100);
  const [server] = await serverStatuses(serverHome);
  const atKill = recordedKeys(cacheDir);
  const killedAt = Date.now();
  process.kill(server.state.pid, 'SIGKILL');
  expect(atKill.size).toBeGreaterThanOrEqual(replies);
  return { server, atKill, killedAt };
}

/** After the run: a new healthy server, and each later execution of a reply recorded before the kill, with those sent again. */
async function afterKill(recorder: ReturnType<typeof executionRecorder>, kill: Awaited<ReturnType<typeof killServerAfter>>) {
  const [after] = await serverStatuses(serverHome);
  expect(after.state.pid).not.toBe(kill.server.state.pid); // the provider started a new server
  expect(after.healthy).toBe(true);
  const later = recorder.executions.filter((x) => x.at > kill.killedAt && kill.atKill.has(x.key));
  const resent = later.filter((x) => x.ok && !x.cached);
  const failed = recorder.executions.filter((x) => !x.ok).length;
  return { later, resent, summary: `${kill.atKill.size} replies recorded at the kill; ${later.length} later executions of them, ${resent.length} sent to the server again; ${failed} failed attempts retried` };
}

describe('provider: local on a real llama.cpp server', () => {
  test('evaluate: the worker starts the server, the roles share it, the chain answers every item', async () => {
    const run = prepareRun('eval', 4);
    if (!run) return;
    const { e, taskQueue } = run;
    const input = await buildEvaluateInput(run.loaded);
    const stop = await startLocalWorkers(taskQueue, run.cacheDir);
    try {
      const result = await (await startEvaluation(e.client, input, `eval-${taskQueue}`)).result();
      expect(result.summary.n).toBe(4);
      expect(result.errors).toBe(0);
      expect(result.calls).toBe(8);
      expect(result.usage.outputTokens).toBeGreaterThan(0);
      expect(result.records.every((r) => r.calls.length > 0)).toBe(true);
      const servers = await serverStatuses(serverHome);
      expect(servers).toHaveLength(1);
      expect(servers[0].healthy).toBe(true);
      expect(servers[0].state.baseURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      expect(servers[0].state.sizing.slots).toBe(4); // 2 + 1 + 1: every call the worker may have in flight
    } finally {
      await stop();
    }
  }, 300_000);

  test('optimize: a one-step self-optimised search (all roles local) completes and accounts for every reply', async () => {
    const run = prepareRun('opt', 8, '{ rounds: 1, stepsPerRound: 1, beamWidth: 1, proposalsPerParent: 1, poolSize: 4, batchSize: 2 }');
    if (!run) return;
    const { e, taskQueue } = run;
    const input = await buildOptimizeInput(run.loaded);
    const stop = await startLocalWorkers(taskQueue, run.cacheDir);
    try {
      const result = await (await startOptimization(e.client, input, `opt-${taskQueue}`)).result();
      expect(result.prompts.solver).toEqual(expect.any(String));
      expect(result.prompts.checker).toEqual(expect.any(String));
      expect(result.heldOut?.seed.n).toBe(4);
      expect(result.heldOut?.optimized.n).toBe(4);
      const t = result.totals;
      expect(t.calls.optimizer).toBe(2); // one proposal (K = Ksub = 1) per agent turn, two agents, one step each
      // Whatever the tiny model wrote, every reply is accounted for: a rejected proposal or unparseable verdict is
      // counted, never thrown.
      expect(t.rejectedProposals).toBeLessThanOrEqual(t.calls.optimizer);
      expect(t.unparseableVerdicts).toBeLessThanOrEqual(t.calls.judge);
      if (t.rejectedProposals === t.calls.optimizer) {
        // Nothing usable was proposed: nothing was judged and the seed prompts stand.
        expect(t.calls.judge).toBe(0);
        expect(result.prompts).toEqual(result.seedPrompts);
      }
      console.log(`local one-step search: calls ${JSON.stringify(t.calls)}, rejected proposals ${t.rejectedProposals}, unparseable verdicts ${t.unparseableVerdicts}`);
    } finally {
      await stop();
    }
  }, 600_000);

  test('llama-server SIGKILLed mid-evaluation: restarted, run completes, no recorded reply requested again', async () => {
    const run = prepareRun('kill', 12);
    if (!run) return;
    const { e, taskQueue, cacheDir } = run;
    const input = await buildEvaluateInput(run.loaded);
    const recorder = executionRecorder();
    const stop = await startLocalWorkers(taskQueue, cacheDir, [recorder.plugin]);
    try {
      const handle = await startEvaluation(e.client, input, `eval-${taskQueue}`);
      const kill = await killServerAfter(cacheDir, 6);

      const result = await handle.result();
      expect(result.summary.n).toBe(12);
      expect(result.errors).toBe(0);
      const { resent, summary } = await afterKill(recorder, kill);
      console.log(`llama-server kill: ${summary}`);
      expect(resent).toEqual([]);
      // Over the whole run, the server answered each distinct call at most once; the cache covered any repeat.
      const answered = new Map<string, number>();
      for (const x of recorder.executions) if (x.ok && !x.cached) answered.set(x.key, (answered.get(x.key) ?? 0) + 1);
      expect([...answered.values()].filter((n) => n > 1)).toEqual([]);
      expect(answered.size).toBe(24);
    } finally {
      await stop();
    }
  }, 600_000);

  test('llama-server SIGKILLed mid-search: restarted, the search completes, no reply recorded before the kill is requested again', async () => {
    const run = prepareRun('kill-search', 8, '{ rounds: 1, stepsPerRound: 1, beamWidth: 1, proposalsPerParent: 1, poolSize: 4, batchSize: 2 }');
    if (!run) return;
    const { e, taskQueue, cacheDir } = run;
    const input = await buildOptimizeInput(run.loaded);
    const recorder = executionRecorder();
    const stop = await startLocalWorkers(taskQueue, cacheDir, [recorder.plugin]);
    try {
      const handle = await startOptimization(e.client, input, `opt-${taskQueue}`);
      // The search opens with the seed prompts on the first batch (2 items × 2 agents): two replies in, it is searching.
      const kill = await killServerAfter(cacheDir, 2);

      const result = await handle.result();
      expect(result.heldOut?.optimized.n).toBe(4);
      const { resent, summary } = await afterKill(recorder, kill);
      console.log(`llama-server kill mid-search: ${summary}; search calls ${JSON.stringify(result.totals.calls)}`);
      expect(resent).toEqual([]);
    } finally {
      await stop();
    }
  }, 600_000);
});
