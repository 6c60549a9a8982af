import { candidatePrompts, childrenOf, nextBeam, refreshTargets, rescoreBeam, topK, updateBest } from '../core/search/beam';
import { seedNode, type BeamNode } from '../core/search/node';
import { advanceCursor, allocateNodeId, assertConsistent, currentUnit, initialSearchState, promptMap, type SearchState } from '../core/search/state';
import type { Proposal } from '../core/search/prompts';
import { optimizeSettings } from '../core/schema/optimize';
import { Prng } from '../core/common/prng';

const fixed = optimizeSettings();
const faithful = optimizeSettings({ profile: 'faithful' });
const node = (id: string, prompt: string, J: number, extra: Partial<BeamNode> = {}): BeamNode => ({ id, agentId: 'p', prompt, J, parentId: null, round: 1, step: 0, R: null, ...extra });
const ok = (prompt: string): Proposal => ({ ok: true, prompt, repaired: [] });
const bad: Proposal = { ok: false, reason: 'missing-tags', detail: '' };
let counter = 0;
const at = { round: 1, step: 1, newId: () => `p#${++counter}` };

describe('children and selection', () => {
  const parent = node('p#seed', 'P', 0.2);

  test('which proposals become candidates', () => {
    expect(candidatePrompts(faithful, parent, [bad, ok('X')], [parent])).toEqual(['P', 'X']);
    expect(candidatePrompts(faithful, parent, [ok('X'), ok('X')], [parent])).toEqual(['X']);
    expect(candidatePrompts(fixed, parent, [bad, ok('X'), ok('X'), ok('Q')], [parent, node('q', 'Q', 0)])).toEqual(['X']);
  });

  test('faithful: R > 0 makes a child with J = parent.J + R, anything else a copy of the parent', () => {
    const kids = childrenOf(faithful, parent, [{ prompt: 'X', R: 0.1 }, { prompt: 'Y', R: 0 }, { prompt: 'P', R: null }], at);
    expect(kids.map((k) => [k.prompt, +k.J.toFixed(10), k.parentId])).toEqual([
      ['X', 0.3, 'p#seed'],
      ['P', 0.2, null],
      ['P', 0.2, null],
    ]);
    expect(kids[1].id).toBe('p#seed');
    expect(childrenOf(fixed, parent, [{ prompt: 'X', R: 0.1 }, { prompt: 'Y', R: -0.05 }], at).map((k) => k.prompt)).toEqual(['X']);
  });

  test('faithful keeps duplicates (two losing parents → two copies); fixed keeps parents and one node per prompt', () => {
    const beam = [parent];
    const losers = [childrenOf(faithful, parent, [{ prompt: 'X', R: -0.1 }, { prompt: 'Y', R: 0 }], at)];
    expect(nextBeam(faithful, beam, losers, new Prng(1)).map((n) => n.prompt)).toEqual(['P', 'P']);
    expect(nextBeam(fixed, beam, [[]], new Prng(1)).map((n) => n.prompt)).toEqual(['P']);
    const a = node('a', 'A', 0.3);
    const b = node('b', 'B', 0.1);
    const kids = [[node('c', 'C', 0.35), node('d', 'B', 0.2)], [node('e', 'E', 0.15)]];
    expect(nextBeam(fixed, [a, b], kids, new Prng(1)).map((n) => n.id)).toEqual(['c', 'a']);
    expect(nextBeam({ ...fixed, beamWidth: 3 }, [a, b], kids, new Prng(1)).map((n) => n.id)).toEqual(['c', 'a', 'd']);
  });

  test('top-K: stable on ties in faithful; seeded shuffle of a tie straddling the cut in fixed', () => {
    const tied = [node('x', 'X', 0.1), node('y', 'Y', 0.1), node('z', 'Z', 0.1), node('w', 'W', 0.3)];
    expect(topK(tied, 2, 'stable', new Prng(1)).map((n) => n.id)).toEqual(['w', 'x']);
    const picks = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      const top = topK(tied, 2, 'seeded', new Prng(seed)).map((n) => n.id);
      expect(top[0]).toBe('w');
      expect(topK(tied, 2, 'seeded', new Prng(seed)).map((n) => n.id)).toEqual(top);
      picks.add(top[1]);
    }
    expect([...picks].sort()).toEqual(['x', 'y', 'z']);
    // a tie not at the cut consumes no randomness
    const prng = new Prng(9);
    topK([node('a', 'A', 0.5), node('b', 'B', 0.1), node('c', 'C', 0.1)], 1, 'seeded', prng);
    expect(prng.getState()).toBe(new Prng(9).getState());
  });

  test('fixed: a tie in J never pushes the best-so-far out of the beam', () => {
    const best = node('x', 'X', 0.1);
    const y = node('y', 'Y', 0.05);
    const kids = [[], [node('y1', 'Y1', 0.1), node('y2', 'Y2', 0.1)]];
    for (let seed = 0; seed < 20; seed++) {
      const beam = nextBeam(fixed, [best, y], kids, new Prng(seed), best);
      expect(beam[0].id).toBe('x');
      expect(nextBeam(fixed, [best, y], kids, new Prng(seed))).toEqual(beam); // best defaults to beam[0]
      expect(['y1', 'y2']).toContain(beam[1].id);
    }
  });

  test('best-so-far moves only on an improvement above ε', () => {
    const best = node('b', 'B', 0.2);
    expect(updateBest(fixed, best, [node('c', 'C', 0.2 + 1e-7)])).toEqual({ best, improved: false });
    expect(updateBest(fixed, best, [node('c', 'C', 0.25), node('d', 'D', 0.3)])).toMatchObject({ best: { id: 'd' }, improved: true });
  });
});

