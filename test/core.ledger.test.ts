/**
 * The pure spend arithmetic behind the budget cap (core/contracts/ledger.ts) and the calls a unit reserves
 * (core/forecast/plan.ts `reservedCalls`): pricing, cache hits free, sums, the worst case, the cap check, cap changes.
 */
import { addLedgers, budgetChangeError, callCostUsd, checkBudget, emptyLedger, nextBudget, recordCall, reservationFor, spendOf, type RunPricing } from '../core/contracts/ledger';
import { reservedCalls, unitCalls } from '../core/forecast/plan';
import { emptyTotals, mergeRound } from '../core/contracts/optimize';
import { optimizeSettings } from '../core/schema/optimize';

const chain = { agents: ['predictor', 'reviewer'], edges: [{ from: 'predictor', to: 'reviewer' }] };
const pricing: RunPricing = {
  prices: { backbone: { input: 1, output: 2 }, optimizer: { input: 10, output: 20 }, judge: null },
  inputTokens: { backbone: 100, optimizer: 1000, judge: 300 },
  maxTokens: { backbone: 50, optimizer: 500, judge: 20 },
};

test('a paid call costs tokens × price; a cache hit is counted apart and costs nothing; an unpriced role costs 0', () => {
  const l = emptyLedger();
  recordCall(l, 'backbone', { cached: false, usage: { inputTokens: 1000, outputTokens: 500 } }, pricing.prices.backbone);
  recordCall(l, 'backbone', { cached: true, usage: { inputTokens: 4000, outputTokens: 10 } }, pricing.prices.backbone);
  recordCall(l, 'judge', { cached: false, usage: { inputTokens: 300, outputTokens: 5 } }, pricing.prices.judge);
  expect(l.backbone).toEqual({ paidCalls: 1, cachedCalls: 1, inputTokens: 1000, outputTokens: 500, cachedInputTokens: 4000, cachedOutputTokens: 10, costUsd: 0.002, maxInputTokens: 4000 });
  expect(l.judge.costUsd).toBe(0);
  expect(spendOf(l)).toEqual({ usd: 0.002, calls: 2 });
  expect(callCostUsd(null, { inputTokens: 1e6, outputTokens: 1e6 })).toBe(0);
});

test('ledgers add up; a missing one (a payload from before ledgers) counts as empty; the largest input is kept', () => {
  const a = emptyLedger();
  recordCall(a, 'optimizer', { cached: false, usage: { inputTokens: 10, outputTokens: 1 } }, pricing.prices.optimizer);
  const b = emptyLedger();
  recordCall(b, 'optimizer', { cached: false, usage: { inputTokens: 30, outputTokens: 2 } }, pricing.prices.optimizer);
  const sum = addLedgers(a, b);
  expect(sum.optimizer).toMatchObject({ paidCalls: 2, inputTokens: 40, outputTokens: 3, maxInputTokens: 30 });
  expect(sum.optimizer.costUsd).toBeCloseTo((40 * 10 + 3 * 20) / 1e6, 12);
  expect(addLedgers(undefined, a)).toEqual(a);
  expect(spendOf(undefined)).toEqual({ usd: 0, calls: 0 });
});

test('the worst case takes the larger of the forecast and the largest input seen, and a full maxTokens reply', () => {
  const calls = { backbone: 10, optimizer: 2, judge: 7 };
  const fresh = reservationFor(calls, pricing, undefined);
  expect(fresh.calls).toBe(19);
  expect(fresh.usd).toBeCloseTo((10 * (100 * 1 + 50 * 2) + 2 * (1000 * 10 + 500 * 20)) / 1e6, 12); // judge unpriced
  const seen = emptyLedger();
  seen.optimizer.maxInputTokens = 3000;
  expect(reservationFor(calls, pricing, seen).usd).toBeCloseTo((10 * 200 + 2 * (3000 * 10 + 500 * 20)) / 1e6, 12);
  expect(reservationFor(calls, undefined, undefined)).toEqual({ usd: 0, calls: 19 });
});

test('the cap check names the cap that would be passed; no cap never stops', () => {
  expect(checkBudget(undefined, { usd: 1e9, calls: 1e9 }, { usd: 1, calls: 1 })).toEqual({ ok: true });
  expect(checkBudget({ calls: 100 }, { usd: 0, calls: 90 }, { usd: 0, calls: 10 })).toEqual({ ok: true });
  expect(checkBudget({ calls: 100 }, { usd: 0, calls: 90 }, { usd: 0, calls: 11 })).toEqual({ ok: false, reason: 'call cap 100: 90 paid calls made, next unit may make up to 11' });
  expect(checkBudget({ usd: 1, calls: 1000 }, { usd: 0.75, calls: 0 }, { usd: 0.5, calls: 1 }).reason).toBe('dollar cap $1.0000: spent $0.7500, next unit may cost up to $0.5000');
});

