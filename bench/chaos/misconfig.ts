/**
 * Scenario 4: fatal misconfiguration versus an outage.
 * - A wrong API key: the LLM server answers 401. The run must fail within 30 s, without a retry loop (every call
 *   that met the 401 closed on its first attempt), and `maspo result` / `maspo status` must name the provider, the
 *   model and the env var that holds the key.
 * - An unreachable endpoint (a closed loopback port): not fatal — the call is retried with exponential backoff,
 *   and `maspo status` shows it (attempt, last error, next attempt) while it waits.
 * Runs are started with `maspo optimize --detach` against a separate `maspo worker` process.
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { statusReport } from '../../client/status';
import { SimWorldSchema } from '../../core/schema/sim-config';
import { startSimServer } from '../../sim/server';
import type { ChaosContext } from './context';
import { startFaultProxy } from './fault-proxy';
import { readRun } from './history';
import { WorkerProcess, freePort, runMaspo, scenarioDirIn, waitUntil } from './processes';
import { rowOf, type ScenarioRow } from './report';
import { writeSearchConfig } from '../../fixtures/search-config';
import { logIn, seconds } from './trial';

export const KEY_ENV = 'CHAOS_LLM_API_KEY';
const FATAL_WITHIN_MS = 30_000;

export interface WrongKeyOutcome {
  workflowId: string;
  ok: boolean;
  why?: string;
  failedAfterMs?: number;
  message?: string;
  requests: number;
  maxAttempt: number;
}

/** Starts a run against an endpoint that wants another key; waits for it to fail and reads how it says so. */
export async function wrongKeyTrial(ctx: ChaosContext, dir: string, o: { seed: number; taskQueue: string; cliEnv: NodeJS.ProcessEnv }): Promise<WrongKeyOutcome> {
  const sim = await startSimServer({ world: SimWorldSchema.parse({ seed: 17 }), requireApiKey: 'the-right-key-0123456789' });
  // The 401 echoes the key it got (as OpenAI's does, partly): the failure maspo records must not carry it.
  const proxy = await startFaultProxy({ upstream: sim.url, plan: { seed: o.seed, rates: {}, echoAuthorization: true } });
  const id = `chaos-wrong-key-${Date.now()}`;
  const problems: string[] = [];
  try {
    const { file } = await writeSearchConfig(dir, { name: 'wrong-key', seed: o.seed, taskQueue: o.taskQueue, baseURL: `${proxy.url}/v1`, apiKeyEnv: KEY_ENV });
    const start = await runMaspo(['optimize', file, '--detach', '--id', id], o.cliEnv, logIn(dir, 'cli-wrong-key'));
    if (start.code !== 0) throw new Error(`maspo optimize --detach exited ${start.code}: ${start.output.trim().split('\n').pop()}`);
    const temporal = await ctx.connect();
    let failedAfterMs: number | undefined;
    let maxAttempt = 0;
    try {
      const handle = temporal.client.workflow.getHandle(id);
      await waitUntil('the wrong-key run to close', async () => (await handle.describe()).status.name !== 'RUNNING', 120_000, 250);
      const d = await handle.describe();
      if (d.status.name !== 'FAILED') problems.push(`the run ended ${d.status.name}, not FAILED`);
      failedAfterMs = (d.closeTime?.getTime() ?? Date.now()) - d.startTime.getTime();
      if (failedAfterMs > FATAL_WITHIN_MS) problems.push(`it failed after ${seconds(failedAfterMs)} (limit ${FATAL_WITHIN_MS / 1000} s)`);
      const calls = (await readRun(temporal.client, id)).calls;
      maxAttempt = Math.max(0, ...calls.map((c) => c.attempt));
      if (maxAttempt > 1) problems.push(`an LLM call was retried (attempt ${maxAttempt}) after a 401`);
    } finally {
      await temporal.close();
    }
    const result = await runMaspo(['result', id], o.cliEnv, logIn(dir, 'cli-wrong-key'));
    const status = await runMaspo(['status', id], o.cliEnv, logIn(dir, 'cli-wrong-key'));
    const message = result.output.trim().split('\n').filter((l) => l.startsWith('maspo:')).pop() ?? result.output.trim();
    if (result.code === 0) problems.push('`maspo result` exited 0 for a failed run');
    for (const [what, text] of [['maspo result', message], ['maspo status', status.output]] as const) {
      const missing = ['openai', 'sim-agent', KEY_ENV].filter((s) => !text.includes(s));
      if (missing.length) problems.push(`\`${what}\` does not name ${missing.join(', ')}: ${text.trim().split('\n').pop()}`);
    }
    const arrivals = proxy.arrivals();
    const repeated = arrivals.length - new Set(arrivals.map((a) => a.key)).size;
    if (repeated > 0) problems.push(`${repeated} request(s) were sent again after a 401`);
    return { workflowId: id, ok: problems.length === 0, why: problems.length ? `wrong key: ${problems.join('; ')}` : undefined, failedAfterMs, message, requests: arrivals.length, maxAttempt };
  } catch (err) {
    return { workflowId: id, ok: false, why: `wrong key: ${(err as Error).message.split('\n')[0]}`, requests: proxy.arrivals().length, maxAttempt: 0 };
  } finally {
    await proxy.close();
    await sim.close();
  }
}

export interface UnreachableOutcome {
  ok: boolean;
  why?: string;
  /** When each attempt number of the watched call was first seen, ms after the run started. */
  attemptsSeenAt: Array<{ attempt: number; atMs: number }>;
  gapsMs: number[];
  statusLine?: string;
}

