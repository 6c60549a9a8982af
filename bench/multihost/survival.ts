/**
 * A search across hosts that loses one: three worker hosts serve a small search started from the client host; a
 * quarter of the way in, every process of worker host w1 is SIGKILLed (`ip netns pids`); a little later worker host
 * w2 is cut off the network (its link down) for `partitionMs`, then healed. The run must end exactly as the one-host
 * reference (prompts, beams, scores, calls), no reply recorded in the shared cache may be requested again
 * (resend-ledger.ts), and claim-checked payloads must cross hosts through the shared store (payload-audit.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { optimizationResult } from '../../client/optimize';
import type { OptimizeResult } from '../../core/contracts/optimize';
import { sameOutcome, writeOutcomes, writeSearchConfig } from '../../fixtures/search-config';
import { waitUntil } from '../chaos/processes';
import { withTimeout } from '../chaos/trial';
import { MultiHostCluster } from './cluster';
import { auditPayloads, type PayloadAudit } from './payload-audit';
import { runOneHostReference, type OneHostRun } from './reference';
import { ResendLedger, type LedgerVerdict } from './resend-ledger';

/** The chaos suite's world (bench/chaos/context.ts: seed 17) at 80 ms per reply, so the disruptions land mid-search. */
export const SURVIVAL_WORLD = { seed: 17, latency: { distribution: 'fixed', meanMs: 80 } };

export interface SurvivalOptions {
  dir: string;
  temporalCli: string;
  pgBin: string;
  seed?: number;
  partitionMs?: number;
  log?: (line: string) => void;
}

export interface SurvivalReport {
  reference: { requests: number; ms: number };
  run: { requests: number; ms: number; workflowId: string };
  same: boolean;
  diff?: string;
  killed: { host: string; pids: number[]; atCompleted: number; cacheRowsWritten: number };
  partition: { host: string; ms: number; atCompleted: number; workerAliveAfter: boolean; cacheRowsAfterHeal: number };
  ledger: LedgerVerdict;
  payloads: PayloadAudit;
  /** LLM cache rows per writing host. */
  cacheRowsBy: Record<string, number>;
}

export async function runSurvivalScenario(o: SurvivalOptions): Promise<SurvivalReport> {
  const log = o.log ?? (() => {});
  const seed = o.seed ?? 11;
  const partitionMs = o.partitionMs ?? 20_000;
  const search = { name: 'multihost', seed, size: 'small' as const };

  // The reference runs on loopback while the hosts come up; the search starts once both are ready.
  const clusterUp = MultiHostCluster.start({ dir: path.join(o.dir, 'multi'), workerHosts: 3, temporalCli: o.temporalCli, pgBin: o.pgBin, world: SURVIVAL_WORLD, logStatements: true });
  clusterUp.catch(() => undefined);
  let reference: OneHostRun;
  try {
    reference = await runOneHostReference({ dir: path.join(o.dir, 'reference'), pgBin: o.pgBin, world: SURVIVAL_WORLD, search });
  } catch (err) {
    await (await clusterUp.catch(() => undefined))?.remove();
    throw err;
  }
  const cluster = await clusterUp;
  log(`one-host reference: ${reference.requests} LLM requests, ${(reference.ms / 1000).toFixed(1)} s`);
  try {
    const storeUrl = await cluster.createDatabase('maspo');
    const { file, input } = await writeSearchConfig(cluster.dir, { ...search, taskQueue: 'multihost', baseURL: cluster.llmBaseUrl });
    const workers = await cluster.startWorkers(cluster.workerLabels, file, storeUrl);
    const ledger = new ResendLedger(cluster, storeUrl, input);
    const workflowId = `multihost-${Date.now()}`;
    const started = Date.now();
    await cluster.startSearch(file, storeUrl, workflowId);
    const observer = await cluster.observe(storeUrl);
    let closed = false;
    const done = optimizationResult(observer.client, workflowId).finally(() => (closed = true));
    done.catch(() => undefined);
    const completed = async () => (await cluster.simStats()).completed;
    const rowsBy = () => cacheRowsByHost(storeUrl, cluster);

    // Kill w1 once it has recorded replies of its own, a quarter of the way in.
    const [w1, w2] = cluster.workerLabels;
    await waitUntil('a quarter of the search, with replies recorded by w1', async () => {
      if (closed) throw new Error('the search ended before w1 was killed: make the search longer');
      return (await completed()) >= reference.requests / 4 && ((await rowsBy())[w1] ?? 0) > 0;
    }, 300_000, 200);
    const killAt = await completed();
    const pids = await cluster.net.kill(w1);
    await ledger.snapshot(`${w1} killed`);
    const w1Rows = (await rowsBy())[w1] ?? 0;
    log(`SIGKILLed every process of ${w1} (pids ${pids.join(', ')}) after ${killAt} replies; it had recorded ${w1Rows}`);

    await waitUntil('45% of the search', async () => {
      if (closed) throw new Error(`the search ended before ${w2} was cut off: make the search longer`);
      return (await completed()) >= reference.requests * 0.45;
    }, 300_000, 200);
    const cutAt = await completed();
    await cluster.net.cut(w2);
    const cutTime = Date.now();
    await ledger.snapshot(`${w2} cut off`);
    log(`cut ${w2} off the network after ${cutAt} replies, for ${partitionMs / 1000} s`);
    await sleep(partitionMs - (Date.now() - cutTime));
    await cluster.net.heal(w2);
    const healedAt = new Date();
    await ledger.snapshot(`${w2} healed`);
    log(`healed ${w2}`);

    const result: OptimizeResult = await withTimeout(done, 300_000, 'the multi-host search');
    const ms = Date.now() - started;
    const verdict = await ledger.finish();
    const payloads = await auditPayloads(storeUrl, cluster.postgresLog, cluster.net);
    const same = sameOutcome(result, reference.result);
    const report: SurvivalReport = {
      reference: { requests: reference.requests, ms: reference.ms },
      run: { requests: verdict.requests, ms, workflowId },
      same,
      ...(same ? {} : { diff: writeOutcomes(cluster.dir, 'multihost', result, reference.result) }),
      killed: { host: w1, pids, atCompleted: killAt, cacheRowsWritten: w1Rows },
      partition: {
        host: w2,
        ms: partitionMs,
        atCompleted: cutAt,
        workerAliveAfter: workers[1].running,
        cacheRowsAfterHeal: await cacheRowsSince(storeUrl, cluster.net.host(w2).ip, healedAt),
      },
      ledger: verdict,
      payloads,
      cacheRowsBy: await rowsBy(),
    };
    fs.writeFileSync(path.join(o.dir, 'survival.json'), `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    await cluster.remove();
  }
}

async function withDb<T>(url: string, fn: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

/** LLM cache rows per writing host (the column of migration 2). */
function cacheRowsByHost(url: string, cluster: MultiHostCluster): Promise<Record<string, number>> {
  return withDb(url, async (db) => {
    const { rows } = await db.query<{ writer: string | null; n: string }>('SELECT host(written_from) AS writer, count(*) AS n FROM maspo_llm_cache GROUP BY 1').catch(() => ({ rows: [] }));
    return Object.fromEntries(rows.map((r) => [cluster.net.labelOf(r.writer), Number(r.n)]));
  });
}

function cacheRowsSince(url: string, address: string, since: Date): Promise<number> {
  return withDb(url, async (db) => {
    const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM maspo_llm_cache WHERE written_from = $1::inet AND created_at > $2', [address, since]);
    return Number(rows[0].n);
  });
}
