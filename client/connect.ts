/**
 * How every command reaches Temporal: the cluster in TEMPORAL_ADDRESS, or the embedded dev server, whose CLI is
 * installed on first use (the idempotent `maspo setup`), so the first `maspo evaluate` on a fresh machine works.
 */
import { payloadSettings } from '../platform/payloads/settings';
import { connectTemporal, type TemporalConnection } from './temporal/connection';
import type { Log } from './temporal/dev-server';
import { ensureTemporalCli } from './temporal/setup';

const stderrLine: Log = (line) => process.stderr.write(`${line}\n`);

/** Connects like the CLI does; progress lines (installing, starting the dev server) go to `log` (default stderr). */
export async function openTemporal(opts: { log?: Log } = {}): Promise<TemporalConnection> {
  const log = opts.log ?? stderrLine;
  payloadSettings(); // a bad MASPO_PAYLOAD_* fails here, before anything is installed or started
  if (!process.env.TEMPORAL_ADDRESS?.trim()) await ensureTemporalCli({ log });
  return connectTemporal({ log });
}

/** Runs `job` on a fresh connection and closes it afterwards. */
export async function withConnection<T>(job: (temporal: TemporalConnection) => Promise<T>): Promise<T> {
  const temporal = await openTemporal();
  try {
    return await job(temporal);
  } finally {
    await temporal.close();
  }
}
