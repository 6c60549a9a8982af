/**
 * The managed `llama-server`, handled like the Temporal dev server: one server per model, on loopback and a free
 * port, recorded in `<home>/llm/servers/<model>.json` (pid, port, sizing) with its output in
 * `<home>/llm/logs/<model>.log`. Whoever needs the model — `maspo llm serve`, or a worker's first call — reuses a
 * live server it finds there and otherwise starts one; a lock file keeps two processes from starting the same model
 * twice. Servers are detached, so a worker that dies leaves the server for the next worker; `maspo llm stop` ends it.
 *
 * Sizing: one slot per concurrent call the roles may make (`-np`), each slot with room for a prompt plus the
 * longest reply (`-c` is the total, split between the slots), threads = cores.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { modelFilePath, resolveLocalModel, type LocalModelRef } from './catalogue';
import { findLlamaServer, isVerified } from './install';
import { localLlmPaths } from './paths';
import { processExited, tryKill, withFileLock } from '../../../../platform/processes';

export interface ServerSizing {
  slots: number;
  /** Tokens of context per slot (prompt + reply). */
  contextPerSlot: number;
  threads: number;
}

/** Room for the longest prompt maspo sends (the optimizer's meta-prompt with traces) besides the reply. */
export const PROMPT_TOKENS_PER_SLOT = 6144;
export const MAX_SLOTS = 32;

export function sizeServer(opts: { concurrency: number; maxTokens: number; cores?: number; promptTokens?: number }): ServerSizing {
  const slots = Math.max(1, Math.min(MAX_SLOTS, Math.floor(opts.concurrency)));
  const perSlot = Math.ceil((opts.maxTokens + (opts.promptTokens ?? PROMPT_TOKENS_PER_SLOT)) / 256) * 256;
  return { slots, contextPerSlot: perSlot, threads: Math.max(1, opts.cores ?? os.availableParallelism()) };
}

export function serverArgs(opts: { modelPath: string; alias: string; port: number; sizing: ServerSizing }): string[] {
  const { slots, contextPerSlot, threads } = opts.sizing;
  return [
    '--host', '127.0.0.1',
    '--port', String(opts.port),
    '-m', opts.modelPath,
    '--alias', opts.alias,
    '-t', String(threads),
    '-np', String(slots),
    '-c', String(slots * contextPerSlot),
    '--jinja',
    '--no-webui',
    '--metrics',
  ];
}

/** Contents of `<home>/llm/servers/<key>.json`. */
export interface LocalServerState {
  pid: number;
  port: number;
  baseURL: string;
  model: string;
  modelPath: string;
  binary: string;
  sizing: ServerSizing;
  startedAt: string;
  logFile: string;
}

export interface LocalServerHandle {
  state: LocalServerState;
  reused: boolean;
  startupMs?: number;
}

export interface ServerManagerOptions {
  home: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** How long a starting server may take to answer /health; default 180 s (a cold 1.5B load is ~5 s). */
  startTimeoutMs?: number;
}

/** A file-system-safe key for a model: the catalogue name, or the GGUF file's base name. */
export function serverKey(ref: LocalModelRef): string {
  const raw = ref.kind === 'catalogue' ? ref.model.name : path.basename(ref.path).replace(/\.gguf$/i, '');
  return raw.replace(/[^A-Za-z0-9._-]+/g, '_');
}

export class LocalModelMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalModelMissingError';
  }
}

/** Reuses the live server of `model` or starts one sized by `sizing`. */
export async function ensureServer(model: string, sizing: ServerSizing, opts: ServerManagerOptions): Promise<LocalServerHandle> {
  const ref = resolveLocalModel(model);
  const key = serverKey(ref);
  const live = await liveServer(key, opts.home);
  if (live) return { state: live, reused: true };

  // Taken over after 4 min: longer than a start may take (startTimeoutMs, 3 min by default).
  return withFileLock(path.join(localLlmPaths(opts.home).serversDir, `${key}.lock`), async () => {
    const again = await liveServer(key, opts.home); // another process may have started it while we waited
    return again ? { state: again, reused: true } : startServer(ref, key, sizing, opts);
  }, 240_000);
}

