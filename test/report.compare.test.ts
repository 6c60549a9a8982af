/**
 * `maspo report --compare` on two hand-made records: the optimized prompts are paired by item id (not position) on
 * the held-out items both runs share, with the difference and McNemar counts worked out by hand below; runs on
 * different datasets or without per-item outcomes get a reason instead of a figure; the configuration table lists
 * what differs; spend comes from the records' ledgers; the page is self-contained and escapes the runs' text. The
 * command line is driven offline (`--from` files): bad input is a one-line error, exit 2, and writes nothing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { comparePaired } from '../core/common/paired-stats';
import { datasetSourceKey, heldOutItemsOf, type HeldOutItem } from '../core/contracts/held-out-items';
import type { DatasetRef } from '../core/contracts/dataset';
import type { RunRecord } from '../core/contracts/run-record';
import { compareRuns } from '../client/report/compare/model';
import { renderComparison } from '../client/report/compare/render';
import { formatRunComparison } from '../client/report/compare/summary';
import { runRecordJson } from '../client/report/export';
import { tempHome } from './support/evaluation';
import { spawnCli } from './support/processes';
import { fixtureRecord } from './support/run-record-fixture';

const HOSTILE = ` <script>document.title="pwned"</script> "><img src=x onerror=alert(1)>`;

/*
 * Held-out items (optimized prompts). A evaluated x0..x19 at positions 0..19; B evaluated x5..x24 at positions
 * 0..19 (its part of the data starts elsewhere), so 15 items are shared (x5..x19) and pairing by position would
 * be wrong. On the shared items:
 *   x5..x7   A ✓ B ✓    (3 both right)
 *   x8..x12  A ✓ B ✓    (5 more both right)         → 8 both right
 *   x13      A ✓ B ✗    (A only: 1)
 *   x14..x17 A ✗ B ✓    (B only: 4)
 *   x18, x19 A ✗ B ✗
 * A right on 9 of 15, B right on 12 of 15: B − A = 3/15 = +20 points; McNemar on 4 vs 1 discordant pairs:
 * p = 2 · P(X ≤ 1), X ~ Bin(5, ½) = 2 · 6/32 = 0.375.
 */
