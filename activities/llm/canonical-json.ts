/**
 * Canonical JSON (object keys sorted at every level, `undefined` members dropped), so equal values hash equally:
 * the response cache's key (cache.ts) is the sha256 of it.
 *
 * `writeCanonicalJson` emits the text in pieces instead of building it: a request carries prompts of up to a few
 * hundred thousand characters (an optimizer prompt with 8K-token traces), and the whole text, built only to be
 * hashed, was one more full copy of every request per call, large enough for V8's large-object space, which only a
 * full GC frees. Long strings go out in slices, so no piece is larger than `SLICE_CHARS` (escaped: at most 6×).
 * `canonicalJson` joins the same pieces: both are byte for byte what `JSON.stringify` gives for the sorted value.
 */

/** Characters of a string per emitted piece. */
const SLICE_CHARS = 16 * 1024;

export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  writeCanonicalJson(value, (s) => parts.push(s));
  return parts.join('');
}

/** Emits the canonical JSON of `value` in pieces, in order; nothing for `undefined`, like `JSON.stringify`. */
export function writeCanonicalJson(value: unknown, emit: (piece: string) => void): void {
  if (typeof value === 'string') return writeString(value, emit);
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value); // numbers, booleans; undefined, functions and symbols give undefined
    if (text !== undefined) emit(text);
    return;
  }
  if (Array.isArray(value)) {
    emit('[');
    value.forEach((v, i) => {
      if (i > 0) emit(',');
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') emit('null');
      else writeCanonicalJson(v, emit);
    });
    emit(']');
    return;
  }
  emit('{');
  let first = true;
  for (const k of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    if (!first) emit(',');
    first = false;
    writeString(k, emit);
    emit(':');
    writeCanonicalJson(v, emit);
  }
  emit('}');
}

/** A JSON string literal, long ones in slices that never split a surrogate pair (a lone half would be escaped). */
function writeString(s: string, emit: (piece: string) => void): void {
  if (s.length <= SLICE_CHARS) return emit(JSON.stringify(s));
  emit('"');
  for (let start = 0; start < s.length; ) {
    let end = Math.min(start + SLICE_CHARS, s.length);
    if (end < s.length && isLowSurrogate(s.charCodeAt(end))) end--; // keep the pair s[end-1], s[end] together
    const quoted = JSON.stringify(s.slice(start, end));
    emit(quoted.slice(1, -1));
    start = end;
  }
  emit('"');
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
