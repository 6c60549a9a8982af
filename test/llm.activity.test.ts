/**
 * createLlmActivities with in-memory providers: key resolution, configuration failures, cache use, the
 * per-attempt deadline and keep-alive, independent of any SDK.
 */
import { inspect } from 'node:util';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { LlmRequest, ModelSpec, ProviderName } from '../core/contracts/llm';
import { createLlmActivities, type LlmActivityDeps } from '../activities/llm/activity';
import { NoCache, type ReplyCache } from '../activities/llm/cache';
import { startKeepAlive } from '../activities/llm/heartbeat';
import type { CallOptions, LlmProvider, ProviderReply } from '../activities/llm/providers/types';

const request: LlmRequest = { role: 'judge', messages: [{ role: 'user', content: 'Secret prompt text' }], sampleIndex: 0 };
const spec = (extra: Partial<ModelSpec> = {}): ModelSpec => ({
  provider: 'gemini',
  model: 'gemini-2.5-pro',
  apiKeyEnv: 'GEMINI_API_KEY',
  temperature: 0,
  maxTokens: 10,
  timeoutMs: 1000,
  ...extra,
});
const reply = (provider: ProviderName = 'gemini'): ProviderReply => ({
  text: 'yes',
  empty: false,
  finishReason: { unified: 'stop', raw: 'STOP' },
  usage: { inputTokens: 3, outputTokens: 1, totalTokens: 4 },
  provider,
  model: 'gemini-2.5-pro',
});

/** A provider that records its calls and answers with `answer` (or waits for the signal when `answer` hangs). */
function fakeProvider(name: ProviderName, answer: (options: CallOptions) => Promise<ProviderReply> = async () => reply(name)) {
  const calls: CallOptions[] = [];
  const provider: LlmProvider = {
    name,
    complete: async (_spec, _request, options) => {
      calls.push(options);
      return answer(options);
    },
  };
  return { provider, calls };
}

class MemoryCache implements ReplyCache {
  readonly entries = new Map<string, ProviderReply>();
  failPuts = false;
  key(s: ModelSpec, r: LlmRequest): string {
    return new NoCache().key(s, r);
  }
  async get(key: string) {
    return this.entries.get(key);
  }
  async put(key: string, value: ProviderReply) {
    if (this.failPuts) throw new Error('EROFS: read-only file system');
    this.entries.set(key, value);
  }
}

const logged: string[] = [];
const logger = new DefaultLogger('TRACE', (entry) => logged.push(`${entry.level} ${entry.message} ${inspect(entry.meta)}`));

function run(deps: LlmActivityDeps, s: ModelSpec, info?: ConstructorParameters<typeof MockActivityEnvironment>[0]) {
  const { llmCall } = createLlmActivities(deps);
  return new MockActivityEnvironment(info, { logger }).run(llmCall, s, request);
}

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

afterAll(() => {
  expect(logged.join('\n')).not.toContain('Secret prompt text');
  expect(logged.join('\n')).not.toContain('AIza-test-key');
});

