/**
 * The claim-check payload codec (platform/payloads): small payloads untouched, large ones gzipped or moved to the
 * content-addressed store behind a readable reference, digests checked on read, clear errors for lost or damaged
 * blobs, the codec HTTP endpoint for the UI, and one real evaluation on the dev server whose LLM replies are above
 * 1 MiB: its history holds only references, and every large value reaches its reader intact.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { BlobStore } from '../platform/payloads/blob-store';
import {
  CLAIM_CHECK_ENCODING,
  ClaimCheckCodec,
  encodingOf,
  GZIP_ENCODING,
  payloadSize,
  PREVIEW_METADATA_KEY,
  type ClaimCheckReference,
} from '../platform/payloads/claim-check-codec';
import { startCodecServer } from '../platform/payloads/codec-server';
import { maspoDataConverter, payloadSettings } from '../platform/payloads/settings';
import { startEvaluation } from '../client/evaluate';
import { createMaspoWorkers, runWorkers } from '../workers/worker';
import { CHAIN_YAML, inputFrom } from './support/evaluation';
import { chatCompletion, startFakeOpenAiServer } from './support/fake-openai-server';
import { useTestEnv } from './support/temporal';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'maspo-payloads-'));
const codecIn = (dir: string, thresholdBytes = 16 * 1024) => new ClaimCheckCodec({ store: new BlobStore(dir), thresholdBytes });
const json = (value: unknown): Payload => defaultPayloadConverter.toPayload(value)!;
const dataText = (p: Payload) => Buffer.from(p.data!).toString('utf8');

/** Text that gzip cannot squeeze below the threshold: seeded random words from a 64-word vocabulary. */
function prose(bytes: number, seed: number): string {
  const words = Array.from({ length: 64 }, (_, i) => `w${(i * 2654435761 + seed) % 99991}`);
  let state = seed >>> 0 || 1;
  const out: string[] = [];
  let size = 0;
  while (size < bytes) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const word = words[state >>> 26];
    out.push(word);
    size += word.length + 1;
  }
  return out.join(' ');
}

