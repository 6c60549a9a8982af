/**
 * Scenario 6: API keys never reach workflow histories, logs or anything else maspo writes. Every key of the run
 * carries a unique marker; the LLM endpoint (the simulator, requiring the good key, behind the fault proxy) is
 * hostile: its 429 and 5xx bodies and its 401 echo the caller's Authorization header back, as some servers do.
 * One run succeeds with the good key, one fails with a wrong key; both are driven through the CLI
 * (`optimize --detach`, `status`, `result`) against `maspo worker` processes logging at DEBUG. Then every history of
 * both runs is exported (raw and decoded JSON) and everything is scanned — histories, worker/CLI/server logs, configs,
 * the workers' homes (response cache) and the payload store (gzip blobs unpacked): the marker must occur 0 times.
 * Positive controls make the scan able to fail: the keys did reach the endpoint, the echoes happened, and the scan
 * finds the run's workflow id in what it reads.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { SimWorldSchema } from '../../core/schema/sim-config';
import { startSimServer } from '../../sim/server';
import type { ChaosContext } from './context';
import { startFaultProxy, type FaultProxy } from './fault-proxy';
import { exportHistories, readRun } from './history';
import { WorkerProcess, runMaspo, scenarioDirIn } from './processes';
import { rowOf, type ScenarioRow } from './report';
import { writeSearchConfig, type SearchConfigOptions } from '../../fixtures/search-config';
import { logIn } from './trial';

const KEY_ENV = 'CHAOS_SECRET_API_KEY';

export interface ScanResult {
  files: number;
  bytes: number;
  /** file → occurrences, for files where the needle occurs. */
  hits: Record<string, number>;
}

/** Counts `needle` in every file under the given paths (gzip files are unpacked first). */
export function scanFiles(paths: string[], needle: string): ScanResult {
  const result: ScanResult = { files: 0, bytes: 0, hits: {} };
  const visit = (p: string) => {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p)) visit(path.join(p, e));
      return;
    }
    if (!st.isFile()) return;
    let data = fs.readFileSync(p);
    if (data[0] === 0x1f && data[1] === 0x8b) {
      try {
        data = zlib.gunzipSync(data);
      } catch {
        // not gzip after all: scan as is
      }
    }
    result.files++;
    result.bytes += data.length;
    const n = countOccurrences(data.toString('utf8'), needle) + countOccurrences(data.toString('latin1'), needle);
    if (n > 0) result.hits[p] = n;
  };
  paths.forEach(visit);
  return result;
}

function countOccurrences(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) n++;
  return n;
}

interface SecretRun {
  workflowId: string;
  proxy: FaultProxy;
  worker: WorkerProcess;
  env: NodeJS.ProcessEnv;
  file: string;
}

