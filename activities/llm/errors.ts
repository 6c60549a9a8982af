/**
 * Turns whatever a provider SDK threw into the one Temporal failure the retry policy acts on.
 *
 * Contract (see LLM_ERROR_TYPES in core/contracts/llm.ts):
 *   429 → LlmRateLimited, retryable (an exhausted quota/credit is not: no retry can fix it)
 *   408, 409 → LlmError, retryable          5xx → LlmServerError, retryable
 *   network failure / reset → LlmError, retryable      timeout / abort → LlmTimeout, retryable
 *   400, 422 → LlmBadRequest, non-retryable  (an API_KEY_INVALID reason, e.g. Gemini's 400 → LlmAuth)
 *   401, 403 → LlmAuth, non-retryable        404 → LlmNotFound, non-retryable
 * A server's `x-should-retry: true|false` overrides the status-based decision. Retryable failures carry
 * `nextRetryDelay` from `retry-after-ms`, `retry-after` (seconds or HTTP date) or a delay the error body asks for.
 *
 * The error's body is read by the provider that threw it (`ProviderDefinition.readError`: OpenAI's APIError,
 * Gemini's google.rpc details, …); status, headers, transport failures and unknown shapes are read here.
 *
 * Secrets: the failure's message and details are built from scrubbed strings only, and the SDK error is
 * never attached as `cause` (it holds request headers and, for OpenAI's 401, an echo of the key).
 */
import { STATUS_CODES } from 'node:http';
import { ApplicationFailure } from '@temporalio/common';
import { LLM_ERROR_TYPES } from '../../core/contracts/llm';
import type { ProviderName } from '../../core/contracts/llm';
import { providerDefinition } from './providers/registry';
import type { ProviderErrorFacts } from './providers/types';

export interface LlmErrorContext {
  provider: ProviderName;
  model: string;
  baseURL?: string;
  /** Named in auth failures so the operator knows which variable to fix. */
  apiKeyEnv?: string;
  /** Only used to scrub it (and fragments of it) from every string put into the failure. */
  apiKey?: string;
  /** Per-attempt timeout, quoted in timeout messages. */
  timeoutMs?: number;
}

/** What `Headers` offers; OpenAI's APIError and our Gemini wrapper both provide one as `err.headers`. */
export interface HeaderLookup {
  get(name: string): string | null | undefined;
}

type ErrorType = (typeof LLM_ERROR_TYPES)[keyof typeof LLM_ERROR_TYPES];

interface Verdict {
  type: ErrorType;
  retryable: boolean;
  summary: string;
  hint?: string;
  /** Timeouts and resets say all in the summary; the SDK's wording ("fetch failed") adds nothing. */
  quiet?: boolean;
}

const MAX_PROVIDER_MESSAGE = 300;

export function classifyLlmError(err: unknown, ctx: LlmErrorContext, now: number = Date.now()): ApplicationFailure {
  // Already classified (e.g. the simulator injecting a failure): keep its decision.
  if (err instanceof ApplicationFailure) return err;

  const facts = readError(err, ctx.provider);
  const verdict = facts.status !== undefined ? classifyStatus(facts, ctx) : classifyTransport(err, ctx);
  const hint = facts.headers?.get('x-should-retry');
  const retryable = hint === 'true' ? true : hint === 'false' ? false : verdict.retryable;
  const delay = retryable ? (retryAfterMs(facts.headers, now) ?? facts.retryDelayMs) : undefined;

  const scrub = (s: string) => oneLine(scrubSecrets(s, ctx.apiKey));
  const providerMessage = facts.message && !verdict.quiet ? truncate(scrub(facts.message), MAX_PROVIDER_MESSAGE) : undefined;
  const where = ctx.baseURL ? ` at ${displayUrl(ctx.baseURL)}` : '';
  const message = scrub(
    `${ctx.provider} model ${ctx.model}${where}: ${verdict.summary}` +
      (providerMessage ? `: ${providerMessage}` : '') +
      (verdict.hint ? ` — ${verdict.hint}` : ''),
  );
  const details = {
    provider: ctx.provider,
    model: scrub(ctx.model),
    ...(facts.status !== undefined ? { status: facts.status } : {}),
    ...(facts.code ? { code: scrub(facts.code) } : {}),
    ...(facts.requestId ? { requestId: scrub(facts.requestId) } : {}),
  };
  return ApplicationFailure.create({
    message,
    type: verdict.type,
    nonRetryable: !retryable,
    details: [details],
    ...(delay !== undefined ? { nextRetryDelay: delay } : {}),
  });
}

