/**
 * One scenario end to end, on machinery of its own: a fresh Temporal dev server (the embedded server maspo itself
 * starts, in a throw-away home), the simulator's HTTP server (when a model is simulated) or a llama.cpp server (a
 * real-model scenario), and ONE worker, each in its own process; the harness (this process) is only the client.
 * Starts the workload (the search, or the evaluation job), waits for it, then measures: the call log
 * (call-graph.ts), every workflow history, CPU and peak RSS of worker, Temporal server, simulator or model server,
 * and a model server's slot occupancy. Everything it started is stopped, also on failure.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { connectTemporal, type TemporalConnection } from '../../client/temporal/connection';
import { ensureDevServer, stopDevServer } from '../../client/temporal/dev-server';
import { startEvaluation } from '../../client/evaluate';
import { startOptimization } from '../../client/optimize';
import type { LocalServerState } from '../../activities/llm/providers/local/server';
import type { CallTotals } from '../../core/contracts/optimize';
import { analyseCalls, type CallGraphStats } from './call-graph';
import { forkChild, type ChildHandle } from './child';
import { workerProcessEnv } from '../../workers/process-env';
import { measureHistories, type HistoryStats } from './histories';
import { ensureLocalRuntime, runtimeEnv, startLocalServer, stopLocalServer } from './local-runtime';
import { cpuMsOf, peakRssMbOf } from './proc-stats';
import { REAL_MAX_TOKENS, REAL_SLOTS } from './real-model';
import { nowMs, type CallRecord } from './records';
import type { Scenario } from './scenario';
import type { SimServerReady, SimServerStopped } from './sim-server';
import { realModelStats, sampleSlots, type RealModelStats, type SlotSampler } from './slot-sampler';
import type { WorkerArgs, WorkerStats } from './worker';
import { loadWorkload, type Workload } from './workload';

export interface RunContext {
  /** Parent of the scenario's throw-away directories. */
  workDir: string;
  bundlePath: string;
  cliPath: string;
  /** Keep the scenario's directory (call log, server and worker logs) after the run. */
  keep: boolean;
  /** Longest a search may take before the scenario fails. */
  timeoutMs: number;
  log: (line: string) => void;
}

/** What the evaluation job itself reports (evaluation scenarios). */
export interface EvaluationTotals {
  items: number;
  correct: number;
  errors: number;
  calls: number;
  cachedCalls: number;
}

export interface ScenarioResult {
  scenario: Scenario;
  /** Workflow start → result received by the client. */
  wallMs: number;
  /** First LLM call started → last one ended. */
  callSpanMs: number;
  /** Set when the workflow failed (measured anyway, up to the failure): the error chain. */
  failure?: string;
  /** Totals the search itself reports (cross-check for the call log); absent when it failed or was an evaluation. */
  searchTotals?: CallTotals;
  evaluation?: EvaluationTotals;
  calls: CallGraphStats;
  worker: WorkerStats;
  temporalServer: { cpuMs?: number; peakRssMb?: number };
  /** Absent when no model was simulated (real-model runs). */
  simServer?: SimServerStopped;
  realModel?: RealModelStats;
  histories: HistoryStats;
  /** Payloads the claim-check codec moved out of the histories. */
  payloadStore: { files: number; bytes: number };
  /** Kept only with --keep. */
  dir?: string;
}

const HERE = __dirname;

