/**
 * `maspo sim serve`: the simulated world behind an OpenAI-compatible HTTP API, so the real `openai` client (and any
 * OpenAI-compatible tool) runs against it with `baseURL: url + '/v1'`.
 *
 * Routes: POST /v1/chat/completions, GET /v1/models, GET /healthz.
 * Faults and latency follow `world.faults` / `world.latency`, drawn from (world seed, request digest, attempt),
 * where attempt counts earlier arrivals of the same request at this server: a retry draws again.
 * `stats()` counts requests per digest, so tests can prove a completed call was never sent again; with
 * `keepRequests`, `requestOf(digest)` gives the request behind a digest (tests use it to find the worker's cache entry).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ChatMessage } from '../core/contracts/llm';
import type { SimWorldConfig } from '../core/schema/sim-config';
import { drawFault, drawLatencyMs, emptyReply, faultBody, requestDigest, truncateReply } from './faults';
import type { FaultKind } from './faults';
import { respond } from './world';
import type { SimRequest } from './world';

export interface SimServerOptions {
  world: SimWorldConfig;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** When set, requests must carry `Authorization: Bearer <key>`; others get 401. */
  requireApiKey?: string;
  /** Model ids listed by GET /v1/models (any id is accepted by chat completions). Default ['sim']. */
  models?: string[];
  /** Largest accepted request body in bytes. Default 64 MiB. */
  maxBodyBytes?: number;
  /**
   * For tests: keep the first parsed request of each digest for `requestOf`. Off by default: it holds every
   * distinct request (messages included) for the server's lifetime, which a long-running `maspo sim serve`
   * should not.
   */
  keepRequests?: boolean;
}

export interface RequestCount {
  /** Times this request arrived at /v1/chat/completions (authorised, well-formed). */
  attempts: number;
  /** Times it was answered with 200 (truncated and empty replies included). */
  completed: number;
}

export interface SimServerStats {
  /** Every request to /v1/chat/completions, including rejected ones. */
  requests: number;
  completed: number;
  unauthorized: number;
  badRequests: number;
  faults: Record<Exclude<FaultKind, 'none'>, number>;
  byDigest: Record<string, RequestCount>;
}

export interface SimServer {
  url: string;
  port: number;
  close(): Promise<void>;
  stats(): SimServerStats;
  /**
   * For tests: the request (model, messages, temperature, maxTokens, seed) behind a digest of `stats().byDigest`,
   * as first parsed by the server (a copy). Undefined for an unseen digest or unless started with `keepRequests`.
   */
  requestOf(digest: string): SimRequest | undefined;
}

const DEFAULT_MAX_BODY = 64 * 1024 * 1024;
/** Answers to requests without max_tokens are not cut. */
const UNLIMITED_TOKENS = 1_000_000_000;

class BadRequest extends Error {}