describe('API key resolution', () => {
  test('the key comes from env[apiKeyEnv], trimmed, and reaches the provider', async () => {
    const { provider, calls } = fakeProvider('gemini');
    await run({ providers: { gemini: provider }, cache: new NoCache(), env: { GEMINI_API_KEY: ' AIza-test-key\n' } }, spec());
    expect(calls[0]!.apiKey).toBe('AIza-test-key');
  });

  test('a named env var that is not set → non-retryable LlmConfig naming the var and the role', async () => {
    const { provider, calls } = fakeProvider('gemini');
    const f = await failure(run({ providers: { gemini: provider }, cache: new NoCache(), env: { GEMINI_API_KEY: '  ' } }, spec()));
    expect(f.type).toBe('LlmConfig');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toBe("judge model gemini-2.5-pro (gemini): env var GEMINI_API_KEY is not set in the worker's environment");
    expect(calls).toHaveLength(0);
  });

  test.each<[string, Partial<ModelSpec>]>([
    ['gemini without apiKeyEnv', { apiKeyEnv: undefined }],
    ['openai proper without apiKeyEnv', { provider: 'openai', model: 'gpt-4o', apiKeyEnv: undefined }],
    ['a self-hosted endpoint whose named key is missing', { provider: 'openai', baseURL: 'http://127.0.0.1:8000/v1', apiKeyEnv: 'VLLM_KEY' }],
  ])('%s → LlmConfig', async (_name, change) => {
    const { provider } = fakeProvider(change.provider ?? 'gemini');
    const f = await failure(run({ providers: { [provider.name]: provider }, cache: new NoCache(), env: {} }, spec(change)));
    expect(f.type).toBe('LlmConfig');
    expect(f.nonRetryable).toBe(true);
  });

  test.each<[string, Partial<ModelSpec>]>([
    ['a self-hosted OpenAI-compatible endpoint', { provider: 'openai', baseURL: 'http://127.0.0.1:8000/v1', apiKeyEnv: undefined }],
    ['the simulator', { provider: 'sim', apiKeyEnv: undefined }],
    ['the simulator, even with an unset apiKeyEnv', { provider: 'sim', apiKeyEnv: 'UNSET_KEY' }],
  ])('%s runs keyless', async (_name, change) => {
    const { provider, calls } = fakeProvider(change.provider!);
    await run({ providers: { [provider.name]: provider }, cache: new NoCache(), env: {} }, spec(change));
    expect(calls[0]!.apiKey).toBeUndefined();
  });
});

test('an unregistered provider → non-retryable LlmConfig', async () => {
  const { provider } = fakeProvider('openai');
  const f = await failure(run({ providers: { openai: provider }, cache: new NoCache(), env: { GEMINI_API_KEY: 'k' } }, spec()));
  expect(f.type).toBe('LlmConfig');
  expect(f.nonRetryable).toBe(true);
  expect(f.message).toBe('judge model gemini-2.5-pro (gemini): no provider "gemini" is registered on this worker');
});

describe('cache use', () => {
  const env = { GEMINI_API_KEY: 'AIza-test-key' };

  test('the reply is stored before the activity returns; a hit skips the provider', async () => {
    const { provider, calls } = fakeProvider('gemini');
    const cache = new MemoryCache();
    let clock = 1_000;
    const slow = fakeProvider('gemini', async () => {
      clock += 250;
      return reply();
    });
    const first = await run({ providers: { gemini: slow.provider }, cache, env, now: () => clock }, spec());
    expect(first).toEqual({ ...reply(), cached: false, latencyMs: 250, role: 'judge' });
    expect([...cache.entries.values()]).toEqual([reply()]);

    const second = await run({ providers: { gemini: provider }, cache, env }, spec());
    expect(second).toEqual({ ...reply(), cached: true, latencyMs: 0, role: 'judge' });
    expect(calls).toHaveLength(0);
  });

  test('a cache that cannot be written does not cost the paid answer: it is returned and a warning logged', async () => {
    const { provider } = fakeProvider('gemini');
    const cache = new MemoryCache();
    cache.failPuts = true;
    await expect(run({ providers: { gemini: provider }, cache, env }, spec())).resolves.toMatchObject({ text: 'yes', cached: false });
    expect(logged.some((line) => line.includes('LLM response cache write failed') && line.includes('EROFS'))).toBe(true);
  });

  test('failures are not stored', async () => {
    const failing = fakeProvider('gemini', async () => {
      throw Object.assign(new Error('boom'), { status: 500 });
    });
    const cache = new MemoryCache();
    const f = await failure(run({ providers: { gemini: failing.provider }, cache, env }, spec()));
    expect(f.type).toBe('LlmServerError');
    expect(cache.entries.size).toBe(0);
  });
});

