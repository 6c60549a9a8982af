/** The bounded map (workflows and the payload codec): input order kept, never more than the limit in flight. */
import { mapBounded } from '../core/common/bounded';

test('keeps input order with at most `limit` calls in flight', async () => {
  let inFlight = 0;
  let most = 0;
  const items = Array.from({ length: 23 }, (_, i) => i);
  const out = await mapBounded(items, 4, async (i) => {
    most = Math.max(most, ++inFlight);
    await new Promise((r) => setTimeout(r, (i * 7) % 5));
    inFlight--;
    return i * 2;
  });
  expect(out).toEqual(items.map((i) => i * 2));
  expect(most).toBe(4);
});

test('no items, no calls; a failure rejects the whole map', async () => {
  expect(await mapBounded([], 4, async () => 1)).toEqual([]);
  await expect(mapBounded([1, 2, 3], 2, async (i) => (i === 2 ? Promise.reject(new Error('bad 2')) : i))).rejects.toThrow('bad 2');
});
