/**
 * The bench's worker process: exactly what `maspo worker` runs (`createMaspoWorkers` on the connection from
 * `connectTemporal`, so codecs and connection settings of the project apply), plus the call recorder, in a process
 * of its own so that its CPU time and peak RSS are its own. Spawned by the harness (child.ts protocol); reports CPU
 * (from ready to stop) and peak RSS when asked to stop.
 *
 *   argv[2]: JSON WorkerArgs
 */
import { connectTemporal } from '../../client/temporal/connection';
import type { ModelRole } from '../../core/contracts/llm';
import { createMaspoWorkers, runWorkers, type RoleLimits } from '../../workers/worker';
import { failToParent, serveParent } from './child';
import { createCallRecorder } from './recorder';

export interface WorkerArgs {
  home: string;
  port: number;
  uiPort: number;
  cliPath: string;
  taskQueue: string;
  cacheDir: string;
  callsFile: string;
  /** Record full request and reply texts (needed for the dependency analysis). */
  texts: boolean;
  /** Prebuilt workflow bundle (bench/engine/bundle.ts), so the worker does not run webpack while measured. */
  bundlePath: string;
  roles: Partial<Record<ModelRole, RoleLimits>>;
}

export interface WorkerStats {
  cpuUserMs: number;
  cpuSystemMs: number;
  /** Peak resident set size of the whole process lifetime, MB. */
  peakRssMb: number;
  recordedCalls: number;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as WorkerArgs;
  const temporal = await connectTemporal({ embedded: true, devServer: { home: args.home, port: args.port, uiPort: args.uiPort, cliPath: args.cliPath, detached: false } });
  const connection = await temporal.nativeConnection();
  const recorder = createCallRecorder(args.callsFile, { texts: args.texts, taskQueue: args.taskQueue });
  const workers = await createMaspoWorkers({
    connection,
    namespace: temporal.namespace,
    taskQueue: args.taskQueue,
    cacheDir: args.cacheDir,
    roles: args.roles,
    workflowBundle: { codePath: args.bundlePath },
    plugins: [recorder.plugin],
  });
  const running = runWorkers(workers);
  const cpuAtReady = process.cpuUsage();
  serveParent({ pid: process.pid }, async (): Promise<WorkerStats> => {
    const cpu = process.cpuUsage(cpuAtReady);
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await running;
    await recorder.close();
    await temporal.close();
    return { cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000, peakRssMb: process.resourceUsage().maxRSS / 1024, recordedCalls: recorder.count() };
  });
}

main().catch(failToParent);
