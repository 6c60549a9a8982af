/**
 * Wall-clock of one search with 1, 2 and 3 worker hosts (issue 16 item 3). Every host's worker has few LLM slots
 * per role (`SLOTS`), so one host is slot-bound; the simulator answers in L = 200 ms. A last run gives one host
 * `UNBOUNDED_SLOTS` per role: no slot ever waits, so its wall-clock is the floor the critical path sets (the
 * dependent chain of calls, each L plus orchestration), which more hosts can approach but not pass. Each run gets a fresh
 * database (a cold shared cache) and its own task queue; the calls must be equal across runs (the search is
 * deterministic), so wall-clock differences are throughput alone. Wall-clock is the workflow's own start → close
 * time on the Temporal server (not the client's process start-up).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { OptimizeResult } from '../../core/contracts/optimize';
import { parseConfigText } from '../../client/config';
import { buildOptimizeInput, optimizationResult } from '../../client/optimize';
import { sameOutcome, TRAP_CHAIN_MAS } from '../../fixtures/search-config';
import { MultiHostCluster } from './cluster';

export const SCALING_LATENCY_MS = 200;
/** LLM slots per role on each worker host. */
export const SLOTS = { backbone: 2, optimizer: 1, judge: 2 };
export const UNBOUNDED_SLOTS = { backbone: 64, optimizer: 64, judge: 64 };
/** The small search of the chaos suite with the paper's batch (|B| = 10), so several hosts have work at once. */
export const SCALING_SEARCH = { rounds: 2, stepsPerRound: 1, beamWidth: 2, proposalsPerParent: 2, poolSize: 20, batchSize: 10 };

export interface ScalingRun {
  hosts: number;
  slots: typeof SLOTS;
  wallMs: number;
  /** LLM calls of the search (the workflow's count, by role and in all) and requests the LLM server saw. */
  callsByRole: Record<string, number>;
  calls: number;
  requests: number;
  speedup: number;
  sameAsOneHost: boolean;
}

function configYaml(name: string, taskQueue: string, baseURL: string, slots: typeof SLOTS): string {
  const common = `baseURL: "${baseURL}", timeoutMs: 10000`;
  const search = Object.entries(SCALING_SEARCH).map(([k, v]) => `${k}: ${v}`).join(', ');
  return `
name: ${name}
seed: 11
taskQueue: ${taskQueue}
dataset: { kind: sim, split: test, size: 1 }
${TRAP_CHAIN_MAS}models:
  backbone: { provider: openai, model: sim-agent, ${common}, concurrency: ${slots.backbone} }
  optimizer: { provider: openai, model: sim-optimizer, temperature: 0.7, ${common}, concurrency: ${slots.optimizer} }
  judge: { provider: openai, model: sim-judge, ${common}, concurrency: ${slots.judge} }
optimize: { ${search}, heldOut: false }
evaluate: { concurrency: ${SCALING_SEARCH.batchSize}, llmHeartbeatTimeoutMs: 5000 }
`;
}

/** The runs: each host count with `SLOTS`, then one host with `UNBOUNDED_SLOTS` (the critical-path floor). */
export async function runScaling(o: { dir: string; temporalCli: string; pgBin: string; hostCounts: number[]; log: (l: string) => void }): Promise<ScalingRun[]> {
  const maxHosts = Math.max(...o.hostCounts);
  const cluster = await MultiHostCluster.start({
    dir: o.dir,
    workerHosts: maxHosts,
    temporalCli: o.temporalCli,
    pgBin: o.pgBin,
    world: { seed: 17, latency: { distribution: 'fixed', meanMs: SCALING_LATENCY_MS } },
  });
  const runs: ScalingRun[] = [];
  let first: OptimizeResult | undefined;
  try {
    const plan = [...o.hostCounts.map((hosts) => ({ hosts, slots: SLOTS })), { hosts: 1, slots: UNBOUNDED_SLOTS }];
    for (const [i, { hosts, slots }] of plan.entries()) {
      const name = `scaling-${i + 1}-${hosts}`;
      const storeUrl = await cluster.createDatabase(`maspo_run_${i + 1}`);
      const file = path.join(o.dir, `${name}.yaml`);
      const text = configYaml(name, `${name}-${Date.now()}`, cluster.llmBaseUrl, slots);
      fs.writeFileSync(file, text);
      await buildOptimizeInput({ file, config: parseConfigText(file, text) }); // fails here, not on a host, if the config is bad
      const workers = await cluster.startWorkers(cluster.workerLabels.slice(0, hosts), file, storeUrl);
      const before = (await cluster.simStats()).requests;
      const workflowId = `${name}-${Date.now()}`;
      await cluster.startSearch(file, storeUrl, workflowId);
      // The observer decodes with this run's store: its payloads are there.
      const watch = await cluster.observe(storeUrl);
      const result = await optimizationResult(watch.client, workflowId);
      const info = await watch.client.workflow.getHandle(workflowId).describe();
      const wallMs = (info.closeTime?.getTime() ?? Date.now()) - info.startTime.getTime();
      const requests = (await cluster.simStats()).requests - before;
      first ??= result;
      const run: ScalingRun = { hosts, slots, wallMs, callsByRole: result.totals.calls, calls: Object.values(result.totals.calls).reduce((a, b) => a + b, 0), requests, speedup: runs[0] ? runs[0].wallMs / wallMs : 1, sameAsOneHost: sameOutcome(result, first) };
      runs.push(run);
      o.log(`${hosts} worker host(s), slots ${JSON.stringify(slots)}: ${(wallMs / 1000).toFixed(1)} s, ${run.calls} calls, ${requests} requests, speed-up ${run.speedup.toFixed(2)}×`);
      await Promise.all(workers.map((w) => w.stop()));
    }
  } finally {
    await cluster.remove();
  }
  return runs;
}
