/**
 * Spend accounting and the budget cap of a search run. Pure: imported by the workflows (which account every call
 * and reserve before every unit) and by the client (which prices the models and shows the ledger).
 *
 * The ledger is per role inside `CallTotals` (core/contracts/optimize.ts); the run keeps one per round and per agent.
 * Cache hits are free: their tokens are counted apart and cost nothing.
 *
 * Budget reservation (issue: a hard cap, never overshot by more than the calls already in flight): before a unit
 * (a Beam Refresh, a step, the held-out evaluation) starts, the run reserves that unit's WORST case — the call
 * count upper bound from core/forecast/plan.ts `unitCalls`, each call with the larger of the forecast input tokens
 * and the largest input seen so far for its role, and a reply of the role's full `maxTokens`. If the spend so far
 * plus that reservation would pass the cap, the unit is not started: the run stops at this boundary with
 * `budget_exhausted` and keeps its best prompts; raising the cap lets it go on.
 */
import type { ModelRole } from './llm';
import { MODEL_ROLES } from './llm';

/** USD per 1M input tokens and per 1M output tokens (core/forecast/pricing.ts resolves it from config and defaults). */
export interface TokenPrice {
  input: number;
  output: number;
}

/** What the workflows need to price calls: per role a price, or null for a model without one (costs 0, flagged). */
export interface RunPricing {
  prices: Record<ModelRole, TokenPrice | null>;
  /** Forecast input tokens per call of each role (the floor of a worst-case reservation). */
  inputTokens: Record<ModelRole, number>;
  /** The role's `maxTokens` (a reply can be no longer). */
  maxTokens: Record<ModelRole, number>;
}

/** The cap: dollars and/or paid calls (cache hits are not counted against it). Absent fields are unlimited. */
export interface Budget {
  usd?: number;
  calls?: number;
}

export interface RoleLedger {
  /** Calls answered by the provider (paid). */
  paidCalls: number;
  /** Calls answered from the response cache (free). */
  cachedCalls: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cachedOutputTokens: number;
  costUsd: number;
  /** Largest input of one call (for worst-case reservations). */
  maxInputTokens: number;
}

export type Ledger = Record<ModelRole, RoleLedger>;

export function emptyRoleLedger(): RoleLedger {
  return { paidCalls: 0, cachedCalls: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cachedOutputTokens: 0, costUsd: 0, maxInputTokens: 0 };
}

export function emptyLedger(): Ledger {
  return { backbone: emptyRoleLedger(), optimizer: emptyRoleLedger(), judge: emptyRoleLedger() };
}

export function callCostUsd(price: TokenPrice | null | undefined, usage: { inputTokens: number; outputTokens: number }): number {
  if (!price) return 0;
  return (usage.inputTokens * price.input + usage.outputTokens * price.output) / 1e6;
}

/** Records one call in `ledger[role]` (mutates). */
export function recordCall(ledger: Ledger, role: ModelRole, call: { cached: boolean; usage: { inputTokens: number; outputTokens: number } }, price: TokenPrice | null | undefined): void {
  const l = ledger[role];
  l.maxInputTokens = Math.max(l.maxInputTokens, call.usage.inputTokens);
  if (call.cached) {
    l.cachedCalls++;
    l.cachedInputTokens += call.usage.inputTokens;
    l.cachedOutputTokens += call.usage.outputTokens;
    return;
  }
  l.paidCalls++;
  l.inputTokens += call.usage.inputTokens;
  l.outputTokens += call.usage.outputTokens;
  l.costUsd += callCostUsd(price, call.usage);
}

/** Sum of two ledgers; a missing one (a payload from before ledgers existed) counts as empty. */
export function addLedgers(a: Ledger | undefined, b: Ledger | undefined): Ledger {
  const out = emptyLedger();
  for (const role of MODEL_ROLES) {
    const x = a?.[role] ?? emptyRoleLedger();
    const y = b?.[role] ?? emptyRoleLedger();
    out[role] = {
      paidCalls: x.paidCalls + y.paidCalls,
      cachedCalls: x.cachedCalls + y.cachedCalls,
      inputTokens: x.inputTokens + y.inputTokens,
      outputTokens: x.outputTokens + y.outputTokens,
      cachedInputTokens: x.cachedInputTokens + y.cachedInputTokens,
      cachedOutputTokens: x.cachedOutputTokens + y.cachedOutputTokens,
      costUsd: x.costUsd + y.costUsd,
      maxInputTokens: Math.max(x.maxInputTokens, y.maxInputTokens),
    };
  }
  return out;
}

