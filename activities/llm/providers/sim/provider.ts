/**
 * The in-process simulator provider: answers with `respond` from sim/world.ts using the world in `spec.sim`, with no
 * HTTP. Deterministic: the sample index is the simulator's sampling seed at temperature > 0.
 *
 * With `faults.inProcess` on, the world's latency and faults apply here too: 429/500 are thrown as HTTP-shaped
 * errors (status, headers with retry-after) that `classifyLlmError` handles like the OpenAI SDK's; a hang waits
 * for the abort signal. The attempt number of a request counts its earlier calls on this provider instance, so
 * Temporal's retry of a failed call draws again.
 */
import type { LlmRequest, ModelSpec } from '../../../../core/contracts/llm';
import { SimWorldSchema } from '../../../../core/schema/sim-config';
import { SimFaultError, drawFault, drawLatencyMs, emptyReply, requestDigest, truncateReply } from '../../../../sim/faults';
import { respond } from '../../../../sim/world';
import type { SimRequest } from '../../../../sim/world';
import type { CallOptions, LlmProvider, ProviderReply } from '../types';

export function createSimProvider(): LlmProvider {
  const attempts = new Map<string, number>();
  return {
    name: 'sim',
    async complete(spec: ModelSpec, request: LlmRequest, options: CallOptions): Promise<ProviderReply> {
      options.signal.throwIfAborted();
      const world = SimWorldSchema.parse(spec.sim ?? {});
      const simRequest: SimRequest = {
        model: spec.model,
        messages: request.messages,
        temperature: spec.temperature,
        maxTokens: spec.maxTokens,
        seed: request.sampleIndex,
      };
      let reply = respond(world, simRequest);
      if (world.faults.inProcess) {
        const digest = requestDigest(simRequest);
        const attempt = attempts.get(digest) ?? 0;
        attempts.set(digest, attempt + 1);
        const fault = drawFault(world, digest, attempt);
        if (fault === 'hang') await abortOf(options.signal);
        await delay(drawLatencyMs(world, digest, attempt), options.signal);
        if (fault === 'rateLimited') throw new SimFaultError(429, world.faults.retryAfterSeconds);
        if (fault === 'serverError') throw new SimFaultError(500);
        if (fault === 'truncated') reply = truncateReply(reply, world.output.charsPerToken);
        if (fault === 'empty') reply = emptyReply(reply);
      }
      return toProviderReply(reply, spec.model);
    },
  };
}

export const simProvider: LlmProvider = createSimProvider();

function toProviderReply(reply: ReturnType<typeof respond>, model: string): ProviderReply {
  return {
    text: reply.text,
    finishReason: { unified: reply.finishReason, raw: reply.finishReason },
    usage: reply.usage,
    empty: reply.text.trim() === '',
    provider: 'sim',
    model,
  };
}

function abortOf(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
