/**
 * A Temporal "remote codec" endpoint, so the Web UI (`start-dev --ui-codec-endpoint`, or the UI's codec setting)
 * and `temporal workflow show --codec-endpoint` show claim-checked and gzipped payloads in full: POST /decode and
 * POST /encode take and return `{"payloads": [{metadata: {k: base64}, data: base64}]}` (proto JSON). CORS answers
 * only the listed UI origins. Bound to 127.0.0.1.
 *
 * On /decode a payload that cannot be decoded (missing or corrupt blob) comes back as a JSON payload naming the
 * problem next to the reference, so one lost blob does not blank the rest of a history page.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** 0 picks a free port. */
  port: number;
  /** Browser origins allowed to call (the UI's own URL), e.g. `http://127.0.0.1:8233`. */
  allowedOrigins: string[];
  /** Largest request body accepted; default 64 MiB. */
  maxBodyBytes?: number;
  log?: (line: string) => void;
}

export interface CodecServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

interface JsonPayload {
  metadata?: Record<string, string> | null;
  data?: string | null;
}

const ALLOWED_HEADERS = 'Content-Type, X-Namespace, Authorization';

export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const log = options.log ?? (() => {});
  const maxBody = options.maxBodyBytes ?? 64 * 2 ** 20;
  const origins = new Set(options.allowedOrigins.map((o) => o.replace(/\/+$/, '')));
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => reply(res, 500, { error: err.message }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const origin = req.headers.origin;
    if (origin !== undefined) {
      if (!origins.has(origin)) return reply(res, 403, { error: `origin ${origin} is not allowed (allowed: ${[...origins].join(', ')})` });
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Vary', 'Origin');
    }
    const route = (req.url ?? '').split('?')[0].replace(/\/+$/, '');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'Access-Control-Allow-Methods': 'POST, OPTIONS', 'Access-Control-Allow-Headers': ALLOWED_HEADERS, 'Access-Control-Max-Age': '600' });
      res.end();
      return;
    }
    if (req.method !== 'POST' || (route !== '/decode' && route !== '/encode')) return reply(res, 404, { error: 'POST /decode or /encode' });

    const tooLarge = { error: `request body above ${maxBody} bytes` };
    if (Number(req.headers['content-length'] ?? 0) > maxBody) return reply(res, 413, tooLarge, { Connection: 'close' });
    const body = await readBody(req, maxBody);
    if (body === undefined) return; // chunked and too large: the connection was dropped
    let payloads: Payload[];
    try {
      const parsed = JSON.parse(body.toString('utf8')) as { payloads?: unknown };
      if (!Array.isArray(parsed?.payloads)) throw new Error('expected {"payloads": [...]}');
      payloads = (parsed.payloads as JsonPayload[]).map(fromJson);
    } catch (err) {
      return reply(res, 400, { error: `bad request body: ${(err as Error).message}` });
    }
    const out = route === '/encode' ? await options.codec.encode(payloads) : await Promise.all(payloads.map((p) => decodeForDisplay(options.codec, p, log)));
    reply(res, 200, { payloads: out.map(toJson) });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function decodeForDisplay(codec: PayloadCodec, payload: Payload, log: (line: string) => void): Promise<Payload> {
  try {
    return (await codec.decode([payload]))[0];
  } catch (err) {
    const message = (err as Error).message;
    log(`codec server: ${message}`);
    let reference: unknown;
    try {
      reference = JSON.parse(Buffer.from(payload.data ?? []).toString('utf8'));
    } catch {
      reference = undefined;
    }
    return { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify({ maspoCodecError: message, reference })) };
  }
}

function fromJson({ metadata, data }: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(data ?? '', 'base64'),
  };
}

function toJson(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')])),
    data: Buffer.from(payload.data ?? []).toString('base64'),
  };
}

/** The whole body, or undefined once it passes `max` bytes. */
async function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) {
      req.destroy();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
