/**
 * The managed llama.cpp server of a real-model scenario. The runtime (llama-server and the model's GGUF file) is
 * installed once, under the project's maspo home, by the same code as `maspo llm setup` (idempotent: a second run
 * only checks; the first builds llama-server, ~8 min on 2 cores). Each scenario then starts its own server in its
 * throw-away home, which sees the installed model through symlinks and the binary through MASPO_LLAMA_SERVER, sized
 * for S slots before the search starts (so the model's load time is not the search's, and the server is sized for
 * every role, not for whichever role calls first). The worker's `provider: local` finds it there and reuses it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { catalogueModel } from '../../activities/llm/providers/local/catalogue';
import { ensureLlamaServer, ensureModel, findLlamaServer, isVerified } from '../../activities/llm/providers/local/install';
import { localLlmPaths } from '../../activities/llm/providers/local/paths';
import { ensureServer, sizeServer, stopServers, type LocalServerState } from '../../activities/llm/providers/local/server';
import { maspoHome } from '../../platform/home';

export interface LocalRuntime {
  /** The llama-server binary. */
  binary: string;
  /** The verified GGUF file. */
  modelPath: string;
}

/** `maspo llm setup --model <model>` under the project's home (this process's MASPO_HOME or ./.maspo). */
export async function ensureLocalRuntime(model: string, log: (line: string) => void): Promise<LocalRuntime> {
  const home = maspoHome();
  const server = await ensureLlamaServer({ home, log });
  const installed = await ensureModel(model, { home, log });
  return { binary: server.path, modelPath: installed.path };
}

/** True when `ensureLocalRuntime` has nothing to download or build (a quick bench includes the scenario then). */
export function localRuntimeInstalled(model: string): boolean {
  const home = maspoHome();
  const m = catalogueModel(model);
  try {
    return !!m && !!findLlamaServer(home) && isVerified(path.join(localLlmPaths(home).modelsDir, m.file), m.sha256);
  } catch {
    return false; // e.g. MASPO_LLAMA_SERVER names no executable: setup will say so
  }
}

/** What a process needs in its environment to run this runtime's llama-server. */
export function runtimeEnv(runtime: LocalRuntime): NodeJS.ProcessEnv {
  return { MASPO_LLAMA_SERVER: runtime.binary };
}

/**
 * Starts `model`'s server in `home` with `slots` slots, each holding a prompt plus `maxTokens`. Stopped by
 * `stopLocalServer` or, should the harness exit first, by an exit hook (the server is detached).
 */
export async function startLocalServer(opts: { model: string; runtime: LocalRuntime; home: string; slots: number; maxTokens: number; env: NodeJS.ProcessEnv; log: (line: string) => void }): Promise<LocalServerState> {
  const modelsDir = localLlmPaths(opts.home).modelsDir;
  fs.mkdirSync(modelsDir, { recursive: true });
  // The model file and its `.verified` marker (hash, size, mtime: stat follows the link), never a copy of 0.1–1 GB.
  for (const file of [opts.runtime.modelPath, `${opts.runtime.modelPath}.verified`]) fs.symlinkSync(file, path.join(modelsDir, path.basename(file)));
  const handle = await ensureServer(opts.model, sizeServer({ concurrency: opts.slots, maxTokens: opts.maxTokens }), { home: opts.home, env: opts.env, log: opts.log });
  const pid = handle.state.pid;
  const onExit = () => {
    try {
      process.kill(-pid, 'SIGKILL'); // detached: the server leads its own process group
    } catch {
      // already gone
    }
  };
  process.once('exit', onExit);
  exitHooks.set(opts.home, onExit);
  return handle.state;
}

const exitHooks = new Map<string, () => void>();

export async function stopLocalServer(home: string): Promise<void> {
  await stopServers(home);
  const hook = exitHooks.get(home);
  if (hook) process.off('exit', hook);
  exitHooks.delete(home);
}
