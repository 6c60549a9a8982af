/**
 * The payload codec endpoint beside the embedded dev server: the Temporal UI (or `temporal workflow show
 * --codec-endpoint`) decodes claim-checked payloads through it, so they read in full there.
 */
import { startCodecServer, type CodecServer } from '../../platform/payloads/codec-server';
import { claimCheckCodec } from '../../platform/payloads/settings';
import type { Log } from './dev-server';

/** The embedded UI as a browser may address it. */
export function uiOrigins(uiPort: number): string[] {
  return [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`];
}

/** Serves the claim-check codec on 127.0.0.1:`port` for `allowedOrigins`; a busy port is a one-line error. */
export async function serveCodec(port: number, allowedOrigins: string[], log?: Log): Promise<CodecServer> {
  try {
    return await startCodecServer({ codec: claimCheckCodec(), port, allowedOrigins, log });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    throw new Error(`--codec-port: port ${port} on 127.0.0.1 is already in use; choose another port (or --no-codec)`);
  }
}
