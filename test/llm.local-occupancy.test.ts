/** Slot occupancy of a managed llama-server: the sampler against a real HTTP `/slots`, and the window summary. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readSlotSamples, startSlotSampler, summariseOccupancy, type SlotSample } from '../activities/llm/providers/local/occupancy';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { tempHome } from './support/evaluation';

const sample = (t: number, busy: number, model = 'm', slots = 4): SlotSample => ({ t, model, slots, busy });

test('utilization counts busy slot-seconds over every sampled second; "all busy" is a share of the active seconds', () => {
  const s = [sample(0, 0), sample(1000, 4), sample(2000, 2), sample(3000, 4), sample(9000, 1, 'other', 2)];
  const [m, other] = summariseOccupancy(s, 0, 3500);
  expect(m).toMatchObject({ model: 'm', slots: 4, seconds: 4, activeSeconds: 3 });
  expect(m.utilization).toBeCloseTo(10 / 16);
  expect(m.allBusyShareOfActive).toBeCloseTo(2 / 3);
  expect(m.meanBusyWhileActive).toBeCloseTo(10 / 3);
  expect(m.wallOverServiceFloor).toBeCloseTo(16 / 10); // 4 slots × 4 s ÷ 10 busy slot-seconds
  expect(other).toBeUndefined(); // outside the window
});

test('two workers sampling one server in the same second count once (the busier sample)', () => {
  const [m] = summariseOccupancy([sample(1000, 1), sample(1400, 3), sample(2100, 0)], 0, 5000);
  expect(m.seconds).toBe(2);
  expect(m.utilization).toBeCloseTo(3 / 8);
});

test('no samples in the window: no rows', () => {
  expect(summariseOccupancy([sample(10_000, 2)], 0, 5000)).toEqual([]);
});

test('the sampler reads /slots of a running server into the home, and the reader skips a torn line', async () => {
  let busy = 0;
  const server = http.createServer((req, res) => {
    if (req.url !== '/slots') return void res.writeHead(404).end();
    busy = (busy + 1) % 3;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify([0, 1].map((id) => ({ id, is_processing: id < busy }))));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const home = tempHome();
  const port = (server.address() as AddressInfo).port;
  const stop = startSlotSampler({ home, model: 'fake', baseURL: `http://127.0.0.1:${port}/v1`, intervalMs: 20 });
  try {
    const deadline = Date.now() + 5000;
    while ((await readSlotSamples(home)).length < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  } finally {
    stop();
    await new Promise((r) => server.close(r));
  }
  const before = (await readSlotSamples(home)).length;
  appendFileSync(path.join(home, 'llm', 'servers', 'fake.slots.jsonl'), '{"t": 17966'); // a worker killed mid-write
  const samples = await readSlotSamples(home);
  expect(samples).toHaveLength(before);
  expect(samples.length).toBeGreaterThanOrEqual(6);
  expect(samples.every((s) => s.model === 'fake' && s.slots === 2 && s.busy >= 0 && s.busy <= 2)).toBe(true);
  expect(new Set(samples.map((s) => s.busy))).toEqual(new Set([0, 1, 2]));
});
