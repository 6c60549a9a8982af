/**
 * What the chaos scenarios share: one Temporal dev server (scenario 2 starts its own, to kill it), the simulator's
 * OpenAI-compatible server as the upstream of every fault proxy, one payload store for every maspo process (a
 * client and the workers must read each other's claim-checked payloads), and the uninterrupted reference run of
 * each seed — the result every interrupted or overloaded run must equal.
 */
import fs from 'node:fs';
import path from 'node:path';
import { connectTemporal, type TemporalConnection } from '../../client/temporal/connection';
import { startOptimization } from '../../client/optimize';
import { SimWorldSchema } from '../../core/schema/sim-config';
import type { OptimizeResult } from '../../core/contracts/optimize';
import { startSimServer, type SimServer } from '../../sim/server';
import { startFaultProxy } from './fault-proxy';
import { DevServer, WorkerProcess, maspoEnv, scenarioDir } from './processes';
import { writeSearchConfig, type SearchConfigOptions } from '../../fixtures/search-config';

export interface ReferenceRun {
  seed: number;
  workflowId: string;
  result: OptimizeResult;
  /** Requests that reached the LLM server (the proxy forwarded them upstream). */
  forwarded: number;
  ms: number;
}

export interface ChaosContext {
  quick: boolean;
  /** Root directory of this chaos run (scenario directories, logs, exported histories). */
  dir: string;
  server: DevServer;
  sim: SimServer;
  payloadStore: string;
  /** Environment of a maspo process (worker or CLI) on `address` with its own home. */
  env(address: string, home: string, extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** A client built the way maspo builds its own (same payload codec), on the shared server unless `address`. */
  connect(address?: string): Promise<TemporalConnection>;
  /** The uninterrupted, fault-free run of `seed` (memoised). */
  reference(seed: number, size?: SearchConfigOptions['size']): Promise<ReferenceRun>;
  close(): Promise<void>;
}

export async function createChaosContext(opts: { quick: boolean; dir?: string }): Promise<ChaosContext> {
  const dir = opts.dir ?? scenarioDir('run');
  const payloadStore = path.join(dir, 'payloads');
  fs.mkdirSync(payloadStore, { recursive: true });
  const sim = await startSimServer({ world: SimWorldSchema.parse({ seed: 17, latency: { distribution: 'fixed', meanMs: 15 } }) });
  const server = await DevServer.start(path.join(dir, 'server'));
  const env = (address: string, home: string, extra: NodeJS.ProcessEnv = {}) => maspoEnv(address, home, { MASPO_PAYLOAD_STORE: payloadStore, ...extra });
  const connect = (address = server.address) =>
    connectTemporal({ env: { ...process.env, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: 'default', MASPO_PAYLOAD_STORE: payloadStore } });

  const refDir = path.join(dir, 'reference');
  fs.mkdirSync(refDir, { recursive: true });
  const refQueue = `chaos-ref-${Date.now()}`;
  let refWorker: WorkerProcess | undefined;
  const references = new Map<string, Promise<ReferenceRun>>();

  async function runReference(seed: number, size: SearchConfigOptions['size']): Promise<ReferenceRun> {
    const proxy = await startFaultProxy({ upstream: sim.url, plan: { seed, rates: {} } });
    const temporal = await connect();
    try {
      const name = `ref-${size}-${seed}`;
      const { file, input } = await writeSearchConfig(refDir, { name, seed, taskQueue: refQueue, baseURL: `${proxy.url}/v1`, size });
      if (!refWorker) {
        refWorker = new WorkerProcess(file, env(server.address, path.join(refDir, 'worker')), path.join(refDir, 'worker.log'));
        await refWorker.start();
      }
      const started = Date.now();
      const workflowId = `chaos-${name}-${started}`;
      const result = await (await startOptimization(temporal.client, input, workflowId)).result();
      return { seed, workflowId, result, forwarded: proxy.forwardedUpstream(), ms: Date.now() - started };
    } finally {
      await temporal.close();
      await proxy.close();
    }
  }

  return {
    quick: opts.quick,
    dir,
    server,
    sim,
    payloadStore,
    env,
    connect,
    reference(seed, size = 'small') {
      const key = `${size}:${seed}`;
      // One at a time: the reference worker's slots would otherwise be shared and the timings meaningless.
      const previous = [...references.values()].at(-1) ?? Promise.resolve(undefined);
      if (!references.has(key)) references.set(key, previous.catch(() => undefined).then(() => runReference(seed, size)));
      return references.get(key)!;
    },
    async close() {
      await refWorker?.stop();
      await server.stop();
      await sim.close();
    },
  };
}
