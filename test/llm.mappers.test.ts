/** The pure request builders and response mappers of both providers. */
import type { GenerateContentResponse } from '@google/genai';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import type { LlmRequest, ModelSpec } from '../core/contracts/llm';
import { geminiParams, mapGeminiFinishReason, mapGeminiResponse, mapGeminiUsage } from '../activities/llm/providers/gemini';
import { chatCompletionParams, mapChatCompletion, mapOpenAiFinishReason, mapOpenAiUsage, openAiText } from '../activities/llm/providers/openai';

const request: LlmRequest = {
  role: 'optimizer',
  messages: [
    { role: 'system', content: 'Rule one.' },
    { role: 'system', content: 'Rule two.' },
    { role: 'user', content: 'Q' },
    { role: 'assistant', content: 'A' },
    { role: 'user', content: 'Q2' },
  ],
  sampleIndex: 5,
};
const spec = (provider: 'openai' | 'gemini', extra: Partial<ModelSpec> = {}): ModelSpec => ({
  provider,
  model: provider === 'openai' ? 'gpt-4o-mini' : 'gemini-2.5-pro',
  temperature: 1,
  maxTokens: 100,
  timeoutMs: 1000,
  ...extra,
});

describe('openai mappers', () => {
  test.each([
    ['stop', 'stop'],
    ['length', 'length'],
    ['content_filter', 'content_filter'],
    ['tool_calls', 'tool_calls'],
    ['function_call', 'tool_calls'],
    ['eos', 'other'],
    [null, 'other'],
    [undefined, 'other'],
  ])('finish_reason %s → %s', (raw, unified) => {
    expect(mapOpenAiFinishReason(raw)).toBe(unified);
  });

  test('usage: complete, without total, missing', () => {
    expect(mapOpenAiUsage({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 })).toEqual({ inputTokens: 3, outputTokens: 4, totalTokens: 7 });
    expect(mapOpenAiUsage({ prompt_tokens: 3, completion_tokens: 4 })).toEqual({ inputTokens: 3, outputTokens: 4, totalTokens: 7 });
    expect(mapOpenAiUsage(undefined)).toEqual({ inputTokens: 0, outputTokens: 0, totalTokens: 0 });
    expect(mapOpenAiUsage(null)).toEqual({ inputTokens: 0, outputTokens: 0, totalTokens: 0 });
  });

  test.each([
    ['Paris', { text: 'Paris', empty: false }],
    ['  Paris\n', { text: '  Paris\n', empty: false }],
    ['', { text: '', empty: true }],
    [' \n\t', { text: '', empty: true }],
    [null, { text: '', empty: true }],
    [undefined, { text: '', empty: true }],
  ])('content %j', (content, expected) => {
    expect(openAiText(content)).toEqual(expected);
  });

  test('request params: extra fields first, ours win', () => {
    const params = chatCompletionParams(spec('openai', { extraBody: { top_p: 0.9, model: 'other', seed: 99 } }), request);
    expect(params).toEqual({
      top_p: 0.9,
      model: 'gpt-4o-mini',
      messages: request.messages,
      temperature: 1,
      max_tokens: 100,
      seed: 5,
    });
  });

  test('a completion without choices is an empty answer', () => {
    const completion = { id: 'x', object: 'chat.completion', created: 0, model: 'm', choices: [] } as unknown as ChatCompletion;
    expect(mapChatCompletion(completion, spec('openai'))).toEqual({
      text: '',
      empty: true,
      finishReason: { unified: 'other', raw: null },
      usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
      provider: 'openai',
      model: 'gpt-4o-mini',
    });
  });
});

describe('gemini mappers', () => {
  test.each([
    ['STOP', 'stop'],
    ['MAX_TOKENS', 'length'],
    ['SAFETY', 'content_filter'],
    ['RECITATION', 'content_filter'],
    ['BLOCKLIST', 'content_filter'],
    ['PROHIBITED_CONTENT', 'content_filter'],
    ['SPII', 'content_filter'],
    ['MALFORMED_FUNCTION_CALL', 'other'],
    ['OTHER', 'other'],
    ['FINISH_REASON_UNSPECIFIED', 'other'],
    [undefined, 'other'],
  ])('finishReason %s → %s', (raw, unified) => {
    expect(mapGeminiFinishReason(raw)).toBe(unified);
  });

  test('usage: thinking tokens count as output; missing counts as zero', () => {
    expect(mapGeminiUsage({ promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 })).toEqual({
      inputTokens: 10,
      outputTokens: 5,
      totalTokens: 15,
    });
    expect(mapGeminiUsage({ promptTokenCount: 10, candidatesTokenCount: 5, thoughtsTokenCount: 20, totalTokenCount: 35 })).toEqual({
      inputTokens: 10,
      outputTokens: 25,
      totalTokens: 35,
    });
    expect(mapGeminiUsage({ promptTokenCount: 10 })).toEqual({ inputTokens: 10, outputTokens: 0, totalTokens: 10 });
    expect(mapGeminiUsage(undefined)).toEqual({ inputTokens: 0, outputTokens: 0, totalTokens: 0 });
  });

  test('request params: system messages joined into systemInstruction, assistant → model, seed = sampleIndex', () => {
    const signal = new AbortController().signal;
    expect(geminiParams(spec('gemini'), request, signal)).toEqual({
      model: 'gemini-2.5-pro',
      contents: [
        { role: 'user', parts: [{ text: 'Q' }] },
        { role: 'model', parts: [{ text: 'A' }] },
        { role: 'user', parts: [{ text: 'Q2' }] },
      ],
      config: { temperature: 1, maxOutputTokens: 100, seed: 5, systemInstruction: 'Rule one.\n\nRule two.', abortSignal: signal },
    });
  });

  test('request params without system messages carry no systemInstruction', () => {
    const params = geminiParams(spec('gemini'), { ...request, messages: [{ role: 'user', content: 'Q' }] });
    expect(params.config).toEqual({ temperature: 1, maxOutputTokens: 100, seed: 5 });
  });

  const response = (body: object) => body as GenerateContentResponse;

  test('text parts are joined; thought and non-text parts are skipped', () => {
    const reply = mapGeminiResponse(
      response({
        candidates: [
          {
            content: { role: 'model', parts: [{ text: 'hidden', thought: true }, { text: 'The ' }, { functionCall: { name: 'f' } }, { text: 'answer' }] },
            finishReason: 'STOP',
          },
        ],
      }),
      spec('gemini'),
    );
    expect(reply.text).toBe('The answer');
    expect(reply.empty).toBe(false);
  });

  test('a candidate without content (e.g. stopped by SAFETY) is an empty answer', () => {
    const reply = mapGeminiResponse(response({ candidates: [{ finishReason: 'SAFETY' }] }), spec('gemini'));
    expect(reply).toMatchObject({ text: '', empty: true, finishReason: { unified: 'content_filter', raw: 'SAFETY' } });
  });

  test('a blocked prompt is an empty answer with the block reason', () => {
    const reply = mapGeminiResponse(response({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' } }), spec('gemini'));
    expect(reply).toMatchObject({ text: '', empty: true, finishReason: { unified: 'content_filter', raw: 'PROHIBITED_CONTENT' } });
  });

  test('no candidates and no block reason: empty, finish reason other', () => {
    const reply = mapGeminiResponse(response({}), spec('gemini'));
    expect(reply).toEqual({
      text: '',
      empty: true,
      finishReason: { unified: 'other', raw: null },
      usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
      provider: 'gemini',
      model: 'gemini-2.5-pro',
    });
  });
});