describe('per-attempt deadline and keep-alive', () => {
  const env = { GEMINI_API_KEY: 'AIza-test-key' };
  const waitForAbort = (options: CallOptions) =>
    new Promise<ProviderReply>((_, reject) => {
      options.signal.addEventListener('abort', () => reject(options.signal.reason)); // as the simulator does
    });

  test('the signal given to the provider aborts after timeoutMs → retryable LlmTimeout', async () => {
    const { provider, calls } = fakeProvider('gemini', waitForAbort);
    const started = Date.now();
    const f = await failure(run({ providers: { gemini: provider }, cache: new NoCache(), env }, spec({ timeoutMs: 60 })));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(f.type).toBe('LlmTimeout');
    expect(f.nonRetryable).toBe(false);
    expect(f.message).toBe('gemini model gemini-2.5-pro: no response within 60 ms');
  });

  test('no heartbeats without a heartbeat timeout', async () => {
    const slow = fakeProvider('gemini', () => new Promise((resolve) => setTimeout(() => resolve(reply()), 50)));
    const { llmCall } = createLlmActivities({ providers: { gemini: slow.provider }, cache: new NoCache(), env });
    const activityEnv = new MockActivityEnvironment(undefined, { logger });
    let beats = 0;
    activityEnv.on('heartbeat', () => beats++);
    await activityEnv.run(llmCall, spec(), request);
    expect(beats).toBe(0);
  });

  test('no heartbeats for a cache hit', async () => {
    const cache = new MemoryCache();
    cache.entries.set(cache.key(spec(), request), reply());
    const { provider } = fakeProvider('gemini');
    const { llmCall } = createLlmActivities({ providers: { gemini: provider }, cache, env });
    const activityEnv = new MockActivityEnvironment({ heartbeatTimeoutMs: 10 }, { logger });
    let beats = 0;
    activityEnv.on('heartbeat', () => beats++);
    await activityEnv.run(llmCall, spec(), request);
    expect(beats).toBe(0);
  });

  test('startKeepAlive outside an activity context is a no-op', () => {
    const stop = startKeepAlive();
    expect(stop).toEqual(expect.any(Function));
    stop();
  });
});

describe('per-role bounds on the workflow queue (roleLimits)', () => {
  test('a second call of a role at its limit waits for the first; a cache hit never waits; results name the role', async () => {
    const { RoleCallLimits } = await import('../activities/llm/role-limits');
    const roleLimits = new RoleCallLimits({ judge: { concurrency: 1 } });
    let finishFirst!: () => void;
    const gate = new Promise<void>((r) => (finishFirst = r));
    const { provider, calls } = fakeProvider('gemini', async () => {
      if (calls.length === 1) await gate;
      return reply();
    });
    const cache = new MemoryCache();
    const cached: LlmRequest = { ...request, messages: [{ role: 'user', content: 'answered before' }] };
    cache.entries.set(cache.key(spec(), cached), reply());
    const { llmCall } = createLlmActivities({ providers: { gemini: provider }, cache, env: { GEMINI_API_KEY: 'k' }, roleLimits });

    const first = new MockActivityEnvironment().run(llmCall, spec(), request);
    await new Promise((r) => setImmediate(r));
    const other: LlmRequest = { ...request, messages: [{ role: 'user', content: 'other' }] };
    const second = new MockActivityEnvironment().run(llmCall, spec(), other);
    const hit = await new MockActivityEnvironment().run(llmCall, spec(), cached);
    expect(hit).toMatchObject({ cached: true, role: 'judge' });
    await new Promise((r) => setImmediate(r));
    expect(calls).toHaveLength(1); // the second waits for the judge's only slot
    expect(roleLimits.load('judge')).toEqual({ running: 1, waiting: 1 });
    finishFirst();
    expect(await first).toMatchObject({ cached: false, role: 'judge' });
    expect(await second).toMatchObject({ cached: false, role: 'judge' });
    expect(calls).toHaveLength(2);
    expect(roleLimits.load('judge')).toEqual({ running: 0, waiting: 0 });
  });
});
