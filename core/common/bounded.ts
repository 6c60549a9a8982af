/**
 * Bounded concurrency: at most `limit` of `fn` in flight, results in input order. Pure Promise logic, so
 * deterministic and safe in the workflow sandbox (items of a batch, candidates of a step) and used outside it too
 * (the payload codec bounds its gzips with it: platform/payloads/claim-check-codec.ts).
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  async function lane(): Promise<void> {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return out;
}