describe('beam refresh', () => {
  const best = node('b', 'B', 0.4);

  test('targets: distinct prompts other than the best (the best costs no call)', () => {
    expect(refreshTargets([best, node('c', 'C', 0.3), node('c2', 'C', 0.3)], best)).toEqual(['C']);
    expect(refreshTargets([best, { ...best }], best)).toEqual([]);
  });

  test('stale J dropped: J_new = R(p, p_best); the best gets 0', () => {
    const r = rescoreBeam(faithful, [best, node('c', 'C', 0.9)], best, { C: -0.2 }, new Prng(1));
    expect(r.beam.map((n) => [n.id, n.J])).toEqual([
      ['b', 0],
      ['c', -0.2],
    ]);
    expect(r).toMatchObject({ anchorShift: false, top1Stable: false, best: { id: 'b', J: 0 } });
    expect(() => rescoreBeam(faithful, [best, node('c', 'C', 0)], best, {}, new Prng(1))).toThrow(/no reward for beam node c/);
  });

  test('anchor shift to a node that beats the best', () => {
    const r = rescoreBeam(fixed, [best, node('c', 'C', 0.1)], best, { C: 0.15 }, new Prng(1));
    expect(r).toMatchObject({ anchorShift: true, top1Stable: false, best: { id: 'c', J: 0.15 } });
  });

  test('refreshMovesBest: false re-ranks the beam but keeps the best', () => {
    const r = rescoreBeam({ ...fixed, refreshKeepsBest: true }, [best, node('c', 'C', 0.1)], best, { C: 0.15 }, new Prng(1));
    expect(r).toMatchObject({ anchorShift: false, best: { id: best.id, J: 0 } });
    expect(r.beam.map((n) => [n.id, n.J])).toEqual([['c', 0.15], [best.id, 0]]);
  });

  test('a tie at 0: faithful shifts to the earlier node (stable sort), fixed keeps the incumbent', () => {
    const beam = [node('c', 'C', 0.5), best];
    expect(rescoreBeam(faithful, beam, best, { C: 0 }, new Prng(1))).toMatchObject({ anchorShift: true, best: { id: 'c', J: 0 } });
    expect(rescoreBeam(fixed, beam, best, { C: 0 }, new Prng(1))).toMatchObject({ anchorShift: false, best: { id: 'b', J: 0 } });
  });

  test('best missing from the beam: faithful may anchor on a worse node, fixed puts the best back', () => {
    const beam = [node('c', 'C', 0.5), node('d', 'D', 0.4)];
    expect(rescoreBeam(faithful, beam, best, { C: -0.1, D: -0.3 }, new Prng(1))).toMatchObject({ anchorShift: true, best: { id: 'c', J: -0.1 } });
    const f = rescoreBeam(fixed, beam, best, { C: -0.1, D: -0.3 }, new Prng(1));
    expect(f.beam.map((n) => [n.id, n.J])).toEqual([
      ['b', 0],
      ['c', -0.1],
    ]);
    expect(f.anchorShift).toBe(false);
  });
});

