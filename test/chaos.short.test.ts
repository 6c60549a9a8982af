/**
 * Short versions of the chaos scenarios (issue 5) that the durability tests do not cover already — `npm run chaos`
 * runs the long ones (bench/chaos/). Real processes throughout: a Temporal dev server (the real binary), two
 * `maspo worker` processes logging at DEBUG, the simulator's OpenAI-compatible server (one instance requiring an API
 * key) behind the fault-injecting proxy, the `maspo` CLI.
 *   - LLM faults (scenario 3): a run under mixed faults completes, every fault shows in history, Retry-After holds,
 *     unparseable verdicts and rejected proposals are counted;
 *   - fatal misconfiguration (4): a wrong key fails the run within 30 s naming provider, model and env var; an
 *     unreachable endpoint is retried with backoff and shown by `maspo status`;
 *   - secrets (6): the keys carry a marker, the endpoint echoes them in its errors; no history, log or file written
 *     holds the marker;
 *   - load (7): two searches at once on two workers end exactly as each run alone.
 * Worker and server crashes (1, 2): durability.worker-crash / optimize-crash / server-crash tests.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OptimizeResult } from '../core/contracts/optimize';
import { SimWorldSchema } from '../core/schema/sim-config';
import { startSimServer, type SimServer } from '../sim/server';
import { createChaosContext, type ChaosContext } from '../bench/chaos/context';
import { injectedCount, visibleCount } from '../bench/chaos/fault-audit';
import { exportHistories, readRun } from '../bench/chaos/history';
import { faultTrial } from '../bench/chaos/llm-faults';
import { KEY_ENV, unreachableTrial, wrongKeyTrial } from '../bench/chaos/misconfig';
import { WorkerProcess } from '../bench/chaos/processes';
import { outcomeOf, writeSearchConfig } from '../fixtures/search-config';
import { scanFiles } from '../bench/chaos/secrets';
import { prepareTrial, runTrial } from '../bench/chaos/trial';
import { temporalCliForTests } from './support/temporal';

const SECRET_ENV = 'CHAOS_SECRET_API_KEY';
const marker = `chaosmarker${randomBytes(8).toString('hex')}`;
const goodKey = `key-${marker}-good`;
let ctx: ChaosContext | undefined;
let keyedSim: SimServer | undefined;
let workers: WorkerProcess[] = [];
let workerEnv: NodeJS.ProcessEnv = {};
const taskQueue = `chaos-short-${Date.now()}`;
/** Runs that sent a marked key, for the secrets scan. */
const keyedRuns: string[] = [];

beforeAll(async () => {
  if (!temporalCliForTests()) return;
  ctx = await createChaosContext({ quick: true, dir: fs.mkdtempSync(path.join(os.tmpdir(), 'maspo-chaos-short-')) });
  keyedSim = await startSimServer({ world: SimWorldSchema.parse({ seed: 17, latency: { distribution: 'fixed', meanMs: 10 } }), requireApiKey: goodKey });
  const { file } = await writeSearchConfig(ctx.dir, { name: 'worker', seed: 1, taskQueue, baseURL: 'http://127.0.0.1:9/v1', size: 'tiny' });
  // One environment for both workers: the good key for the key-checking endpoint, a wrong one (also marked) for the 401.
  workerEnv = { [SECRET_ENV]: goodKey, [KEY_ENV]: `key-${marker}-wrong`, MASPO_LOG_LEVEL: 'DEBUG' };
  workers = [1, 2].map((i) => new WorkerProcess(file, ctx!.env(ctx!.server.address, path.join(ctx!.dir, `worker-${i}`), workerEnv), path.join(ctx!.dir, 'logs', `worker-${i}.log`)));
  await Promise.all(workers.map((w) => w.start()));
}, 90_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await keyedSim?.close();
  await ctx?.close();
  if (ctx) fs.rmSync(ctx.dir, { recursive: true, force: true });
}, 60_000);

const cliEnv = () => ctx!.env(ctx!.server.address, path.join(ctx!.dir, 'cli-home'), workerEnv);

