/**
 * "No reply recorded anywhere is requested again", checked the way the chaos suite checks a worker kill
 * (bench/chaos/worker-crash.ts `InFlightLedger`), across hosts and with the shared cache:
 *
 *   at each disruption (a host killed, a host cut off, a host healed) the ledger takes two snapshots, in this order:
 *     1. RECORDED: every key in the shared response cache (`maspo_llm_cache`);
 *     2. ARRIVED:  the LLM server's request count per request digest (sim/server.ts `stats()`).
 *   At the end, a digest whose count grew after a snapshot while its cache key was already RECORDED at that
 *   snapshot is a reply paid for twice: a failure. A digest that had ARRIVED but was not RECORDED was in flight
 *   (on any host) — if it is requested again, that is the legitimate retry of a call lost with a host.
 *
 * Recorded is taken first so a call that arrives and is stored between the two snapshots is never mistaken for a
 * re-send. The digest → cache key mapping (the request the server kept → `cacheKey`) is checked too: every completed
 * request must map to a stored row, otherwise the check would be blind and the ledger says so.
 */
import { Client } from 'pg';
import { cacheKey } from '../../activities/llm/cache';
import type { ModelSpec } from '../../core/contracts/llm';
import type { OptimizeInput } from '../../core/contracts/optimize';
import type { SimServerStats } from '../../sim/server';
import { roleOfModel } from '../chaos/fault-proxy';
import type { MultiHostCluster } from './cluster';

interface Snapshot {
  label: string;
  recorded: Set<string>;
  attempts: Map<string, number>;
}

export interface LedgerVerdict {
  /** Requests sent after their reply was recorded (must be empty). */
  resentAfterRecorded: Array<{ digest: string; after: string }>;
  /** Calls that had reached the LLM server but were not recorded at a disruption, each counted once. */
  unrecordedAtDisruptions: number;
  /** Requests the server saw in all, and distinct requests. */
  requests: number;
  distinct: number;
  /** Completed requests whose cache row the ledger could not find (must be 0, or the check is blind). */
  unmatched: number;
  snapshots: Array<{ label: string; recorded: number; arrived: number }>;
}

export class ResendLedger {
  private snapshots: Snapshot[] = [];

  constructor(
    private readonly cluster: MultiHostCluster,
    private readonly storeUrl: string,
    private readonly input: OptimizeInput,
  ) {}

  async snapshot(label: string): Promise<void> {
    const recorded = await this.recordedKeys();
    const stats = await this.cluster.simStats();
    this.snapshots.push({ label, recorded, attempts: attemptsOf(stats) });
  }

  async finish(): Promise<LedgerVerdict> {
    const stats = await this.cluster.simStats();
    const final = attemptsOf(stats);
    const recorded = await this.recordedKeys();
    const requests = await this.cluster.simRequests([...final.keys()]);
    const keyOf = new Map<string, string>();
    for (const [digest, req] of Object.entries(requests)) {
      if (!req) continue;
      const role = roleOfModel(req.model);
      const spec: ModelSpec = this.input.ctx.models[role];
      keyOf.set(digest, cacheKey(spec, { role, messages: req.messages, sampleIndex: req.seed ?? 0 } as never));
    }
    const unmatched = Object.entries(stats.byDigest).filter(([d, c]) => c.completed > 0 && !recorded.has(keyOf.get(d) ?? '')).length;

    const resent: LedgerVerdict['resentAfterRecorded'] = [];
    const counted = new Set<string>();
    let unrecorded = 0;
    for (const s of this.snapshots) {
      for (const [digest, total] of final) {
        const before = s.attempts.get(digest) ?? 0;
        const key = keyOf.get(digest) ?? '';
        if (total > before && s.recorded.has(key)) resent.push({ digest, after: s.label });
        if (before > 0 && !s.recorded.has(key) && !counted.has(digest)) {
          counted.add(digest);
          unrecorded++;
        }
      }
    }
    return {
      resentAfterRecorded: resent,
      unrecordedAtDisruptions: unrecorded,
      requests: [...final.values()].reduce((a, b) => a + b, 0),
      distinct: final.size,
      unmatched,
      snapshots: this.snapshots.map((s) => ({ label: s.label, recorded: s.recorded.size, arrived: s.attempts.size })),
    };
  }

  private async recordedKeys(): Promise<Set<string>> {
    const db = new Client({ connectionString: this.storeUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ key: string }>('SELECT key FROM maspo_llm_cache');
      return new Set(rows.map((r) => r.key));
    } finally {
      await db.end();
    }
  }
}

function attemptsOf(stats: SimServerStats): Map<string, number> {
  return new Map(Object.entries(stats.byDigest).map(([d, c]) => [d, c.attempts]));
}