describe('search state', () => {
  const mas = { agents: [{ id: 'p', prompt: 'P {{question}}' }, { id: 'r', prompt: 'R {{context}} {{question}}' }], edges: [{ from: 'p', to: 'r' }] };

  function run(settings = fixed) {
    const state = initialSearchState(settings, mas, { seed: 4, datasetSize: 500 });
    const units: string[] = [];
    for (let guard = 0; guard < 100; guard++) {
      assertConsistent(JSON.parse(JSON.stringify(state)) as SearchState, settings);
      const u = currentUnit(state, settings);
      if (u.kind === 'done') break;
      units.push(`${u.round}${u.agentId}${u.kind === 'refresh' ? 'R' : u.step}`);
      if (u.kind === 'step') state.agents[u.agentId].stepsDone++;
      state.cursor = advanceCursor(state, settings);
    }
    return { state, units };
  }

  test('schedule: D rounds × agents in topological order × T steps, a refresh opening each revisit', () => {
    const { units } = run();
    expect(units).toEqual(['1p0', '1p1', '1p2', '1r0', '1r1', '1r2', '2pR', '2p0', '2p1', '2p2', '2rR', '2r0', '2r1', '2r2', '3pR', '3p0', '3p1', '3p2', '3rR', '3r0', '3r1', '3r2']);
    expect(run(optimizeSettings({ beamRefresh: false })).units).toHaveLength(18);
    expect(run(optimizeSettings({ strategy: 'none' })).units).toEqual([]);
  });

  test('initial state: seed beams, a seeded pool, JSON round-trip, prompt map', () => {
    const s = initialSearchState(faithful, mas, { seed: 4, datasetSize: 500 });
    expect(s.pool).toHaveLength(50);
    expect(initialSearchState(faithful, mas, { seed: 4, datasetSize: 500 })).toEqual(s);
    expect(initialSearchState(faithful, mas, { seed: 5, datasetSize: 500 }).pool).not.toEqual(s.pool);
    expect(s.agents.p.beam).toEqual([seedNode('p', 'P {{question}}')]);
    expect(promptMap(s)).toEqual({ p: 'P {{question}}', r: 'R {{context}} {{question}}' });
    expect(allocateNodeId(s, 'p')).toBe('p#1');
    expect(s.nextNodeId).toBe(2);
  });

  test('assertConsistent names every violated invariant', () => {
    const s = initialSearchState(fixed, mas, { seed: 4, datasetSize: 500 });
    s.agents.p.beam = [node('p#7', 'X', 0), node('p#8', 'X', 0), node('p#9', 'Y', NaN)];
    s.agents.r.stepsDone = 2;
    s.pool.push(s.pool[0]);
    const bad = { ...s, schemaVersion: 2 as unknown as 1 };
    let message = '';
    try {
      assertConsistent(bad, optimizeSettings({ beamWidth: 2, rounds: 4 }));
    } catch (e) {
      message = (e as Error).message;
    }
    for (const fragment of ['schemaVersion 2', 'duplicate or invalid indices', 'non-finite J', 'beam holds 3 nodes (K = 2)', 'duplicate prompts', 'r: stepsDone 2 but the cursor has passed 0 steps', 'nextNodeId 1 is not above the largest node id 9', 'settingsDigest differs']) {
      expect(message).toContain(fragment);
    }
  });
});
