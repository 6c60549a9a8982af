/**
 * Persistent response cache: a retried or replayed LLM call whose response already arrived (the worker died
 * before reporting, the attempt timed out after the body came back) is answered from the cache, not paid twice.
 * Two stores: files under a directory (`ResponseCache`, here) and PostgreSQL shared by all workers
 * (`PostgresReplyCache`, cache-postgres.ts); cache-store.ts picks one from MASPO_STORE_URL.
 *
 * The key covers everything that shapes the answer: provider, model, endpoint, messages, sampling parameters,
 * extra body fields, the sample index and the simulator's world settings. It leaves out what only shapes the
 * transport or the bookkeeping (timeout, key env var, concurrency, label, role).
 * Only successful replies are stored; failures are never cached.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LlmRequest, ModelSpec } from '../../core/contracts/llm';
import { writeCanonicalJson } from './canonical-json';
import { PROVIDER_NAMES } from './providers/registry';
import type { ProviderReply } from './providers/types';

export { canonicalJson } from './canonical-json';

/** Bump when the key's inputs or the stored shape change: old entries then simply stop matching. */
const KEY_VERSION = 'maspo-llm-cache/v1';

export interface ReplyCache {
  key(spec: ModelSpec, request: LlmRequest): string;
  /**
   * The stored reply, or undefined when none is stored (or the stored one is damaged). A store that cannot tell
   * (the PostgreSQL cache with its database down) throws: the attempt fails and is retried, rather than paying
   * again for a call whose reply may be stored.
   */
  get(key: string): Promise<ProviderReply | undefined>;
  put(key: string, reply: ProviderReply): Promise<void>;
}

export function cacheKey(spec: ModelSpec, request: LlmRequest): string {
  const keyed = {
    v: KEY_VERSION,
    provider: spec.provider,
    model: spec.model,
    baseURL: spec.baseURL ?? null,
    messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
    temperature: spec.temperature,
    maxTokens: spec.maxTokens,
    extraBody: spec.extraBody ?? null,
    sampleIndex: request.sampleIndex,
    sim: spec.sim ?? null,
  };
  // Hashed piece by piece: the request's prompts are never copied into one canonical text (canonical-json.ts).
  const hash = createHash('sha256');
  writeCanonicalJson(keyed, (piece) => hash.update(piece, 'utf8'));
  return hash.digest('hex');
}

/** Files at `dir/<first two hex digits>/<sha256>.json`, written atomically (temp file, then rename). */
export class ResponseCache implements ReplyCache {
  constructor(readonly dir: string) {}

  key(spec: ModelSpec, request: LlmRequest): string {
    return cacheKey(spec, request);
  }

  /** A missing, unreadable or malformed entry is a miss; the next `put` overwrites it. */
  async get(key: string): Promise<ProviderReply | undefined> {
    let raw: string;
    try {
      raw = await readFile(this.path(key), 'utf8');
    } catch {
      return undefined;
    }
    return replyFromEntry(raw, key);
  }

  async put(key: string, reply: ProviderReply): Promise<void> {
    const file = this.path(key);
    const shard = join(this.dir, key.slice(0, 2));
    await mkdir(shard, { recursive: true });
    // Unique temp name: two workers may store the same key at once; each rename is atomic and either wins.
    const temp = join(shard, `.${key}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await writeFile(temp, entryJson(key, reply), 'utf8');
      await rename(temp, file);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }

  private path(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`not a response cache key: ${key}`);
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }
}

/** For callers that disable caching: every lookup misses and nothing is stored. */
export class NoCache implements ReplyCache {
  key(spec: ModelSpec, request: LlmRequest): string {
    return cacheKey(spec, request);
  }

  async get(_key: string): Promise<ProviderReply | undefined> {
    return undefined;
  }

  async put(_key: string, _reply: ProviderReply): Promise<void> {}
}

interface CacheEntry {
  version: string;
  key: string;
  reply: ProviderReply;
}

/** A stored entry's text: the key rides along, so an entry found under another key is recognised as wrong. */
export function entryJson(key: string, reply: ProviderReply): string {
  const entry: CacheEntry = { version: KEY_VERSION, key, reply };
  return JSON.stringify(entry);
}

/** The reply of a stored entry, or undefined when it is malformed, of another version or stored for another key. */
export function replyFromEntry(raw: string, key: string): ProviderReply | undefined {
  try {
    const entry: unknown = JSON.parse(raw);
    return isEntry(entry) && entry.key === key ? entry.reply : undefined;
  } catch {
    return undefined;
  }
}

function isEntry(value: unknown): value is CacheEntry {
  if (typeof value !== 'object' || value === null) return false;
  const { version, reply } = value as Partial<CacheEntry>;
  return version === KEY_VERSION && isReply(reply);
}

function isReply(r: unknown): r is ProviderReply {
  if (typeof r !== 'object' || r === null) return false;
  const reply = r as Record<string, any>;
  const usage = reply.usage as Record<string, unknown> | undefined;
  return (
    typeof reply.text === 'string' &&
    typeof reply.empty === 'boolean' &&
    typeof reply.model === 'string' &&
    PROVIDER_NAMES.includes(reply.provider) &&
    typeof reply.finishReason?.unified === 'string' &&
    (typeof reply.finishReason.raw === 'string' || reply.finishReason.raw === null) &&
    typeof usage === 'object' &&
    usage !== null &&
    ['inputTokens', 'outputTokens', 'totalTokens'].every((k) => typeof usage[k] === 'number')
  );
}