export async function startSimServer(options: SimServerOptions): Promise<SimServer> {
  const { world, host = '127.0.0.1', requireApiKey, models = ['sim'], maxBodyBytes = DEFAULT_MAX_BODY, keepRequests = false } = options;
  const stats: SimServerStats = {
    requests: 0,
    completed: 0,
    unauthorized: 0,
    badRequests: 0,
    faults: { rateLimited: 0, serverError: 0, hang: 0, truncated: 0, empty: 0 },
    byDigest: {},
  };
  /** First parsed request per digest, only with `keepRequests`. */
  const requests = new Map<string, SimRequest>();
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (e instanceof BadRequest) {
        stats.badRequests++;
        sendError(res, 400, e.message, 'invalid_request_error', null);
      } else if (!res.headersSent) {
        sendError(res, 500, `simulator failure: ${e instanceof Error ? e.message : String(e)}`, 'server_error', null);
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '') || '/';
    if (req.method === 'GET' && path === '/healthz') return sendJson(res, 200, { status: 'ok', simulator: true });
    if (req.method === 'GET' && path === '/v1/models') {
      if (!authorised(req)) return unauthorised(res);
      return sendJson(res, 200, {
        object: 'list',
        data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'maspo-simulator' })),
      });
    }
    if (req.method === 'POST' && path === '/v1/chat/completions') {
      stats.requests++;
      if (!authorised(req)) {
        stats.unauthorized++;
        return unauthorised(res);
      }
      return chatCompletion(parseChatRequest(await readBody(req, maxBodyBytes)), res);
    }
    sendError(res, 404, `Unknown route ${req.method} ${path}`, 'invalid_request_error', 'not_found');
  }

  async function chatCompletion(request: SimRequest, res: ServerResponse): Promise<void> {
    const digest = requestDigest(request);
    const count = (stats.byDigest[digest] ??= { attempts: 0, completed: 0 });
    if (keepRequests && !requests.has(digest)) requests.set(digest, request);
    const attempt = count.attempts++;
    const fault = drawFault(world, digest, attempt);
    if (fault !== 'none') stats.faults[fault]++;
    if (fault === 'hang') return; // the response stays open until the client gives up or the server closes

    await sleep(drawLatencyMs(world, digest, attempt));
    if (res.destroyed || res.writableEnded) return;

    if (fault === 'rateLimited') {
      res.setHeader('retry-after', String(world.faults.retryAfterSeconds));
      return sendJson(res, 429, faultBody(429));
    }
    if (fault === 'serverError') return sendJson(res, 500, faultBody(500));

    let reply = respond(world, request);
    if (fault === 'truncated') reply = truncateReply(reply, world.output.charsPerToken);
    if (fault === 'empty') reply = emptyReply(reply);
    count.completed++;
    stats.completed++;
    res.setHeader('x-request-id', `sim-${digest}-${attempt}`);
    sendJson(res, 200, {
      id: `chatcmpl-sim-${digest}-${attempt}`,
      object: 'chat.completion',
      created: 0,
      model: request.model,
      system_fingerprint: 'maspo-simulator',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: fault === 'empty' ? null : reply.text, refusal: null },
          logprobs: null,
          finish_reason: reply.finishReason,
        },
      ],
      usage: {
        prompt_tokens: reply.usage.inputTokens,
        completion_tokens: reply.usage.outputTokens,
        total_tokens: reply.usage.totalTokens,
      },
    });
  }

  function authorised(req: IncomingMessage): boolean {
    return requireApiKey === undefined || req.headers.authorization === `Bearer ${requireApiKey}`;
  }

  function unauthorised(res: ServerResponse): void {
    sendError(res, 401, 'Incorrect API key provided (simulator).', 'invalid_request_error', 'invalid_api_key');
  }

  function sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    stats: () => structuredClone(stats),
    requestOf: (digest) => {
      const request = requests.get(digest);
      return request && structuredClone(request);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        for (const s of sockets) s.destroy();
      }),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Wire format

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BadRequest(`request body exceeds ${limit} bytes`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The subset of the Chat Completions request the simulator honours; unsupported options are refused. */
export function parseChatRequest(raw: string): SimRequest {
  let body: any;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new BadRequest('request body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null) throw new BadRequest('request body must be a JSON object');
  if (typeof body.model !== 'string' || body.model === '') throw new BadRequest("'model' is required");
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw new BadRequest("'messages' must be a non-empty array");
  if (body.stream === true) throw new BadRequest('streaming is not supported by the simulator');
  if (body.n !== undefined && body.n !== 1) throw new BadRequest("only 'n': 1 is supported by the simulator");
  const messages: ChatMessage[] = body.messages.map((m: any, i: number) => {
    const role = m?.role === 'developer' ? 'system' : m?.role;
    if (role !== 'system' && role !== 'user' && role !== 'assistant') throw new BadRequest(`messages[${i}].role is not supported`);
    return { role, content: contentText(m.content, i) };
  });
  const temperature = body.temperature ?? 1;
  if (typeof temperature !== 'number' || temperature < 0 || temperature > 2) throw new BadRequest("'temperature' must be in [0, 2]");
  const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? UNLIMITED_TOKENS;
  if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new BadRequest("'max_tokens' must be a positive integer");
  if (body.seed !== undefined && body.seed !== null && !Number.isInteger(body.seed)) throw new BadRequest("'seed' must be an integer");
  return { model: body.model, messages, temperature, maxTokens, seed: body.seed ?? undefined };
}

function contentText(content: unknown, i: number): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (Array.isArray(content)) {
    return content
      .map((part: any) => {
        if (part?.type !== 'text' || typeof part.text !== 'string') throw new BadRequest(`messages[${i}]: only text content is supported`);
        return part.text;
      })
      .join('');
  }
  throw new BadRequest(`messages[${i}].content must be a string or text parts`);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

function sendError(res: ServerResponse, status: number, message: string, type: string, code: string | null): void {
  sendJson(res, status, { error: { message, type, param: null, code } });
}
