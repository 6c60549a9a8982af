/**
 * The real `openai` and `@google/genai` clients, driven through `createLlmActivities` inside
 * MockActivityEnvironment against local servers that speak each provider's wire protocol.
 * The same behaviour is required of both providers; provider-specific cases follow the shared suite.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ApplicationFailure, CancelledFailure, defaultFailureConverter, defaultPayloadConverter } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { LlmRequest, LlmResult, ModelSpec, ProviderName } from '../core/contracts/llm';
import { createLlmActivities } from '../activities/llm/activity';
import { NoCache, ResponseCache } from '../activities/llm/cache';
import { geminiProvider } from '../activities/llm/providers/gemini';
import { openAiProvider } from '../activities/llm/providers/openai';
import type { ReplyCache } from '../activities/llm/cache';
import {
  chatCompletion,
  openAiError,
  startFakeOpenAiServer,
  type RecordedRequest,
  type ScriptedReply,
  type ScriptedServer,
} from './support/fake-openai-server';
import { apiKeyInvalid, geminiError, geminiResponse, generateContentPath, retryInfo, startFakeGeminiServer } from './support/fake-gemini-server';

const API_KEY = 'sk-test-MARKER123';
const KEY_ENV = 'MASPO_TEST_LLM_KEY';
const env = { [KEY_ENV]: API_KEY };
const request: LlmRequest = {
  role: 'backbone',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'What is 2+2?' },
  ],
  sampleIndex: 0,
  label: 'item 1 · solver',
};

type FakeServer = ScriptedServer & { baseURL: string };

interface Harness {
  provider: ProviderName;
  model: string;
  start(): Promise<FakeServer>;
  path: string;
  ok(text: string | null, finishReason?: string): ScriptedReply;
  error(status: number, message: string, headers?: Record<string, string>): ScriptedReply;
  keyHeader(req: RecordedRequest): string | undefined;
  seedOf(req: RecordedRequest): unknown;
  rawLength: string;
  expectedUsage: LlmResult['usage'];
}

const harnesses: Harness[] = [
  {
    provider: 'openai',
    model: 'gpt-4o-mini',
    start: startFakeOpenAiServer,
    path: '/v1/chat/completions',
    ok: (text, finishReason) => chatCompletion(text, { finishReason }),
    error: (status, message, headers) => openAiError(status, message, { headers }),
    keyHeader: (req) => req.headers.authorization as string | undefined,
    seedOf: (req) => req.body.seed,
    rawLength: 'length',
    expectedUsage: { inputTokens: 12, outputTokens: 5, totalTokens: 17 },
  },
  {
    provider: 'gemini',
    model: 'gemini-2.5-flash',
    start: startFakeGeminiServer,
    path: generateContentPath('gemini-2.5-flash'),
    ok: (text, finishReason) => geminiResponse(text === null ? [] : [{ text }], { finishReason }),
    error: (status, message, headers) => geminiError(status, googleStatus(status), message, { headers }),
    keyHeader: (req) => req.headers['x-goog-api-key'] as string | undefined,
    seedOf: (req) => req.body.generationConfig?.seed,
    rawLength: 'MAX_TOKENS',
    expectedUsage: { inputTokens: 9, outputTokens: 4, totalTokens: 13 },
  },
];

function googleStatus(status: number): string {
  const names: Record<number, string> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 404: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED' };
  return names[status] ?? (status >= 500 ? 'INTERNAL' : 'UNKNOWN');
}

const providers = { openai: openAiProvider, gemini: geminiProvider };

/** Everything the worker and the activity log, so the suite can check that no prompt or key is ever logged. */
const logged: string[] = [];
const logger = new DefaultLogger('TRACE', (entry) => logged.push(`${entry.level} ${entry.message} ${inspect(entry.meta, { depth: 8 })}`));
const activityEnvironment = (info?: ConstructorParameters<typeof MockActivityEnvironment>[0]) =>
  new MockActivityEnvironment(info, { logger });

