/**
 * How every command reaches Temporal: the cluster in TEMPORAL_ADDRESS, or the embedded dev server, whose CLI is
 * installed on first use (the idempotent `maspo setup`), so the first `maspo evaluate` on a fresh machine works.
 */
import { payloadSettings } from '../../platform/payloads/settings';
import { connectTemporal, type TemporalConnection } from '../temporal/connection';
import { ensureTemporalCli } from '../temporal/setup';

const info = (line: string) => process.stderr.write(`${line}\n`);

export async function openTemporal(): Promise<TemporalConnection> {
  payloadSettings(); // a bad MASPO_PAYLOAD_* fails here, before anything is installed or started
  if (!process.env.TEMPORAL_ADDRESS?.trim()) await ensureTemporalCli({ log: info });
  return connectTemporal({ log: info });
}
