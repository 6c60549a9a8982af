/** Progress as a piped log sees it: lines only when they say something new, with item counts and an ETA. */
import { etaTracker, formatEta } from '../client/eta';
import { progressReporter, searchProgressReporter } from '../client/progress';
import type { SearchProgressView } from '../client/optimize';

function sink() {
  const lines: string[] = [];
  return { lines, stream: { write: (l: string) => (lines.push(l), true) } as unknown as NodeJS.WriteStream };
}

test('the ETA is the observed rate since the first snapshot times what is left; none before an item completes', () => {
  let now = 0;
  const eta = etaTracker(() => now);
  expect(eta(10, 100)).toBeUndefined(); // first snapshot: nothing observed yet
  now = 60_000;
  expect(eta(10, 100)).toBeUndefined();
  now = 120_000;
  expect(eta(40, 100)).toBe(240_000); // 30 items in 2 min → 60 left take 4 min
  expect(eta(100, 100)).toBe(0);
  expect(formatEta(240_000)).toBe(' · ETA 4 min');
  expect(formatEta(20_000)).toBe(' · ETA 20 s');
  expect(formatEta(3 * 3_600_000)).toBe(' · ETA 3.0 h');
  expect(formatEta(undefined)).toBe('');
});

test('evaluate, piped: the same snapshot twice prints one line', () => {
  const { lines, stream } = sink();
  const r = progressReporter('lines', stream);
  const p = { total: 150, done: 0, correct: 0, errors: 0, calls: 0, cachedCalls: 0, status: 'running' as const };
  r.update(p);
  r.update(p);
  expect(lines).toEqual(['progress: 0/150 items, 0 correct, 0 calls (0 cached), 0 errors\n']);
});

test('optimize, piped, in the held-out phase: items of both evaluations, calls, cache hits', () => {
  const { lines, stream } = sink();
  const r = searchProgressReporter('lines', stream);
  const view: SearchProgressView = {
    phase: 'held-out', control: 'running', round: 3, rounds: 3, calls: 3100, cached: 600, spendUsd: 0, bestJ: { solver: 0.4 },
    heldOut: { total: 300, done: 42, correct: 30, errors: 0, calls: 84, cachedCalls: 10, status: 'running' },
  };
  r.update(view);
  r.update(view);
  expect(lines).toEqual(['progress: held-out evaluation · 42/300 items · 84 LLM calls (10 cached) · search: 3100 LLM calls, spend $0.00\n']);
});
