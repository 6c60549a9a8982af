/**
 * maspo's shared PostgreSQL store (MASPO_STORE_URL): one connection pool per URL per process, opened on first use,
 * the schema migrated once before the first statement (migrations.ts), every failure turned into a retryable
 * `StoreUnavailableError` with the password redacted (store-error.ts).
 *
 * `closeStoreDatabases()` ends the pools (worker shutdown). A later query opens a fresh pool, so a Client and the
 * workers of one process can share a pool without ordering their shutdowns; idle pools never keep a process alive.
 */
import { Pool, type PoolClient, type QueryResultRow } from 'pg';
import { migrate } from './migrations';
import { StoreUnavailableError } from './store-error';

export interface StoreDatabase {
  readonly url: string;
  /** One statement, after the schema is in place. Every failure is a `StoreUnavailableError` naming `what`. */
  query<R extends QueryResultRow>(what: string, sql: string, values?: unknown[]): Promise<R[]>;
}

const POOL_OPTIONS = {
  max: 10,
  // A store that is down must fail the attempt quickly (well inside an LLM activity's heartbeat timeout), not hang it.
  connectionTimeoutMillis: 5_000,
  query_timeout: 30_000,
  idleTimeoutMillis: 30_000,
  allowExitOnIdle: true,
  keepAlive: true,
  application_name: 'maspo',
};

const pools = new Map<string, Pool>();
const schemaReady = new Map<string, Promise<void>>();

export function storeDatabase(url: string): StoreDatabase {
  return {
    url,
    async query<R extends QueryResultRow>(what: string, sql: string, values?: unknown[]): Promise<R[]> {
      try {
        await ensureSchema(url);
        return (await poolFor(url).query<R>(sql, values)).rows;
      } catch (err) {
        throw new StoreUnavailableError(what, url, err);
      }
    },
  };
}

/** Ends every pool this process opened; queries after this open new ones. */
export async function closeStoreDatabases(): Promise<void> {
  const open = [...pools.values()];
  pools.clear();
  await Promise.all(open.map((pool) => pool.end().catch(() => undefined)));
}

function poolFor(url: string): Pool {
  let pool = pools.get(url);
  if (!pool) {
    pool = new Pool({ connectionString: url, ...POOL_OPTIONS });
    // An idle connection the server dropped (restart, failover) leaves the pool and the next query opens another;
    // without a listener this event would crash the process.
    pool.on('error', () => undefined);
    pools.set(url, pool);
  }
  return pool;
}

/** Migrates once per URL per process; a failed attempt is forgotten, so the next query tries again. */
function ensureSchema(url: string): Promise<void> {
  const known = schemaReady.get(url);
  if (known) return known;
  const attempt = withClient(url, async (client) => void (await migrate(client)));
  schemaReady.set(url, attempt);
  attempt.catch(() => {
    if (schemaReady.get(url) === attempt) schemaReady.delete(url);
  });
  return attempt;
}

async function withClient<T>(url: string, use: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await poolFor(url).connect();
  try {
    const result = await use(client);
    client.release();
    return result;
  } catch (err) {
    client.release(err instanceof Error ? err : true); // a connection that failed mid-transaction is not reused
    throw err;
  }
}
