/** Reward arithmetic against hand-computed cases (study §3.1). */
import { comparisonsFor, lookaheadAgents, rerunAgents } from '../core/search/comparisons';
import { childrenOf, rescoreBeam } from '../core/search/beam';
import { seedNode } from '../core/search/node';
import { combineOrders, itemVerdicts, jointReward, outcomeOf, rateOf, type ItemVerdicts, type JudgedComparison } from '../core/search/reward';
import { Prng } from '../core/common/prng';
import { optimizeSettings } from '../core/schema/optimize';
import type { Outcome } from '../core/search/types';

const faithful = optimizeSettings({ profile: 'faithful' });
const fixed = optimizeSettings();
const chain = { agents: ['p', 'r'], edges: [{ from: 'p', to: 'r' }] };
const chain3 = { agents: ['a', 'b', 'c'], edges: [{ from: 'a', to: 'b' }, { from: 'b', to: 'c' }] };

/** n items; `wins(k)` gives item k's outcomes. */
function items(n: number, f: (k: number) => Partial<ItemVerdicts>): ItemVerdicts[] {
  return Array.from({ length: n }, (_, k) => ({ item: k, lookahead: [], ...f(k) }));
}
const wl = (k: number, wins: number): Outcome => (k < wins ? 'win' : 'loss');

describe('verdicts to outcomes', () => {
  test('position verdicts map to the candidate’s view', () => {
    expect(outcomeOf('A', 'candidate-first')).toBe('win');
    expect(outcomeOf('A', 'parent-first')).toBe('loss');
    expect(outcomeOf('B', 'parent-first')).toBe('win');
    expect(outcomeOf('tie', 'candidate-first')).toBe('tie');
    expect(outcomeOf('unparseable', 'parent-first')).toBe('tie');
  });

  test('both orders: agreement keeps the outcome, disagreement is a tie', () => {
    const both = ['candidate-first', 'parent-first'] as const;
    expect(combineOrders(both, ['A', 'B'])).toEqual({ outcome: 'win', unparseable: 0, disagreement: false });
    expect(combineOrders(both, ['B', 'A'])).toEqual({ outcome: 'loss', unparseable: 0, disagreement: false });
    expect(combineOrders(both, ['A', 'A'])).toEqual({ outcome: 'tie', unparseable: 0, disagreement: true }); // position bias
    expect(combineOrders(both, ['A', 'unparseable'])).toEqual({ outcome: 'tie', unparseable: 1, disagreement: true });
    expect(combineOrders(both, ['tie', 'tie'])).toEqual({ outcome: 'tie', unparseable: 0, disagreement: false });
    expect(() => combineOrders(both, ['A'])).toThrow(/2 orders but 1 verdicts/);
  });

  test('rates count ties as one half', () => {
    expect(rateOf(['win', 'tie', 'loss', 'win'])).toEqual({ wins: 2, ties: 1, losses: 1, n: 4, rate: 0.625 });
    expect(rateOf([]).rate).toBeNull();
  });
});

