/**
 * Keeping one long LLM call alive, on both of its sides:
 * - towards Temporal: a single HTTP request can outlast the activity's heartbeat timeout, and without
 *   heartbeats the worker neither proves it is alive nor learns that the activity was cancelled;
 * - towards the transport: Node's fetch (undici) drops a request after 300 s without response headers or
 *   body data, whatever `spec.timeoutMs` says. Long generations of slow or thinking models take longer.
 */
import { activityInfo, heartbeat } from '@temporalio/activity';

/**
 * Heartbeats now and then every `heartbeatTimeout / 2` until the returned function is called. A no-op outside
 * an activity context or when the activity has no heartbeat timeout.
 */
export function startKeepAlive(): () => void {
  let timeoutMs: number | undefined;
  try {
    timeoutMs = activityInfo().heartbeatTimeoutMs;
  } catch {
    return () => {}; // not in an activity context
  }
  if (!timeoutMs || timeoutMs <= 0) return () => {};

  const beat = () => {
    try {
      heartbeat();
    } catch {
      // The context may already be finishing (e.g. cancelled); the call's own abort handling takes over.
    }
  };
  beat();
  const timer = setInterval(beat, Math.max(1, Math.floor(timeoutMs / 2)));
  timer.unref();
  return () => clearInterval(timer);
}

// Node's fetch is undici; its global dispatcher is published under this well-known symbol.
const UNDICI_GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

interface Dispatcher {
  dispatch(options: Record<string, unknown>, handler: unknown): boolean;
}

/**
 * A fetch `dispatcher` that forwards to Node's global one with undici's own headers/body timeouts off, so
 * the activity's per-attempt deadline (`spec.timeoutMs`) is the only clock. Undefined outside Node's undici.
 */
export function undiciWithoutOwnTimeouts(): Dispatcher | undefined {
  const globals = globalThis as unknown as Record<symbol, Dispatcher | undefined>;
  if (!globals[UNDICI_GLOBAL_DISPATCHER]) new Headers(); // makes Node load undici, which installs the dispatcher
  const global = globals[UNDICI_GLOBAL_DISPATCHER];
  if (typeof global?.dispatch !== 'function') return undefined;
  return { dispatch: (options, handler) => global.dispatch({ ...options, headersTimeout: 0, bodyTimeout: 0 }, handler) };
}
