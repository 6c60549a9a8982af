/**
 * Keeps workflow histories small when LLM prompts and replies are long: a PayloadCodec (Client and Worker both
 * install it) that leaves payloads up to `thresholdBytes` untouched, gzips larger ones, and when the gzip is still
 * larger moves it to a content-addressed blob store, leaving in the history a small JSON reference that names the
 * digest and size and shows the first characters of the content, so the raw history still reads as an audit trail
 * (`temporal workflow show -o json`, or the UI through the codec server in codec-server.ts shows everything).
 *
 * Payload forms (metadata `encoding`):
 *   - anything else                → passed through (e.g. `json/plain`, recorded before this codec existed);
 *   - `binary/maspo-gzip`          → data = gzip(the original Payload protobuf), metadata `maspo-preview` = first chars;
 *   - `binary/maspo-claim-check`   → data = JSON {digest, bytes, stored, encoding, preview}; the blob is the same gzip,
 *                                    and `digest` is sha256 of the original Payload protobuf, checked on every read.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { mapBounded } from '../../core/common/bounded';
import type { PayloadStore } from './payload-store';

export const GZIP_ENCODING = 'binary/maspo-gzip';
export const CLAIM_CHECK_ENCODING = 'binary/maspo-claim-check';
export const PREVIEW_METADATA_KEY = 'maspo-preview';
export const DEFAULT_THRESHOLD_BYTES = 16 * 1024;
export const PREVIEW_CHARS = 200;
/**
 * Payloads of one encode or decode call being (un)zipped at once: Node's threadpool size. Each gzip or gunzip holds
 * a zlib context (~300 KB of native memory) and its output until done, and a workflow task that schedules a batch of
 * calls carries dozens of large payloads; more in flight would only queue for the 4 threads, holding their memory.
 */
const ZLIB_IN_FLIGHT = 4;

/** What a claim-check payload's data holds (JSON). */
export interface ClaimCheckReference {
  /** `sha256:<hex>` of the original Payload, protobuf-serialized (metadata included). */
  digest: string;
  /** Size of the original payload's data. */
  bytes: number;
  /** Size of the blob (gzip) in the store. */
  stored: number;
  /** The original payload's encoding, e.g. `json/plain`. */
  encoding: string;
  /** The first characters of the original data (JSON text), for readers of the raw history. */
  preview: string;
}

export interface ClaimCheckCodecOptions {
  /** A directory (blob-store.ts) or the shared PostgreSQL store (postgres-blob-store.ts); see settings.ts. */
  store: PayloadStore;
  /** Payloads above this many bytes are gzipped, and stored when still above it; 0 disables encoding (decoding stays). */
  thresholdBytes?: number;
}

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);
const PayloadProto = temporal.api.common.v1.Payload;
const utf8 = new TextDecoder();

export class ClaimCheckCodec implements PayloadCodec {
  readonly store: PayloadStore;
  readonly thresholdBytes: number;

  constructor(options: ClaimCheckCodecOptions) {
    this.store = options.store;
    this.thresholdBytes = options.thresholdBytes ?? DEFAULT_THRESHOLD_BYTES;
    if (!Number.isInteger(this.thresholdBytes) || this.thresholdBytes < 0) {
      throw new Error(`payload codec: thresholdBytes must be a whole number >= 0, got ${options.thresholdBytes}`);
    }
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    return mapBounded(payloads, ZLIB_IN_FLIGHT, (p) => this.encodeOne(p));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return mapBounded(payloads, ZLIB_IN_FLIGHT, (p) => this.decodeOne(p));
  }

  private async encodeOne(payload: Payload): Promise<Payload> {
    if (this.thresholdBytes === 0 || payloadSize(payload) <= this.thresholdBytes) return payload;
    const encoding = encodingOf(payload);
    if (encoding === GZIP_ENCODING || encoding === CLAIM_CHECK_ENCODING) return payload;
    const original = PayloadProto.encode(payload).finish();
    const packed = await gzip(original);
    const preview = previewOf(payload);
    const inline: Payload = { metadata: { [METADATA_ENCODING_KEY]: text(GZIP_ENCODING), [PREVIEW_METADATA_KEY]: text(preview) }, data: packed };
    if (payloadSize(inline) <= this.thresholdBytes) return inline;
    // Hashed now, so the serialized copy of the payload is not held while the blob is written.
    const hex = createHash('sha256').update(original).digest('hex');
    return this.checkIn(hex, packed, { bytes: payload.data?.length ?? 0, encoding, preview });
  }

