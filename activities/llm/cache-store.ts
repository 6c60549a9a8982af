/**
 * The response cache a worker uses, picked by the one store setting (platform/stores.ts): MASPO_STORE_URL set →
 * the PostgreSQL cache every worker shares (cache-postgres.ts); unset → files under `cacheDir`, as always.
 */
import { storeDatabase } from '../../platform/postgres/database';
import { storeUrl } from '../../platform/stores';
import { ResponseCache, type ReplyCache } from './cache';
import { PostgresReplyCache } from './cache-postgres';

export function responseCacheFor(cacheDir: string, env: NodeJS.ProcessEnv = process.env): ReplyCache {
  const url = storeUrl(env);
  return url ? new PostgresReplyCache(storeDatabase(url)) : new ResponseCache(cacheDir);
}
