/**
 * The claim-check's default blob store, a directory: one file per sha256 digest (`<dir>/sha256/<2 hex>/<64 hex>`),
 * so equal content is stored once. Writes are atomic (a private temp file, fsync, rename) and idempotent (an
 * existing blob is left alone), so concurrent workers storing the same payload cannot leave a torn file. The store
 * holds bytes only; what the digest covers and how the bytes are packed is the codec's business
 * (claim-check-codec.ts). The PostgreSQL store beside it (postgres-blob-store.ts) keeps the same contract.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { BlobMissingError, checkDigest, type PayloadStore } from './payload-store';

export class BlobStore implements PayloadStore {
  constructor(readonly dir: string) {}

  /** Where the blob of `digest` (64 lowercase hex characters) lives. */
  pathOf(digest: string): string {
    checkDigest(digest);
    return path.join(this.dir, 'sha256', digest.slice(0, 2), digest);
  }

  locate(digest: string): string {
    return this.pathOf(digest);
  }

  /** Stores `bytes` under `digest` unless a blob is already there. Returns true when this call wrote it. */
  async put(digest: string, bytes: Uint8Array): Promise<boolean> {
    const file = this.pathOf(digest);
    if (await exists(file)) return false;
    await fs.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
    try {
      const handle = await fs.open(tmp, 'wx');
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      // rename replaces atomically: a concurrent writer of the same digest wrote the same bytes.
      await fs.rename(tmp, file);
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err;
    }
    return true;
  }

  async get(digest: string): Promise<Buffer> {
    const file = this.pathOf(digest);
    try {
      return await fs.readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new BlobMissingError(
          digest,
          `claim-checked payload sha256:${digest} is not in the payload store ${this.dir} (expected ${file}); ` +
            'point MASPO_PAYLOAD_STORE (or MASPO_HOME) at the store the workers wrote to',
        );
      }
      throw err;
    }
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
