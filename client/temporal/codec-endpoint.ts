/**
 * The payload codec endpoint beside the embedded dev server: the Temporal UI (or `temporal workflow show
 * --codec-endpoint`) decodes claim-checked payloads through it, so they read in full there.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCodecServer, type CodecServer } from '../../platform/payloads/codec-server';
import { processExited, tryKill } from '../../platform/processes';
import { claimCheckCodec } from '../../platform/payloads/settings';
type Log = (line: string) => void;

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

/**
 * Starts `maspo server codec` as a detached process for a detached dev server: it serves the endpoint the UI was
 * started with, and exits once `serverPid` is gone (`--watch-pid`). It inherits this process's environment, so it
 * reads the same payload store (MASPO_STORE_URL, else MASPO_HOME / MASPO_PAYLOAD_STORE). Resolves when the endpoint
 * answers.
 */
export async function spawnCodecDaemon(opts: { home: string; port: number; uiPort: number; serverPid: number; logFile: string; timeoutMs?: number }): Promise<{ pid: number; url: string }> {
  // The CLI entry beside this module: dist/cli/main.js when built, cli/main.ts (through tsx) from the sources.
  const ext = path.extname(__filename);
  const entry = path.resolve(__dirname, '..', '..', 'cli', `main${ext}`);
  const nodeArgs = ext === '.ts' ? ['--import', 'tsx'] : [];
  const args = [...nodeArgs, entry, 'server', 'codec', '--codec-port', String(opts.port), ...uiOrigins(opts.uiPort).flatMap((o) => ['--ui-origin', o]), '--watch-pid', String(opts.serverPid)];
  const logFd = fs.openSync(opts.logFile, 'a');
  let child;
  try {
    // This process's cwd: a relative MASPO_PAYLOAD_STORE must resolve to the same directory as here.
    child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', logFd, logFd], env: { ...process.env, MASPO_HOME: opts.home } });
  } finally {
    fs.closeSync(logFd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start the payload codec endpoint (${process.execPath} ${args.join(' ')})`);
  child.unref();
  const url = `http://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (processExited(pid)) throw new Error(`the payload codec endpoint exited during startup; see ${opts.logFile}`);
    const ok = await fetch(`${url}/decode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"payloads":[]}', signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { pid, url };
    await sleep(100);
  }
  tryKill(pid, 'SIGKILL');
  throw new Error(`the payload codec endpoint did not answer at ${url} within ${(opts.timeoutMs ?? 30_000) / 1000} s; see ${opts.logFile}`);
}
