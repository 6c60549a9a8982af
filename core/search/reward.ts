/**
 * From judge verdicts to the joint reward R (paper Eq. 5; study §3.1). Pure. The cumulative score J is beam.ts's
 * (`childrenOf`: J = parent.J + R; `rescoreBeam`: J = R(p, p_best)).
 *
 * Pipeline for one candidate on one batch:
 *   verdicts per presentation order ──combineOrders──▶ one Outcome per comparison (candidate's view)
 *   comparisons ──itemVerdicts──▶ per item {local, lookahead[], global, terminal}
 *   items ──jointReward──▶ { R = winRate − 0.5, components }
 *
 * Win rates count a tie (and an unparseable verdict) as 0.5. With one order, an outcome is that order's; with
 * both orders, agreeing orders give that outcome and any disagreement gives a tie (the judge's preference depended
 * on position, so it carries no information).
 *
 * winRate (α, β, θ = settings.weights unless stated):
 * - the agent is the terminal: terminal win rate;
 * - joint evaluation off: local win rate;
 * - lookahead on for this mode and ≥ 1 lookahead comparison made: α·local + β·lookahead + θ·global, the lookahead
 *   rate pooled over all lookahead comparisons made (faithful: count_next);
 * - otherwise: `noLookaheadWeights` (faithful 0.7·local + 0.3·global; fixed α and θ renormalised);
 * - refresh (R(p, p_best), Eq. 8): the same with `refreshWeights` (faithful: 0.7 / 0.3 and never lookahead).
 * A candidate identical to its parent is not evaluated (no calls): R = 0, i.e. no child (beam.ts `childrenOf`).
 */
import type { PlannedComparison } from './comparisons';
import type { ComparisonKind, Order, Outcome, PositionVerdict, RewardWeights, SearchSettings } from './types';

/** The candidate's outcome of one judge reply given where the candidate was shown. */
export function outcomeOf(verdict: PositionVerdict, order: Order): Outcome {
  if (verdict === 'tie' || verdict === 'unparseable') return 'tie';
  const candidateShownAs = order === 'candidate-first' ? 'A' : 'B';
  return verdict === candidateShownAs ? 'win' : 'loss';
}

export interface CombinedOutcome {
  outcome: Outcome;
  /** Replies among the orders that could not be parsed (each counted as a tie). */
  unparseable: number;
  /** The orders gave different outcomes (so the combined outcome is a tie). */
  disagreement: boolean;
}

export function combineOrders(orders: readonly Order[], verdicts: readonly PositionVerdict[]): CombinedOutcome {
  if (orders.length !== verdicts.length || orders.length === 0) throw new Error(`combineOrders: ${orders.length} orders but ${verdicts.length} verdicts`);
  const outcomes = verdicts.map((v, i) => outcomeOf(v, orders[i]));
  const unparseable = verdicts.filter((v) => v === 'unparseable').length;
  const agree = outcomes.every((o) => o === outcomes[0]);
  return { outcome: agree ? outcomes[0] : 'tie', unparseable, disagreement: !agree };
}

/** One judged (or decided-without-a-call) comparison of one item. */
export interface JudgedComparison {
  /** Dataset index of the item. */
  item: number;
  kind: ComparisonKind;
  agentId: string;
  /** Parallel arrays; empty when no call was made (see `decided`). */
  orders: Order[];
  verdicts: PositionVerdict[];
  /** Decided without a judge call: identical outputs (tie). Reused global verdicts are not listed at all. */
  decided?: 'identical';
}

export interface ItemVerdicts {
  item: number;
  local?: Outcome;
  lookahead: Array<{ agentId: string; outcome: Outcome }>;
  global?: Outcome;
  terminal?: Outcome;
}

export interface VerdictTally {
  unparseable: number;
  disagreements: number;
  /** Judge replies used (calls made). */
  calls: number;
}

/**
 * Groups comparisons by item (in first-appearance order) and fills reused lookahead slots (`planned` entries with
 * `reuseGlobal`) from the item's global outcome.
 */