export async function secretsScenario(ctx: ChaosContext, seed: number, size: SearchConfigOptions['size'] = 'small'): Promise<ScenarioRow> {
  const started = Date.now();
  const dir = scenarioDirIn(ctx.dir, 'secrets');
  const marker = `chaosmarker${randomBytes(8).toString('hex')}`;
  const goodKey = `key-${marker}-good`;
  const wrongKey = `key-${marker}-wrong`;
  const sim = await startSimServer({ world: SimWorldSchema.parse({ seed: 17, latency: { distribution: 'fixed', meanMs: 15 } }), requireApiKey: goodKey });
  const runs: SecretRun[] = [];
  const problems: string[] = [];
  try {
    for (const [name, key] of [['good-key', goodKey], ['wrong-key', wrongKey]] as const) {
      const proxy = await startFaultProxy({
        upstream: sim.url,
        plan: { seed, rates: { rateLimited: 0.05, serverError: 0.05 }, retryAfterSeconds: 1, echoAuthorization: true },
      });
      const taskQueue = `chaos-secrets-${name}-${Date.now()}`;
      const { file } = await writeSearchConfig(dir, { name: `secrets-${name}`, seed, taskQueue, baseURL: `${proxy.url}/v1`, apiKeyEnv: KEY_ENV, size });
      const env = ctx.env(ctx.server.address, path.join(dir, `home-${name}`), { [KEY_ENV]: key, MASPO_LOG_LEVEL: 'DEBUG' });
      const worker = new WorkerProcess(file, env, logIn(dir, `worker-${name}`));
      runs.push({ workflowId: `chaos-secrets-${name}-${Date.now()}`, proxy, worker, env, file });
    }
    for (const r of runs) await r.worker.start();
    for (const r of runs) {
      const log = logIn(dir, `cli-${path.basename(r.file, '.yaml')}`);
      const start = await runMaspo(['optimize', r.file, '--detach', '--id', r.workflowId], r.env, log);
      if (start.code !== 0) problems.push(`maspo optimize --detach exited ${start.code}`);
    }
    for (const r of runs) {
      const log = logIn(dir, `cli-${path.basename(r.file, '.yaml')}`);
      const result = await runMaspo(['result', r.workflowId, '--json'], r.env, log, 600_000);
      await runMaspo(['status', r.workflowId, '--json'], r.env, log);
      const good = r === runs[0];
      if (good !== (result.code === 0)) problems.push(`the ${good ? 'good-key run failed' : 'wrong-key run did not fail'} (maspo result exited ${result.code})`);
    }
  } finally {
    for (const r of runs) await r.worker.stop();
    for (const r of runs) await r.proxy.close();
    await sim.close();
  }

  // Export every history of both runs.
  const exported: string[] = [];
  const temporal = await ctx.connect();
  try {
    for (const r of runs) {
      const records = await readRun(temporal.client, r.workflowId);
      exported.push(...exportHistories(records.raw, records.decoded, path.join(dir, 'histories', r.workflowId)));
    }
  } finally {
    await temporal.close();
  }

  const scanned = [dir, ctx.server.handle.state.logFile, ctx.payloadStore];
  const scan = scanFiles(scanned, marker);
  const control = scanFiles([path.join(dir, 'histories')], runs[0].workflowId);
  const keyed = runs.map((r) => r.proxy.authorizationsSeen().filter((a) => a.includes(marker)).length);
  const echoes = runs.reduce((n, r) => n + r.proxy.arrivals().filter((a) => a.status !== undefined && a.status >= 400).length, 0);
  const redacted = Object.values(scanFiles(scanned, `request carried: [redacted]`).hits).reduce((a, b) => a + b, 0);
  const leaks = Object.values(scan.hits).reduce((a, b) => a + b, 0);
  if (leaks > 0) problems.push(`the marker occurs ${leaks} time(s): ${Object.entries(scan.hits).map(([f, n]) => `${path.relative(ctx.dir, f)} (${n})`).slice(0, 6).join(', ')}`);
  if (keyed.some((n) => n === 0)) problems.push('a key never reached the endpoint: the scan proves nothing');
  if (echoes === 0) problems.push('no error reply echoed a key: the scan proves nothing about error paths');
  if (Object.keys(control.hits).length === 0) problems.push('the scan did not find the run id in the exported histories: it cannot see payloads');
  if (exported.length === 0) problems.push('no history exported');

  const figures = [
    `marker in ${scan.files} files (${(scan.bytes / 1e6).toFixed(1)} MB: ${exported.length / 2} histories raw+decoded, worker/CLI/server logs at DEBUG, caches, payload store): ${leaks} occurrence(s)`,
    `controls: both marked keys reached the endpoint, ${echoes} error replies (429, 5xx, 401) echoed the key back and maspo wrote that echo ${redacted} times, always as [redacted]; the run id is found ${Object.values(control.hits).reduce((a, b) => a + b, 0)} times in the exports`,
  ].join('; ');
  return rowOf(6, 'Secrets: marked keys vs histories and logs', [{ ok: problems.length === 0, why: problems.join('; ') }], figures, Date.now() - started, {
    files: scan.files,
    leaks: scan.hits,
    exportedDir: path.join(dir, 'histories'),
  });
}