/** Starts a run whose endpoint is a closed loopback port; watches one LLM call being retried; terminates the run. */
export async function unreachableTrial(ctx: ChaosContext, dir: string, o: { seed: number; taskQueue: string; cliEnv: NodeJS.ProcessEnv; watchMs: number }): Promise<UnreachableOutcome> {
  const port = await freePort(); // closed: nothing listens there
  const id = `chaos-unreachable-${Date.now()}`;
  const problems: string[] = [];
  const attemptsSeenAt: UnreachableOutcome['attemptsSeenAt'] = [];
  const temporal = await ctx.connect();
  try {
    const { file } = await writeSearchConfig(dir, { name: 'unreachable', seed: o.seed, taskQueue: o.taskQueue, baseURL: `http://127.0.0.1:${port}/v1` });
    const start = await runMaspo(['optimize', file, '--detach', '--id', id], o.cliEnv, logIn(dir, 'cli-unreachable'));
    if (start.code !== 0) throw new Error(`maspo optimize --detach exited ${start.code}: ${start.output.trim().split('\n').pop()}`);
    const startedAt = (await temporal.client.workflow.getHandle(id).describe()).startTime.getTime();
    let watched: string | undefined;
    const deadline = Date.now() + o.watchMs;
    while (Date.now() < deadline) {
      const report = await statusReport(temporal.client, id).catch(() => undefined);
      if (report && report.status !== 'RUNNING') {
        problems.push(`the run ended ${report.status} while its endpoint was unreachable: ${report.failure ?? ''}`);
        break;
      }
      const calls = (report?.pending ?? []).filter((p) => p.type === 'llmCall');
      watched ??= calls[0]?.activityId;
      const call = calls.find((c) => c.activityId === watched);
      if (call && !attemptsSeenAt.some((a) => a.attempt === call.attempt)) attemptsSeenAt.push({ attempt: call.attempt, atMs: Date.now() - startedAt });
      await sleep(200);
    }
    const status = await runMaspo(['status', id], o.cliEnv, logIn(dir, 'cli-unreachable'));
    const statusLine = status.output.split('\n').find((l) => l.startsWith('pending llmCall') && / attempt [2-9]| attempt \d\d/.test(l));
    if (!statusLine) problems.push(`\`maspo status\` shows no retried LLM call: ${status.output.trim().split('\n').slice(0, 3).join(' | ')}`);
    else if (!/connection failed|ECONNREFUSED/.test(statusLine) || !/next attempt/.test(statusLine)) problems.push(`\`maspo status\` does not show the last error and the next attempt: ${statusLine}`);
    const gapsMs = attemptsSeenAt.slice(1).map((a, i) => a.atMs - attemptsSeenAt[i].atMs);
    const maxAttempt = Math.max(0, ...attemptsSeenAt.map((a) => a.attempt));
    if (maxAttempt < 3) problems.push(`the call reached only attempt ${maxAttempt} in ${o.watchMs / 1000} s`);
    // Exponential backoff (1 s, doubling): the gaps never shrink (beyond polling jitter) and end well above where they began.
    const grows = gapsMs.length >= 2 && gapsMs.every((g, i) => i === 0 || g >= 0.8 * gapsMs[i - 1]) && gapsMs[gapsMs.length - 1] >= 1.5 * gapsMs[0];
    if (!grows) problems.push(`retry gaps ${gapsMs.map((g) => seconds(g)).join(', ') || '(none)'} do not show a growing backoff`);
    return { ok: problems.length === 0, why: problems.length ? `unreachable endpoint: ${problems.join('; ')}` : undefined, attemptsSeenAt, gapsMs, statusLine };
  } catch (err) {
    return { ok: false, why: `unreachable endpoint: ${(err as Error).message.split('\n')[0]}`, attemptsSeenAt, gapsMs: [] };
  } finally {
    await temporal.client.workflow.getHandle(id).terminate('chaos: unreachable-endpoint trial over').catch(() => undefined);
    await temporal.close();
  }
}

export async function misconfigScenario(ctx: ChaosContext, seed: number): Promise<ScenarioRow> {
  const started = Date.now();
  const dir = scenarioDirIn(ctx.dir, 'misconfig');
  const taskQueue = `chaos-misconfig-${Date.now()}`;
  const { file } = await writeSearchConfig(dir, { name: 'worker', seed, taskQueue, baseURL: 'http://127.0.0.1:9/v1' });
  const home = path.join(dir, 'home');
  const env = ctx.env(ctx.server.address, home, { [KEY_ENV]: 'a-wrong-key-9876543210' });
  const worker = new WorkerProcess(file, env, logIn(dir, 'worker'));
  let wrong: WrongKeyOutcome;
  let unreachable: UnreachableOutcome;
  try {
    await worker.start();
    wrong = await wrongKeyTrial(ctx, dir, { seed, taskQueue, cliEnv: env });
    unreachable = await unreachableTrial(ctx, dir, { seed, taskQueue, cliEnv: env, watchMs: ctx.quick ? 12_000 : 25_000 });
  } finally {
    await worker.stop();
  }
  const figures = [
    `wrong key (401): run failed after ${wrong.failedAfterMs !== undefined ? seconds(wrong.failedAfterMs) : '—'} (limit 30 s), ${wrong.requests} request(s), highest attempt ${wrong.maxAttempt}`,
    `message: "${wrong.message ?? '—'}"`,
    `unreachable endpoint: attempt ${Math.max(0, ...unreachable.attemptsSeenAt.map((a) => a.attempt))} after ${seconds(unreachable.attemptsSeenAt.at(-1)?.atMs ?? 0)}, gaps ${unreachable.gapsMs.map((g) => seconds(g)).join(', ') || '—'}`,
    `status: "${unreachable.statusLine ?? '—'}"`,
  ].join('; ');
  return rowOf(4, 'Fatal misconfiguration vs unreachable endpoint', [wrong, unreachable], figures, Date.now() - started, { wrong, unreachable });
}