test('two searches at once on two workers end exactly as each run alone', async () => {
  if (!ctx) return console.warn('SKIPPED: no temporal CLI');
  const c = ctx;
  const seeds = [31, 32];
  const alone: OptimizeResult[] = [];
  for (const seed of seeds) {
    const t = await prepareTrial(c, c.dir, { name: `alone-${seed}`, seed, taskQueue, config: { size: 'tiny', heldOut: 2 } });
    alone.push((await runTrial(c, t).finally(() => t.proxy.close())).result);
  }
  const trials = await Promise.all(seeds.map((seed) => prepareTrial(c, c.dir, { name: `together-${seed}`, seed, taskQueue, config: { size: 'tiny', heldOut: 2 } })));
  const together = await Promise.all(trials.map((t) => runTrial(c, t).finally(() => t.proxy.close())));
  expect(alone[0].prompts).not.toEqual(alone[1].prompts); // two different searches, not one twice
  together.forEach((r, i) => expect(outcomeOf(r.result)).toEqual(outcomeOf(alone[i])));
}, 60_000);

test('LLM faults: the run completes, every fault is in history, Retry-After holds, unparseable verdicts counted', async () => {
  if (!ctx) return;
  const spec = {
    name: 'short-mixed',
    rates: { rateLimited: 0.08, serverError: 0.05, reset: 0.05, hang: 0.02, truncated: 0.04, empty: 0.04, badVerdict: 0.3, noPrompt: 0.15 },
  };
  // Seed 6 draws every kind but a hang on this search (the schedule is a function of seed and request).
  const o = await faultTrial(ctx, ctx.dir, spec, {
    seed: 6,
    taskQueue,
    size: 'tiny',
    heldOut: 2,
    retryAfterSeconds: 1,
    upstream: keyedSim!.url,
    apiKeyEnv: SECRET_ENV,
    echoAuthorization: true,
  });
  keyedRuns.push(o.workflowId);
  expect(o.why).toBeUndefined();
  const a = o.audit!;
  expect(injectedCount(a)).toBeGreaterThanOrEqual(8);
  expect(visibleCount(a)).toBe(injectedCount(a));
  expect(a.injected.rateLimited).toBeGreaterThan(0);
  expect(a.retryAfter.delaysMs.length).toBeGreaterThan(0);
  expect(Math.min(...a.retryAfter.delaysMs)).toBeGreaterThanOrEqual(1000 - 50);
  expect(a.unparseable.injected).toBeGreaterThan(0);
  expect(a.unparseable.inTotals).toBe(a.unparseable.inHistory);
  expect(a.rejected.inTotals).toBeGreaterThanOrEqual(a.rejected.promptlessInHistory);
}, 60_000);

test('a wrong API key fails the run within 30 s, naming provider, model and env var, without retries', async () => {
  if (!ctx) return;
  const o = await wrongKeyTrial(ctx, ctx.dir, { seed: 5, taskQueue, cliEnv: cliEnv() });
  keyedRuns.push(o.workflowId);
  expect(o.why).toBeUndefined();
  expect(o.failedAfterMs).toBeLessThan(30_000);
  expect(o.maxAttempt).toBe(1);
  expect(o.message).toMatch(new RegExp(`openai model sim-agent .*401.*${KEY_ENV}`));
}, 60_000);

test('an unreachable endpoint is retried with backoff and shown by `maspo status`', async () => {
  if (!ctx) return;
  const o = await unreachableTrial(ctx, ctx.dir, { seed: 5, taskQueue, cliEnv: cliEnv(), watchMs: 8_000 });
  expect(o.why).toBeUndefined();
  expect(o.statusLine).toMatch(/pending llmCall .* attempt \d+ · last error: .*connection failed \(ECONNREFUSED\) · next attempt /);
  expect(o.gapsMs.length).toBeGreaterThanOrEqual(2);
}, 60_000);

test('secrets: no history, log or file maspo wrote holds the marked keys, though the endpoint echoed them', async () => {
  if (!ctx || keyedRuns.length === 0) return;
  const temporal = await ctx.connect();
  try {
    for (const id of keyedRuns) {
      const records = await readRun(temporal.client, id);
      expect(exportHistories(records.raw, records.decoded, path.join(ctx.dir, 'histories', id)).length).toBeGreaterThan(0);
    }
  } finally {
    await temporal.close();
  }
  const everything = [ctx.dir, ctx.server.handle.state.logFile, ctx.payloadStore];
  expect(scanFiles(everything, marker).hits).toEqual({});
  // Controls: the echoed key did reach maspo (and was redacted), and the scan reads the exported payloads.
  expect(Object.keys(scanFiles(everything, 'request carried: [redacted]').hits).length).toBeGreaterThan(0);
  expect(Object.keys(scanFiles([path.join(ctx.dir, 'histories')], 'sim-judge').hits).length).toBeGreaterThan(0);
}, 30_000);