afterAll(() => {
  expect(logged.length).toBeGreaterThan(0);
  const all = logged.join('\n');
  for (const secret of ['What is 2+2', 'You are terse', 'MARKER']) expect(all).not.toContain(secret);
});

/** Runs llmCall in a fresh activity context (a cancelled MockActivityEnvironment stays cancelled). */
async function call(
  spec: ModelSpec,
  options: { cache?: ReplyCache; now?: () => number; req?: LlmRequest; activityEnv?: MockActivityEnvironment } = {},
): Promise<LlmResult> {
  const { llmCall } = createLlmActivities({ providers, cache: options.cache ?? new NoCache(), env, now: options.now });
  return (options.activityEnv ?? activityEnvironment()).run(llmCall, spec, options.req ?? request);
}

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

/** Everything a failure could leak through: message, stack, details, and the failure Temporal would store. */
function everything(f: ApplicationFailure): string {
  const stored = defaultFailureConverter.errorToFailure(f, defaultPayloadConverter);
  const decoded = JSON.stringify(stored, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : v));
  return [f.message, f.stack, JSON.stringify(f.details), JSON.stringify(f), String(f.cause ?? ''), decoded].join('\n');
}

describe.each(harnesses)('$provider through createLlmActivities', (h) => {
  let server: FakeServer;
  let spec: ModelSpec;

  beforeAll(async () => {
    server = await h.start();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.reset();
    spec = { provider: h.provider, model: h.model, baseURL: server.baseURL, apiKeyEnv: KEY_ENV, temperature: 0.7, maxTokens: 64, timeoutMs: 2000 };
  });

  test('success: text, finish reason, usage; the key arrives in the provider header', async () => {
    server.enqueue(h.ok('4'));
    const result = await call(spec);
    expect(result).toEqual({
      text: '4',
      empty: false,
      finishReason: { unified: 'stop', raw: h.provider === 'openai' ? 'stop' : 'STOP' },
      usage: h.expectedUsage,
      provider: h.provider,
      model: h.model,
      cached: false,
      latencyMs: expect.any(Number),
      role: 'backbone',
    });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.method).toBe('POST');
    expect(server.requests[0]!.path).toBe(h.path);
    expect(h.keyHeader(server.requests[0]!)).toBe(h.provider === 'openai' ? `Bearer ${API_KEY}` : API_KEY);
    expect(h.seedOf(server.requests[0]!)).toBe(0);
  });

  test('429 with Retry-After seconds → retryable LlmRateLimited with nextRetryDelay; one request only', async () => {
    server.enqueue(h.error(429, 'Rate limit reached', { 'retry-after': '7' }));
    const f = await failure(call(spec));
    expect(f.type).toBe('LlmRateLimited');
    expect(f.nonRetryable).toBe(false);
    expect(f.nextRetryDelay).toBe(7000);
    expect(f.message).toContain(`${h.provider} model ${h.model} at ${server.baseURL}: 429 Too Many Requests`);
    expect(server.requests).toHaveLength(1); // the SDK did not retry by itself
  });

  test('429 with Retry-After as an HTTP date → delay relative to the activity clock', async () => {
    const now = Date.parse('2026-11-02T10:00:00Z');
    server.enqueue(h.error(429, 'slow down', { 'retry-after': new Date(now + 30_000).toUTCString() }));
    const f = await failure(call(spec, { now: () => now }));
    expect(f.type).toBe('LlmRateLimited');
    expect(f.nextRetryDelay).toBe(30_000);
  });

  test('500 → retryable LlmServerError; one request only', async () => {
    server.enqueue(h.error(500, 'internal error'));
    const f = await failure(call(spec));
    expect(f.type).toBe('LlmServerError');
    expect(f.nonRetryable).toBe(false);
    expect(f.nextRetryDelay).toBeUndefined();
    expect(server.requests).toHaveLength(1);
  });

  test('503 with x-should-retry: false → not retried', async () => {
    server.enqueue(h.error(503, 'overloaded', { 'x-should-retry': 'false' }));
    const f = await failure(call(spec));
    expect(f.type).toBe('LlmServerError');
    expect(f.nonRetryable).toBe(true);
  });

  test('a server that never answers → retryable LlmTimeout after timeoutMs, quickly', async () => {
    server.enqueue({ kind: 'hang' });
    const started = Date.now();
    const f = await failure(call({ ...spec, timeoutMs: 150 }));
    expect(Date.now() - started).toBeLessThan(1500);
    expect(f.type).toBe('LlmTimeout');
    expect(f.nonRetryable).toBe(false);
    expect(f.message).toContain('no response within 150 ms');
    await server.waitForAbort();
  });

  test('connection reset → retryable LlmError; one request only', async () => {
    server.enqueue({ kind: 'reset' });
    const f = await failure(call(spec));
    expect(f.type).toBe('LlmError');
    expect(f.nonRetryable).toBe(false);
    expect(f.message).toMatch(/connection failed/);
    expect(server.requests).toHaveLength(1);
  });

  test('401 → non-retryable LlmAuth naming provider, model and env var, never the key', async () => {
    // OpenAI echoes a masked key in its 401 body; the Gemini variant echoes the key and a fragment outright.
    const echo =
      h.provider === 'openai'
        ? 'Incorrect API key provided: sk-test-*****R123. You can find your API key at https://platform.openai.com/account/api-keys.'
        : `Invalid key ${API_KEY} (…***KER123) with header Authorization: Bearer ${API_KEY}`;
    server.enqueue(h.error(401, echo));
    const f = await failure(call(spec));
    expect(f.type).toBe('LlmAuth');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain(`${h.provider} model ${h.model} at ${server.baseURL}: 401 Unauthorized`);
    expect(f.message).toContain(`check the API key in env var ${KEY_ENV}`);
    expect(f.message).not.toMatch(/\n/);
    expect(f.cause).toBeUndefined();
    const leaked = everything(f);
    for (const fragment of ['MARKER123', 'MARKER', 'KER123', 'R123', 'sk-test']) expect(leaked).not.toContain(fragment);
  });

  test('400 → non-retryable LlmBadRequest with the provider message', async () => {
    server.enqueue(h.error(400, "This model's maximum context length is 8192 tokens."));
    const f = await failure(call(spec));
    expect(f.type).toBe('LlmBadRequest');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('maximum context length is 8192 tokens');
  });

  test('404 → non-retryable LlmNotFound', async () => {
    server.enqueue(h.error(404, `model ${h.model}-nope not found`));
    const f = await failure(call(spec));
    expect(f.type).toBe('LlmNotFound');
    expect(f.nonRetryable).toBe(true);
  });

  test('hitting the token limit is recorded as finish reason length', async () => {
    server.enqueue(h.ok('The answer is', h.rawLength));
    const result = await call(spec);
    expect(result.finishReason).toEqual({ unified: 'length', raw: h.rawLength });
    expect(result.text).toBe('The answer is');
  });

  test('null and whitespace-only content are recorded as empty answers, not thrown', async () => {
    server.enqueue(h.ok(null), h.ok('  \n\t '));
    for (let i = 0; i < 2; i++) {
      const result = await call(spec);
      expect(result.empty).toBe(true);
      expect(result.text).toBe('');
    }
  });

  test("undici's own 300 s headers/body timeouts are off: timeoutMs alone bounds the call", async () => {
    const symbol = Symbol.for('undici.globalDispatcher.1');
    const globals = globalThis as unknown as Record<symbol, { dispatch(opts: Record<string, unknown>, handler: unknown): boolean }>;
    const real = globals[symbol]!;
    const dispatched: Array<Record<string, unknown>> = [];
    globals[symbol] = { dispatch: (opts, handler) => (dispatched.push(opts), real.dispatch(opts, handler)) };
    try {
      server.enqueue(h.ok('ok'));
      await call(spec);
    } finally {
      globals[symbol] = real;
    }
    expect(dispatched).toContainEqual(expect.objectContaining({ headersTimeout: 0, bodyTimeout: 0, path: expect.stringContaining(h.path) }));
  });

  describe('response cache', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'maspo-llm-cache-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    test('an identical call is answered from disk; another sampleIndex reaches the server', async () => {
      const cache = new ResponseCache(dir);
      server.handle((req) => h.ok(`sample ${String(h.seedOf(req))}`));

      const first = await call(spec, { cache });
      const again = await call(spec, { cache });
      expect(server.requests).toHaveLength(1);
      expect(first).toMatchObject({ text: 'sample 0', cached: false });
      expect(again).toEqual({ ...first, cached: true, latencyMs: 0 });

      const other = await call(spec, { cache, req: { ...request, sampleIndex: 1 } });
      expect(server.requests).toHaveLength(2);
      expect(h.seedOf(server.requests[1]!)).toBe(1);
      expect(other).toMatchObject({ text: 'sample 1', cached: false });
    });

    test('failures are not cached', async () => {
      const cache = new ResponseCache(dir);
      server.enqueue(h.error(500, 'boom'), h.ok('fine'));
      await failure(call(spec, { cache }));
      expect(await call(spec, { cache })).toMatchObject({ text: 'fine', cached: false });
      expect(server.requests).toHaveLength(2);
    });
  });

  test('cancellation aborts the in-flight HTTP request and ends as CancelledFailure', async () => {
    server.enqueue({ kind: 'hang' });
    const activityEnv = activityEnvironment();
    const running = call({ ...spec, timeoutMs: 10_000 }, { activityEnv });
    await server.waitForRequests(1);
    activityEnv.cancel();
    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
    await server.waitForAbort();
  });

  test('heartbeats while a slow call is in flight, and stops afterwards', async () => {
    server.enqueue({ ...(h.ok('slow') as Extract<ScriptedReply, { kind: 'json' }>), delayMs: 200 });
    const activityEnv = activityEnvironment({ heartbeatTimeoutMs: 40 });
    let beats = 0;
    activityEnv.on('heartbeat', () => beats++);
    await expect(call(spec, { activityEnv })).resolves.toMatchObject({ text: 'slow' });
    expect(beats).toBeGreaterThanOrEqual(4);
    const after = beats;
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(beats).toBe(after);
  });
});

