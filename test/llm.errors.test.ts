/** classifyLlmError, retryAfterMs and scrubSecrets on SDK errors built directly (no HTTP). */
import { ApiError } from '@google/genai';
import { ApplicationFailure } from '@temporalio/common';
import OpenAI from 'openai';
import { classifyLlmError, retryAfterMs, scrubSecrets, type LlmErrorContext } from '../activities/llm/errors';

const NOW = Date.parse('2026-11-02T10:00:00Z');
const ctx: LlmErrorContext = {
  provider: 'openai',
  model: 'gpt-4o-mini',
  baseURL: 'https://api.openai.com/v1',
  apiKeyEnv: 'OPENAI_API_KEY',
  apiKey: 'sk-proj-SECRETkey0987654321',
  timeoutMs: 5000,
};

function openAiStatusError(status: number, headers: Record<string, string> = {}, body: Record<string, unknown> = {}) {
  return OpenAI.APIError.generate(status, { error: { message: `status ${status}`, ...body } }, undefined, new Headers(headers));
}

function geminiApiError(status: number, error: Record<string, unknown>) {
  return new ApiError({ status, message: JSON.stringify({ error: { code: status, ...error } }) });
}

describe('retryAfterMs', () => {
  const h = (entries: Record<string, string>) => new Headers(entries);

  test.each([
    [{ 'retry-after-ms': '250' }, 250],
    [{ 'retry-after-ms': '12.3' }, 13],
    [{ 'retry-after': '7' }, 7000],
    [{ 'retry-after': '1.5' }, 1500],
    [{ 'retry-after-ms': '250', 'retry-after': '7' }, 250],
    [{ 'retry-after-ms': 'soon', 'retry-after': '2' }, 2000],
    [{ 'retry-after': new Date(NOW + 45_000).toUTCString() }, 45_000],
  ])('%j → %d ms', (headers, expected) => {
    expect(retryAfterMs(h(headers), NOW)).toBe(expected);
  });

  test.each([
    [{}],
    [{ 'retry-after': '0' }],
    [{ 'retry-after': '-3' }],
    [{ 'retry-after': 'later' }],
    [{ 'retry-after': new Date(NOW - 5_000).toUTCString() }],
    [{ 'retry-after-ms': '0' }],
  ])('%j → undefined (policy backoff applies)', (headers) => {
    expect(retryAfterMs(h(headers), NOW)).toBeUndefined();
  });

  test('no headers at all', () => {
    expect(retryAfterMs(undefined, NOW)).toBeUndefined();
  });
});

describe('scrubSecrets', () => {
  const key = 'sk-proj-SECRETkey0987654321';

  test.each([
    [`key ${key} rejected`, 'key [redacted] rejected'],
    ['Incorrect API key provided: sk-proj-********4321.', 'Incorrect API key provided: [redacted].'],
    ['Authorization: Bearer abc.def-ghi, then', 'Authorization: [redacted], then'],
    ['google key AIzaSyA-1234567890abcdefghij used', 'google key [redacted] used'],
    ['GET /v1/models?key=AbC123&alt=json', 'GET /v1/models?key=[redacted]&alt=json'],
    ['fragment ***0987654321 echoed', 'fragment [redacted] echoed'],
  ])('%s', (input, expected) => {
    expect(scrubSecrets(input, key)).toBe(expected);
  });

  test('leaves ordinary text alone', () => {
    const text = "This model's maximum context length is 8192 tokens.";
    expect(scrubSecrets(text, key)).toBe(text);
  });

  test('key-shaped strings are scrubbed even when the key is unknown', () => {
    expect(scrubSecrets('sk-abc***xyz', undefined)).toBe('[redacted]');
  });
});

