import { sampleBatch, samplePool } from '../core/search/batch';
import {
  casesForProposal,
  casesFromEvaluation,
  injectedItems,
  isMisaligned,
  liveCases,
  mineMisalignment,
  promptKey,
  misalignmentRate,
  updateBuffer,
  type MiningItem,
} from '../core/search/misalignment';
import type { ItemVerdicts } from '../core/search/reward';
import { optimizeSettings } from '../core/schema/optimize';
import type { MisalignmentCase, Outcome } from '../core/search/types';
import { Prng } from '../core/common/prng';

const fixed = optimizeSettings();
const faithful = optimizeSettings({ profile: 'faithful' });

function item(index: number, local: Outcome | undefined, lookahead: Outcome | undefined, global: Outcome | undefined, extra: Partial<MiningItem> = {}): MiningItem {
  const verdicts: ItemVerdicts = { item: index, local, global, lookahead: lookahead ? [{ agentId: 'r', outcome: lookahead }] : [] };
  return { verdicts, question: `q${index}`, context: '', output: `out${index}`, downstream: { r: `down${index}` }, ...extra };
}
const ctx = (s = fixed) => ({ settings: s, agentId: 'p', terminalId: 'r', round: 1, step: 2 });

describe('mining', () => {
  test('local win AND (lookahead loss OR global loss); ties and missing verdicts are not losses', () => {
    expect(isMisaligned(item(0, 'win', 'loss', 'win').verdicts)).toBe(true);
    expect(isMisaligned(item(0, 'win', 'win', 'loss').verdicts)).toBe(true);
    expect(isMisaligned(item(0, 'win', 'tie', 'tie').verdicts)).toBe(false);
    expect(isMisaligned(item(0, 'win', undefined, undefined).verdicts)).toBe(false);
    expect(isMisaligned(item(0, 'tie', 'loss', 'loss').verdicts)).toBe(false);
    expect(isMisaligned(item(0, 'loss', 'loss', 'loss').verdicts)).toBe(false);
  });

  test('priority both > lookahead > global, stable within a priority, top Kmis', () => {
    const batch = [
      item(10, 'win', 'win', 'loss'), // global only → 2
      item(11, 'win', 'loss', 'win'), // lookahead only → 1
      item(12, 'loss', 'loss', 'loss'), // lost locally → not a case
      item(13, 'win', 'loss', 'loss'), // both → 0
      item(14, 'win', 'loss', 'tie'), // lookahead only → 1
      item(15, 'win', 'loss', 'loss'), // both → 0
    ];
    const cases = mineMisalignment(batch, ctx());
    expect(cases.map((c) => [c.index, c.priority])).toEqual([
      [13, 0],
      [15, 0],
      [11, 1],
    ]);
    expect(cases[0]).toMatchObject({ kind: 'misalignment', agentId: 'p', question: 'q13', output: 'out13', downstream: { agentId: 'r', output: 'down13' }, lost: { lookahead: true, global: true }, round: 1, step: 2 });
    expect(mineMisalignment(batch, ctx(optimizeSettings({ maxMisalignmentCases: 5 })))).toHaveLength(5);
  });

  test('case texts are clipped', () => {
    const long = item(1, 'win', 'loss', 'loss', { output: 'x'.repeat(5000) });
    const [c] = mineMisalignment([long], ctx(optimizeSettings({ caseCharLimit: 100 })));
    expect(c.output).toMatch(/^x{100}\n\[… 4900 more characters\]$/);
  });

  test('ablations: off, random and success fill the slot differently; the terminal mines nothing', () => {
    const batch = [item(1, 'win', 'win', 'win'), item(2, 'win', 'loss', 'loss'), item(3, 'loss', 'win', 'win'), item(4, 'win', 'tie', 'win')];
    const prng = new Prng(5);
    expect(casesFromEvaluation(batch, ctx(optimizeSettings({ misalignment: 'off' })), prng)).toEqual([]);
    expect(casesFromEvaluation(batch, ctx(), prng).map((c) => c.index)).toEqual([2]);
    expect(casesFromEvaluation(batch, ctx(optimizeSettings({ misalignment: 'success' })), prng).map((c) => [c.index, c.kind])).toEqual([
      [1, 'success'],
      [4, 'success'],
    ]);
    const random = (seed: number) => casesFromEvaluation(batch, ctx(optimizeSettings({ misalignment: 'random' })), new Prng(seed));
    expect(random(9)).toHaveLength(3);
    expect(random(9)).toEqual(random(9));
    expect(random(9).every((c) => c.kind === 'random')).toBe(true);
    expect(casesFromEvaluation(batch, { ...ctx(), agentId: 'r' }, prng)).toEqual([]);
  });

  test('misalignment rate excludes injected items', () => {
    expect(misalignmentRate([item(1, 'win', 'loss', 'win'), item(2, 'win', 'win', 'win'), item(3, 'win', 'loss', 'loss', { injected: true })])).toBe(0.5);
    expect(misalignmentRate([])).toBeNull();
  });
});