describe('openai specifics', () => {
  let server: FakeServer;
  beforeAll(async () => {
    server = await startFakeOpenAiServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => server.reset());

  const spec = (baseURL: string): ModelSpec => ({
    provider: 'openai',
    model: 'qwen3-8b',
    baseURL,
    temperature: 0.2,
    maxTokens: 32,
    timeoutMs: 2000,
    extraBody: { top_k: 20, temperature: 99 },
  });

  test('the wire body: messages, sampling, seed and extra fields (which cannot override ours)', async () => {
    server.enqueue(chatCompletion('ok'));
    await call(spec(server.baseURL), { req: { ...request, sampleIndex: 3 } });
    expect(server.requests[0]!.body).toEqual({
      model: 'qwen3-8b',
      messages: request.messages,
      temperature: 0.2,
      max_tokens: 32,
      seed: 3,
      top_k: 20,
    });
  });

  test('a self-hosted endpoint without apiKeyEnv runs keyless with a placeholder key', async () => {
    server.enqueue(chatCompletion('ok'));
    const { llmCall } = createLlmActivities({ providers, cache: new NoCache(), env: { OPENAI_API_KEY: 'sk-must-not-be-read' } });
    await activityEnvironment().run(llmCall, spec(server.baseURL), request);
    expect(server.requests[0]!.headers.authorization).toBe('Bearer maspo-keyless');
  });

  test('missing usage counts as zero tokens', async () => {
    server.enqueue(chatCompletion('ok', { usage: null }));
    const result = await call({ ...spec(server.baseURL), apiKeyEnv: KEY_ENV });
    expect(result.usage).toEqual({ inputTokens: 0, outputTokens: 0, totalTokens: 0 });
  });

  test('429 insufficient_quota is not retried: no retry brings credit back', async () => {
    server.enqueue(openAiError(429, 'You exceeded your current quota', { type: 'insufficient_quota', code: 'insufficient_quota' }));
    const f = await failure(call(spec(server.baseURL)));
    expect(f.type).toBe('LlmRateLimited');
    expect(f.nonRetryable).toBe(true);
  });

  test('retry-after-ms wins over retry-after', async () => {
    server.enqueue(openAiError(429, 'slow down', { headers: { 'retry-after-ms': '1500', 'retry-after': '9' } }));
    const f = await failure(call(spec(server.baseURL)));
    expect(f.nextRetryDelay).toBe(1500);
  });
});

describe('gemini specifics', () => {
  let server: FakeServer;
  const spec = (baseURL: string): ModelSpec => ({
    provider: 'gemini',
    model: 'gemini-2.5-flash',
    baseURL,
    apiKeyEnv: KEY_ENV,
    temperature: 0.2,
    maxTokens: 32,
    timeoutMs: 2000,
    extraBody: { generationConfig: { topK: 20 } },
  });
  beforeAll(async () => {
    server = await startFakeGeminiServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => server.reset());

  test('the wire body: system instruction, model turns, generation config and extra fields', async () => {
    server.enqueue(geminiResponse([{ text: 'ok' }]));
    const req: LlmRequest = {
      ...request,
      sampleIndex: 2,
      messages: [...request.messages, { role: 'assistant', content: '4' }, { role: 'user', content: 'Sure?' }],
    };
    await call(spec(server.baseURL), { req });
    const body = server.requests[0]!.body;
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'You are terse.' }], role: 'user' });
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'What is 2+2?' }] },
      { role: 'model', parts: [{ text: '4' }] },
      { role: 'user', parts: [{ text: 'Sure?' }] },
    ]);
    expect(body.generationConfig).toEqual({ temperature: 0.2, maxOutputTokens: 32, seed: 2, topK: 20 });
  });

  test('RetryInfo in a 429 body sets nextRetryDelay (Gemini sends no Retry-After header)', async () => {
    server.enqueue(geminiError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded', { details: [retryInfo('21s')] }));
    const f = await failure(call(spec(server.baseURL)));
    expect(f.type).toBe('LlmRateLimited');
    expect(f.nextRetryDelay).toBe(21_000);
  });

  test('an invalid key is a 400 for Gemini, classified as LlmAuth', async () => {
    server.enqueue(geminiError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', { details: [apiKeyInvalid()] }));
    const f = await failure(call(spec(server.baseURL)));
    expect(f.type).toBe('LlmAuth');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain(`env var ${KEY_ENV}`);
  });

  test('a blocked prompt (no candidates) is an empty answer with finish reason content_filter', async () => {
    server.enqueue(geminiResponse(null, { promptBlockReason: 'SAFETY', usage: { promptTokenCount: 7, totalTokenCount: 7 } }));
    const result = await call(spec(server.baseURL));
    expect(result).toMatchObject({
      text: '',
      empty: true,
      finishReason: { unified: 'content_filter', raw: 'SAFETY' },
      usage: { inputTokens: 7, outputTokens: 0, totalTokens: 7 },
    });
  });

  test('thought parts are not part of the answer; thinking tokens count as output', async () => {
    server.enqueue(
      geminiResponse([{ text: 'let me think', thought: true }, { text: '4' }], {
        usage: { promptTokenCount: 5, candidatesTokenCount: 1, thoughtsTokenCount: 30, totalTokenCount: 36 },
      }),
    );
    const result = await call(spec(server.baseURL));
    expect(result.text).toBe('4');
    expect(result.usage).toEqual({ inputTokens: 5, outputTokens: 31, totalTokens: 36 });
  });
});
