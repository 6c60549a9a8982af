/**
 * The simulator's OpenAI-compatible HTTP server (sim/server.ts) in a process of its own, so the simulated models'
 * CPU and memory are not counted as the worker's or the harness's. Spawned by the harness (child.ts protocol).
 *
 *   argv[2]: JSON SimWorldInput (latency, long replies, seed…)
 */
import { defaultSimWorld, type SimWorldInput } from '../../core/schema/sim-config';
import { startSimServer } from '../../sim/server';
import { failToParent, serveParent } from './child';

export interface SimServerReady {
  url: string;
}

export interface SimServerStopped {
  requests: number;
  completed: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  peakRssMb: number;
}

async function main(): Promise<void> {
  const world = defaultSimWorld(JSON.parse(process.argv[2] ?? '{}') as SimWorldInput);
  const server = await startSimServer({ world, host: '127.0.0.1' });
  const cpuAtReady = process.cpuUsage();
  serveParent<SimServerStopped>({ url: server.url } satisfies SimServerReady, async () => {
    const cpu = process.cpuUsage(cpuAtReady);
    const stats = server.stats();
    await server.close();
    return { requests: stats.requests, completed: stats.completed, cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000, peakRssMb: process.resourceUsage().maxRSS / 1024 };
  });
}

main().catch(failToParent);
