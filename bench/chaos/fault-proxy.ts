/**
 * A fault-injecting HTTP proxy on 127.0.0.1 in front of an OpenAI-compatible server (the simulator's), so the chaos
 * scenarios exercise the real `openai` client, the activity's error classification and Temporal's retries.
 *
 * The schedule is seeded and per request: the fault of an arrival is a pure function of (seed, request key, how many
 * times this request arrived before), like the simulator's own faults, so a scenario is reproducible whatever the
 * timing, and a retry draws again. Every arrival and every injected fault is recorded with its timestamp; the
 * scenarios check them against the workflow histories (each fault must show up there) and measure Retry-After delays.
 *
 * Transport faults (429, 5xx, reset, hang) never reach the upstream server: they stand for requests refused before a
 * model ran. Content faults (truncated, empty, bad verdict, no prompt) rewrite a real upstream reply.
 */
import { createHash } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { uniformFrom } from '../../core/common/prng';

export const FAULT_KINDS = ['rateLimited', 'serverError', 'reset', 'hang', 'truncated', 'empty', 'badVerdict', 'noPrompt'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type Role = 'backbone' | 'optimizer' | 'judge';

/** Faults that fail the attempt (the activity retries) versus faults that deliver a damaged reply. */
export const TRANSPORT_FAULTS: readonly FaultKind[] = ['rateLimited', 'serverError', 'reset', 'hang'];

/** Which roles a fault can hit: verdicts only come from the judge, prompts only from the optimizer. */
const APPLIES_TO: Record<FaultKind, readonly Role[]> = {
  rateLimited: ['backbone', 'optimizer', 'judge'],
  serverError: ['backbone', 'optimizer', 'judge'],
  reset: ['backbone', 'optimizer', 'judge'],
  hang: ['backbone', 'optimizer', 'judge'],
  truncated: ['backbone', 'optimizer', 'judge'],
  empty: ['backbone', 'optimizer', 'judge'],
  badVerdict: ['judge'],
  noPrompt: ['optimizer'],
};

/** What a judge says when it does not follow the format: no <choose> tag (strict parsing must call it unparseable). */
export const BAD_VERDICT_TEXT = 'Both outputs have merits. Output A is clearer, though B is more complete; I lean to A.';
/** An optimizer reply without a <prompt>…</prompt> pair. */
export const NO_PROMPT_TEXT = 'Here is my analysis of the failures. The new prompt should ask for each intermediate result.';

export interface FaultPlan {
  seed: number;
  /** Probability per arrival of each fault (only among arrivals of roles the fault applies to). Sum ≤ 1. */
  rates: Partial<Record<FaultKind, number>>;
  /** Seconds in the Retry-After header of a 429. Default 2. */
  retryAfterSeconds?: number;
  /** Stop faulting a request after this many faulted arrivals (bounds a run's retries). Default 3. */
  maxFaultsPerRequest?: number;
  /** Echo the caller's Authorization header in error bodies, as some servers do with keys (secrets scenario). */
  echoAuthorization?: boolean;
}

export interface ArrivalRecord {
  /** ms since the epoch. */
  t: number;
  key: string;
  role: Role;
  /** 0 for the first arrival of this request at the proxy. */
  attempt: number;
  fault: FaultKind | 'none';
  /** HTTP status sent (undefined for reset and hang, or when the client left first). */
  status?: number;
  /** Sent on to the upstream server (no transport fault). */
  forwarded?: boolean;
  /** When the reply was fully sent (ms since the epoch). */
  doneAt?: number;
  retryAfterSeconds?: number;
}

export interface ProxiedRequest {
  model: string;
  messages: Array<{ role: string; content: string }>;
  seed: number | null;
}

export interface FaultProxy {
  url: string;
  port: number;
  arrivals(): ArrivalRecord[];
  faults(): ArrivalRecord[];
  /** Requests forwarded upstream and not yet answered (by the upstream) — in flight at the model. */
  inFlightUpstream(): number;
  /** Requests answered by the upstream (a 200 relayed to the client, damaged or not). */
  completedUpstream(): number;
  /** Requests forwarded upstream, answered or not. */
  forwardedUpstream(): number;
  /** Distinct requests (keys) forwarded upstream. */
  distinctForwarded(): number;
  /** What each request key stands for (model, messages, sample seed), for mapping requests to cache entries. */
  requestOf(key: string): ProxiedRequest | undefined;
  /** Authorization header values seen (to prove a key was really sent). */
  authorizationsSeen(): string[];
  setPlan(plan: FaultPlan): void;
  close(): Promise<void>;
}

/**
 * The identity of one LLM call: model, messages and sample seed. The same key is computed from a workflow history's
 * `llmCall` input (`requestKeyOf(spec.model, request.messages, request.sampleIndex)`), which ties a fault to its activity.
 */
export function requestKeyOf(model: string, messages: ReadonlyArray<{ role: string; content: unknown }>, seed: number | null | undefined): string {
  const canonical = JSON.stringify([model, messages.map((m) => [m.role === 'developer' ? 'system' : m.role, String(m.content ?? '')]), seed ?? null]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 20);
}

export function roleOfModel(model: string): Role {
  if (/judge/i.test(model)) return 'judge';
  if (/optimi[sz]er/i.test(model)) return 'optimizer';
  return 'backbone';
}

export function drawFault(plan: FaultPlan, key: string, role: Role, attempt: number, faultedBefore: number): FaultKind | 'none' {
  if (faultedBefore >= (plan.maxFaultsPerRequest ?? 3)) return 'none';
  let u = uniformFrom(plan.seed, 'chaos-fault', key, attempt);
  for (const kind of FAULT_KINDS) {
    const rate = APPLIES_TO[kind].includes(role) ? (plan.rates[kind] ?? 0) : 0;
    if (u < rate) return kind;
    u -= rate;
  }
  return 'none';
}

export async function startFaultProxy(options: { upstream: string; plan: FaultPlan; port?: number }): Promise<FaultProxy> {
  const upstream = new URL(options.upstream);
  let plan = options.plan;
  const arrivals: ArrivalRecord[] = [];
  const seen = new Map<string, { arrivals: number; faults: number }>();
  const auths = new Set<string>();
  const sockets = new Set<Socket>();
  const hung = new Set<ServerResponse>();
  let inFlight = 0;
  let completed = 0;
  let forwarded = 0;
  const forwardedKeys = new Set<string>();
  const requests = new Map<string, ProxiedRequest>();

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 502, { error: { message: `chaos proxy: ${err instanceof Error ? err.message : String(err)}`, type: 'proxy_error' } });
      else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (req.headers.authorization) auths.add(req.headers.authorization);
    const isChat = req.method === 'POST' && /\/chat\/completions\/?$/.test((req.url ?? '').split('?')[0]);
    if (!isChat) return relay(req, res, body);

    let parsed: { model?: string; messages?: Array<{ role: string; content: unknown }>; seed?: number };
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return relay(req, res, body); // the upstream answers malformed requests itself
    }
    const model = String(parsed.model ?? '');
    const key = requestKeyOf(model, parsed.messages ?? [], parsed.seed);
    const role = roleOfModel(model);
    if (!requests.has(key)) {
      const messages = (parsed.messages ?? []).map((m) => ({ role: m.role === 'developer' ? 'system' : m.role, content: String(m.content ?? '') }));
      requests.set(key, { model, messages, seed: parsed.seed ?? null });
    }
    const state = seen.get(key) ?? { arrivals: 0, faults: 0 };
    seen.set(key, state);
    const fault = drawFault(plan, key, role, state.arrivals, state.faults);
    const record: ArrivalRecord = { t: Date.now(), key, role, attempt: state.arrivals++, fault };
    if (fault !== 'none') state.faults++;
    arrivals.push(record);
    const finish = (status?: number): void => {
      record.status = status;
      record.doneAt = Date.now();
    };
    const echo = plan.echoAuthorization && req.headers.authorization ? ` (request carried: ${req.headers.authorization})` : '';

    switch (fault) {
      case 'rateLimited': {
        const seconds = plan.retryAfterSeconds ?? 2;
        record.retryAfterSeconds = seconds;
        res.setHeader('retry-after', String(seconds));
        sendJson(res, 429, { error: { message: `Rate limit reached (chaos proxy)${echo}.`, type: 'rate_limit_error', code: 'rate_limit_exceeded' } });
        return finish(429);
      }
      case 'serverError':
        sendJson(res, 500, { error: { message: `The server had an error (chaos proxy)${echo}.`, type: 'server_error', code: null } });
        return finish(500);
      case 'reset':
        req.socket.destroy();
        return finish();
      case 'hang':
        // Never answered: the client's own deadline must end it. Closed with the proxy.
        hung.add(res);
        res.on('close', () => (hung.delete(res), finish()));
        return;
    }

    forwarded++;
    forwardedKeys.add(key);
    record.forwarded = true;
    inFlight++;
    let reply: { status: number; headers: http.IncomingHttpHeaders; body: Buffer };
    try {
      reply = await forward(req, body);
    } finally {
      inFlight--;
    }
    if (reply.status !== 200) {
      send(res, reply.status, reply.headers, echo ? withEcho(reply.body, echo) : reply.body);
      return finish(reply.status);
    }
    completed++;
    const out = fault === 'none' ? reply.body : damage(reply.body, fault);
    send(res, 200, reply.headers, out);
    finish(200);
  }

  function forward(req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: upstream.host, 'content-length': String(body.length) };
      const up = http.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, timeout: 120_000 },
        (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => resolve({ status: r.statusCode ?? 502, headers: r.headers, body: Buffer.concat(chunks) }));
          r.on('error', reject);
        },
      );
      up.on('timeout', () => up.destroy(new Error('upstream timed out')));
      up.on('error', reject);
      up.end(body);
    });
  }

  async function relay(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const r = await forward(req, body);
    send(res, r.status, r.headers, r.body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => (server.off('error', reject), resolve()));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    arrivals: () => arrivals.map((a) => ({ ...a })),
    faults: () => arrivals.filter((a) => a.fault !== 'none').map((a) => ({ ...a })),
    inFlightUpstream: () => inFlight,
    completedUpstream: () => completed,
    forwardedUpstream: () => forwarded,
    distinctForwarded: () => forwardedKeys.size,
    requestOf: (key) => requests.get(key),
    authorizationsSeen: () => [...auths],
    setPlan: (p) => void (plan = p),
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of hung) r.destroy();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** Rewrites a Chat Completions body: half the content (finish `length`), no content, a verdict-less or prompt-less text. */
export function damage(body: Buffer, fault: FaultKind): Buffer {
  const json = JSON.parse(body.toString('utf8'));
  const choice = json.choices?.[0];
  if (!choice?.message) return body;
  const text = String(choice.message.content ?? '');
  if (fault === 'truncated') {
    choice.message.content = text.slice(0, Math.max(0, Math.floor(text.length / 2)));
    choice.finish_reason = 'length';
  } else if (fault === 'empty') {
    choice.message.content = null;
  } else if (fault === 'badVerdict') {
    choice.message.content = BAD_VERDICT_TEXT;
  } else if (fault === 'noPrompt') {
    choice.message.content = NO_PROMPT_TEXT;
  }
  return Buffer.from(JSON.stringify(json));
}

/** An upstream error body with the caller's credentials appended to its message (a server that echoes keys). */
function withEcho(body: Buffer, echo: string): Buffer {
  try {
    const json = JSON.parse(body.toString('utf8'));
    if (json?.error && typeof json.error.message === 'string') {
      json.error.message += echo;
      return Buffer.from(JSON.stringify(json));
    }
  } catch {
    // not JSON: append as text
  }
  return Buffer.concat([body, Buffer.from(echo)]);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, headers: http.IncomingHttpHeaders, body: Buffer): void {
  if (res.destroyed) return;
  const keep = ['content-type', 'retry-after', 'retry-after-ms', 'x-request-id', 'x-should-retry'];
  const out: Record<string, string> = { 'content-length': String(body.length) };
  for (const k of keep) if (typeof headers[k] === 'string') out[k] = headers[k] as string;
  res.writeHead(status, out);
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(payload.length) });
  res.end(payload);
}
