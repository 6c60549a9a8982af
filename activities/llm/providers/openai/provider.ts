/**
 * `LlmProvider` for OpenAI and every OpenAI-compatible Chat Completions endpoint (vLLM, Ollama, llama.cpp,
 * DeepSeek, `maspo sim serve`), selected by `spec.baseURL`.
 *
 * One HTTP attempt per call: the SDK's own retries are off (`maxRetries: 0`) because Temporal's retry policy
 * owns retries, and errors propagate unchanged for `errors.ts` to classify (reading their body with `./errors.ts`).
 */
import OpenAI, { type ClientOptions } from 'openai';
import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';
import type { FinishReason, LlmRequest, LlmUsage, ModelSpec } from '../../../../core/contracts/llm';
import { undiciWithoutOwnTimeouts } from '../../heartbeat';
import type { CallOptions, LlmProvider, ProviderReply } from '../types';

/**
 * Sent when a self-hosted endpoint runs without a key. The SDK insists on some key and would otherwise read
 * OPENAI_API_KEY from the environment by itself, bypassing `apiKeyEnv`.
 */
export const KEYLESS_API_KEY = 'maspo-keyless';

export const openAiProvider: LlmProvider = {
  name: 'openai',
  async complete(spec: ModelSpec, request: LlmRequest, options: CallOptions): Promise<ProviderReply> {
    const dispatcher = undiciWithoutOwnTimeouts(); // else undici cuts calls off at 300 s despite timeoutMs
    const client = new OpenAI({
      apiKey: options.apiKey ?? KEYLESS_API_KEY,
      baseURL: spec.baseURL,
      maxRetries: 0,
      timeout: spec.timeoutMs,
      ...(dispatcher ? { fetchOptions: { dispatcher } as ClientOptions['fetchOptions'] } : {}),
    });
    const completion = await client.chat.completions.create(chatCompletionParams(spec, request), {
      signal: options.signal,
    });
    return mapChatCompletion(completion, spec);
  },
};

/**
 * The request body. `spec.extraBody` fields (e.g. `top_k`, `repetition_penalty`) go first so they can never
 * override the fields the cache key and the experiment depend on. `seed` is the sample index: repeated
 * samples at temperature > 0 differ from each other and are reproducible where the server honours seeds.
 */
export function chatCompletionParams(spec: ModelSpec, request: LlmRequest): ChatCompletionCreateParamsNonStreaming {
  return {
    ...spec.extraBody,
    model: spec.model,
    messages: request.messages.map((m): ChatCompletionMessageParam => ({ role: m.role, content: m.content })),
    temperature: spec.temperature,
    max_tokens: spec.maxTokens,
    seed: request.sampleIndex,
  };
}

export function mapChatCompletion(completion: ChatCompletion, spec: ModelSpec): ProviderReply {
  // Compatible servers do not all honour the schema; read defensively.
  const choice = completion.choices?.[0];
  const { text, empty } = openAiText(choice?.message?.content);
  return {
    text,
    empty,
    finishReason: { unified: mapOpenAiFinishReason(choice?.finish_reason), raw: choice?.finish_reason ?? null },
    usage: mapOpenAiUsage(completion.usage),
    provider: 'openai',
    model: spec.model,
  };
}

export function mapOpenAiFinishReason(raw: string | null | undefined): FinishReason {
  switch (raw) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content_filter';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    default:
      return 'other';
  }
}

/** Missing usage (some compatible servers omit it) counts as zero, never as an estimate. */
export function mapOpenAiUsage(usage: Partial<CompletionUsage> | null | undefined): LlmUsage {
  const inputTokens = usage?.prompt_tokens ?? 0;
  const outputTokens = usage?.completion_tokens ?? 0;
  return { inputTokens, outputTokens, totalTokens: usage?.total_tokens ?? inputTokens + outputTokens };
}

/** Null, missing or whitespace-only content is an empty answer: recorded as `empty`, not thrown. */
export function openAiText(content: string | null | undefined): { text: string; empty: boolean } {
  if (typeof content !== 'string' || content.trim() === '') return { text: '', empty: true };
  return { text: content, empty: false };
}