  /** Stores the gzip under the digest and returns the reference that stands for it in the history. */
  private async checkIn(hex: string, packed: Uint8Array, about: Pick<ClaimCheckReference, 'bytes' | 'encoding' | 'preview'>): Promise<Payload> {
    await this.store.put(hex, packed);
    const reference: ClaimCheckReference = { digest: `sha256:${hex}`, bytes: about.bytes, stored: packed.length, encoding: about.encoding, preview: about.preview };
    return { metadata: { [METADATA_ENCODING_KEY]: text(CLAIM_CHECK_ENCODING) }, data: text(JSON.stringify(reference)) };
  }

  private async decodeOne(payload: Payload): Promise<Payload> {
    const encoding = encodingOf(payload);
    if (encoding === GZIP_ENCODING) {
      return PayloadProto.decode(await unpack(payload.data ?? new Uint8Array(), 'inline gzip payload'));
    }
    if (encoding !== CLAIM_CHECK_ENCODING) return payload;

    const reference = parseReference(payload.data);
    const hex = reference.digest.slice('sha256:'.length);
    const where = this.store.locate(hex);
    const original = await unpack(await this.store.get(hex), `payload blob ${where}`);
    const actual = createHash('sha256').update(original).digest('hex');
    if (actual !== hex) {
      throw new Error(`payload blob ${where} is corrupt: its content hashes to sha256:${actual}, the history references ${reference.digest}`);
    }
    return PayloadProto.decode(original);
  }
}

/** Bytes a payload adds to a history: its data and its metadata. */
export function payloadSize(payload: Payload): number {
  let size = payload.data?.length ?? 0;
  for (const [key, value] of Object.entries(payload.metadata ?? {})) size += key.length + (value?.length ?? 0);
  return size;
}

export function encodingOf(payload: Payload): string {
  const raw = payload.metadata?.[METADATA_ENCODING_KEY];
  return raw ? utf8.decode(raw) : '';
}

/** First characters of a JSON payload's text; a size note for binary encodings. */
export function previewOf(payload: Payload): string {
  const encoding = encodingOf(payload);
  const data = payload.data ?? new Uint8Array();
  if (!encoding.startsWith('json/')) return `(${data.length} bytes of ${encoding || 'unknown encoding'})`;
  // 4 bytes per character at most; a character cut at the end decodes to U+FFFD, dropped here.
  const head = utf8.decode(data.subarray(0, PREVIEW_CHARS * 4)).replace(/\uFFFD$/, '');
  const chars = Array.from(head);
  return chars.length > PREVIEW_CHARS ? `${chars.slice(0, PREVIEW_CHARS).join('')}…` : head;
}

function parseReference(data: Uint8Array | null | undefined): ClaimCheckReference {
  let ref: Partial<ClaimCheckReference>;
  try {
    ref = JSON.parse(utf8.decode(data ?? new Uint8Array())) as Partial<ClaimCheckReference>;
  } catch (err) {
    throw new Error(`claim-check payload: the reference is not JSON (${(err as Error).message})`);
  }
  if (typeof ref?.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(ref.digest)) {
    throw new Error(`claim-check payload: digest must be 'sha256:<64 hex>', got ${JSON.stringify(ref?.digest)}`);
  }
  return ref as ClaimCheckReference;
}

async function unpack(bytes: Uint8Array, what: string): Promise<Buffer> {
  try {
    return await gunzip(bytes);
  } catch (err) {
    throw new Error(`${what} is corrupt: ${(err as Error).message}`);
  }
}

function text(s: string): Uint8Array {
  return Buffer.from(s, 'utf8');
}