/**
 * Server-requested wait in ms: `retry-after-ms`, else `retry-after` as seconds or as an HTTP date relative to
 * `now`. Undefined when absent, unparseable or not in the future (the retry policy's backoff applies then).
 */
export function retryAfterMs(headers: HeaderLookup | undefined, now: number): number | undefined {
  if (!headers) return undefined;
  const ms = positiveNumber(headers.get('retry-after-ms'));
  if (ms !== undefined) return Math.ceil(ms);
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  const seconds = positiveNumber(value);
  if (seconds !== undefined) return Math.ceil(seconds * 1000);
  if (/^[-+]?\d/.test(value)) return undefined; // "0", "-1": numeric but not positive; not a date either
  const date = Date.parse(value);
  return Number.isNaN(date) || date <= now ? undefined : date - now;
}

const REDACTED = '[redacted]';
const KEY_PATTERNS = [
  /sk-[A-Za-z0-9_*-]+/g, // OpenAI keys, including the masked echo in 401 bodies ("sk-abc***xyz")
  /AIza[0-9A-Za-z_-]+/g, // Google API keys
  /Bearer\s+[^\s"',;]+/gi,
  /([?&](?:key|api_key|api-key)=)[^&\s"']+/gi,
];
/** A token sharing this many consecutive characters with the key is treated as a fragment of it. */
const FRAGMENT_LENGTH = 6;

/** Removes the key, any fragment of it, and anything shaped like a key or bearer token. */
export function scrubSecrets(text: string, apiKey?: string): string {
  let out = text;
  if (apiKey && apiKey.length >= 4) out = out.split(apiKey).join(REDACTED);
  for (const pattern of KEY_PATTERNS) {
    out = out.replace(pattern, (_match, prefix?: unknown) => (typeof prefix === 'string' ? prefix : '') + REDACTED);
  }
  if (apiKey && apiKey.length >= FRAGMENT_LENGTH) {
    out = out.replace(/[A-Za-z0-9_*.-]{4,}/g, (token) => (sharesFragment(token, apiKey) ? REDACTED : token));
  }
  return out;
}

function sharesFragment(token: string, key: string): boolean {
  const bare = token.replace(/\*+/g, '');
  for (let i = 0; i + FRAGMENT_LENGTH <= key.length; i++) {
    if (bare.includes(key.slice(i, i + FRAGMENT_LENGTH))) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------
// Reading the SDK errors

interface ErrorFacts extends ProviderErrorFacts {
  headers?: HeaderLookup;
}

/** The provider's own reading first (it knows its SDK's body); status and headers are read generically. */
function readError(err: unknown, provider: ProviderName): ErrorFacts {
  if (!isObject(err)) return { message: String(err) };
  const headers = isHeaderLookup(err.headers) ? err.headers : undefined;
  const own = providerDefinition(provider)?.readError?.(err);
  const status = own?.status ?? (typeof err.status === 'number' && err.status >= 100 ? err.status : undefined);
  if (own) return { ...own, status, headers };
  const rawMessage = typeof err.message === 'string' ? err.message : undefined;
  if (status === undefined) return { message: rawMessage };
  return { status, headers, message: stripStatus(rawMessage, status) };
}

// ---------------------------------------------------------------------------------------------------------
// Decisions

function classifyStatus(facts: ErrorFacts, ctx: LlmErrorContext): Verdict {
  const status = facts.status!;
  const summary = `${status} ${STATUS_CODES[status] ?? 'HTTP error'}`;
  const keyHint = ctx.apiKeyEnv
    ? `check the API key in env var ${ctx.apiKeyEnv}`
    : 'the endpoint wants an API key: name the env var that holds it in apiKeyEnv';
  if (status === 401 || status === 403 || facts.reason === 'API_KEY_INVALID') {
    return { type: LLM_ERROR_TYPES.auth, retryable: false, summary, hint: keyHint };
  }
  if (status === 429) {
    if (facts.code === 'insufficient_quota') {
      return { type: LLM_ERROR_TYPES.rateLimited, retryable: false, summary, hint: 'quota or credit exhausted: check billing' };
    }
    return { type: LLM_ERROR_TYPES.rateLimited, retryable: true, summary };
  }
  if (status === 400 || status === 422) return { type: LLM_ERROR_TYPES.badRequest, retryable: false, summary };
  if (status === 404) {
    return { type: LLM_ERROR_TYPES.notFound, retryable: false, summary, hint: 'check the model id and baseURL' };
  }
  if (status >= 500) return { type: LLM_ERROR_TYPES.server, retryable: true, summary };
  if (status === 408 || status === 409) return { type: LLM_ERROR_TYPES.transient, retryable: true, summary };
  // Other 4xx (405, 413, 415, …) describe the request, which a retry would send unchanged.
  return { type: LLM_ERROR_TYPES.badRequest, retryable: false, summary };
}

function classifyTransport(err: unknown, ctx: LlmErrorContext): Verdict {
  if (isTimeout(err)) {
    const within = ctx.timeoutMs !== undefined ? ` within ${ctx.timeoutMs} ms` : '';
    return { type: LLM_ERROR_TYPES.timeout, retryable: true, summary: `no response${within}`, quiet: true };
  }
  const code = networkCode(err);
  if (code || isNetworkError(err)) {
    return { type: LLM_ERROR_TYPES.transient, retryable: true, summary: `connection failed${code ? ` (${code})` : ''}`, quiet: true };
  }
  // Unknown failure (e.g. an unparseable 200 body): transient until proven otherwise; the policy bounds attempts.
  return { type: LLM_ERROR_TYPES.transient, retryable: true, summary: `call failed (${errorName(err)})` };
}

/** DOMException names, and the OpenAI SDK's own timeout and abort errors. */
const TIMEOUT_NAMES = new Set(['AbortError', 'TimeoutError', 'APIConnectionTimeoutError', 'APIUserAbortError']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * Aborts count as timeouts: the activity handles its own cancellation before classifying, so an abort that
 * reaches here came from the per-attempt timeout (ours or the SDK's).
 */
function isTimeout(err: unknown): boolean {
  for (const e of causeChain(err)) {
    if (TIMEOUT_NAMES.has(errorName(e))) return true;
    if (isObject(e) && TIMEOUT_CODES.has(String(e.code))) return true;
  }
  return false;
}

function isNetworkError(err: unknown): boolean {
  return causeChain(err).some(
    (e) => errorName(e) === 'APIConnectionError' || (e instanceof TypeError && /fetch failed|network/i.test(e.message)),
  );
}

/** ECONNRESET, ECONNREFUSED, EAI_AGAIN, UND_ERR_SOCKET, … (not Node's ERR_* misuse codes) from the cause chain. */
function networkCode(err: unknown): string | undefined {
  for (const e of causeChain(err)) {
    if (isObject(e) && typeof e.code === 'string' && /^(E(?!RR_)[A-Z0-9_]+|UND_ERR_[A-Z_]+)$/.test(e.code)) return e.code;
  }
  return undefined;
}

function causeChain(err: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = err; e !== undefined && e !== null && chain.length < 8; e = isObject(e) ? e.cause : undefined) {
    chain.push(e);
  }
  return chain;
}

// ---------------------------------------------------------------------------------------------------------
// Small helpers

function errorName(err: unknown): string {
  if (!isObject(err)) return typeof err;
  return (typeof err.name === 'string' && err.name !== 'Error' ? err.name : err.constructor?.name) ?? 'Error';
}

function stripStatus(message: string | undefined, status: number): string | undefined {
  return message?.replace(new RegExp(`^${status}\\s*`), '') || undefined;
}

function positiveNumber(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** The URL without credentials, query or fragment: only where the call went. */
function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/$/, '')}`;
  } catch {
    return '(invalid baseURL)';
  }
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null;
}

function isHeaderLookup(v: unknown): v is HeaderLookup {
  return isObject(v) && typeof v.get === 'function';
}
