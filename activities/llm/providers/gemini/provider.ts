/**
 * `LlmProvider` for the Gemini API through `@google/genai` (`models.generateContent`).
 *
 * One HTTP attempt per call. genai 2.x retries only when `httpOptions.retryOptions` is present (an empty
 * object already means 5 attempts), so it is never set: Temporal's retry policy owns retries.
 * genai's ApiError keeps the status and body but drops the response headers, so the call goes through a
 * fetch wrapper that attaches them (Retry-After, x-should-retry) for `errors.ts`.
 */
import type { Content, GenerateContentParameters, GenerateContentResponse, GenerateContentResponseUsageMetadata } from '@google/genai';
import type { FinishReason, LlmRequest, LlmUsage, ModelSpec } from '../../../../core/contracts/llm';
import { undiciWithoutOwnTimeouts } from '../../heartbeat';
import type { CallOptions, LlmProvider, ProviderReply } from '../types';

export const geminiProvider: LlmProvider = {
  name: 'gemini',
  async complete(spec: ModelSpec, request: LlmRequest, options: CallOptions): Promise<ProviderReply> {
    const failed = { headers: undefined as Headers | undefined };
    const { GoogleGenAI } = await loadGenAi();
    const ai = new GoogleGenAI({
      vertexai: false, // never switch backends because of GOOGLE_GENAI_USE_VERTEXAI in the worker's env
      apiKey: options.apiKey,
      httpOptions: {
        baseUrl: spec.baseURL,
        timeout: spec.timeoutMs,
        ...(spec.extraBody ? { extraBody: spec.extraBody } : {}), // deep-merged into the wire body
        fetch: headerKeepingFetch(failed),
      },
    });
    try {
      const response = await ai.models.generateContent(geminiParams(spec, request, options.signal));
      return mapGeminiResponse(response, spec);
    } catch (err) {
      if (failed.headers && typeof err === 'object' && err !== null && !('headers' in err)) {
        Object.defineProperty(err, 'headers', { value: failed.headers, enumerable: false });
      }
      throw err;
    }
  },
};

/**
 * The SDK (with google-auth-library: 11–13 MB resident in a worker) is loaded by the first Gemini call, not by
 * every worker that registers the provider and never calls it.
 */
let genAi: Promise<typeof import('@google/genai')> | undefined;
function loadGenAi(): Promise<typeof import('@google/genai')> {
  genAi ??= import('@google/genai');
  return genAi;
}

/**
 * System messages become `systemInstruction`; assistant turns are Gemini's `model` role. `seed` is the sample
 * index, as for OpenAI.
 */
export function geminiParams(spec: ModelSpec, request: LlmRequest, abortSignal?: AbortSignal): GenerateContentParameters {
  const system = request.messages.filter((m) => m.role === 'system').map((m) => m.content);
  const contents: Content[] = request.messages
    .filter((m) => m.role !== 'system')
    .map((m) => ({ role: m.role === 'assistant' ? 'model' : 'user', parts: [{ text: m.content }] }));
  return {
    model: spec.model,
    contents,
    config: {
      temperature: spec.temperature,
      maxOutputTokens: spec.maxTokens,
      seed: request.sampleIndex,
      ...(system.length > 0 ? { systemInstruction: system.join('\n\n') } : {}),
      ...(abortSignal ? { abortSignal } : {}),
    },
  };
}

/**
 * A blocked prompt (no candidates, `promptFeedback.blockReason`) and a candidate without text are both empty
 * answers: recorded, not thrown. Thought parts of thinking models are not part of the answer.
 */
export function mapGeminiResponse(response: GenerateContentResponse, spec: ModelSpec): ProviderReply {
  const candidate = response.candidates?.[0];
  const text = (candidate?.content?.parts ?? [])
    .filter((p) => typeof p.text === 'string' && !p.thought)
    .map((p) => p.text)
    .join('');
  const blockReason = response.promptFeedback?.blockReason;
  const raw = candidate?.finishReason ?? blockReason ?? null;
  const unified: FinishReason = candidate ? mapGeminiFinishReason(candidate.finishReason) : blockReason ? 'content_filter' : 'other';
  const empty = text.trim() === '';
  return {
    text: empty ? '' : text,
    empty,
    finishReason: { unified, raw },
    usage: mapGeminiUsage(response.usageMetadata),
    provider: 'gemini',
    model: spec.model,
  };
}

const CONTENT_FILTER_REASONS = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
]);

export function mapGeminiFinishReason(raw: string | null | undefined): FinishReason {
  if (raw === 'STOP') return 'stop';
  if (raw === 'MAX_TOKENS') return 'length';
  if (raw && CONTENT_FILTER_REASONS.has(raw)) return 'content_filter';
  return 'other';
}

/**
 * Output counts the thinking tokens too (`thoughtsTokenCount`, billed as output), matching OpenAI, whose
 * `completion_tokens` include reasoning tokens. Missing metadata counts as zero.
 */
export function mapGeminiUsage(usage: GenerateContentResponseUsageMetadata | null | undefined): LlmUsage {
  const inputTokens = usage?.promptTokenCount ?? 0;
  const outputTokens = (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0);
  return { inputTokens, outputTokens, totalTokens: usage?.totalTokenCount ?? inputTokens + outputTokens };
}

/**
 * Node's fetch; records the headers of a non-2xx response. Supplying our own fetch makes genai skip the
 * dispatcher that turns off undici's own 300 s timeouts, so the wrapper puts the same override back.
 */
function headerKeepingFetch(failed: { headers?: Headers }): typeof fetch {
  return async (input, init) => {
    const dispatcher = undiciWithoutOwnTimeouts();
    const response = await fetch(input, { ...init, ...(dispatcher ? { dispatcher } : {}) } as RequestInit);
    if (!response.ok) failed.headers = response.headers;
    return response;
  };
}
