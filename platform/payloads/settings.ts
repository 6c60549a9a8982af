/**
 * Where the claim-check store lives and from what size payloads leave the history, read from the environment in
 * one place, so the Client (client/temporal/connection.ts), the workers (workers/worker.ts), the codec server and
 * the tests agree: a worker and a client that disagree on the store cannot read each other's references.
 *
 *   MASPO_STORE_URL           `postgres://…`: blobs in that database (platform/stores.ts), for every process that
 *                             has it set; MASPO_PAYLOAD_STORE is then unused
 *   MASPO_PAYLOAD_STORE       blob directory (relative to cwd); default `<MASPO_HOME>/payloads`
 *   MASPO_PAYLOAD_THRESHOLD   bytes; larger payloads are gzipped / claim-checked; 0 disables; default 16384
 *
 * Workers on several machines need one shared store for references to resolve: MASPO_STORE_URL, or one shared
 * directory (e.g. a network mount).
 */
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { maspoHome } from '../home';
import { storeDatabase } from '../postgres/database';
import { storeUrl, StoreSettingsError } from '../stores';
import { BlobStore } from './blob-store';
import { ClaimCheckCodec, DEFAULT_THRESHOLD_BYTES } from './claim-check-codec';
import type { PayloadStore } from './payload-store';
import { PostgresBlobStore } from './postgres-blob-store';

/** A bad MASPO_PAYLOAD_* or MASPO_STORE_URL variable: bad input (the CLI exits 2), found before anything connects. */
export class PayloadSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadSettingsError';
  }
}

export interface PayloadSettings {
  storeDir: string;
  thresholdBytes: number;
  /** MASPO_STORE_URL: when set, blobs live in this PostgreSQL database and `storeDir` is unused. */
  storeUrl?: string;
}

export function payloadSettings(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): PayloadSettings {
  const store = env.MASPO_PAYLOAD_STORE?.trim();
  const threshold = env.MASPO_PAYLOAD_THRESHOLD?.trim();
  if (threshold && !/^\d+$/.test(threshold)) {
    throw new PayloadSettingsError(`MASPO_PAYLOAD_THRESHOLD: expected a whole number of bytes (0 disables the claim-check), got '${threshold}'`);
  }
  const url = sharedStoreUrl(env);
  return {
    storeDir: store ? path.resolve(cwd, store) : path.join(maspoHome(env, cwd), 'payloads'),
    thresholdBytes: threshold ? Number(threshold) : DEFAULT_THRESHOLD_BYTES,
    ...(url ? { storeUrl: url } : {}),
  };
}

/** The blob store these settings name: the shared database when a URL is set, else the directory. */
export function payloadStore(settings: PayloadSettings): PayloadStore {
  return settings.storeUrl ? new PostgresBlobStore(storeDatabase(settings.storeUrl)) : new BlobStore(settings.storeDir);
}

export function claimCheckCodec(settings: PayloadSettings = payloadSettings()): ClaimCheckCodec {
  return new ClaimCheckCodec({ store: payloadStore(settings), thresholdBytes: settings.thresholdBytes });
}

/** The store URL, its problems reported like the other payload settings' (the CLI's bad-input exit). */
function sharedStoreUrl(env: NodeJS.ProcessEnv): string | undefined {
  try {
    return storeUrl(env);
  } catch (err) {
    throw err instanceof StoreSettingsError ? new PayloadSettingsError(err.message) : err;
  }
}

/** The data converter every maspo Client and Worker uses. */
export function maspoDataConverter(settings: PayloadSettings = payloadSettings()): DataConverter {
  return { payloadCodecs: [claimCheckCodec(settings)] };
}
