/**
 * Bounds inside a worker for LLM calls on the workflow queue (activities/llm/role-limits.ts): a role never has more
 * calls running than its limit, waiters go in arrival order, other roles are not held up, an aborted waiter leaves
 * the queue; roles on one model share their slots (workers/worker.ts `roleBounds` decides when).
 */
import { RoleCallLimits } from '../activities/llm/role-limits';
import { roleBounds } from '../workers/worker';

const tick = () => new Promise((r) => setImmediate(r));

test('a role runs at most its limit; the next waiter starts when one is released; other roles pass', async () => {
  const limits = new RoleCallLimits({ judge: { concurrency: 2 }, backbone: { concurrency: 1 } });
  const r1 = await limits.acquire('judge');
  const r2 = await limits.acquire('judge');
  const started: string[] = [];
  const third = limits.acquire('judge').then((r) => (started.push('third'), r));
  const fourth = limits.acquire('judge').then((r) => (started.push('fourth'), r));
  await tick();
  expect(started).toEqual([]);
  expect(limits.load('judge')).toEqual({ running: 2, waiting: 2 });

  const b = await limits.acquire('backbone'); // another role is not held up by the judge's queue
  expect(limits.load('backbone')).toEqual({ running: 1, waiting: 0 });

  r1();
  r1(); // a second release of the same slot is ignored
  await tick();
  expect(started).toEqual(['third']);
  expect(limits.load('judge')).toEqual({ running: 2, waiting: 1 });
  r2();
  await tick();
  expect(started).toEqual(['third', 'fourth']);
  (await third)();
  (await fourth)();
  b();
  expect(limits.load('judge')).toEqual({ running: 0, waiting: 0 });
  expect(limits.load('backbone')).toEqual({ running: 0, waiting: 0 });
});

test('a role without a limit never waits; an aborted waiter leaves the queue with the abort reason', async () => {
  const limits = new RoleCallLimits({ optimizer: { concurrency: 1 } });
  await Promise.all(Array.from({ length: 50 }, () => limits.acquire('backbone')));
  expect(limits.load('backbone').running).toBe(50);

  const holder = await limits.acquire('optimizer');
  const abort = new AbortController();
  const waiting = limits.acquire('optimizer', abort.signal);
  await tick();
  abort.abort(new Error('cancelled'));
  await expect(waiting).rejects.toThrow('cancelled');
  expect(limits.load('optimizer')).toEqual({ running: 1, waiting: 0 });
  holder();
  expect(limits.load('optimizer')).toEqual({ running: 0, waiting: 0 });
});

test('roles on the same model share their slots: a slot the optimizer leaves free serves the backbone', async () => {
  const limits = new RoleCallLimits({ backbone: { concurrency: 2, model: 'm' }, optimizer: { concurrency: 1, model: 'm' }, judge: { concurrency: 1, model: 'big' } });
  const held = await Promise.all([limits.acquire('backbone'), limits.acquire('backbone'), limits.acquire('backbone')]); // 3 = 2 + 1
  expect(limits.load('backbone')).toEqual({ running: 3, waiting: 0 });
  expect(limits.load('optimizer')).toEqual({ running: 3, waiting: 0 }); // the same pool
  let optimizerIn = false;
  const optimizer = limits.acquire('optimizer').then((r) => ((optimizerIn = true), r));
  const judge = await limits.acquire('judge'); // another model's pool
  await tick();
  expect(optimizerIn).toBe(false);
  held[0]();
  await tick();
  expect(optimizerIn).toBe(true);
  (await optimizer)();
  held[1]();
  held[2]();
  judge();
  expect(limits.load('backbone')).toEqual({ running: 0, waiting: 0 });
});

test('roleBounds pools by model only when every role names its model (a worker serving one config)', () => {
  expect(roleBounds({ backbone: { concurrency: 6, model: 'a' }, optimizer: { concurrency: 1, model: 'b' }, judge: { concurrency: 2, model: 'b' } })).toEqual({
    backbone: { concurrency: 6, model: 'a' },
    optimizer: { concurrency: 1, model: 'b' },
    judge: { concurrency: 2, model: 'b' },
  });
  expect(roleBounds({ backbone: { concurrency: 6, model: 'a' }, judge: { concurrency: 2 } })).toEqual({
    backbone: { concurrency: 6 },
    optimizer: { concurrency: 8 },
    judge: { concurrency: 2 },
  });
});