export interface Spend {
  usd: number;
  /** Paid calls (cache hits excluded). */
  calls: number;
}

export function spendOf(ledger: Ledger | undefined): Spend {
  let usd = 0;
  let calls = 0;
  for (const role of MODEL_ROLES) {
    usd += ledger?.[role]?.costUsd ?? 0;
    calls += ledger?.[role]?.paidCalls ?? 0;
  }
  return { usd, calls };
}

/** Calls of the post-search held-out evaluation: seed and optimised prompts, one backbone call per item per agent each. */
export function heldOutCalls(items: number, agents: number): Record<ModelRole, number> {
  return { backbone: 2 * items * agents, optimizer: 0, judge: 0 };
}

/** Worst-case spend of a unit that makes at most `calls` calls per role (see header). */
export function reservationFor(calls: Record<ModelRole, number>, pricing: RunPricing | undefined, seen: Ledger | undefined): Spend {
  let usd = 0;
  let n = 0;
  for (const role of MODEL_ROLES) {
    n += calls[role];
    const price = pricing?.prices[role];
    if (!price || calls[role] === 0) continue;
    const input = Math.max(pricing!.inputTokens[role], seen?.[role]?.maxInputTokens ?? 0);
    usd += calls[role] * callCostUsd(price, { inputTokens: input, outputTokens: pricing!.maxTokens[role] });
  }
  return { usd, calls: n };
}

export interface BudgetCheck {
  ok: boolean;
  /** When not ok: which cap, the spend so far and the reservation, in one readable line. */
  reason?: string;
}

/** Whether a unit with worst case `reserve` may start after `spent`. */
export function checkBudget(budget: Budget | undefined, spent: Spend, reserve: Spend): BudgetCheck {
  if (budget?.usd !== undefined && spent.usd + reserve.usd > budget.usd + 1e-12) {
    return { ok: false, reason: `dollar cap $${budget.usd.toFixed(4)}: spent $${spent.usd.toFixed(4)}, next unit may cost up to $${reserve.usd.toFixed(4)}` };
  }
  if (budget?.calls !== undefined && spent.calls + reserve.calls > budget.calls) {
    return { ok: false, reason: `call cap ${budget.calls}: ${spent.calls} paid calls made, next unit may make up to ${reserve.calls}` };
  }
  return { ok: true };
}

/** A change of the cap (the `budget` update): a number sets that cap, `null` removes it, absent keeps it. */
export interface BudgetChange {
  usd?: number | null;
  calls?: number | null;
}

export function nextBudget(current: Budget | undefined, change: BudgetChange): Budget {
  const out: Budget = { ...current };
  for (const key of ['usd', 'calls'] as const) {
    const value = change[key];
    if (value === null) delete out[key];
    else if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Validates a change of the cap (`null` removes a cap; absent leaves it). Returns an error or null. */
export function budgetChangeError(change: BudgetChange): string | null {
  if (change.usd === undefined && change.calls === undefined) return 'budget: give usd and/or calls';
  const set: Budget = {};
  if (change.usd !== null && change.usd !== undefined) set.usd = change.usd;
  if (change.calls !== null && change.calls !== undefined) set.calls = change.calls;
  return set.usd === undefined && set.calls === undefined ? null : budgetError(set);
}

/** Validates a budget from a config or an update: positive finite numbers, at least one cap. Returns an error or null. */
export function budgetError(b: Budget): string | null {
  if (b.usd === undefined && b.calls === undefined) return 'budget: give usd and/or calls';
  if (b.usd !== undefined && !(Number.isFinite(b.usd) && b.usd > 0)) return `budget.usd: must be a positive number of dollars, got ${b.usd}`;
  if (b.calls !== undefined && !(Number.isInteger(b.calls) && b.calls > 0)) return `budget.calls: must be a positive integer, got ${b.calls}`;
  return null;
}
