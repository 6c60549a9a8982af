/** The local provider's model gate: one model computes at a time, calls to the holder run together, no starvation. */
import { ModelGate } from '../activities/llm/providers/local/model-gate';
import { slotDemand } from '../workers/worker';

const tick = () => new Promise((r) => setImmediate(r));

test('calls to the same model run side by side', async () => {
  const gate = new ModelGate();
  const a = await gate.enter('small');
  const b = await gate.enter('small');
  expect(gate.snapshot()).toEqual({ holder: 'small', inFlight: 2, waiting: 0 });
  a();
  b();
  expect(gate.snapshot()).toEqual({ holder: undefined, inFlight: 0, waiting: 0 });
});

test('another model waits for the holder to drain, then all its waiting calls go in together', async () => {
  const gate = new ModelGate();
  const order: string[] = [];
  const s1 = await gate.enter('small');
  const big = [gate.enter('big').then((r) => (order.push('big1'), r)), gate.enter('big').then((r) => (order.push('big2'), r))];
  // A later call of the holder queues behind the waiting model: no starvation.
  const s2 = gate.enter('small').then((r) => (order.push('small2'), r));
  await tick();
  expect(order).toEqual([]);
  expect(gate.snapshot()).toEqual({ holder: 'small', inFlight: 1, waiting: 3 });
  s1();
  const [b1, b2] = await Promise.all(big);
  expect(order).toEqual(['big1', 'big2']);
  expect(gate.snapshot()).toEqual({ holder: 'big', inFlight: 2, waiting: 1 });
  b1();
  await tick();
  expect(order).toEqual(['big1', 'big2']);
  b2();
  (await s2)();
  expect(order).toEqual(['big1', 'big2', 'small2']);
  expect(gate.snapshot()).toEqual({ holder: undefined, inFlight: 0, waiting: 0 });
});

test('a waiting call that is cancelled leaves the queue with the abort reason', async () => {
  const gate = new ModelGate();
  const hold = await gate.enter('small');
  const ac = new AbortController();
  const waiting = gate.enter('big', ac.signal);
  ac.abort(new Error('activity cancelled'));
  await expect(waiting).rejects.toThrow('activity cancelled');
  expect(gate.snapshot().waiting).toBe(0);
  hold();
  expect(gate.snapshot()).toEqual({ holder: undefined, inFlight: 0, waiting: 0 });
});

test('releasing twice is harmless', async () => {
  const gate = new ModelGate();
  const r = await gate.enter('m');
  r();
  r();
  expect(gate.snapshot().inFlight).toBe(0);
});

describe('slots a local server gets from a worker (workers/worker.ts slotDemand)', () => {
  test('the roles on its model when every role names one; every role otherwise; unknown models get every role', () => {
    const { inFlight, slotsFor } = slotDemand({ backbone: { concurrency: 6, model: 'small' }, optimizer: { concurrency: 1, model: 'big' }, judge: { concurrency: 2, model: 'big' } });
    expect(inFlight).toBe(9);
    expect(slotsFor('small')).toBe(6);
    expect(slotsFor('big')).toBe(3);
    expect(slotsFor('other')).toBe(9); // a call for a model no role names (another config on the same worker)
    expect(slotDemand({ backbone: { concurrency: 2 }, optimizer: { concurrency: 1 }, judge: { concurrency: 1 } }).slotsFor('small')).toBe(4);
    expect(slotDemand(undefined).slotsFor('small')).toBe(24); // DEFAULT_ROLE_LIMITS: 8 per role
  });
});
