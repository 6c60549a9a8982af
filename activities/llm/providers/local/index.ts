/**
 * `provider: local`: a model run by the managed llama.cpp server on this host, called through the real `openai`
 * client. `model:` is a catalogue name or a path to a GGUF file.
 *
 * The first call for a model starts its server (or reuses one that `maspo llm serve` or another worker started);
 * roles on the same model share it. A server that died is noticed on the next attempt and started again: the
 * failed call left as a retryable connection error, Temporal retried it, and the response cache answers every
 * call whose reply had already arrived, so nothing is paid for twice.
 */
import type { LlmRequest, ModelSpec } from '../../../../core/contracts/llm';
import { readOpenAiError } from '../openai/errors';
import { openAiProvider } from '../openai/provider';
import type { CallOptions, LlmProvider, ProviderContext, ProviderDefinition, ProviderReply } from '../types';
import { ModelGate } from './model-gate';
import { processExited } from '../../../../platform/processes';
import { startSlotSampler } from './occupancy';
import { localThroughput } from './throughput';
import { ensureServer, sizeServer, type LocalServerState } from './server';

/** Slots for a server this provider starts: the calls the worker may have in flight to its model (`slotsFor`). */
export type LocalProviderOptions = ProviderContext;

/** Keyless (the server runs on this host) and free (your hardware is not priced); errors are the openai client's. */
export const local: ProviderDefinition = {
  name: 'local',
  apiKey: 'none',
  free: true,
  create: (ctx) => createLocalProvider(ctx),
  readError: readOpenAiError,
  throughput: localThroughput,
};

export function createLocalProvider(opts: LocalProviderOptions): LlmProvider {
  const servers = new Map<string, Promise<LocalServerState>>();
  // Roles on different local models take turns on the CPU (see model-gate.ts); calls to one model run together.
  const gate = new ModelGate();
  // One /slots sampler per server process this worker calls (occupancy.ts): how busy the run kept the slots.
  const samplers = new Map<number, () => void>();
  const sample = (state: LocalServerState) => {
    if (samplers.has(state.pid)) return;
    for (const [pid, stop] of samplers) {
      if (!processExited(pid)) continue;
      stop();
      samplers.delete(pid);
    }
    samplers.set(state.pid, startSlotSampler({ home: opts.home, model: state.model, baseURL: state.baseURL }));
  };

  function serverFor(spec: ModelSpec): Promise<LocalServerState> {
    let pending = servers.get(spec.model);
    if (!pending) {
      const sizing = sizeServer({ concurrency: opts.slotsFor?.(spec.model) ?? opts.concurrency, maxTokens: Math.max(spec.maxTokens, 1024) });
      pending = ensureServer(spec.model, sizing, { home: opts.home, env: opts.env, log: opts.log }).then((h) => h.state);
      servers.set(spec.model, pending);
      pending.catch(() => servers.delete(spec.model)); // a failed start is tried again by the next attempt
    }
    return pending;
  }

  return {
    name: 'local',
    async complete(spec: ModelSpec, request: LlmRequest, options: CallOptions): Promise<ProviderReply> {
      let state = await serverFor(spec);
      if (processExited(state.pid)) {
        servers.delete(spec.model); // killed or crashed since: start (or find) a new one
        state = await serverFor(spec);
      }
      sample(state);
      const release = await gate.enter(spec.model, options.signal);
      try {
        const reply = await openAiProvider.complete({ ...spec, baseURL: state.baseURL, model: state.model /* llama-server accepts any name; the real one reads best in its log */ }, request, options);
        return { ...reply, provider: 'local', model: spec.model };
      } catch (err) {
        if (processExited(state.pid)) servers.delete(spec.model);
        throw err;
      } finally {
        release();
      }
    },
  };
}
