/**
 * Gemini API wire shapes (POST /v1beta/models/<model>:generateContent) for the scripted local server.
 * Errors use Google's format: `{"error": {code, message, status, details: [google.rpc.*]}}`.
 */
import { ScriptedServer, type ScriptedReply } from './fake-openai-server';

export async function startFakeGeminiServer(): Promise<ScriptedServer & { baseURL: string }> {
  const server = await ScriptedServer.start();
  return Object.assign(server, { baseURL: server.origin });
}

export function generateContentPath(model: string): string {
  return `/v1beta/models/${model}:generateContent`;
}

export function geminiResponse(
  parts: Array<{ text: string; thought?: boolean }> | null,
  options: { finishReason?: string; usage?: Record<string, number> | null; promptBlockReason?: string } = {},
): ScriptedReply {
  const candidates =
    parts === null ? undefined : [{ content: { role: 'model', parts }, finishReason: options.finishReason ?? 'STOP', index: 0 }];
  return {
    kind: 'json',
    body: {
      ...(candidates ? { candidates } : {}),
      ...(options.promptBlockReason ? { promptFeedback: { blockReason: options.promptBlockReason } } : {}),
      ...(options.usage === null
        ? {}
        : { usageMetadata: options.usage ?? { promptTokenCount: 9, candidatesTokenCount: 4, totalTokenCount: 13 } }),
      modelVersion: 'gemini-2.5-flash',
      responseId: 'resp-test',
    },
  };
}

export function geminiError(
  status: number,
  googleStatus: string,
  message: string,
  options: { details?: unknown[]; headers?: Record<string, string> } = {},
): ScriptedReply {
  return {
    kind: 'json',
    status,
    headers: options.headers,
    body: { error: { code: status, message, status: googleStatus, ...(options.details ? { details: options.details } : {}) } },
  };
}

export const retryInfo = (retryDelay: string) => ({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay });

export const apiKeyInvalid = () => ({
  '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
  reason: 'API_KEY_INVALID',
  domain: 'googleapis.com',
});
