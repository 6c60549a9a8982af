/**
 * The facts of `@google/genai`'s `ApiError`: its message is the JSON of the error body
 * (`{"error": {code, message, status, details}}`), whose details may carry `google.rpc.RetryInfo` (how long to
 * wait) and `google.rpc.ErrorInfo` (a reason such as API_KEY_INVALID, which Gemini sends with a 400).
 * Status, headers (attached by the provider's fetch wrapper) and the classification itself are generic
 * (`activities/llm/errors.ts`).
 */
import type { ProviderErrorFacts } from '../types';

export function readGeminiError(err: unknown): ProviderErrorFacts | undefined {
  if (!isObject(err)) return undefined;
  const status = typeof err.status === 'number' && err.status >= 100 ? err.status : undefined;
  if (status === undefined) return undefined;
  const google = parseGoogleError(typeof err.message === 'string' ? err.message : undefined);
  return google ? { status, ...google } : undefined;
}

export function parseGoogleError(raw: string | undefined): Omit<ProviderErrorFacts, 'status'> | undefined {
  if (!raw?.startsWith('{')) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isObject(body) || !isObject(body.error)) return undefined;
  const error = body.error;
  const details = Array.isArray(error.details) ? error.details.filter(isObject) : [];
  const retryInfo = details.find((d) => String(d['@type']).endsWith('google.rpc.RetryInfo'));
  const errorInfo = details.find((d) => String(d['@type']).endsWith('google.rpc.ErrorInfo'));
  return {
    message: typeof error.message === 'string' ? error.message : undefined,
    code: typeof error.status === 'string' ? error.status : undefined,
    retryDelayMs: retryInfo ? protoDurationMs(retryInfo.retryDelay) : undefined,
    reason: errorInfo && typeof errorInfo.reason === 'string' ? errorInfo.reason : undefined,
  };
}

/** google.protobuf.Duration in JSON form: "37s", "1.5s". */
function protoDurationMs(value: unknown): number | undefined {
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(value.trim()) : null;
  const ms = match ? Math.ceil(Number(match[1]) * 1000) : 0;
  return ms > 0 ? ms : undefined;
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null;
}
