/** Canonical JSON written in pieces: byte for byte `JSON.stringify` of the key-sorted value, so cache keys stay. */
import { createHash } from 'node:crypto';
import { canonicalJson, writeCanonicalJson } from '../activities/llm/canonical-json';
import { cacheKey } from '../activities/llm/cache';
import type { LlmRequest, ModelSpec } from '../core/contracts/llm';

/** The reference: what cache.ts built before (a sorted copy, then one JSON.stringify). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortKeys(v)));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = sortKeys(v);
  }
  return out;
}
const reference = (v: unknown) => JSON.stringify(sortKeys(v));

// Long strings cross the 16K-character slices: a surrogate pair at each boundary, escapes, quotes, control chars.
const pairAt = (n: number) => 'a'.repeat(n - 1) + '😀' + 'b'.repeat(40_000);
const values: Array<[string, unknown]> = [
  ['scalars', [1, -0.5, 1e21, true, false, null, 'x', '']],
  ['nested, unsorted, undefined members and array holes', { b: 1, a: { d: [1, { f: 2, e: undefined }, undefined], c: null }, z: [] }],
  ['non-finite numbers', { n: NaN, i: Infinity }],
  ['a surrogate pair across the first slice boundary', { s: pairAt(16 * 1024) }],
  ['a pair ending exactly at a boundary', { s: pairAt(16 * 1024 - 1) }],
  ['escapes in a long string', { s: '"\\\n\t\u0001 …'.repeat(9000) }],
  ['a lone surrogate (escaped, as JSON.stringify does)', { s: 'x'.repeat(20_000) + '\ud800' + 'y'.repeat(20_000) }],
];

describe('canonical JSON', () => {
  test.each(values)('%s: identical to JSON.stringify of the sorted value', (_name, value) => {
    expect(canonicalJson(value)).toBe(reference(value));
  });

  test('no piece of a long string is longer than a slice (escaped)', () => {
    const pieces: string[] = [];
    writeCanonicalJson({ s: 'q'.repeat(200_000) }, (p) => pieces.push(p));
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThanOrEqual(16 * 1024);
    expect(pieces.join('')).toBe(reference({ s: 'q'.repeat(200_000) }));
  });

  test('the cache key is still the sha256 of the one canonical text', () => {
    const spec: ModelSpec = { provider: 'openai', model: 'm', temperature: 0.7, maxTokens: 64, timeoutMs: 1000, extraBody: { top_k: 5 } };
    const request: LlmRequest = { role: 'judge', messages: [{ role: 'user', content: pairAt(16 * 1024) + ' … ' }], sampleIndex: 3 };
    const keyed = {
      v: 'maspo-llm-cache/v1',
      provider: 'openai',
      model: 'm',
      baseURL: null,
      messages: [{ role: 'user', content: request.messages[0].content }],
      temperature: 0.7,
      maxTokens: 64,
      extraBody: { top_k: 5 },
      sampleIndex: 3,
      sim: null,
    };
    expect(cacheKey(spec, request)).toBe(createHash('sha256').update(reference(keyed)).digest('hex'));
  });
});
