/**
 * Where maspo's shared state lives: the claim-check payload blobs (platform/payloads) and the LLM response cache
 * (activities/llm/cache-store.ts). One setting moves both off this host's disk:
 *
 *   MASPO_STORE_URL   unset → files under MASPO_HOME (MASPO_PAYLOAD_STORE, `<MASPO_HOME>/cache/llm`), as always;
 *                     `postgres://user:password@host:5432/database` → both in that PostgreSQL database
 *                     (tables created on first use), shared by every client, worker and codec endpoint using it.
 *
 * The URL may hold a password: it is never logged or echoed, only its redacted form (`redactUrl`).
 */
import { closeStoreDatabases } from './postgres/database';
import { redactUrl } from './postgres/store-error';

/** A MASPO_STORE_URL that is not a PostgreSQL URL: bad input, found before anything connects. */
export class StoreSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreSettingsError';
  }
}

const SCHEMES = ['postgres:', 'postgresql:'];

/** The PostgreSQL URL of the shared store, or undefined for the local files. */
export function storeUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const raw = env.MASPO_STORE_URL?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new StoreSettingsError('MASPO_STORE_URL: not a URL; expected postgres://user:password@host:5432/database');
  }
  if (!SCHEMES.includes(url.protocol)) {
    throw new StoreSettingsError(`MASPO_STORE_URL: ${redactUrl(raw)} is not a PostgreSQL URL; expected postgres://user:password@host:5432/database`);
  }
  return raw;
}

/** Closes the shared store's connections (worker shutdown); a no-op when none were opened. */
export function closeStores(): Promise<void> {
  return closeStoreDatabases();
}
