/**
 * The facts of the OpenAI SDK's `APIError` (and of every error shaped like it: the simulator's injected faults):
 * `error` is the parsed `error` object of the response body, `requestID` the `x-request-id` header.
 * Status, headers and the classification itself are generic (`activities/llm/errors.ts`).
 */
import type { ProviderErrorFacts } from '../types';

export function readOpenAiError(err: unknown): ProviderErrorFacts | undefined {
  if (!isObject(err) || !isObject(err.error)) return undefined;
  const status = typeof err.status === 'number' && err.status >= 100 ? err.status : undefined;
  if (status === undefined) return undefined;
  const body = err.error;
  const rawMessage = typeof err.message === 'string' ? err.message : undefined;
  return {
    status,
    message: typeof body.message === 'string' ? body.message : stripStatus(rawMessage, status),
    code: typeof body.code === 'string' ? body.code : typeof body.type === 'string' ? body.type : undefined,
    requestId: typeof err.requestID === 'string' ? err.requestID : undefined,
  };
}

/** The SDK's message starts with the status ("429 Rate limit reached …"); the classifier quotes the status itself. */
function stripStatus(message: string | undefined, status: number): string | undefined {
  return message?.replace(new RegExp(`^${status}\\s*`), '') || undefined;
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null;
}