describe('classifyLlmError: HTTP status', () => {
  test.each([
    [429, 'LlmRateLimited', true],
    [408, 'LlmError', true],
    [409, 'LlmError', true],
    [500, 'LlmServerError', true],
    [502, 'LlmServerError', true],
    [503, 'LlmServerError', true],
    [400, 'LlmBadRequest', false],
    [422, 'LlmBadRequest', false],
    [413, 'LlmBadRequest', false],
    [401, 'LlmAuth', false],
    [403, 'LlmAuth', false],
    [404, 'LlmNotFound', false],
  ])('OpenAI %d → %s, retryable %s', (status, type, retryable) => {
    const f = classifyLlmError(openAiStatusError(status), ctx, NOW);
    expect(f).toBeInstanceOf(ApplicationFailure);
    expect(f.type).toBe(type);
    expect(f.nonRetryable).toBe(!retryable);
    expect(f.details).toEqual([expect.objectContaining({ provider: 'openai', model: 'gpt-4o-mini', status })]);
  });

  test.each([
    [429, 'RESOURCE_EXHAUSTED', 'LlmRateLimited', true],
    [500, 'INTERNAL', 'LlmServerError', true],
    [503, 'UNAVAILABLE', 'LlmServerError', true],
    [400, 'INVALID_ARGUMENT', 'LlmBadRequest', false],
    [403, 'PERMISSION_DENIED', 'LlmAuth', false],
    [404, 'NOT_FOUND', 'LlmNotFound', false],
  ])('Gemini %d %s → %s, retryable %s', (status, googleStatus, type, retryable) => {
    const f = classifyLlmError(geminiApiError(status, { status: googleStatus, message: 'msg' }), { ...ctx, provider: 'gemini' }, NOW);
    expect(f.type).toBe(type);
    expect(f.nonRetryable).toBe(!retryable);
    expect(f.message).toContain(`${status} `);
    expect(f.message).toContain(': msg');
    expect(f.details).toEqual([expect.objectContaining({ status, code: googleStatus })]);
  });

  test('x-should-retry overrides the status in both directions', () => {
    expect(classifyLlmError(openAiStatusError(400, { 'x-should-retry': 'true' }), ctx, NOW).nonRetryable).toBe(false);
    expect(classifyLlmError(openAiStatusError(500, { 'x-should-retry': 'false' }), ctx, NOW).nonRetryable).toBe(true);
  });

  test('Retry-After applies to retryable failures only', () => {
    expect(classifyLlmError(openAiStatusError(503, { 'retry-after': '3' }), ctx, NOW).nextRetryDelay).toBe(3000);
    expect(classifyLlmError(openAiStatusError(409, { 'retry-after': '3' }), ctx, NOW).nextRetryDelay).toBe(3000);
    expect(classifyLlmError(openAiStatusError(400, { 'retry-after': '3' }), ctx, NOW).nextRetryDelay).toBeUndefined();
  });

  test('Gemini RetryInfo, when no header says otherwise', () => {
    const err = geminiApiError(429, {
      status: 'RESOURCE_EXHAUSTED',
      message: 'quota',
      details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '2.5s' }],
    });
    expect(classifyLlmError(err, { ...ctx, provider: 'gemini' }, NOW).nextRetryDelay).toBe(2500);
  });

  test('auth failures name the env var; without one, say how to provide it', () => {
    expect(classifyLlmError(openAiStatusError(401), ctx, NOW).message).toBe(
      'openai model gpt-4o-mini at https://api.openai.com/v1: 401 Unauthorized: status 401 — check the API key in env var OPENAI_API_KEY',
    );
    expect(classifyLlmError(openAiStatusError(401), { ...ctx, apiKeyEnv: undefined }, NOW).message).toContain('name the env var');
  });

  test('the message is one line, the URL loses credentials and query, the SDK error is not the cause', () => {
    const err = openAiStatusError(400, {}, { message: 'bad\nrequest\r\n  here' });
    const f = classifyLlmError(err, { ...ctx, baseURL: 'https://user:pw@llm.example.com:8443/v1/?token=t0k' }, NOW);
    expect(f.message).toBe('openai model gpt-4o-mini at https://llm.example.com:8443/v1: 400 Bad Request: bad request here');
    expect(f.cause).toBeUndefined();
  });

  test('long provider messages are truncated', () => {
    const f = classifyLlmError(openAiStatusError(400, {}, { message: 'x'.repeat(5000) }), ctx, NOW);
    expect(f.message.length).toBeLessThan(500);
  });
});

describe('classifyLlmError: no HTTP status', () => {
  const socketError = (code: string) => Object.assign(new Error('socket'), { code });

  test.each<{ name: string; err: unknown; type: string }>([
    { name: 'OpenAI connection timeout', err: new OpenAI.APIConnectionTimeoutError(), type: 'LlmTimeout' },
    { name: 'OpenAI abort (our deadline)', err: new OpenAI.APIUserAbortError(), type: 'LlmTimeout' },
    { name: 'DOMException AbortError (genai deadline)', err: new DOMException('This operation was aborted', 'AbortError'), type: 'LlmTimeout' },
    { name: 'AbortSignal.timeout reason', err: new DOMException('timed out', 'TimeoutError'), type: 'LlmTimeout' },
    { name: 'undici headers timeout', err: new TypeError('fetch failed', { cause: socketError('UND_ERR_HEADERS_TIMEOUT') }), type: 'LlmTimeout' },
    { name: 'OpenAI connection error', err: new OpenAI.APIConnectionError({ message: 'Connection error.', cause: socketError('ECONNRESET') }), type: 'LlmError' },
    { name: 'fetch reset', err: new TypeError('fetch failed', { cause: socketError('ECONNRESET') }), type: 'LlmError' },
    { name: 'fetch refused', err: new TypeError('fetch failed', { cause: socketError('ECONNREFUSED') }), type: 'LlmError' },
    { name: 'DNS hiccup', err: new TypeError('fetch failed', { cause: socketError('EAI_AGAIN') }), type: 'LlmError' },
    { name: 'undici socket closed', err: new TypeError('fetch failed', { cause: socketError('UND_ERR_SOCKET') }), type: 'LlmError' },
    { name: 'unknown error', err: new SyntaxError('Unexpected token < in JSON'), type: 'LlmError' },
    { name: 'non-error value', err: 'weird', type: 'LlmError' },
  ])('$name → retryable $type', ({ err, type }) => {
    const f = classifyLlmError(err, ctx, NOW);
    expect(f.type).toBe(type);
    expect(f.nonRetryable).toBe(false);
    expect(f.nextRetryDelay).toBeUndefined();
  });

  test('timeouts quote the per-attempt timeout; network errors their code', () => {
    expect(classifyLlmError(new OpenAI.APIConnectionTimeoutError(), ctx, NOW).message).toContain('no response within 5000 ms');
    const reset = new TypeError('fetch failed', { cause: socketError('ECONNRESET') });
    expect(classifyLlmError(reset, ctx, NOW).message).toContain('connection failed (ECONNRESET)');
  });

  test('an ApplicationFailure (e.g. from the simulator) passes through unchanged', () => {
    const own = ApplicationFailure.create({ message: 'simulated outage', type: 'LlmServerError', nextRetryDelay: 10 });
    expect(classifyLlmError(own, ctx, NOW)).toBe(own);
  });
});