describe('joint reward', () => {
  const step = (s = faithful, terminal = false) => ({ settings: s, terminal, mode: 'step' as const });

  test('faithful, non-terminal: 0.4·local + 0.4·lookahead + 0.2·global − 0.5', () => {
    // local 7/10, lookahead 4/10, global 5/10 → 0.28 + 0.16 + 0.10 = 0.54 → R = 0.04
    const v = items(10, (k) => ({ local: wl(k, 7), lookahead: [{ agentId: 'r', outcome: wl(k, 4) }], global: wl(k, 5) }));
    const r = jointReward(v, step());
    expect(r.formula).toBe('joint');
    expect(r.winRate).toBeCloseTo(0.54, 12);
    expect(r.R).toBeCloseTo(0.04, 12);
  });

  test('faithful: no lookahead comparison made → 0.7·local + 0.3·global', () => {
    const v = items(10, (k) => ({ local: wl(k, 7), global: wl(k, 5) }));
    const r = jointReward(v, step());
    expect(r.formula).toBe('no-lookahead');
    expect(r.R).toBeCloseTo(0.7 * 0.7 + 0.3 * 0.5 - 0.5, 12); // 0.14
  });

  test('lookahead pooled over the comparisons made (count_next), several successors', () => {
    // 4 items, 2 successors, 6 comparisons made (2 skipped), 3 wins → 0.5
    const la = [['win', 'loss'], ['win'], ['loss', 'win'], ['loss']] as Outcome[][];
    const v = items(4, (k) => ({ local: 'win', global: 'win', lookahead: la[k].map((outcome, i) => ({ agentId: `s${i}`, outcome })) }));
    expect(jointReward(v, step()).winRate).toBeCloseTo(0.4 + 0.4 * 0.5 + 0.2, 12);
  });

  test('terminal agent: terminal win rate', () => {
    const v = items(10, (k) => ({ terminal: wl(k, 6) }));
    expect(jointReward(v, step(faithful, true))).toMatchObject({ formula: 'terminal' });
    expect(jointReward(v, step(faithful, true)).R).toBeCloseTo(0.1, 12);
  });

  test('faithful refresh: 0.7·local + 0.3·global even with lookahead verdicts present', () => {
    const v = items(10, (k) => ({ local: wl(k, 4), lookahead: [{ agentId: 'r', outcome: 'win' }], global: wl(k, 2) }));
    const r = jointReward(v, { settings: faithful, terminal: false, mode: 'refresh' });
    expect(r.R).toBeCloseTo(0.7 * 0.4 + 0.3 * 0.2 - 0.5, 12); // −0.16
    // the refresh score J_new(p) = R(p, p_best) is that R; the best itself gets 0 without calls (beam.ts)
    const best = seedNode('p', 'BEST');
    const stale = { ...seedNode('p', 'OTHER'), id: 'p#1', J: 0.4 };
    const refreshed = rescoreBeam(faithful, [best, stale], best, { OTHER: r.R }, new Prng(1)).beam;
    expect(Object.fromEntries(refreshed.map((n) => [n.prompt, n.J]))).toEqual({ BEST: 0, OTHER: r.R });
  });

  test('fixed: ties count 0.5; refresh uses the step weights; renormalised fallback', () => {
    const v = items(4, (k) => ({ local: (['win', 'tie', 'tie', 'loss'] as Outcome[])[k], lookahead: [{ agentId: 'r', outcome: 'tie' }], global: 'win' }));
    expect(jointReward(v, step(fixed)).winRate).toBeCloseTo(0.4 * 0.5 + 0.4 * 0.5 + 0.2 * 1, 12);
    expect(jointReward(v, { settings: fixed, terminal: false, mode: 'refresh' }).winRate).toBeCloseTo(0.6, 12);
    const noLa = items(4, () => ({ local: 'win', global: 'loss' }));
    expect(jointReward(noLa, step(fixed)).winRate).toBeCloseTo(2 / 3, 12);
  });

  test('local-only strategy and joint evaluation off: local win rate', () => {
    const v = items(10, (k) => ({ local: wl(k, 8), global: 'loss' }));
    expect(jointReward(v, step(optimizeSettings({ strategy: 'local-only' }))).R).toBeCloseTo(0.3, 12);
    expect(jointReward(v, step(optimizeSettings({ jointEvaluation: false }))).formula).toBe('local-only');
  });

  test('cumulative J adds parent-relative rewards along the path (beam.ts childrenOf)', () => {
    let id = 0;
    const at = { round: 1, step: 1, newId: () => `p#${++id}` };
    const [child] = childrenOf(fixed, seedNode('p', 'P0'), [{ prompt: 'P1', R: 0.1 }], at);
    const [grandchild] = childrenOf(fixed, child, [{ prompt: 'P2', R: 0.05 }], at);
    expect(child.J).toBeCloseTo(0.1, 12);
    expect(grandchild.J).toBeCloseTo(0.15, 12);
    // a candidate identical to its parent (R null, no calls) or with R ≤ 0 makes no child (fixed) or a copy (faithful)
    expect(childrenOf(fixed, child, [{ prompt: 'P1', R: null }, { prompt: 'P3', R: 0 }], at)).toEqual([]);
    expect(childrenOf(faithful, child, [{ prompt: 'P1', R: null }], at)).toEqual([child]);
  });
});

