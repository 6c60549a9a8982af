/**
 * The multi-host scaling figure: `node --import tsx bench/multihost/main.ts [--hosts 1,2,3]` (as root: it builds
 * network-namespace hosts, bench/multihost/network.ts). Runs the same search with 1, 2 and 3 worker hosts
 * (scaling.ts) and once with one host and unbounded slots (the critical-path floor), prints a table and writes
 * bench/results/multihost/<timestamp>.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureTemporalCli } from '../../client/temporal/setup';
import { findPostgresBin } from '../../fixtures/postgres-cluster';
import { ROOT } from '../chaos/processes';
import { networkUnavailable } from './network';
import { runScaling, SCALING_LATENCY_MS, SCALING_SEARCH, SLOTS, UNBOUNDED_SLOTS, type ScalingRun } from './scaling';

function table(runs: ScalingRun[]): string {
  const slots = (r: ScalingRun) => `${r.slots.backbone} / ${r.slots.optimizer} / ${r.slots.judge}`;
  const rows = runs.map((r) => `| ${r.hosts} | ${slots(r)} | ${(r.wallMs / 1000).toFixed(1)} s | ${r.calls} | ${r.requests} | ${r.speedup.toFixed(2)}× | ${r.sameAsOneHost ? 'yes' : 'NO'} |`);
  const head = '| worker hosts | slots per host (backbone / optimizer / judge) | wall-clock | calls | LLM requests | speed-up | same result as 1 host |';
  return [head, '|---:|---|---:|---:|---:|---:|---|', ...rows].join('\n');
}

async function main(): Promise<void> {
  const unavailable = networkUnavailable();
  if (unavailable) throw new Error(unavailable);
  const hostsArg = process.argv.indexOf('--hosts');
  const hostCounts = hostsArg > 0 ? process.argv[hostsArg + 1].split(',').map(Number) : [1, 2, 3];
  const pgBin = findPostgresBin();
  if (!pgBin) throw new Error('no PostgreSQL server binaries (install the `postgresql` package or set PG_BIN)');
  const temporalCli = (await ensureTemporalCli({ home: path.join(ROOT, '.maspo') })).path;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'maspo-multihost-bench-'));
  const started = new Date();
  const loadAtStart = os.loadavg()[0];
  const runs = await runScaling({ dir, temporalCli, pgBin, hostCounts, log: (l) => process.stderr.write(`${l}\n`) });
  const out = path.join(ROOT, 'bench', 'results', 'multihost', `${started.toISOString().replace(/[:.]/g, '-')}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const record = {
    command: 'node --import tsx bench/multihost/main.ts',
    date: started.toISOString(),
    // Every host shares this machine's cores: other work on it shows in the wall-clocks.
    machine: { cores: os.cpus().length, node: process.version, loadAverage1m: { start: loadAtStart, end: os.loadavg()[0] } },
    latencyMs: SCALING_LATENCY_MS,
    slotsPerWorkerHost: SLOTS,
    criticalPathRun: { hosts: 1, slots: UNBOUNDED_SLOTS },
    search: SCALING_SEARCH,
    runs,
  };
  fs.writeFileSync(out, `${JSON.stringify(record, null, 2)}\n`);
  fs.rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${table(runs)}\n\nwritten ${path.relative(ROOT, out)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
