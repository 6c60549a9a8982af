/**
 * How a failing shared store reports itself. Every PostgreSQL error (refused connection, timeout, lost connection,
 * a failing statement) leaves the store as one `StoreUnavailableError`: an ordinary Error, so Temporal retries the
 * activity attempt or workflow task it broke (its type name is in no non-retryable list), and the run waits for the
 * database instead of recording a wrong value.
 *
 * Secrets: MASPO_STORE_URL may hold a password. Messages name the store by `redactUrl` and are scrubbed of the
 * password and the raw URL; the driver's error is not attached as `cause` (it may carry connection parameters).
 */

export class StoreUnavailableError extends Error {
  /** SQLSTATE (e.g. `57P01`) or the socket's errno code (e.g. `ECONNREFUSED`), when the driver gave one. */
  readonly code?: string;

  constructor(what: string, url: string, err: unknown) {
    const code = errorCode(err);
    super(scrubUrl(`${what}: the PostgreSQL store at ${redactUrl(url)} failed: ${describe(err)}`, url));
    this.name = 'StoreUnavailableError';
    if (code) this.code = code;
  }
}

/** `postgres://user:***@host:port/database`: where the store is, without its password or query parameters. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const user = u.username ? `${u.username}${u.password ? ':***' : ''}@` : '';
    return `${u.protocol}//${user}${u.host}${u.pathname}`;
  } catch {
    return '(unparseable store URL)';
  }
}

/** `text` without the URL or its password, in raw or percent-decoded form. */
export function scrubUrl(text: string, url: string): string {
  let out = text.split(url).join(redactUrl(url));
  let password = '';
  try {
    password = new URL(url).password;
  } catch {
    // no parseable URL, no password to look for beyond the raw URL itself
  }
  for (const secret of new Set([password, safeDecode(password)])) {
    // A very short password would blank ordinary words; the driver never echoes one, so the URL forms suffice then.
    if (secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}

/** The driver's own words. Duck-typed: errors from Node's net layer may come from another realm (test sandboxes). */
function describe(err: unknown): string {
  const e = err as { message?: unknown; name?: unknown; errors?: unknown } | null;
  if (typeof e?.message !== 'string') return String(err);
  // Node reports a refused connection to a name with several addresses as an AggregateError with an empty message.
  const inner = Array.isArray(e.errors) ? e.errors.map((x: unknown) => describe(x)) : [];
  return e.message || inner.join('; ') || errorCode(err) || String(e.name ?? 'Error');
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code ? code : undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
