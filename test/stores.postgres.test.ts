/**
 * The shared store on a real PostgreSQL (MASPO_STORE_URL): schema migrations under an advisory lock, the LLM response
 * cache and the claim-check blob store (idempotent content-addressed writes, hash-checked reads, damaged rows), a
 * store that is down (a retryable error, the password never shown), the codec across two "hosts" and across two
 * processes, and the LLM activity answering a repeated call from PostgreSQL. Unset, everything stays on files.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { Client } from 'pg';
import { Client as TemporalClient } from '@temporalio/client';
import { defaultPayloadConverter, ensureApplicationFailure, type Payload } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { NON_RETRYABLE_LLM_ERRORS, type LlmRequest, type ModelSpec } from '../core/contracts/llm';
import { createLlmActivities } from '../activities/llm/activity';
import { cacheKey, ResponseCache } from '../activities/llm/cache';
import { PostgresReplyCache } from '../activities/llm/cache-postgres';
import { responseCacheFor } from '../activities/llm/cache-store';
import type { LlmProvider, ProviderReply } from '../activities/llm/providers/types';
import { BlobStore } from '../platform/payloads/blob-store';
import { CLAIM_CHECK_ENCODING, encodingOf, type ClaimCheckReference } from '../platform/payloads/claim-check-codec';
import { BlobMissingError } from '../platform/payloads/payload-store';
import { PostgresBlobStore } from '../platform/payloads/postgres-blob-store';
import { claimCheckCodec, maspoDataConverter, payloadSettings, payloadStore, PayloadSettingsError } from '../platform/payloads/settings';
import { storeDatabase } from '../platform/postgres/database';
import { MIGRATIONS, migrate } from '../platform/postgres/migrations';
import { redactUrl, scrubUrl, StoreUnavailableError } from '../platform/postgres/store-error';
import { closeStores, storeUrl } from '../platform/stores';
import { startEvaluation } from '../client/evaluate';
import { createMaspoWorkers, runWorkers } from '../workers/worker';
import { CHAIN_YAML, inputFrom } from './support/evaluation';
import { chatCompletion, startFakeOpenAiServer } from './support/fake-openai-server';
import { describeWithPostgres, startTestPostgres, type TestPostgres } from './support/postgres';
import { ROOT } from './support/processes';
import { useTestEnv } from './support/temporal';

const spec: ModelSpec = { provider: 'gemini', model: 'gemini-2.5-pro', apiKeyEnv: 'GEMINI_API_KEY', temperature: 0, maxTokens: 10, timeoutMs: 5000 };
const request: LlmRequest = { role: 'judge', messages: [{ role: 'user', content: 'Is 2 + 2 = 4?' }], sampleIndex: 0 };
const key = cacheKey(spec, request);
const reply: ProviderReply = {
  text: 'yes',
  empty: false,
  finishReason: { unified: 'stop', raw: 'STOP' },
  usage: { inputTokens: 3, outputTokens: 1, totalTokens: 4 },
  provider: 'gemini',
  model: 'gemini-2.5-pro',
};
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const tempDirs: string[] = [];
const tempDir = () => {
  tempDirs.push(fs.mkdtempSync(path.join(os.tmpdir(), 'maspo-stores-')));
  return tempDirs[tempDirs.length - 1];
};
afterAll(() => tempDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
const json = (value: unknown): Payload => defaultPayloadConverter.toPayload(value)!;

/** Text gzip cannot squeeze below the 16 KiB threshold, so the codec claim-checks it. */
function incompressible(bytes: number, seed: number): string {
  let state = seed >>> 0 || 1;
  let out = '';
  while (out.length < bytes) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out += `${state.toString(36)} `;
  }
  return out;
}