const A_RIGHT = new Set([0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
const B_RIGHT = new Set([5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 20, 22]);
const itemsOf = (first: number, right: Set<number>): HeldOutItem[] => Array.from({ length: 20 }, (_, i) => ({ index: i, id: `x${first + i}`, correct: right.has(first + i) }));

async function twoRuns(): Promise<{ a: RunRecord; b: RunRecord }> {
  const a = await fixtureRecord();
  a.heldOutItems = { seed: itemsOf(0, new Set([0, 1])), optimized: itemsOf(0, A_RIGHT) };
  const b = await fixtureRecord();
  b.workflowId = 'opt-fixture-b';
  b.input.ctx.runName = 'fixture-b';
  b.input.ctx.settings = { ...b.input.ctx.settings, rounds: 2, beamWidth: 3 };
  b.input.ctx.models = { ...b.input.ctx.models, backbone: { ...b.input.ctx.models.backbone, temperature: 0.4 } };
  b.prompts = { ...b.prompts, solver: `Show every step, then check the result.${HOSTILE} Solve: {{question}}` };
  b.heldOutItems = { optimized: itemsOf(5, B_RIGHT) };
  return { a, b };
}

test('the optimized prompts are paired by item id on the shared held-out items, with the difference worked out by hand', async () => {
  const { a, b } = await twoRuns();
  const c = compareRuns(a, b);
  expect(c.optimized.kind).toBe('paired');
  if (c.optimized.kind !== 'paired') return;
  expect(c.optimized).toMatchObject({ shared: 15, onlyA: 5, onlyB: 5 });
  const x = c.optimized.comparison;
  expect(x.n).toBe(15);
  expect(x.accuracyA).toBeCloseTo(9 / 15, 12);
  expect(x.accuracyB).toBeCloseTo(12 / 15, 12);
  expect(x.difference).toBeCloseTo(0.2, 12);
  expect(x.mcnemar).toEqual({ bOnly: 4, aOnly: 1, pValue: expect.closeTo(0.375, 12) });
  expect(x.ci.low).toBeLessThanOrEqual(0.2);
  expect(x.ci.high).toBeGreaterThanOrEqual(0.2);
  expect(x.resamples).toBe(a.heldOut!.optimized.resamples);
  // The CI is the paired bootstrap of those 15 pairs (seeded): the same as the library's on the same vectors.
  const ids = Array.from({ length: 15 }, (_, i) => 5 + i);
  const again = comparePaired(
    ids.map((i) => A_RIGHT.has(i)),
    ids.map((i) => B_RIGHT.has(i)),
    0,
    x.resamples,
  );
  expect([again.difference, again.mcnemar]).toEqual([x.difference, x.mcnemar]);
  // Deterministic: the same two records give the same figures.
  expect(compareRuns(a, b).optimized).toEqual(c.optimized);

  const text = formatRunComparison(c);
  expect(text).toContain('optimized B − A on 15 shared held-out item(s) (5 only in A, 5 only in B left out): +20.0 pts');
  expect(text).toContain('McNemar exact p = 0.3750 (B only 4, A only 1)');
  expect(text).toMatch(/^A opt-fixture · fixture \(completed\): held-out sim-test \(n=20\): seed 50\.0% .* → optimized 80\.0% /m);
  expect(text).toContain('final prompts: solver differ, checker same');
});

test('no paired figure across different datasets, or for a record without per-item outcomes: the reason instead', async () => {
  const { a, b } = await twoRuns();
  const other = structuredClone(b);
  other.input.heldOut!.dataset = { ...(other.input.heldOut!.dataset as Extract<DatasetRef, { kind: 'sim' }>), seed: 99 };
  other.heldOut = { ...other.heldOut!, dataset: 'sim-test-99' };
  const c = compareRuns(a, other);
  expect(c.optimized).toEqual({ kind: 'unpaired', shared: 0, reason: 'the runs were held out on different datasets (A sim-test, B sim-test-99): no item in common' });
  expect(formatRunComparison(c)).toContain('no paired difference: the runs were held out on different datasets');
  expect(renderComparison(c)).toContain("No paired difference of the two runs' optimized prompts: the runs were held out on different datasets");

  const old = { ...b, heldOutItems: undefined };
  expect(compareRuns(a, old).optimized).toMatchObject({ kind: 'unpaired', reason: expect.stringMatching(/^the record of run B \(opt-fixture-b\) has no per-item held-out outcomes/) });
  const disjoint = { ...b, heldOutItems: { optimized: itemsOf(100, B_RIGHT) } };
  expect(compareRuns(a, disjoint).optimized).toMatchObject({ kind: 'unpaired', reason: "the runs' held-out parts of sim-test share no item" });
});

test('the configuration table lists exactly the fields that differ; spend comes from the ledgers', async () => {
  const { a, b } = await twoRuns();
  const c = compareRuns(a, b);
  expect(c.config.differ.map((r) => r.field)).toEqual(['backbone model', 'optimize.beamWidth', 'optimize.rounds']);
  expect(c.config.differ.find((r) => r.field === 'optimize.rounds')).toEqual({ field: 'optimize.rounds', a: '1', b: '2' });
  expect(c.config.differ[0].a).toMatch(/^sim:sim-agent · temperature 0 · max \d+ tokens$/);
  expect(c.config.same).toEqual(expect.arrayContaining(['seed', 'pool dataset', 'held-out dataset', 'topology', 'judge model', 'optimize.weights']));
  // Fixture ledgers: 3 steps × (2 backbone of which 1 cached, 1 optimizer, 1 judge) + 2 held-out calls (1 cached).
  // Paid $ per step: (100·1 + 50·2) + (1000·1 + 200·2) + (300·1 + 20·2) = 1,940 per 1M; held-out 10·1 + 5·2 = 20.
  expect(formatRunComparison(c)).toContain('LLM calls: A 14 (4 cached) $0.0058 · B 14 (4 cached) $0.0058');
  expect(c.a.spend.total.ledger.judge.paidCalls).toBe(3);
  expect(formatRunComparison({ ...c, config: { differ: [], same: [] } })).toContain('config: the same in both runs');
});

test('the page has every section, diffs the prompts A → B, is self-contained and escapes the runs’ text', async () => {
  const { a, b } = await twoRuns();
  const page = renderComparison(compareRuns(a, b));
  for (const id of ['held-out', 'config', 'prompts', 'spend', 'agent-solver', 'agent-checker']) expect(page).toContain(`id="${id}"`);
  for (const cls of ['chart-held-out', 'chart-spend']) expect(page).toContain(`class="chart ${cls}"`);
  expect(page).toContain('<b>B − A = +20.0 pts</b> on the 15 held-out items both runs evaluated');
  expect(page).toContain('<pre class="prompt diff">Show every step<del> and state</del><ins>, then check</ins> the result. <ins>');
  expect(page).toContain('The same final prompt in both runs.');
  expect(page).toContain('<td class="l mono">optimize.rounds</td><td class="l">1</td><td class="l">2</td>');
  // Self-contained, and the hostile prompt stays text.
  expect(page).not.toMatch(/<script|<img/i);
  expect(page).not.toMatch(/(src|href)="(https?:)?\/\//i);
  expect(page.replace(/&#39;/g, "'")).toContain(`content="default-src 'none'; style-src 'unsafe-inline'`);
  expect(page).toContain('&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;');
  expect(page.match(/<\/pre>/g)!.length).toBe(page.match(/<pre[ >]/g)!.length);
});

test('per-item outcomes and dataset identity', () => {
  const records = [2, 0, 1].map((index) => ({ index, id: `i${index}`, correct: index !== 1, predicted: null, expected: '', outputPreview: '', calls: [] }));
  expect(heldOutItemsOf(records)).toEqual([
    { index: 0, id: 'i0', correct: true },
    { index: 1, id: 'i1', correct: false },
    { index: 2, id: 'i2', correct: true },
  ]);
  const file: DatasetRef = { kind: 'jsonl', name: 'qa', path: '/d/qa.jsonl', fields: { question: 'q', answer: 'a' }, grader: 'exact', digest: 'abc' };
  // The same file under another name, limit or split part holds the same items; another file does not.
  expect(datasetSourceKey({ ...file, name: 'qa-held-out', limit: 5, split: { seed: 1, poolSize: 3, part: 'held-out' } })).toBe(datasetSourceKey(file));
  expect(datasetSourceKey({ ...file, digest: 'def' })).not.toBe(datasetSourceKey(file));
});

describe('the command line, offline (--from)', () => {
  const dir = tempHome();
  const cli = async (args: string[]) => {
    const p = spawnCli(args, { ...process.env, MASPO_HOME: dir, MASPO_LOG_LEVEL: 'ERROR' });
    const code = await p.exited;
    return { code, out: p.output() };
  };

  test('two exported records → the page and a summary; bad input → one line, exit 2, nothing written', async () => {
    const { a, b } = await twoRuns();
    const fileA = path.join(dir, 'a.json');
    const fileB = path.join(dir, 'b.json');
    writeFileSync(fileA, runRecordJson(a));
    writeFileSync(fileB, runRecordJson(b));
    const out = path.join(dir, 'compare.html');
    const ok = await cli(['report', '--compare', '--from', fileA, '--from', fileB, '-o', out]);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('optimized B − A on 15 shared held-out item(s)');
    expect(ok.out).toMatch(/^wrote .*compare\.html \([\d.]+ KB\) · A opt-fixture vs B opt-fixture-b$/m);
    expect(readFileSync(out, 'utf8')).toContain('<b>B − A = +20.0 pts</b>');

    const notRecord = path.join(dir, 'prompts.json');
    writeFileSync(notRecord, JSON.stringify({ solver: 'x' }));
    const bad = path.join(dir, 'bad.html');
    const cases: Array<[string[], RegExp]> = [
      [['report', '--compare', 'only-one', '-o', bad], /^maspo: --compare needs two runs \(two workflow ids, or --from a\.json --from b\.json\); got 1$/],
      [['report', '--compare', 'a', 'b', 'c', '-o', bad], /^maspo: --compare needs two runs .*; got 3$/],
      [['report', '--compare', 'a', '--from', fileB, '-o', bad], /^maspo: --compare: give two workflow ids or two --from files, not a mix$/],
      [['report', '--compare', '--from', fileA, '--from', notRecord, '-o', bad], /^maspo: .*prompts\.json: not a maspo run record/],
      [['report', 'a', 'b', '-o', bad], /^maspo: 2 runs given: report renders one; add --compare to compare two side by side$/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      expect({ args, code: r.code, lines: r.out.trim().split('\n').length }).toEqual({ args, code: 2, lines: 1 });
      expect(r.out.trim()).toMatch(message);
    }
    expect(existsSync(bad)).toBe(false);
  }, 120_000);
});
