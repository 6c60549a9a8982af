/**
 * The LLM response cache in PostgreSQL (MASPO_STORE_URL): table `maspo_llm_cache`, one row per cache key, shared by
 * every worker, so a call retried on another host is still answered from the cache.
 *
 * Rows hold the same entry text the file cache writes (cache.ts `entryJson`: version, key, reply) and its sha256.
 *   - put: `INSERT … ON CONFLICT DO NOTHING`. A retried or concurrent put is harmless; the first stored reply stays
 *     (a reader may already have returned it).
 *   - get, missing row: a miss, the call is made.
 *   - get, damaged row (bytes not matching their sha256, an entry of another key or version, not an entry): a miss,
 *     like a damaged file; the row is deleted (only if still the bytes read) so the next put stores a good one.
 *   - get, database down or failing: throws `StoreUnavailableError`, and the activity attempt fails (retryable).
 *     Down is not missing: answering "miss" would pay for a call whose reply is probably stored, and the put after it
 *     would fail too. The LLM retry policy (workflows/proxies.ts) gives the database minutes to come back.
 *   - put failing: the activity logs it and still returns the reply it paid for (activity.ts `store`).
 */
import { createHash } from 'node:crypto';
import type { LlmRequest, ModelSpec } from '../../core/contracts/llm';
import type { StoreDatabase } from '../../platform/postgres/database';
import { cacheKey, entryJson, replyFromEntry, type ReplyCache } from './cache';
import type { ProviderReply } from './providers/types';

const KEY = /^[0-9a-f]{64}$/;

export class PostgresReplyCache implements ReplyCache {
  constructor(private readonly db: StoreDatabase) {}

  key(spec: ModelSpec, request: LlmRequest): string {
    return cacheKey(spec, request);
  }

  async get(key: string): Promise<ProviderReply | undefined> {
    if (!KEY.test(key)) return undefined;
    const rows = await this.db.query<{ entry: Buffer; entry_sha256: Buffer }>(
      'reading the LLM response cache',
      'SELECT entry, entry_sha256 FROM maspo_llm_cache WHERE key = $1',
      [key],
    );
    const row = rows[0];
    if (!row) return undefined;
    const actual = sha256(row.entry);
    const reply = actual.equals(row.entry_sha256) ? replyFromEntry(row.entry.toString('utf8'), key) : undefined;
    if (!reply) {
      await this.db.query('removing a damaged LLM response cache entry', 'DELETE FROM maspo_llm_cache WHERE key = $1 AND sha256(entry) = $2', [key, actual]);
    }
    return reply;
  }

  async put(key: string, reply: ProviderReply): Promise<void> {
    if (!KEY.test(key)) throw new Error(`not a response cache key: ${key}`);
    const entry = Buffer.from(entryJson(key, reply), 'utf8');
    await this.db.query(
      'writing the LLM response cache',
      'INSERT INTO maspo_llm_cache (key, entry, entry_sha256) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING',
      [key, entry, sha256(entry)],
    );
  }
}

function sha256(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}