export async function runScenario(s: Scenario, ctx: RunContext): Promise<ScenarioResult> {
  // The local runtime is installed (or checked) before anything of the scenario starts: it may build for minutes.
  const runtime = s.realModel ? await ensureLocalRuntime(s.realModel, ctx.log) : undefined;
  const dir = fs.mkdtempSync(path.join(ctx.workDir, `${s.id}-`));
  const home = path.join(dir, 'home');
  const callsFile = path.join(dir, 'calls.jsonl');
  const workflowId = `bench-${s.id}`;
  // The claim-check store (platform/payloads) of this scenario: shared by the worker and this client, never the project's.
  const payloadStore = path.join(dir, 'payloads');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MASPO_HOME: home,
    MASPO_PAYLOAD_STORE: payloadStore,
    ...(s.payloadThresholdBytes !== undefined ? { MASPO_PAYLOAD_THRESHOLD: String(s.payloadThresholdBytes) } : {}),
    ...(runtime ? runtimeEnv(runtime) : {}),
  };
  const loaded = await loadWorkload(s);
  let sim: ChildHandle<SimServerReady, SimServerStopped> | undefined;
  let worker: ChildHandle<{ pid: number }, WorkerStats> | undefined;
  let temporal: TemporalConnection | undefined;
  let model: LocalServerState | undefined;
  let sampler: SlotSampler | undefined;
  let serverStarted = false;
  try {
    if (loaded.world) sim = await forkChild(path.join(HERE, 'sim-server.ts'), [JSON.stringify(loaded.world)], { logFile: path.join(dir, 'sim-server.log'), readyTimeoutMs: 60_000 });
    const workload = await loaded.build(sim?.ready.url);
    if (s.realModel && runtime) model = await startLocalServer({ model: s.realModel, runtime, home, slots: REAL_SLOTS, maxTokens: REAL_MAX_TOKENS, env, log: ctx.log });

    const [port, uiPort] = await freePorts(2);
    const server = await ensureDevServer({ home, port, uiPort, cliPath: ctx.cliPath, detached: false, log: ctx.log });
    serverStarted = true;
    const serverPid = server.state.pid;
    temporal = await connectTemporal({ embedded: true, env, devServer: { home, port, uiPort, cliPath: ctx.cliPath, detached: false } });

    const args: WorkerArgs = {
      home,
      port,
      uiPort,
      cliPath: ctx.cliPath,
      taskQueue: taskQueueOf(workload),
      cacheDir: path.join(dir, 'llm-cache'),
      callsFile,
      // Texts feed the dependency analysis of a search; long replies and the evaluation's thousands of calls skip it.
      texts: workload.kind === 'search' && !s.longReplies,
      bundlePath: ctx.bundlePath,
      roles: workload.roles,
    };
    // The worker starts as a deployed one does (workers/process-env.ts: heap limit, malloc arenas).
    worker = await forkChild(path.join(HERE, 'worker.ts'), [JSON.stringify(args)], { logFile: path.join(dir, 'worker.log'), readyTimeoutMs: 120_000, env: workerProcessEnv(env) });

    const serverCpu0 = cpuMsOf(serverPid);
    const modelCpu0 = model ? cpuMsOf(model.pid) : undefined;
    if (model) sampler = sampleSlots(model.baseURL);
    const t0 = nowMs();
    // A workflow that fails (e.g. a payload over a server limit) is a result too: what it did is still measured.
    let failure: string | undefined;
    const deadline = Date.now() + ctx.timeoutMs;
    const result = await withTimeout(startWorkload(temporal, workload, workflowId), ctx.timeoutMs, `workflow ${workflowId}`).catch(async (err: unknown) => {
      if (err instanceof TimeoutError) throw err;
      failure = `${causeChain(err)}${limitLine(path.join(dir, 'worker.log'))}`;
      // The client may fail to read a run that is fine (e.g. a history event over the gRPC message limit): wait for it.
      if (!(err instanceof WorkflowFailedError)) failure += ` (the run ended ${await waitClosed(temporal!, workflowId, deadline)})`;
      return undefined;
    });
    const t1 = nowMs();
    const wallMs = t1 - t0;
    const samples = sampler?.stop() ?? [];
    sampler = undefined;
    const serverCpu1 = cpuMsOf(serverPid);
    const temporalServer = { cpuMs: serverCpu0 !== undefined && serverCpu1 !== undefined ? serverCpu1 - serverCpu0 : undefined, peakRssMb: peakRssMbOf(serverPid) };
    const modelCpu1 = model ? cpuMsOf(model.pid) : undefined;
    const modelServer = { cpuMs: modelCpu0 !== undefined && modelCpu1 !== undefined ? modelCpu1 - modelCpu0 : undefined, peakRssMb: model ? peakRssMbOf(model.pid) : undefined };

    const workerStats = await worker.stop();
    worker = undefined;
    const simStats = await sim?.stop();
    sim = undefined;
    const histories = (await measureHistories(temporal.client, workflowId)).stats;
    const payloads = directorySize(payloadStore);

    const records = readCallLog(callsFile);
    const calls = analyseCalls(records, { graph: workload.graph, profile: s.profile, dependencies: args.texts });
    const reported = result?.kind === 'search' ? result.totals.calls.backbone + result.totals.calls.optimizer + result.totals.calls.judge : result?.evaluation.calls;
    if (reported !== undefined && reported !== calls.calls) ctx.log(`warning: ${s.id}: the workflow reports ${reported} LLM calls, the call log holds ${calls.calls}`);
    return {
      scenario: s,
      ...(failure ? { failure } : {}),
      wallMs,
      callSpanMs: calls.lastEnd - calls.firstStart,
      ...(result?.kind === 'search' ? { searchTotals: result.totals } : {}),
      ...(result?.kind === 'evaluation' ? { evaluation: result.evaluation } : {}),
      calls,
      worker: workerStats,
      temporalServer,
      ...(simStats ? { simServer: simStats } : {}),
      ...(model && s.realModel ? { realModel: realModelStats({ model: s.realModel, slots: model.sizing.slots, samples, records, fromMs: t0, toMs: t1, server: modelServer }) } : {}),
      histories,
      payloadStore: payloads,
      ...(ctx.keep ? { dir } : {}),
    };
  } finally {
    sampler?.stop();
    worker?.kill();
    sim?.kill();
    await temporal?.close().catch(() => undefined);
    if (serverStarted) await stopDevServer({ home, log: ctx.log }).catch((e: unknown) => ctx.log(`warning: could not stop the dev server of ${home}: ${String(e)}`));
    if (s.realModel) await stopLocalServer(home).catch((e: unknown) => ctx.log(`warning: could not stop the llama-server of ${home}: ${String(e)}`));
    if (!ctx.keep) fs.rmSync(dir, { recursive: true, force: true });
  }
}

