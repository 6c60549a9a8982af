/**
 * The real-model scenario's occupancy figures (bench/engine/slot-sampler.ts): each sample holds until the next,
 * gaps longer than three intervals are left out, service time counts only what the model answered.
 */
import { occupancyOver, realModelStats, serviceMsOf, type SlotSample } from '../bench/engine/slot-sampler';
import type { CallRecord } from '../bench/engine/records';

const s = (t: number, busy: number, slots = 4): SlotSample => ({ t, slots, busy });

test('occupancy weights each sample by the time it holds, within the window', () => {
  // 0–500 ms: 4 busy, 500–1000: 2 busy, 1000–2000 (to the window's end): 0 busy; a sample before the window is ignored.
  const o = occupancyOver([s(-500, 1), s(0, 4), s(500, 2), s(1000, 0)], 0, 2000, 500)!;
  expect(o.slots).toBe(4);
  expect(o.sampledMs).toBe(2000);
  expect(o.allBusyShare).toBeCloseTo(0.25);
  expect(o.meanBusy).toBeCloseTo((4 * 500 + 2 * 500) / 2000);
  expect(o.idleShare).toBeCloseTo(0.5);
  expect(o.byBusy).toEqual([0.5, 0, 0.25, 0, 0.25]);
});

test('a gap with no answer counts for at most three intervals; no samples, no figure', () => {
  const o = occupancyOver([s(0, 4), s(10_000, 4)], 0, 10_500, 500)!;
  expect(o.sampledMs).toBe(1500 + 500);
  expect(o.allBusyShare).toBe(1);
  expect(occupancyOver([s(5000, 1)], 0, 1000)).toBeUndefined();
});

test('service time: answered calls only, the provider duration when known; the ratio to the floor', () => {
  const rec = (o: Partial<CallRecord>): CallRecord => ({ ok: true, cached: false, start: 0, end: 1000, ...o }) as CallRecord;
  const records = [rec({ latencyMs: 800 }), rec({}), rec({ cached: true }), rec({ ok: false })];
  expect(serviceMsOf(records)).toBe(1800);
  const stats = realModelStats({ model: 'm', slots: 2, samples: [s(0, 2, 2)], records, fromMs: 0, toMs: 1800, server: {} });
  expect(stats.answeredCalls).toBe(2);
  expect(stats.wallOverFloor).toBeCloseTo(1800 / (1800 / 2));
});