export function itemVerdicts(comparisons: readonly JudgedComparison[], planned: readonly PlannedComparison[] = []): { items: ItemVerdicts[]; tally: VerdictTally } {
  const byItem = new Map<number, ItemVerdicts>();
  const tally: VerdictTally = { unparseable: 0, disagreements: 0, calls: 0 };
  for (const c of comparisons) {
    let v = byItem.get(c.item);
    if (!v) byItem.set(c.item, (v = { item: c.item, lookahead: [] }));
    let outcome: Outcome = 'tie';
    if (!c.decided) {
      const combined = combineOrders(c.orders, c.verdicts);
      outcome = combined.outcome;
      tally.unparseable += combined.unparseable;
      tally.disagreements += combined.disagreement ? 1 : 0;
      tally.calls += c.orders.length;
    }
    if (c.kind === 'lookahead') v.lookahead.push({ agentId: c.agentId, outcome });
    else v[c.kind] = outcome;
  }
  const reused = planned.filter((p) => p.reuseGlobal);
  for (const v of byItem.values()) {
    for (const p of reused) if (v.global !== undefined) v.lookahead.push({ agentId: p.agentId, outcome: v.global });
  }
  return { items: [...byItem.values()], tally };
}

export interface Rate {
  wins: number;
  ties: number;
  losses: number;
  n: number;
  /** (wins + ties / 2) / n; null when n = 0. */
  rate: number | null;
}

export function rateOf(outcomes: readonly Outcome[]): Rate {
  const wins = outcomes.filter((o) => o === 'win').length;
  const ties = outcomes.filter((o) => o === 'tie').length;
  const n = outcomes.length;
  return { wins, ties, losses: n - wins - ties, n, rate: n === 0 ? null : (wins + ties / 2) / n };
}

export interface RewardBreakdown {
  /** Centred reward: winRate − 0.5, in [−0.5, 0.5]. */
  R: number;
  winRate: number;
  local: Rate;
  lookahead: Rate;
  global: Rate;
  terminal: Rate;
  /** The weights actually applied (after fallbacks). */
  weights: RewardWeights;
  /** Which formula applied. */
  formula: 'terminal' | 'local-only' | 'joint' | 'no-lookahead';
}

export interface RewardContext {
  settings: Pick<SearchSettings, 'weights' | 'jointEvaluation' | 'lookahead' | 'refreshLookahead' | 'noLookaheadWeights' | 'refreshWeights'>;
  /** The agent under optimisation is the terminal. */
  terminal: boolean;
  mode: 'step' | 'refresh';
}

export function jointReward(items: readonly ItemVerdicts[], ctx: RewardContext): RewardBreakdown {
  const pick = (k: 'local' | 'global' | 'terminal') => items.flatMap((v) => (v[k] === undefined ? [] : [v[k]!]));
  const local = rateOf(pick('local'));
  const global = rateOf(pick('global'));
  const terminal = rateOf(pick('terminal'));
  const lookahead = rateOf(items.flatMap((v) => v.lookahead.map((l) => l.outcome)));
  const r = (x: Rate) => x.rate ?? 0.5;
  const s = ctx.settings;
  let weights: RewardWeights;
  let formula: RewardBreakdown['formula'];
  let winRate: number;
  if (ctx.terminal) {
    formula = 'terminal';
    weights = { local: 0, lookahead: 0, global: 1 };
    winRate = r(terminal);
  } else if (!s.jointEvaluation) {
    formula = 'local-only';
    weights = { local: 1, lookahead: 0, global: 0 };
    winRate = r(local);
  } else {
    const base = ctx.mode === 'refresh' ? s.refreshWeights : s.weights;
    const lookaheadOn = ctx.mode === 'refresh' ? s.refreshLookahead : s.lookahead;
    if (lookaheadOn && lookahead.n > 0 && base.lookahead > 0) {
      formula = 'joint';
      weights = base;
    } else {
      formula = 'no-lookahead';
      weights = s.noLookaheadWeights;
    }
    winRate = weights.local * r(local) + weights.lookahead * r(lookahead) + weights.global * r(global);
  }
  return { R: winRate - 0.5, winRate, local, lookahead, global, terminal, weights, formula };
}
