/** The response cache: what its key covers, its file layout, atomic writes and tolerance of damaged entries. */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LlmRequest, ModelSpec } from '../core/contracts/llm';
import { cacheKey, canonicalJson, NoCache, ResponseCache } from '../activities/llm/cache';
import type { ProviderReply } from '../activities/llm/providers/types';

const spec: ModelSpec = {
  provider: 'openai',
  model: 'gpt-4o-mini',
  baseURL: 'http://127.0.0.1:8000/v1',
  apiKeyEnv: 'OPENAI_API_KEY',
  temperature: 0.7,
  maxTokens: 256,
  timeoutMs: 60_000,
  extraBody: { top_k: 20, min_p: 0.05 },
  sim: { accuracy: 0.8, seed: 1 },
};
const request: LlmRequest = { role: 'backbone', messages: [{ role: 'user', content: 'hi' }], sampleIndex: 0, label: 'item 1' };
const reply: ProviderReply = {
  text: 'hello',
  empty: false,
  finishReason: { unified: 'stop', raw: 'stop' },
  usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
  provider: 'openai',
  model: 'gpt-4o-mini',
};

describe('cacheKey', () => {
  const base = cacheKey(spec, request);

  test('is a sha256 hex digest, stable for equal inputs', () => {
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheKey(structuredClone(spec), structuredClone(request))).toBe(base);
  });

  test.each<[string, Partial<ModelSpec>, Partial<LlmRequest>]>([
    ['provider', { provider: 'gemini' }, {}],
    ['model', { model: 'gpt-4o' }, {}],
    ['baseURL', { baseURL: 'http://127.0.0.1:8001/v1' }, {}],
    ['no baseURL', { baseURL: undefined }, {}],
    ['temperature', { temperature: 0.8 }, {}],
    ['maxTokens', { maxTokens: 257 }, {}],
    ['extraBody', { extraBody: { top_k: 21, min_p: 0.05 } }, {}],
    ['sim world', { sim: { accuracy: 0.9, seed: 1 } }, {}],
    ['messages', {}, { messages: [{ role: 'user', content: 'hi!' }] }],
    ['message role', {}, { messages: [{ role: 'system', content: 'hi' }] }],
    ['sampleIndex', {}, { sampleIndex: 1 }],
  ])('changes with %s', (_name, specChange, requestChange) => {
    expect(cacheKey({ ...spec, ...specChange }, { ...request, ...requestChange })).not.toBe(base);
  });

  test.each<[string, Partial<ModelSpec> & Record<string, unknown>, Partial<LlmRequest>]>([
    ['timeoutMs', { timeoutMs: 1 }, {}],
    ['apiKeyEnv', { apiKeyEnv: 'OTHER_KEY' }, {}],
    ['concurrency (role settings riding along)', { concurrency: 64 }, {}],
    ['label', {}, { label: 'item 2 · critic' }],
    ['role', {}, { role: 'judge' }],
  ])('ignores %s', (_name, specChange, requestChange) => {
    expect(cacheKey({ ...spec, ...specChange }, { ...request, ...requestChange })).toBe(base);
  });

  test('ignores key order inside extraBody and sim', () => {
    expect(cacheKey({ ...spec, extraBody: { min_p: 0.05, top_k: 20 }, sim: { seed: 1, accuracy: 0.8 } }, request)).toBe(base);
  });

  test('canonicalJson sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: undefined }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"f":2}]},"b":1}');
  });
});

describe('ResponseCache', () => {
  let dir: string;
  let cache: ResponseCache;
  const key = cacheKey(spec, request);
  const file = () => join(dir, key.slice(0, 2), `${key}.json`);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'maspo-cache-'));
    cache = new ResponseCache(dir);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('a miss, then the stored reply, at dir/<ab>/<hash>.json with no temp files left', async () => {
    expect(await cache.get(key)).toBeUndefined();
    await cache.put(key, reply);
    expect(await cache.get(key)).toEqual(reply);
    expect(JSON.parse(await readFile(file(), 'utf8'))).toMatchObject({ key, reply });
    expect(await readdir(join(dir, key.slice(0, 2)))).toEqual([`${key}.json`]);
  });

  test('put overwrites; concurrent puts of one key leave one valid entry', async () => {
    await Promise.all([cache.put(key, reply), cache.put(key, { ...reply, text: 'other' }), cache.put(key, reply)]);
    expect((await cache.get(key))?.text).toMatch(/^(hello|other)$/);
    expect(await readdir(join(dir, key.slice(0, 2)))).toEqual([`${key}.json`]);
  });

  test.each([
    ['truncated JSON', '{"version":"maspo-llm-cache/v1","key":"'],
    ['not an entry', '[1,2,3]'],
    ['wrong version', JSON.stringify({ version: 'v0', key: 'k', reply })],
    ['reply missing fields', JSON.stringify({ version: 'maspo-llm-cache/v1', key: 'k', reply: { text: 'x' } })],
    ['empty file', ''],
  ])('a damaged entry (%s) is a miss and is overwritten by the next put', async (_name, content) => {
    await cache.put(key, reply);
    await writeFile(file(), content);
    expect(await cache.get(key)).toBeUndefined();
    await cache.put(key, reply);
    expect(await cache.get(key)).toEqual(reply);
  });

  test('an entry stored under another key is a miss', async () => {
    const other = cacheKey(spec, { ...request, sampleIndex: 9 });
    await cache.put(other, reply);
    await cache.put(key, reply);
    await writeFile(file(), await readFile(join(dir, other.slice(0, 2), `${other}.json`)));
    expect(await cache.get(key)).toBeUndefined();
  });

  test('refuses anything that is not a key (no path traversal)', async () => {
    await expect(cache.put('../../etc/passwd', reply)).rejects.toThrow(/not a response cache key/);
    await expect(cache.get('../x')).resolves.toBeUndefined();
  });
});

describe('NoCache', () => {
  test('computes the same key, never hits, stores nothing', async () => {
    const none = new NoCache();
    expect(none.key(spec, request)).toBe(cacheKey(spec, request));
    await none.put(none.key(spec, request), reply);
    expect(await none.get(none.key(spec, request))).toBeUndefined();
  });
});
