/**
 * What the claim-check codec needs from a blob store: bytes in and out under a sha256 hex digest. Two
 * implementations: files under a directory (blob-store.ts, the default) and a PostgreSQL table
 * (postgres-blob-store.ts, when MASPO_STORE_URL is set). What the digest covers is the codec's business.
 */
export interface PayloadStore {
  /** Stores `bytes` under `digest` unless a blob is already there (idempotent). True when this call wrote it. */
  put(digest: string, bytes: Uint8Array): Promise<boolean>;
  /** The blob of `digest`; `BlobMissingError` when the store does not have it. */
  get(digest: string): Promise<Buffer>;
  /** Where the blob of `digest` is (or would be), for error messages: a file path, a redacted database URL. */
  locate(digest: string): string;
}

const DIGEST = /^[0-9a-f]{64}$/;

export function checkDigest(digest: string): void {
  if (!DIGEST.test(digest)) throw new Error(`payload store: '${digest}' is not a sha256 hex digest`);
}

/** Raised when a history references a blob this store does not have. */
export class BlobMissingError extends Error {
  constructor(
    readonly digest: string,
    message: string,
  ) {
    super(message);
    this.name = 'BlobMissingError';
  }
}