describe('buffer and delivery', () => {
  const mk = (index: number, round: number, step: number, priority = 1): MisalignmentCase => ({
    kind: 'misalignment',
    agentId: 'p',
    index,
    question: `q${index}`,
    context: '',
    output: '',
    lost: { lookahead: true, global: false },
    priority,
    round,
    step,
  });

  test('faithful: replaced by the new best’s cases when non-empty, else unchanged', () => {
    const old = [mk(1, 1, 0)];
    expect(updateBuffer(faithful, old, { stepCases: [[mk(2, 1, 1)]] })).toEqual(old);
    expect(updateBuffer(faithful, old, { stepCases: [[mk(2, 1, 1)]], newBestCases: [] })).toEqual(old);
    expect(updateBuffer(faithful, old, { stepCases: [], newBestCases: [mk(3, 1, 1), mk(4, 1, 1)] }).map((c) => c.index)).toEqual([3, 4]);
  });

  test('fixed: newest cases of all candidates first, one per question, capped at Kmis', () => {
    const old = [mk(1, 1, 0), mk(2, 1, 0)];
    const next = updateBuffer(fixed, old, { stepCases: [[mk(5, 1, 1, 0)], [mk(2, 1, 1, 2)]] });
    expect(next.map((c) => [c.index, c.step])).toEqual([
      [5, 1],
      [2, 1],
      [1, 0],
    ]);
    expect(updateBuffer(fixed, old, { stepCases: [] })).toEqual(old);
  });

  test('fixed delivers the agent’s own buffer, marked; faithful injects predecessors’ items into the successor’s batch', () => {
    const chain = { agents: ['p', 'r'], edges: [{ from: 'p', to: 'r' }] };
    const buffers = { p: [mk(7, 1, 0), mk(8, 1, 0)], r: [] };
    expect(casesForProposal(fixed, buffers.p).map((c) => c.index)).toEqual([7, 8]);
    expect(casesForProposal(faithful, buffers.p)).toEqual([]);
    expect(injectedItems(fixed, chain, 'r', buffers, new Prng(1))).toEqual([]);
    expect(injectedItems(faithful, chain, 'p', buffers, new Prng(1))).toEqual([]);
    expect(injectedItems(faithful, chain, 'r', buffers, new Prng(1))).toEqual([7, 8]);
    const dag = { agents: ['a', 'b', 'c'], edges: [{ from: 'a', to: 'c' }, { from: 'b', to: 'c' }] };
    const many = { a: [1, 2, 3].map((i) => mk(i, 1, 0)), b: [3, 4, 5, 6].map((i) => mk(i, 1, 0)) };
    const injected = injectedItems(faithful, dag, 'c', many, new Prng(3));
    expect(injected).toHaveLength(5);
    expect(new Set(injected).size).toBe(5);
    expect(injected.every((i) => i >= 1 && i <= 6)).toBe(true);
  });

  test('pool and batches: seeded, distinct, injected items first', () => {
    const pool = samplePool(1000, 50, new Prng(11));
    expect(new Set(pool).size).toBe(50);
    expect(samplePool(1000, 50, new Prng(11))).toEqual(pool);
    expect(samplePool(20, 50, new Prng(1))).toHaveLength(20);
    const batch = sampleBatch(pool, 10, new Prng(2), [pool[7], 99999, pool[7], pool[3]]);
    expect(batch.slice(0, 2)).toEqual([pool[7], pool[3]]);
    expect(new Set(batch).size).toBe(10);
    expect(batch.every((i) => pool.includes(i))).toBe(true);
  });
});

describe('case expiry (optimize.caseExpiry, fixed profile)', () => {
  const c = (index: number, turn: number | undefined, against: string | undefined): MisalignmentCase => ({
    kind: 'misalignment', agentId: 'p', index, question: `q${index}`, context: '', output: '', lost: { lookahead: true, global: false }, priority: 1, round: 1, step: 1,
    ...(turn !== undefined ? { turn } : {}), ...(against !== undefined ? { against: promptKey(against) } : {}),
  });
  const buffer = [c(1, 1, 'parent A'), c(2, 2, 'parent B'), c(3, undefined, undefined)];

  test('off by default and in the faithful profile: the buffer is returned as is', () => {
    expect(optimizeSettings({}).caseExpiry).toBeUndefined();
    expect(optimizeSettings({ profile: 'faithful', caseExpiry: { turns: 1 } }).caseExpiry).toBeUndefined();
    expect(liveCases(optimizeSettings({}), buffer, { turn: 9, beamPrompts: [] })).toEqual(buffer);
  });

  test('turns: a case is shown for that many later steps of its agent', () => {
    const s = optimizeSettings({ caseExpiry: { turns: 1 } });
    expect(liveCases(s, buffer, { turn: 2, beamPrompts: [] }).map((x) => x.index)).toEqual([2, 3]); // case 1 was shown once
    expect(liveCases(s, buffer, { turn: 3, beamPrompts: [] }).map((x) => x.index)).toEqual([3]); // cases without a turn stay
  });

  test('beamExit: a case leaves with the prompt it was mined against', () => {
    const s = optimizeSettings({ caseExpiry: { beamExit: true } });
    expect(liveCases(s, buffer, { turn: 5, beamPrompts: ['parent B', 'other'] }).map((x) => x.index)).toEqual([2, 3]);
  });
});

