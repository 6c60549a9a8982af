/**
 * The one-host run every multi-host run must equal: everything in the root namespace on loopback — the simulator
 * (same world), a Temporal dev server, one `maspo worker`, and its own PostgreSQL cluster as the shared store, so
 * the multi-host run's database stays cold. Built from the chaos suite's pieces (DevServer, WorkerProcess).
 */
import path from 'node:path';
import { connectTemporal } from '../../client/temporal/connection';
import { optimizationResult, startOptimization } from '../../client/optimize';
import { SimWorldSchema } from '../../core/schema/sim-config';
import type { OptimizeResult } from '../../core/contracts/optimize';
import { startSimServer } from '../../sim/server';
import { closeStores } from '../../platform/stores';
import { startPostgresCluster } from '../../fixtures/postgres-cluster';
import { writeSearchConfig, type SearchConfigOptions } from '../../fixtures/search-config';
import { DevServer, WorkerProcess, freePort, maspoEnv } from '../chaos/processes';
import { PAYLOAD_THRESHOLD } from './cluster';

export interface OneHostRun {
  result: OptimizeResult;
  /** Requests the LLM server saw. */
  requests: number;
  ms: number;
}

export async function runOneHostReference(o: { dir: string; pgBin: string; world: unknown; search: Omit<SearchConfigOptions, 'baseURL' | 'taskQueue'> }): Promise<OneHostRun> {
  const sim = await startSimServer({ world: SimWorldSchema.parse(o.world) });
  const pg = await startPostgresCluster({ bin: o.pgBin, port: await freePort() });
  let server: DevServer | undefined;
  let worker: WorkerProcess | undefined;
  try {
    const storeUrl = await pg.createDatabase('maspo_reference');
    server = await DevServer.start(path.join(o.dir, 'server'));
    const { file, input } = await writeSearchConfig(o.dir, { ...o.search, taskQueue: `reference-${Date.now()}`, baseURL: `${sim.url}/v1` });
    const extra = { MASPO_STORE_URL: storeUrl, MASPO_PAYLOAD_THRESHOLD: PAYLOAD_THRESHOLD, MASPO_PAYLOAD_STORE: '' };
    worker = new WorkerProcess(file, maspoEnv(server.address, path.join(o.dir, 'worker'), extra), path.join(o.dir, 'logs', 'worker.log'));
    await worker.start();
    const temporal = await connectTemporal({ env: maspoEnv(server.address, path.join(o.dir, 'client'), extra) });
    try {
      const started = Date.now();
      const handle = await startOptimization(temporal.client, input, `reference-${started}`);
      const result = await optimizationResult(temporal.client, handle.workflowId);
      return { result, requests: sim.stats().requests, ms: Date.now() - started };
    } finally {
      await temporal.close();
    }
  } finally {
    await worker?.stop();
    await server?.stop();
    await closeStores();
    await pg.remove();
    await sim.close();
  }
}