/** A provider answering `reply`, counting its calls. */
function countingProvider(): { provider: LlmProvider; calls: { count: number } } {
  const calls = { count: 0 };
  const complete = async (): Promise<ProviderReply> => {
    calls.count++;
    return reply;
  };
  return { provider: { name: 'gemini', complete }, calls };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

describe('MASPO_STORE_URL (no database needed)', () => {
  test('unset: the payload store and the response cache stay on files, exactly as before', () => {
    const dir = tempDir();
    expect(storeUrl({})).toBeUndefined();
    expect(payloadSettings({ MASPO_HOME: dir }, '/')).toEqual({ storeDir: path.join(dir, 'payloads'), thresholdBytes: 16384 });
    expect(payloadStore(payloadSettings({ MASPO_HOME: dir }, '/'))).toBeInstanceOf(BlobStore);
    expect(responseCacheFor(dir, {})).toBeInstanceOf(ResponseCache);
  });

  test('set: both go to PostgreSQL; the URL is kept for the pool but shown only redacted', () => {
    const url = 'postgres://maspo:s3cr%40t-pw@db.example:5432/maspo?sslmode=require';
    const settings = payloadSettings({ MASPO_STORE_URL: ` ${url} ` }, '/');
    expect(settings.storeUrl).toBe(url);
    expect(payloadStore(settings)).toBeInstanceOf(PostgresBlobStore);
    expect(responseCacheFor('/unused', { MASPO_STORE_URL: url })).toBeInstanceOf(PostgresReplyCache);
    expect(redactUrl(url)).toBe('postgres://maspo:***@db.example:5432/maspo');
    expect(scrubUrl(`failed at ${url}; password s3cr@t-pw`, url)).toBe('failed at postgres://maspo:***@db.example:5432/maspo; password ***');
  });

  test('a URL that is not PostgreSQL is bad input, named without its password', () => {
    const err = (() => {
      try {
        payloadSettings({ MASPO_STORE_URL: 'mysql://root:hunter22@db/maspo' }, '/');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(PayloadSettingsError);
    expect(err!.message).toBe('MASPO_STORE_URL: mysql://root:***@db/maspo is not a PostgreSQL URL; expected postgres://user:password@host:5432/database');
    expect(() => storeUrl({ MASPO_STORE_URL: 'not a url hunter22' })).toThrow(/^MASPO_STORE_URL: not a URL; expected postgres:/);
    expect(() => storeUrl({ MASPO_STORE_URL: 'not a url hunter22' })).not.toThrow(/hunter22/);
  });
});

describeWithPostgres('shared store on PostgreSQL', () => {
  let pg: TestPostgres;
  let databases = 0;
  const freshDatabase = () => pg.createDatabase(`maspo_${++databases}`);
  /** Plain SQL on the store's database, for inspecting and damaging rows behind the store's back. */
  async function sql<R extends Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<R>(text, values)).rows;
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    pg = await startTestPostgres();
  }, 120_000);
  afterAll(async () => {
    await closeStores();
    await pg?.remove();
  });

  describe('schema migrations', () => {
    test('first use by many processes at once applies each version exactly once', async () => {
      const url = await freshDatabase();
      const clients = Array.from({ length: 6 }, () => new Client({ connectionString: url }));
      await Promise.all(clients.map((c) => c.connect()));
      try {
        const applied = await Promise.all(clients.map((c) => migrate(c)));
        expect(applied.flat()).toEqual(MIGRATIONS.map((m) => m.version));
        expect(await migrate(clients[0])).toEqual([]);
      } finally {
        await Promise.all(clients.map((c) => c.end()));
      }
      expect(await sql(url, 'SELECT version FROM maspo_schema_migrations ORDER BY version')).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
    });
  });

  describe('LLM response cache', () => {
    let url: string;
    let cache: PostgresReplyCache;
    beforeAll(async () => {
      url = await freshDatabase();
      cache = new PostgresReplyCache(storeDatabase(url));
      expect(await cache.get(key)).toBeUndefined(); // first use: creates the tables
    });
    beforeEach(() => sql(url, 'DELETE FROM maspo_llm_cache'));

    test('a miss, then the stored reply; the row holds the entry, its key and its sha256', async () => {
      expect(await cache.get(key)).toBeUndefined();
      await cache.put(key, reply);
      expect(await cache.get(key)).toEqual(reply);
      const [row] = await sql<{ key: string; entry: Buffer; entry_sha256: Buffer }>(url, 'SELECT key, entry, entry_sha256 FROM maspo_llm_cache');
      expect(row.key).toBe(key);
      expect(JSON.parse(row.entry.toString('utf8'))).toMatchObject({ key, reply });
      expect(row.entry_sha256.toString('hex')).toBe(sha256(row.entry));
    });

    test('puts are idempotent: a repeated or concurrent put leaves one row, the first reply', async () => {
      await cache.put(key, reply);
      await Promise.all([cache.put(key, { ...reply, text: 'other' }), cache.put(key, reply), cache.put(key, { ...reply, text: 'third' })]);
      expect(await cache.get(key)).toEqual(reply);
      expect(await sql(url, 'SELECT count(*)::int AS n FROM maspo_llm_cache')).toEqual([{ n: 1 }]);
    });

    test.each<[string, string]>([
      ['bytes that no longer match their sha256', `UPDATE maspo_llm_cache SET entry = convert_to(replace(convert_from(entry, 'UTF8'), '"yes"', '"no"'), 'UTF8')`],
      [
        'the entry of another key (sha256 consistent)',
        `UPDATE maspo_llm_cache SET entry = convert_to(replace(convert_from(entry, 'UTF8'), key, repeat('0', 64)), 'UTF8'),
                entry_sha256 = sha256(convert_to(replace(convert_from(entry, 'UTF8'), key, repeat('0', 64)), 'UTF8'))`,
      ],
      ['not an entry (sha256 consistent)', `UPDATE maspo_llm_cache SET entry = '\\x5b315d', entry_sha256 = sha256('\\x5b315d')`],
    ])('a damaged row (%s) reads as a miss, is removed, and the next put stores a good one', async (_name, damage) => {
      await cache.put(key, reply);
      await sql(url, damage);
      expect(await cache.get(key)).toBeUndefined();
      expect(await sql(url, 'SELECT count(*)::int AS n FROM maspo_llm_cache')).toEqual([{ n: 0 }]);
      await cache.put(key, reply);
      expect(await cache.get(key)).toEqual(reply);
    });

    test('anything that is not a key is refused on put and misses on get', async () => {
      await expect(cache.put("x'; DROP TABLE maspo_llm_cache; --", reply)).rejects.toThrow(/not a response cache key/);
      expect(await cache.get('../x')).toBeUndefined();
    });
  });

  describe('payload blob store', () => {
    let url: string;
    let store: PostgresBlobStore;
    const bytes = Buffer.from('gzip bytes of some payload');
    const digest = sha256(Buffer.from('the unpacked payload this digest names'));
    beforeAll(async () => {
      url = await freshDatabase();
      store = new PostgresBlobStore(storeDatabase(url));
    });

    test('put then get round-trips; a second put of the digest writes nothing and keeps the first bytes', async () => {
      expect(await store.put(digest, bytes)).toBe(true);
      expect(await store.get(digest)).toEqual(bytes);
      expect(await store.put(digest, Buffer.from('other'))).toBe(false);
      expect(await store.get(digest)).toEqual(bytes);
    });

    test('concurrent puts of one digest from several connections: exactly one writes, one row', async () => {
      const d = sha256(Buffer.from('concurrent'));
      const other = new PostgresBlobStore(storeDatabase(url));
      const results = await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 ? store : other).put(d, bytes)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await sql(url, 'SELECT count(*)::int AS n FROM maspo_payload_blobs WHERE digest = $1', [d])).toEqual([{ n: 1 }]);
    });

    test('tampered bytes are refused, naming the digest and both hashes', async () => {
      const d = sha256(Buffer.from('tamper me'));
      await store.put(d, bytes);
      await sql(url, `UPDATE maspo_payload_blobs SET data = '\\x00' || data WHERE digest = $1`, [d]);
      const err = await rejection(store.get(d));
      expect(err.message).toMatch(new RegExp(`^payload blob sha256:${d} in maspo_payload_blobs at postgres://maspo_test:\\*\\*\\*@127\\.0\\.0\\.1:\\d+/maspo_\\d+ is corrupt: its bytes hash to sha256:[0-9a-f]{64}, the row records sha256:${sha256(bytes)}$`));
    });

    test('a missing blob is BlobMissingError naming the redacted store and MASPO_STORE_URL', async () => {
      const d = sha256(Buffer.from('never stored'));
      const err = await rejection(store.get(d));
      expect(err).toBeInstanceOf(BlobMissingError);
      expect(err.message).toBe(`claim-checked payload sha256:${d} is not in the payload store ${redactUrl(url)}; point MASPO_STORE_URL at the store the workers wrote to`);
      expect(err.message).not.toContain(pg.password);
    });
  });

  test('a wrong password is refused without showing it', async () => {
    const wrong = 'wrong-Secret-pw';
    const url = pg.urlFor('postgres').replace(encodeURIComponent(pg.password), wrong);
    const err = await rejection(new PostgresReplyCache(storeDatabase(url)).get(key));
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect(err.message).toMatch(/password authentication failed/);
    expect(inspect(err)).not.toContain(wrong);
  });

  describe('claim-check codec across hosts', () => {
    test('one host encodes, another (own MASPO_HOME, no shared disk) decodes, and so does another process', async () => {
      const url = await freshDatabase();
      const [homeA, homeB] = [tempDir(), tempDir()];
      const writer = claimCheckCodec(payloadSettings({ MASPO_STORE_URL: url, MASPO_HOME: homeA }));
      const reader = claimCheckCodec(payloadSettings({ MASPO_STORE_URL: url, MASPO_HOME: homeB }));
      const original = json({ text: incompressible(200_000, 5) });
      const [encoded] = await writer.encode([original]);
      expect(encodingOf(encoded)).toBe(CLAIM_CHECK_ENCODING);
      const ref = JSON.parse(Buffer.from(encoded.data!).toString('utf8')) as ClaimCheckReference;
      expect(await sql(url, 'SELECT digest FROM maspo_payload_blobs')).toEqual([{ digest: ref.digest.slice('sha256:'.length) }]);
      expect(fs.existsSync(path.join(homeA, 'payloads'))).toBe(false);

      const [decoded] = await reader.decode([encoded]);
      expect(Buffer.from(decoded.data!).equals(Buffer.from(original.data!))).toBe(true);

      const child = await decodeInChildProcess(encoded, { ...process.env, MASPO_STORE_URL: url, MASPO_HOME: tempDir(), MASPO_PAYLOAD_STORE: '' });
      expect(child).toEqual({ code: 0, out: `${original.data!.length} ${sha256(original.data!)}` });
    }, 60_000);
  });

  describe('LLM activity through the cache factory', () => {
    test('a repeated call is answered from PostgreSQL, also by a fresh pool, without calling the provider', async () => {
      const url = await freshDatabase();
      const env = { MASPO_STORE_URL: url, GEMINI_API_KEY: 'k' };
      const { provider, calls } = countingProvider();
      const llmCall = () => new MockActivityEnvironment().run(createLlmActivities({ providers: { gemini: provider }, cache: responseCacheFor(tempDir(), env), env }).llmCall, spec, request);

      expect(await llmCall()).toMatchObject({ text: 'yes', cached: false });
      expect(await llmCall()).toEqual({ ...reply, cached: true, latencyMs: 0, role: request.role });
      await closeStores(); // as after a worker's shutdown: the next worker opens its own pool
      expect(await llmCall()).toMatchObject({ text: 'yes', cached: true });
      expect(calls.count).toBe(1);
      expect(await sql(url, 'SELECT key FROM maspo_llm_cache')).toEqual([{ key }]);
    });
  });

  describe('a store that is down', () => {
    let url: string;
    const digest = sha256(Buffer.from('stored before the outage'));
    beforeAll(async () => {
      url = await freshDatabase();
      await new PostgresBlobStore(storeDatabase(url)).put(digest, Buffer.from('blob'));
      await new PostgresReplyCache(storeDatabase(url)).put(key, reply);
      await pg.stop();
    }, 60_000);
    afterAll(() => pg.start(), 60_000);

    const downError = async (promise: Promise<unknown>) => {
      const err = await rejection(promise);
      expect(err).toBeInstanceOf(StoreUnavailableError);
      expect(err.message).toMatch(/: the PostgreSQL store at postgres:\/\/maspo_test:\*\*\*@127\.0\.0\.1:\d+\/\w+ failed: connect ECONNREFUSED /);
      expect(err.message).not.toContain(pg.password);
      expect(inspect(err)).not.toContain(pg.password);
      // What Temporal makes of it at the activity boundary: retryable, and of no type the LLM retry policy stops on.
      const failure = ensureApplicationFailure(err);
      expect(failure.nonRetryable).toBeFalsy();
      expect(NON_RETRYABLE_LLM_ERRORS).not.toContain(failure.type);
      return err;
    };

    test('every store operation fails with a retryable, redacted StoreUnavailableError, not a miss', async () => {
      const blobs = new PostgresBlobStore(storeDatabase(url));
      const cache = new PostgresReplyCache(storeDatabase(url));
      await downError(blobs.get(digest));
      await downError(blobs.put(digest, Buffer.from('blob')));
      expect((await downError(cache.get(key))).message).toMatch(/^reading the LLM response cache: /);
      await downError(cache.put(key, reply));
      // a database this process never reached (its schema not yet checked) fails the same way, naming the operation
      const fresh = new PostgresReplyCache(storeDatabase(pg.urlFor('never_reached')));
      expect((await downError(fresh.get(key))).message).toMatch(/^reading the LLM response cache: .*\/never_reached failed: /);
    });

    test('the LLM activity fails its attempt instead of paying for the call again', async () => {
      const { provider, calls } = countingProvider();
      const env = { MASPO_STORE_URL: url, GEMINI_API_KEY: 'k' };
      const { llmCall } = createLlmActivities({ providers: { gemini: provider }, cache: responseCacheFor(tempDir(), env), env });
      await downError(new MockActivityEnvironment(undefined, { logger: new DefaultLogger('WARN', () => undefined) }).run(llmCall, spec, request));
      expect(calls.count).toBe(0);
    });

    test('the codec fails (the task is retried) rather than decoding to anything', async () => {
      const codec = claimCheckCodec(payloadSettings({ MASPO_STORE_URL: url }));
      const reference: ClaimCheckReference = { digest: `sha256:${digest}`, bytes: 4, stored: 4, encoding: 'json/plain', preview: '' };
      const payload: Payload = { metadata: { encoding: Buffer.from(CLAIM_CHECK_ENCODING) }, data: Buffer.from(JSON.stringify(reference)) };
      await downError(codec.decode([payload]));
      await downError(codec.encode([json({ text: incompressible(100_000, 9) })]));
    });

    test('once the database is back, the same stores answer again (nothing was lost or written wrong)', async () => {
      await pg.start();
      expect(await new PostgresReplyCache(storeDatabase(url)).get(key)).toEqual(reply);
      expect(await new PostgresBlobStore(storeDatabase(url)).get(digest)).toEqual(Buffer.from('blob'));
    }, 60_000);
  });

  describe('a real evaluation on the dev server', () => {
    const getEnv = useTestEnv();

    test('workers with MASPO_STORE_URL keep claim-checked payloads and LLM replies in PostgreSQL, nothing on disk', async () => {
      const env = getEnv();
      if (!env) return;
      const url = await freshDatabase();
      const home = tempDir();
      const llm = await startFakeOpenAiServer();
      llm.handle(() => chatCompletion(`${incompressible(100_000, 3)} <answer>7</answer>`));
      const input = await inputFrom(CHAIN_YAML, (t) =>
        t.replace('size: 12', 'size: 1').replace('backbone: { provider: sim, model: sim-agent }', `backbone: { provider: openai, model: big-replies, baseURL: "${llm.baseURL}" }`),
      );
      const workerEnv = { ...process.env, MASPO_HOME: home, MASPO_STORE_URL: url };
      const namespace = env.namespace ?? 'default';
      const workers = await createMaspoWorkers({ connection: env.nativeConnection, namespace, taskQueue: input.taskQueue, cacheDir: path.join(home, 'cache', 'llm'), env: workerEnv });
      const running = runWorkers(workers);
      const client = new TemporalClient({ connection: env.connection, namespace, dataConverter: maspoDataConverter(payloadSettings(workerEnv)) });
      try {
        const result = await (await startEvaluation(client, input, `eval-${input.taskQueue}`)).result();
        expect(result.records[0]).toMatchObject({ predicted: '7' });
        expect(llm.requests).toHaveLength(2); // solver and reviewer, each paid once
        const [{ n: blobs }] = await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM maspo_payload_blobs');
        expect(blobs).toBeGreaterThanOrEqual(2);
        expect(await sql(url, 'SELECT count(*)::int AS n FROM maspo_llm_cache')).toEqual([{ n: 2 }]);
        expect(fs.existsSync(path.join(home, 'payloads'))).toBe(false);
        expect(fs.existsSync(path.join(home, 'cache', 'llm'))).toBe(false);
      } finally {
        for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
        await running;
        await llm.close();
      }
    }, 120_000);
  });
});

/** Decodes `payload` in a fresh Node process with `env`; prints the decoded data's length and sha256. */
async function decodeInChildProcess(payload: Payload, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  const script = path.join(tempDir(), 'decode.ts');
  fs.writeFileSync(
    script,
    `import { createHash } from 'node:crypto';
import { claimCheckCodec } from ${JSON.stringify(path.join(ROOT, 'platform/payloads/settings'))};
import { closeStores } from ${JSON.stringify(path.join(ROOT, 'platform/stores'))};
const payload = { metadata: { encoding: Buffer.from(process.argv[2], 'base64') }, data: Buffer.from(process.argv[3], 'base64') };
claimCheckCodec().decode([payload]).then(async ([decoded]) => {
  process.stdout.write(decoded.data.length + ' ' + createHash('sha256').update(decoded.data).digest('hex'));
  await closeStores();
});
`,
  );
  const args = ['--import', 'tsx', script, Buffer.from(payload.metadata!.encoding!).toString('base64'), Buffer.from(payload.data!).toString('base64')];
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) console.error(err);
  return { code, out };
}
