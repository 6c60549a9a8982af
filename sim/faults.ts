/**
 * Injected latency and failures. Pure decisions: each is a function of (world seed, request digest, attempt
 * number), so a run is reproducible and the n-th retry of a request meets the same fate every time — and, since
 * the attempt is part of the key, a retry draws again and can succeed.
 */
import { hashString, uniformFrom } from '../core/common/prng';
import type { SimWorldConfig } from '../core/schema/sim-config';
import type { SimReply, SimRequest } from './world';

export type FaultKind = 'none' | 'rateLimited' | 'serverError' | 'hang' | 'truncated' | 'empty';

/**
 * Stable identity of a request as sent: model, messages, temperature, max tokens and seed (kept even at
 * temperature 0, where it does not change the reply, so distinct calls of a caller stay distinct in `stats()`).
 */
export function requestDigest(req: SimRequest): string {
  const canonical = JSON.stringify([
    req.model,
    req.messages.map((m) => [m.role, m.content]),
    req.temperature,
    req.maxTokens,
    req.seed ?? null,
  ]);
  return hashString(canonical).toString(16).padStart(14, '0');
}

export function drawFault(world: SimWorldConfig, digest: string, attempt: number): FaultKind {
  const f = world.faults;
  let u = uniformFrom(world.seed, 'fault', digest, attempt);
  for (const [kind, rate] of [
    ['rateLimited', f.rateLimited],
    ['serverError', f.serverError],
    ['hang', f.hang],
    ['truncated', f.truncated],
    ['empty', f.empty],
  ] as const) {
    if (u < rate) return kind;
    u -= rate;
  }
  return 'none';
}

/** Simulated response time in ms (0 when latency is off). */
export function drawLatencyMs(world: SimWorldConfig, digest: string, attempt: number): number {
  const { distribution, meanMs, sigma } = world.latency;
  if (distribution === 'none' || meanMs <= 0) return 0;
  if (distribution === 'fixed') return meanMs;
  // Lognormal with the given mean: mu = ln(mean) - sigma^2 / 2; a standard normal from Box–Muller.
  const u1 = Math.max(Number.MIN_VALUE, uniformFrom(world.seed, 'latency', digest, attempt, 1));
  const u2 = uniformFrom(world.seed, 'latency', digest, attempt, 2);
  const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  return Math.exp(Math.log(meanMs) - (sigma * sigma) / 2 + sigma * z);
}

/** A reply cut in half (at least one character removed) with finish reason `length`. */
export function truncateReply(reply: SimReply, charsPerToken: number): SimReply {
  const text = reply.text.slice(0, Math.max(0, Math.min(reply.text.length - 1, Math.floor(reply.text.length / 2))));
  const outputTokens = Math.ceil(text.length / charsPerToken);
  return {
    text,
    finishReason: 'length',
    usage: { ...reply.usage, outputTokens, totalTokens: reply.usage.inputTokens + outputTokens },
  };
}

/** A reply with no content (the server sends `content: null`). */
export function emptyReply(reply: SimReply): SimReply {
  return { text: '', finishReason: 'stop', usage: { ...reply.usage, outputTokens: 0, totalTokens: reply.usage.inputTokens } };
}

/** An HTTP-shaped failure for the in-process provider, classified like the OpenAI SDK's errors (by `status`). */
export class SimFaultError extends Error {
  readonly status: number;
  readonly headers: Headers;
  readonly error: { message: string; type: string; code: string | null };

  constructor(status: 429 | 500, retryAfterSeconds?: number) {
    const body = faultBody(status);
    super(`${status} ${body.error.message}`);
    this.name = 'SimFaultError';
    this.status = status;
    this.headers = new Headers(retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {});
    this.error = body.error;
  }
}

/** OpenAI-style error bodies for the injected failures. */
export function faultBody(status: 429 | 500): { error: { message: string; type: string; code: string | null } } {
  return status === 429
    ? { error: { message: 'Rate limit reached (simulated fault).', type: 'rate_limit_error', code: 'rate_limit_exceeded' } }
    : { error: { message: 'The server had an error while processing your request (simulated fault).', type: 'server_error', code: null } };
}
