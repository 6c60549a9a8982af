/**
 * Where the claim-check store lives and from what size payloads leave the history, read from the environment in
 * one place, so the Client (client/temporal/connection.ts), the workers (workers/worker.ts), the codec server and
 * the tests agree: a worker and a client that disagree on the store cannot read each other's references.
 *
 *   MASPO_PAYLOAD_STORE       blob directory (relative to cwd); default `<MASPO_HOME>/payloads`
 *   MASPO_PAYLOAD_THRESHOLD   bytes; larger payloads are gzipped / claim-checked; 0 disables; default 16384
 *
 * Workers on several machines need one shared directory (e.g. a network mount) for references to resolve.
 */
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { maspoHome } from '../home';
import { BlobStore } from './blob-store';
import { ClaimCheckCodec, DEFAULT_THRESHOLD_BYTES } from './claim-check-codec';

/** A bad MASPO_PAYLOAD_* variable: bad input (the CLI exits 2), found before anything connects or starts. */
export class PayloadSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadSettingsError';
  }
}

export interface PayloadSettings {
  storeDir: string;
  thresholdBytes: number;
}

export function payloadSettings(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): PayloadSettings {
  const store = env.MASPO_PAYLOAD_STORE?.trim();
  const threshold = env.MASPO_PAYLOAD_THRESHOLD?.trim();
  if (threshold && !/^\d+$/.test(threshold)) {
    throw new PayloadSettingsError(`MASPO_PAYLOAD_THRESHOLD: expected a whole number of bytes (0 disables the claim-check), got '${threshold}'`);
  }
  return {
    storeDir: store ? path.resolve(cwd, store) : path.join(maspoHome(env, cwd), 'payloads'),
    thresholdBytes: threshold ? Number(threshold) : DEFAULT_THRESHOLD_BYTES,
  };
}

export function claimCheckCodec(settings: PayloadSettings = payloadSettings()): ClaimCheckCodec {
  return new ClaimCheckCodec({ store: new BlobStore(settings.storeDir), thresholdBytes: settings.thresholdBytes });
}

/** The data converter every maspo Client and Worker uses. */
export function maspoDataConverter(settings: PayloadSettings = payloadSettings()): DataConverter {
  return { payloadCodecs: [claimCheckCodec(settings)] };
}
