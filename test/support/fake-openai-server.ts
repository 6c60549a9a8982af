/**
 * Local HTTP servers that speak a provider's wire protocol, scripted per test, for driving the real SDK clients.
 *
 * `ScriptedServer` is the protocol-neutral part (also used by fake-gemini-server.ts): it records every
 * request, answers from a queue of scripted replies (or a handler), and can hang or reset the connection.
 * `startFakeOpenAiServer` adds the OpenAI Chat Completions shapes.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
}

export type ScriptedReply =
  | { kind: 'json'; status?: number; body: unknown; headers?: Record<string, string>; delayMs?: number }
  | { kind: 'text'; status: number; body: string; headers?: Record<string, string> }
  /** Never answers; the client must give up (timeout) or abort (cancellation). */
  | { kind: 'hang' }
  /** Destroys the connection without a response: ECONNRESET / "other side closed" on the client. */
  | { kind: 'reset' };

export type ReplyHandler = (request: RecordedRequest) => ScriptedReply | Promise<ScriptedReply>;

export class ScriptedServer {
  readonly requests: RecordedRequest[] = [];
  /** Requests whose client went away before a response was sent (aborted by timeout or cancellation). */
  abortedRequests = 0;
  private readonly queue: ScriptedReply[] = [];
  private handler?: ReplyHandler;
  private readonly sockets = new Set<Socket>();
  private readonly waiters: Array<() => void> = [];

  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {}

  static async start(): Promise<ScriptedServer> {
    let self: ScriptedServer | undefined;
    const server = createServer((req, res) => void self!.serve(req, res));
    server.on('connection', (socket) => {
      self!.sockets.add(socket);
      socket.on('close', () => self!.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    self = new ScriptedServer(server, `http://127.0.0.1:${port}`);
    return self;
  }

  /** Replies for the next requests, in order. When the queue is empty the handler answers, else a 500. */
  enqueue(...replies: ScriptedReply[]): this {
    this.queue.push(...replies);
    return this;
  }

  handle(handler: ReplyHandler): this {
    this.handler = handler;
    return this;
  }

  /** Resolves once `count` requests have arrived. */
  async waitForRequests(count: number): Promise<void> {
    while (this.requests.length < count) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Resolves once a client has gone away before its response was sent. */
  async waitForAbort(timeoutMs = 2000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.abortedRequests === 0) {
      if (Date.now() > until) throw new Error('no request was aborted by the client');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  reset(): void {
    this.requests.length = 0;
    this.queue.length = 0;
    this.abortedRequests = 0;
    this.handler = undefined;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // keep the raw text
    }
    const recorded: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
    this.requests.push(recorded);
    this.waiters.splice(0).forEach((wake) => wake());

    let resetByServer = false;
    res.on('close', () => {
      if (!res.writableFinished && !resetByServer) this.abortedRequests++;
    });
    const reply = this.queue.shift() ?? (this.handler ? await this.handler(recorded) : undefined);
    if (!reply) return send(res, 500, { error: { message: 'fake server: no scripted reply left' } });
    switch (reply.kind) {
      case 'hang':
        return;
      case 'reset':
        resetByServer = true;
        req.socket.destroy();
        return;
      case 'text':
        res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
        res.end(reply.body);
        return;
      case 'json':
        if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
        if (res.destroyed) return;
        return send(res, reply.status ?? 200, reply.body, reply.headers);
    }
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

// ---------------------------------------------------------------------------------------------------------
// OpenAI Chat Completions wire shapes (POST /v1/chat/completions)

export async function startFakeOpenAiServer(): Promise<ScriptedServer & { baseURL: string }> {
  const server = await ScriptedServer.start();
  return Object.assign(server, { baseURL: `${server.origin}/v1` });
}

export function chatCompletion(
  content: string | null,
  options: { finishReason?: string | null; usage?: Record<string, number> | null; model?: string } = {},
): ScriptedReply {
  return {
    kind: 'json',
    body: {
      id: 'chatcmpl-test',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: options.model ?? 'gpt-4o-mini-2024-07-18',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, refusal: null },
          logprobs: null,
          finish_reason: options.finishReason === undefined ? 'stop' : options.finishReason,
        },
      ],
      ...(options.usage === null ? {} : { usage: options.usage ?? { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 } }),
    },
  };
}

/** An error in OpenAI's body format: `{"error": {message, type, param, code}}`. */
export function openAiError(
  status: number,
  message: string,
  options: { type?: string; code?: string | null; headers?: Record<string, string> } = {},
): ScriptedReply {
  return {
    kind: 'json',
    status,
    headers: options.headers,
    body: { error: { message, type: options.type ?? 'invalid_request_error', param: null, code: options.code ?? null } },
  };
}