describe('claim-check codec', () => {
  test('payloads up to the threshold pass through untouched (the same object)', async () => {
    const codec = codecIn(tempDir());
    // data and metadata count: 16,384 bytes in all
    const small = json({ text: 'x'.repeat(16 * 1024 - 29) });
    expect(payloadSize(small)).toBe(16 * 1024);
    const [encoded] = await codec.encode([small]);
    expect(encoded).toBe(small);
    expect(await codec.decode([encoded])).toEqual([small]);
  });

  test('a large compressible payload is gzipped inline with a readable preview, and decodes to the original', async () => {
    const dir = tempDir();
    const codec = codecIn(dir);
    const value = { role: 'judge', text: 'Step 1: 25 × 3 = 75. '.repeat(3000) };
    const original = json(value);
    const [encoded] = await codec.encode([original]);
    expect(encodingOf(encoded)).toBe(GZIP_ENCODING);
    expect(encoded.data!.length).toBeLessThan(16 * 1024);
    expect(Buffer.from(encoded.metadata![PREVIEW_METADATA_KEY]!).toString()).toMatch(/^\{"role":"judge","text":"Step 1: 25 × 3 = 75\. /);
    expect(fs.existsSync(path.join(dir, 'sha256'))).toBe(false);
    const [decoded] = await codec.decode([encoded]);
    expect(defaultPayloadConverter.fromPayload(decoded)).toEqual(value);
  });

  test('a large incompressible payload goes to the store behind a reference (digest, size, preview) and round-trips', async () => {
    const dir = tempDir();
    const codec = codecIn(dir);
    const value = { text: prose(300_000, 7) };
    const original = json(value);
    const [encoded] = await codec.encode([original]);
    expect(encodingOf(encoded)).toBe(CLAIM_CHECK_ENCODING);
    expect(encoded.data!.length).toBeLessThan(600);
    const ref = JSON.parse(dataText(encoded)) as ClaimCheckReference;
    const expectedDigest = createHash('sha256').update(temporal.api.common.v1.Payload.encode(original).finish()).digest('hex');
    expect(ref).toMatchObject({ digest: `sha256:${expectedDigest}`, bytes: original.data!.length, encoding: 'json/plain' });
    expect(ref.preview).toBe(`${dataText(original).slice(0, 200)}…`);
    const blob = new BlobStore(dir).pathOf(expectedDigest);
    expect(fs.statSync(blob).size).toBe(ref.stored);

    const [decoded] = await codec.decode([encoded]);
    expect(Buffer.from(decoded.data!).equals(Buffer.from(original.data!))).toBe(true);
    expect(encodingOf(decoded)).toBe('json/plain');
  });

  test('storing is idempotent: the same payload twice gives the same reference, one blob, no temp files', async () => {
    const dir = tempDir();
    const codec = codecIn(dir);
    const original = json({ text: prose(100_000, 3) });
    const [a, b] = await codec.encode([original, original]);
    const [c] = await codec.encode([original]);
    expect(dataText(a)).toBe(dataText(b));
    expect(dataText(c)).toBe(dataText(a));
    const files = fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    expect(files.map((f) => f.name)).toEqual([JSON.parse(dataText(a)).digest.slice('sha256:'.length)]);
    expect(await new BlobStore(dir).put(JSON.parse(dataText(a)).digest.slice(7), Buffer.from('other'))).toBe(false);
  });

  test('a blob whose content does not match its digest is refused, naming the file and both digests', async () => {
    const dir = tempDir();
    const codec = codecIn(dir);
    const [encoded] = await codec.encode([json({ text: prose(100_000, 1) })]);
    const ref = JSON.parse(dataText(encoded)) as ClaimCheckReference;
    const file = new BlobStore(dir).pathOf(ref.digest.slice(7));
    // a valid gzip of another payload: decompresses fine, hashes differently
    fs.writeFileSync(file, zlib.gzipSync(temporal.api.common.v1.Payload.encode(json({ text: 'tampered' })).finish()));
    await expect(codec.decode([encoded])).rejects.toThrow(new RegExp(`payload blob ${file} is corrupt: its content hashes to sha256:[0-9a-f]{64}, the history references ${ref.digest}`));
    fs.writeFileSync(file, 'not gzip');
    await expect(codec.decode([encoded])).rejects.toThrow(`payload blob ${file} is corrupt`);
  });

  test('a missing blob fails with the digest and the store path', async () => {
    const dir = tempDir();
    const [encoded] = await codecIn(dir).encode([json({ text: prose(100_000, 2) })]);
    const ref = JSON.parse(dataText(encoded)) as ClaimCheckReference;
    const other = tempDir();
    await expect(codecIn(other).decode([encoded])).rejects.toThrow(
      `claim-checked payload ${ref.digest} is not in the payload store ${other} (expected ${new BlobStore(other).pathOf(ref.digest.slice(7))})`,
    );
  });

  test('threshold 0 disables encoding, while references written earlier still decode', async () => {
    const dir = tempDir();
    const off = codecIn(dir, 0);
    const big = json({ text: prose(100_000, 4) });
    const [same] = await off.encode([big]);
    expect(same).toBe(big);
    const [ref] = await codecIn(dir).encode([big]);
    expect(encodingOf(ref)).toBe(CLAIM_CHECK_ENCODING);
    const [decoded] = await off.decode([ref]);
    expect(Buffer.from(decoded.data!).equals(Buffer.from(big.data!))).toBe(true);
  });

  test('settings: store and threshold from the environment; a bad threshold names the variable', () => {
    expect(payloadSettings({}, '/p')).toEqual({ storeDir: '/p/.maspo/payloads', thresholdBytes: 16384 });
    expect(payloadSettings({ MASPO_HOME: 'h' }, '/p')).toEqual({ storeDir: '/p/h/payloads', thresholdBytes: 16384 });
    expect(payloadSettings({ MASPO_PAYLOAD_STORE: 'blobs', MASPO_PAYLOAD_THRESHOLD: '0' }, '/p')).toEqual({ storeDir: '/p/blobs', thresholdBytes: 0 });
    expect(() => payloadSettings({ MASPO_PAYLOAD_THRESHOLD: '16k' }, '/p')).toThrow(/^MASPO_PAYLOAD_THRESHOLD: expected a whole number of bytes .* got '16k'$/);
  });
});

describe('codec endpoint for the Temporal UI', () => {
  test('POST /decode resolves references, answers CORS only for the UI origin, reports a lost blob inline', async () => {
    const dir = tempDir();
    const codec = codecIn(dir);
    const server = await startCodecServer({ codec, port: 0, allowedOrigins: ['http://127.0.0.1:8233'] });
    try {
      const value = { text: prose(100_000, 5) };
      const [encoded] = await codec.encode([json(value)]);
      const wire = (p: Payload) => ({
        metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
        data: Buffer.from(p.data!).toString('base64'),
      });
      const post = (route: string, body: unknown, origin = 'http://127.0.0.1:8233') =>
        fetch(`${server.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json', origin, 'x-namespace': 'default' }, body: JSON.stringify(body) });

      const preflight = await fetch(`${server.url}/decode`, { method: 'OPTIONS', headers: { origin: 'http://127.0.0.1:8233', 'access-control-request-headers': 'content-type,x-namespace' } });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/X-Namespace/);

      const res = await post('/decode', { payloads: [wire(encoded), wire(json('small'))] });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
      expect(body.payloads.map((p) => JSON.parse(Buffer.from(p.data, 'base64').toString()))).toEqual([value, 'small']);
      expect(Buffer.from(body.payloads[0].metadata.encoding, 'base64').toString()).toBe('json/plain');

      expect((await post('/decode', { payloads: [] }, 'http://evil.example')).status).toBe(403);
      expect((await post('/decode', { nope: 1 })).status).toBe(400);

      fs.rmSync(dir, { recursive: true });
      const lost = (await (await post('/decode', { payloads: [wire(encoded)] })).json()) as { payloads: Array<{ data: string }> };
      const shown = JSON.parse(Buffer.from(lost.payloads[0].data, 'base64').toString());
      expect(shown.maspoCodecError).toMatch(/is not in the payload store/);
      expect(shown.reference.preview).toMatch(/^\{"text":"w/);
    } finally {
      await server.close();
    }
  });
});

const getEnv = useTestEnv();

describe('claim-check on a real dev server', () => {
  test('an evaluation with 1.5 MiB LLM replies keeps only references in its history; every large value arrives intact', async () => {
    const env = getEnv();
    if (!env) return;
    const home = tempDir();
    const store = path.join(home, 'payloads');
    const llm = await startFakeOpenAiServer();
    const solverReply = `${prose(1.5 * 2 ** 20, 11)} <answer>7</answer>`;
    const reviewerReply = `${prose(1.2 * 2 ** 20, 12)} <answer>424242</answer>`;
    let reviewerSawSolver = false;
    llm.handle((req) => {
      const prompt = (req.body as { messages: Array<{ content: string }> }).messages[0].content;
      if (!prompt.startsWith('Verify')) return chatCompletion(solverReply);
      reviewerSawSolver = prompt.includes(solverReply);
      return chatCompletion(reviewerReply);
    });
    const input = await inputFrom(CHAIN_YAML, (t) =>
      t.replace('size: 12', 'size: 1').replace('backbone: { provider: sim, model: sim-agent }', `backbone: { provider: openai, model: big-replies, baseURL: "${llm.baseURL}" }`),
    );
    const workerEnv = { ...process.env, MASPO_PAYLOAD_STORE: store, MASPO_PAYLOAD_THRESHOLD: '16384' };
    const namespace = env.namespace ?? 'default';
    const workers = await createMaspoWorkers({ connection: env.nativeConnection, namespace, taskQueue: input.taskQueue, cacheDir: path.join(home, 'cache'), env: workerEnv });
    const running = runWorkers(workers);
    const client = new Client({ connection: env.connection, namespace, dataConverter: maspoDataConverter(payloadSettings(workerEnv)) });
    try {
      const id = `eval-${input.taskQueue}`;
      const result = await (await startEvaluation(client, input, id)).result();
      // the reviewer's prompt held the solver's whole reply; the grader read the answer at the end of the reviewer's
      expect(reviewerSawSolver).toBe(true);
      expect(result.records[0]).toMatchObject({ predicted: '424242', outputPreview: expect.stringMatching(/^w\d+ w\d+/) });

      const history = await client.workflow.getHandle(`${id}/batch-0`).fetchHistory();
      const historyBytes = temporal.api.history.v1.History.encode(history).finish().length;
      const payloads: Payload[] = [];
      for (const ev of history.events!) {
        for (const p of ev.activityTaskScheduledEventAttributes?.input?.payloads ?? []) payloads.push(p);
        for (const p of ev.activityTaskCompletedEventAttributes?.result?.payloads ?? []) payloads.push(p);
        for (const d of Object.values(ev.markerRecordedEventAttributes?.details ?? {})) payloads.push(...(d.payloads ?? []));
      }
      const refs = payloads.filter((p) => encodingOf(p) === CLAIM_CHECK_ENCODING);
      // solver reply, reviewer prompt, reviewer reply, grader input: 2.7 MiB of replies, over 5 MiB of payloads in all
      expect(refs.length).toBeGreaterThanOrEqual(4);
      expect(Math.max(...refs.map((p) => p.data!.length))).toBeLessThan(1024);
      expect(Math.max(...payloads.map(payloadSize))).toBeLessThanOrEqual(16 * 1024);
      expect(historyBytes).toBeLessThan(64 * 1024);
      const blobs = fs.readdirSync(path.join(store, 'sha256'), { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
      expect(blobs.length).toBeGreaterThanOrEqual(4);

      // the solver's reply, read back from the history through the client's codec, is byte-identical
      const solverCall = history.events!.find((ev) => ev.activityTaskScheduledEventAttributes?.activityType?.name === 'llmCall')!;
      const completed = history.events!.find((ev) => String(ev.activityTaskCompletedEventAttributes?.scheduledEventId) === String(solverCall.eventId))!
        .activityTaskCompletedEventAttributes!;
      const [decoded] = await client.options.loadedDataConverter.payloadCodecs[0].decode([completed.result!.payloads![0] as Payload]);
      expect((defaultPayloadConverter.fromPayload(decoded) as { text: string }).text).toBe(solverReply);
    } finally {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await running;
      await llm.close();
      fs.rmSync(home, { recursive: true, force: true });
    }
  }, 120_000);
});
