/**
 * The claim-check's blob store in PostgreSQL (MASPO_STORE_URL): table `maspo_payload_blobs`, one row per digest,
 * so workers on any host read what any other wrote. Same contract as the directory store (blob-store.ts):
 *   - put is idempotent: `INSERT … ON CONFLICT DO NOTHING`, so a retried or concurrent write of a digest is harmless
 *     and the first stored bytes stay;
 *   - get checks the row's bytes against the sha256 written beside them and refuses a mismatch (the codec then
 *     checks the unpacked content against the digest as well);
 *   - a database that is down or failing raises `StoreUnavailableError` (retryable); a row that is not there is
 *     `BlobMissingError`. The two are never confused.
 */
import { createHash } from 'node:crypto';
import type { StoreDatabase } from '../postgres/database';
import { redactUrl } from '../postgres/store-error';
import { BlobMissingError, checkDigest, type PayloadStore } from './payload-store';

export class PostgresBlobStore implements PayloadStore {
  constructor(private readonly db: StoreDatabase) {}

  locate(digest: string): string {
    checkDigest(digest);
    return `sha256:${digest} in maspo_payload_blobs at ${redactUrl(this.db.url)}`;
  }

  async put(digest: string, bytes: Uint8Array): Promise<boolean> {
    checkDigest(digest);
    const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const rows = await this.db.query(
      'storing a payload blob',
      'INSERT INTO maspo_payload_blobs (digest, data, data_sha256) VALUES ($1, $2, $3) ON CONFLICT (digest) DO NOTHING RETURNING digest',
      [digest, data, sha256(data)],
    );
    return rows.length === 1;
  }

  async get(digest: string): Promise<Buffer> {
    checkDigest(digest);
    const rows = await this.db.query<{ data: Buffer; data_sha256: Buffer }>(
      'reading a payload blob',
      'SELECT data, data_sha256 FROM maspo_payload_blobs WHERE digest = $1',
      [digest],
    );
    const row = rows[0];
    if (!row) {
      throw new BlobMissingError(
        digest,
        `claim-checked payload sha256:${digest} is not in the payload store ${redactUrl(this.db.url)}; ` +
          'point MASPO_STORE_URL at the store the workers wrote to',
      );
    }
    const actual = sha256(row.data);
    if (!actual.equals(row.data_sha256)) {
      throw new Error(
        `payload blob ${this.locate(digest)} is corrupt: its bytes hash to sha256:${actual.toString('hex')}, ` +
          `the row records sha256:${row.data_sha256.toString('hex')}`,
      );
    }
    return row.data;
  }
}

function sha256(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}