type Finished = { kind: 'search'; totals: CallTotals } | { kind: 'evaluation'; evaluation: EvaluationTotals };

function taskQueueOf(w: Workload): string {
  return w.kind === 'search' ? w.input.ctx.taskQueue : w.input.taskQueue;
}

/** Starts the workload's workflow and waits for its result. */
async function startWorkload(temporal: TemporalConnection, w: Workload, workflowId: string): Promise<Finished> {
  if (w.kind === 'search') {
    const result = await (await startOptimization(temporal.client, w.input, workflowId)).result();
    return { kind: 'search', totals: result.totals };
  }
  const r = await (await startEvaluation(temporal.client, w.input, workflowId)).result();
  return { kind: 'evaluation', evaluation: { items: r.summary.n, correct: r.summary.correct, errors: r.errors, calls: r.calls, cachedCalls: r.cachedCalls } };
}

export function readCallLog(file: string): CallRecord[] {
  const text = fs.readFileSync(file, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as CallRecord;
      } catch {
        throw new Error(`${file}:${i + 1}: not a JSON call record`);
      }
    });
}

/** "A: B: C" from an error and its causes. */
export function causeChain(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error && parts.length < 8; e = (e as Error & { cause?: unknown }).cause) parts.push(e.message || e.name);
  return parts.join(': ');
}

/** The first worker-log line about a size limit, which the failure chain itself does not carry. */
function limitLine(logFile: string): string {
  try {
    const line = fs.readFileSync(logFile, 'utf8').split('\n').find((l) => /larger than max|exceeded the (?:error )?limit|size limit/i.test(l) && !/warning limit/.test(l));
    return line ? ` (worker log: ${line.replace(/\x1b\[[0-9;]*m/g, '').trim().slice(0, 300)})` : '';
  } catch {
    return '';
  }
}

function directorySize(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        files++;
        bytes += fs.statSync(p).size;
      }
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return { files, bytes };
}

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<net.Server>((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => resolve(srv));
    })),
  );
  const ports = servers.map((srv) => (srv.address() as net.AddressInfo).port);
  await Promise.all(servers.map((srv) => new Promise((r) => srv.close(r))));
  return ports;
}

class TimeoutError extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms);
    }),
  ]);
}

/** Polls the run's status (a small call, unlike its history) until it is closed; returns the status. */
async function waitClosed(temporal: TemporalConnection, workflowId: string, deadline: number): Promise<string> {
  for (;;) {
    const status = (await temporal.client.workflow.getHandle(workflowId).describe()).status.name;
    if (status !== 'RUNNING' && status !== 'CONTINUED_AS_NEW') return status;
    if (Date.now() > deadline) throw new TimeoutError(`search ${workflowId} still running at the deadline`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
