/**
 * `fn` over `items` with at most `limit` calls in flight, results in input order. The codec encodes and decodes a
 * task's payloads through it: each gzip or gunzip holds a zlib context (~300 KB of native memory) and its output
 * until it is done, and a workflow task that schedules a whole batch of calls carries dozens of large payloads.
 * Node runs zlib on its 4 threadpool threads, so more in flight only queue, holding their memory while they wait.
 */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return out;
}