async function startServer(ref: LocalModelRef, key: string, sizing: ServerSizing, opts: ServerManagerOptions): Promise<LocalServerHandle> {
  const env = opts.env ?? process.env;
  const paths = localLlmPaths(opts.home);
  const binary = findLlamaServer(opts.home, env);
  if (!binary) throw new LocalModelMissingError('llama-server is not installed: run `npx maspo llm setup` (or set MASPO_LLAMA_SERVER)');
  const modelPath = modelFilePath(ref, paths.modelsDir);
  if (ref.kind === 'catalogue' && !isVerified(modelPath, ref.model.sha256)) {
    throw new LocalModelMissingError(`model ${ref.model.name} is not installed: run \`npx maspo llm setup --model ${ref.model.name}\``);
  }
  if (ref.kind === 'file' && !fs.existsSync(modelPath)) throw new LocalModelMissingError(`model file ${modelPath} does not exist`);

  const port = await freePort();
  fs.mkdirSync(paths.logsDir, { recursive: true });
  const logFile = path.join(paths.logsDir, `${key}.log`);
  const out = fs.openSync(logFile, 'a');
  const started = Date.now();
  // MASPO_LLAMA_ARGS: extra llama-server flags, e.g. "--poll 0" when several servers share the cores.
  const extra = (env.MASPO_LLAMA_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(binary.path, [...serverArgs({ modelPath, alias: key, port, sizing }), ...extra], {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...env, LLAMA_ARG_HOST: '127.0.0.1' },
  });
  fs.closeSync(out);
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = signal ?? `exit ${code}`));
  child.unref();
  if (child.pid === undefined) throw new Error(`llama-server could not be started (${binary.path})`);

  const state: LocalServerState = {
    pid: child.pid,
    port,
    baseURL: `http://127.0.0.1:${port}/v1`,
    model: ref.kind === 'catalogue' ? ref.model.name : modelPath,
    modelPath,
    binary: binary.path,
    sizing,
    startedAt: new Date().toISOString(),
    logFile,
  };
  const deadline = started + (opts.startTimeoutMs ?? 180_000);
  for (;;) {
    if (exited) throw new Error(`llama-server for ${state.model} stopped while loading (${exited}): ${logTail(logFile)}`);
    if (await healthy(port)) break;
    if (Date.now() > deadline) {
      killTree(child.pid);
      throw new Error(`llama-server for ${state.model} did not become ready within ${Math.round((deadline - started) / 1000)} s; see ${logFile}`);
    }
    await sleep(200);
  }
  writeState(path.join(paths.serversDir, `${key}.json`), state);
  const startupMs = Date.now() - started;
  opts.log?.(`llama-server ready: ${state.model} on ${state.baseURL} (${sizing.slots} slots × ${sizing.contextPerSlot} tokens, ${sizing.threads} threads, ${startupMs} ms)`);
  return { state, reused: false, startupMs };
}

/** The recorded server of `key` if its process is alive and answers /health. */
export async function liveServer(key: string, home: string): Promise<LocalServerState | undefined> {
  const state = readState(path.join(localLlmPaths(home).serversDir, `${key}.json`));
  if (!state || processExited(state.pid)) return undefined;
  return (await healthy(state.port)) ? state : undefined;
}

export interface ServerStatus {
  key: string;
  state: LocalServerState;
  alive: boolean;
  healthy: boolean;
}

export async function serverStatuses(home: string): Promise<ServerStatus[]> {
  const dir = localLlmPaths(home).serversDir;
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];
  const out: ServerStatus[] = [];
  for (const f of files) {
    const state = readState(path.join(dir, f));
    if (!state) continue;
    const alive = !processExited(state.pid);
    out.push({ key: f.replace(/\.json$/, ''), state, alive, healthy: alive && (await healthy(state.port)) });
  }
  return out;
}

/** Stops the server of `model` (or every server when no model is given); returns what was stopped. */
export async function stopServers(home: string, model?: string): Promise<LocalServerState[]> {
  const dir = localLlmPaths(home).serversDir;
  const keys = model ? [serverKey(resolveLocalModel(model))] : (await serverStatuses(home)).map((s) => s.key);
  const stopped: LocalServerState[] = [];
  for (const key of keys) {
    const file = path.join(dir, `${key}.json`);
    const state = readState(file);
    if (!state) continue;
    if (!processExited(state.pid)) {
      killTree(state.pid, 'SIGTERM');
      for (let i = 0; i < 50 && !processExited(state.pid); i++) await sleep(100);
      if (!processExited(state.pid)) killTree(state.pid, 'SIGKILL');
      stopped.push(state);
    }
    fs.rmSync(file, { force: true });
  }
  return stopped;
}

/** GET /health answers 200 once the model is loaded (503 while loading). */
export async function healthy(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

function killTree(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(-pid, signal); // detached: the server leads its own process group
  } catch {
    tryKill(pid, signal);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function readState(file: string): LocalServerState | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LocalServerState;
  } catch {
    return undefined;
  }
}

function writeState(file: string, state: LocalServerState): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2));
  fs.renameSync(tmp, file);
}

function logTail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return '(no log)';
  }
}
