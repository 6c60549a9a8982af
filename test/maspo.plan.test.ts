/**
 * Call forecasts against the study's measured counts (maspo-reference-study.md §8.1).
 *
 * Faithful profile, 2-agent chain, paper configuration (D=3, T=3, K=2, Ksub=2, |B|=10, lookahead, misalignment,
 * refresh). Study, measured on the reference code: 3,680 backbone / 68 optimizer / 1,420 judge.
 *
 * - `reference` accounting reproduces every measured figure exactly (full table, per round, judge breakdown,
 *   the three variants, the debate / hierarchical / debate_llm_agg topologies): the call model itself is right.
 * - Our faithful profile (`maspo` accounting) makes the same decisions for 2,580 / 68 / 1,420. The only difference,
 *   −1,100 backbone calls, is the terminal agent's hand-off summary: the reference requests it on every execution
 *   of the terminal and then overwrites it with the extracted answer (study §1.2: "1,100 of 3,680"); we never
 *   request it. Per round: 1,000 → 700 (10 expansions × 30 terminal executions), 1,340 → 940 (12 expansions × 30
 *   + 2 refreshes × 20). Optimizer calls (2 per node expansion, 17 expansions per agent) and judge calls are
 *   identical because the decisions are.
 * - The fixed profile: 1,620 / 68 / 2,160. Backbone −960 vs our faithful: no hand-off summaries (−740); one
 *   shared batch per step, so the reflector's upstream (the predictor) runs once per item per step instead of once
 *   per beam node (−80); the refresh judges on the first step's batch, whose baseline runs it shares (−140).
 *   Judge +740: the terminal lookahead reuses the global verdict (the same pair of outputs: −340 → 1,080 in one
 *   order), and every comparison is judged in both orders (×2).
 */
import { planSearch } from '../core/forecast/plan';
import { optimizeSettings } from '../core/schema/optimize';

const chain = { agents: ['predictor', 'reflector'], edges: [{ from: 'predictor', to: 'reflector' }] };
const faithful = optimizeSettings({ profile: 'faithful' });
const noLookahead = { weights: { local: 0.5, lookahead: 0, global: 0.5 } };

describe('plan: faithful profile, 2-agent chain, paper configuration', () => {
  test('reference accounting reproduces the study’s measured table (§8.1)', () => {
    const p = planSearch(faithful, chain, { accounting: 'reference' });
    expect(p.total).toEqual({ backbone: 3680, optimizer: 68, judge: 1420 });
    expect(p.rounds.map((r) => r.calls)).toEqual([
      { backbone: 1000, optimizer: 20, judge: 400 },
      { backbone: 1340, optimizer: 24, judge: 510 },
      { backbone: 1340, optimizer: 24, judge: 510 },
    ]);
    // 360 FINAL (global) + 700 INTERMEDIATE (340 local + 340 lookahead + 20 refresh local) + 360 ANSWER_EVALUATE
    expect(p.judgeByKind).toEqual({ local: 360, lookahead: 340, global: 360, terminal: 360 });
    expect(p.turns.filter((t) => t.agentId === 'predictor').flatMap((t) => t.beamSizes)).toEqual([1, 2, 2, 2, 2, 2, 2, 2, 2]); // 17 expansions
    expect(p.summaries).toBe(1840);
  });

  test.each([
    ['no refresh', { beamRefresh: false }, { backbone: 3400, optimizer: 68, judge: 1360 }],
    ['refresh without lookahead', noLookahead, { backbone: 3680, optimizer: 68, judge: 1080 }],
    ['fixed rounds with no flags', { ...noLookahead, beamRefresh: false }, { backbone: 3400, optimizer: 68, judge: 1020 }],
  ])('reference accounting, variant %s matches the study', (_name, over, expected) => {
    expect(planSearch(optimizeSettings({ profile: 'faithful', ...over }), chain, { accounting: 'reference' }).total).toEqual(expected);
  });

  test.each([
    ['debate', { agents: ['p0', 'p1', 'd'], edges: [{ from: 'p0', to: 'd' }, { from: 'p1', to: 'd' }] }, { backbone: 7020, optimizer: 102, judge: 2480 }],
    ['hierarchical', { agents: ['m', 's', 'c', 't'], edges: [{ from: 'm', to: 't' }, { from: 's', to: 't' }, { from: 'c', to: 't' }] }, { backbone: 11120, optimizer: 136, judge: 3540 }],
    [
      'debate_llm_agg',
      { agents: ['p0', 'p1', 'd', 'g'], edges: [{ from: 'p0', to: 'd' }, { from: 'p1', to: 'd' }, { from: 'd', to: 'g' }] },
      { backbone: 12560, optimizer: 136, judge: 3540 },
    ],
  ])('reference accounting, %s topology matches the study', (_name, graph, expected) => {
    expect(planSearch(faithful, graph, { accounting: 'reference' }).total).toEqual(expected);
  });

  test('our faithful profile: same optimizer and judge calls, minus the 1,100 wasted terminal summaries', () => {
    const ours = planSearch(faithful, chain);
    const ref = planSearch(faithful, chain, { accounting: 'reference' });
    expect(ours.total).toEqual({ backbone: 2580, optimizer: 68, judge: 1420 });
    expect(ref.total.backbone - ours.total.backbone).toBe(1100);
    expect(ref.summaries - ours.summaries).toBe(1100);
    expect(ours.rounds.map((r) => r.calls.backbone)).toEqual([700, 940, 940]);
    expect(ours.judgeByKind).toEqual(ref.judgeByKind);
  });

  test('the fixed profile: fewer backbone calls, judges in both orders', () => {
    const p = planSearch(optimizeSettings(), chain);
    expect(p.total).toEqual({ backbone: 1680, optimizer: 68, judge: 2160 }); // incl. 2 rounds × (20 + 10) refresh re-runs
    expect(p.summaries).toBe(0);
    expect(p.judgeByKind).toEqual({ local: 720, lookahead: 0, global: 720, terminal: 720 });
    // the same search judged in one order halves the judge calls
    expect(planSearch(optimizeSettings({ judgeBothOrders: false }), chain).total.judge).toBe(1080);
  });

  test('strategies and knobs change the forecast as the algorithm says', () => {
    expect(planSearch(optimizeSettings({ strategy: 'none' }), chain).total).toEqual({ backbone: 0, optimizer: 0, judge: 0 });
    // local-only: only the agent itself is re-run, one local (or terminal) comparison, no refresh
    const local = planSearch(optimizeSettings({ strategy: 'local-only' }), chain);
    expect(local.total.optimizer).toBe(68);
    expect(local.judgeByKind.global).toBe(0);
    expect(local.total.backbone).toBeLessThan(1620);
    // judges scale with |B|, backbone too
    const big = planSearch(optimizeSettings({ batchSize: 20 }), chain);
    expect(big.total).toEqual({ backbone: 3360, optimizer: 68, judge: 4320 });
    // explicit E = 0 (every beam node equals the best): refresh costs nothing in fixed
    expect(planSearch(optimizeSettings(), chain, { refreshEvaluated: 0 }).total.judge).toBe(2160 - 2 * (40 + 20));
  });
});