test('cap changes: null removes a cap, absent keeps it; invalid values are refused with the field named', () => {
  expect(nextBudget({ usd: 5, calls: 10 }, { calls: null })).toEqual({ usd: 5 });
  expect(nextBudget({ usd: 5 }, { calls: 20 })).toEqual({ usd: 5, calls: 20 });
  expect(nextBudget(undefined, { usd: 2 })).toEqual({ usd: 2 });
  expect(budgetChangeError({ usd: null, calls: null })).toBeNull();
  expect(budgetChangeError({})).toBe('budget: give usd and/or calls');
  expect(budgetChangeError({ usd: -1 })).toBe('budget.usd: must be a positive number of dollars, got -1');
  expect(budgetChangeError({ calls: 2.5 })).toBe('budget.calls: must be a positive integer, got 2.5');
});

test('a refresh that shares its batch with the first step reserves both; a faithful refresh only itself', () => {
  const fixed = optimizeSettings();
  const step = unitCalls(fixed, chain, 'predictor', { kind: 'step', beamSize: 2 }).calls;
  const reusing = unitCalls(fixed, chain, 'predictor', { kind: 'step', beamSize: 2, afterRefresh: true }).calls;
  const refresh = unitCalls(fixed, chain, 'predictor', { kind: 'refresh', evaluated: 1 }).calls;
  // the refresh runs the best's baseline (predictor + reviewer on 10 items) that the step then reuses
  expect(refresh.backbone).toBe(20 + 20);
  expect(step.backbone - reusing.backbone).toBe(20);
  expect(reservedCalls(fixed, chain, 'predictor', { kind: 'step', beamSize: 2 })).toEqual(step);
  expect(reservedCalls(fixed, chain, 'predictor', { kind: 'refresh', evaluated: 1, beamSize: 2 })).toEqual({
    backbone: reusing.backbone + refresh.backbone,
    optimizer: reusing.optimizer + refresh.optimizer,
    judge: reusing.judge + refresh.judge,
  });
  // nothing to re-score: no refresh calls, and the step runs its baselines itself
  expect(reservedCalls(fixed, chain, 'predictor', { kind: 'refresh', evaluated: 0, beamSize: 1 })).toEqual(unitCalls(fixed, chain, 'predictor', { kind: 'step', beamSize: 1 }).calls);
  const faithful = optimizeSettings({ profile: 'faithful' });
  expect(reservedCalls(faithful, chain, 'predictor', { kind: 'refresh', evaluated: 1, beamSize: 2 })).toEqual(unitCalls(faithful, chain, 'predictor', { kind: 'refresh', evaluated: 1 }).calls);
});

test('a round resumed after a budget stop merges into that round; the next round is appended', () => {
  const totals = (backbone: number) => ({ ...emptyTotals(), calls: { backbone, optimizer: 0, judge: 0 } });
  const summary = (round: number, backbone: number, improvements: number, byAgent?: Record<string, number>) => ({
    round,
    prompts: { a: `p${round}.${backbone}` },
    bestJ: { a: backbone / 100 },
    improvements,
    anchorShifts: 1,
    totals: totals(backbone),
    ...(byAgent ? { byAgent: Object.fromEntries(Object.entries(byAgent).map(([id, n]) => [id, totals(n)])) } : {}),
  });
  const rounds = [summary(1, 30, 2)];
  mergeRound(rounds, summary(2, 40, 1, { a: 40 }));
  mergeRound(rounds, summary(2, 25, 3, { a: 5, b: 20 }));
  expect(rounds.map((r) => r.round)).toEqual([1, 2]);
  const second = rounds[1];
  expect(second.prompts).toEqual({ a: 'p2.25' }); // the latest state of the round
  expect([second.improvements, second.anchorShifts, second.totals.calls.backbone]).toEqual([4, 2, 65]);
  expect(Object.fromEntries(Object.entries(second.byAgent!).map(([id, t]) => [id, t.calls.backbone]))).toEqual({ a: 45, b: 20 });
  expect(rounds[0].totals.calls.backbone).toBe(30);
});