describe('what to re-run and judge', () => {
  test('2-agent chain: faithful judges local, lookahead and global; fixed reuses the global verdict for the terminal lookahead', () => {
    expect(comparisonsFor(faithful, chain, 'p', 'step')).toEqual([
      { kind: 'local', agentId: 'p' },
      { kind: 'lookahead', agentId: 'r' },
      { kind: 'global', agentId: 'r' },
    ]);
    expect(comparisonsFor(fixed, chain, 'p', 'step')[1]).toEqual({ kind: 'lookahead', agentId: 'r', reuseGlobal: true });
    expect(comparisonsFor(faithful, chain, 'p', 'refresh').map((c) => c.kind)).toEqual(['local', 'global']);
    expect(comparisonsFor(fixed, chain, 'r', 'step')).toEqual([{ kind: 'terminal', agentId: 'r' }]);
    expect(comparisonsFor(optimizeSettings({ strategy: 'local-only' }), chain, 'p', 'step')).toEqual([{ kind: 'local', agentId: 'p' }]);
  });

  test('lookahead depth and re-run sets on a 3-chain', () => {
    expect(lookaheadAgents(chain3, 'a', 1)).toEqual(['b']);
    expect(lookaheadAgents(chain3, 'a', 3)).toEqual(['b', 'c']);
    expect(comparisonsFor(optimizeSettings({ lookaheadDepth: 2 }), chain3, 'a', 'step').map((c) => `${c.kind}:${c.agentId}${c.reuseGlobal ? '*' : ''}`)).toEqual([
      'local:a',
      'lookahead:b',
      'lookahead:c*',
      'global:c',
    ]);
    expect(rerunAgents(fixed, chain3, 'a')).toEqual(['a', 'b', 'c']);
    expect(rerunAgents(optimizeSettings({ jointEvaluation: false }), chain3, 'a')).toEqual(['a']);
  });

  test('itemVerdicts groups by item, fills reused lookahead from global and tallies calls', () => {
    const both = ['candidate-first', 'parent-first'] as JudgedComparison['orders'];
    const comparisons: JudgedComparison[] = [
      { item: 3, kind: 'local', agentId: 'p', orders: both, verdicts: ['A', 'B'] },
      { item: 3, kind: 'global', agentId: 'r', orders: both, verdicts: ['B', 'A'] },
      { item: 5, kind: 'local', agentId: 'p', orders: both, verdicts: ['A', 'A'] },
      { item: 5, kind: 'global', agentId: 'r', orders: [], verdicts: [], decided: 'identical' },
    ];
    const { items: v, tally } = itemVerdicts(comparisons, comparisonsFor(fixed, chain, 'p', 'step'));
    expect(v).toEqual([
      { item: 3, local: 'win', global: 'loss', lookahead: [{ agentId: 'r', outcome: 'loss' }] },
      { item: 5, local: 'tie', global: 'tie', lookahead: [{ agentId: 'r', outcome: 'tie' }] },
    ]);
    expect(tally).toEqual({ unparseable: 0, disagreements: 1, calls: 6 });
    // 0.4·(1.5/2) + 0.4·(0.5/2) + 0.2·(0.5/2) = 0.3 + 0.1 + 0.05 = 0.45
    expect(jointReward(v, { settings: fixed, terminal: false, mode: 'step' }).winRate).toBeCloseTo(0.45, 12);
  });
});
