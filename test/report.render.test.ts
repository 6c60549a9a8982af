/**
 * The HTML report rendered from a hand-made record: every section and chart is there, the page is self-contained
 * (no script, no external reference), untrusted text (prompts, outputs, questions) is escaped everywhere, word
 * diffs mark what changed, and the chart helpers cover their data.
 */
import { niceTicks } from '../client/report/charts';
import { wordDiff } from '../client/report/evolution';
import { esc, html } from '../client/report/html';
import { renderReport } from '../client/report/render';
import { fixtureRecord } from './support/run-record-fixture';

const HOSTILE = ` <script>document.title="pwned"</script> "><img src=x onerror=alert(1)> </pre></svg><style>body{display:none}</style>`;

test('every section and chart is present, from the record alone', async () => {
  const page = renderReport(await fixtureRecord());
  for (const id of ['held-out', 'scores', 'rewards', 'agent-solver', 'agent-checker', 'spend', 'units']) expect(page).toContain(`id="${id}"`);
  for (const cls of ['chart-held-out', 'chart-score', 'chart-reward', 'chart-spend', 'lineage-tree']) expect(page).toContain(`class="chart ${cls}"`);
  expect(page.match(/class="chart lineage-tree"/g)).toHaveLength(2);
  // The winning lineage, its cases and the held-out figures are in the page.
  expect(page).toContain('solver#2');
  expect(page).toContain('Cases mined from this candidate: 1');
  expect(page).toContain('Cases injected into the proposals of this step: 1');
  expect(page).toContain('50.0% → 80.0%');
  expect(page).toContain('do not overlap');
});

test('self-contained: no script, no external URL, a CSP that forbids both', async () => {
  const page = renderReport(await fixtureRecord());
  expect(page).not.toMatch(/<script/i);
  expect(page).not.toMatch(/(src|href)="(https?:)?\/\//i);
  expect(page).not.toMatch(/@import|url\(/i);
  expect(page.replace(/&#39;/g, "'")).toContain(`content="default-src 'none'; style-src 'unsafe-inline'`);
});

test('prompts, model outputs and questions cannot inject markup', async () => {
  const page = renderReport(await fixtureRecord(HOSTILE));
  expect(page).not.toMatch(/<script/i);
  expect(page).not.toMatch(/<img/i);
  expect(page).not.toMatch(/<style>body/i);
  expect(page.match(/<\/svg>/g)!.length).toBe(page.match(/<svg /g)!.length);
  expect(page.match(/<\/pre>/g)!.length).toBe(page.match(/<pre[ >]/g)!.length);
  expect(page).toContain('&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;');
  expect(page).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
});

test('word diffs mark removed and added words and escape both', () => {
  expect(wordDiff('Be concise. Solve it.', 'Show every step. Solve it.').value).toBe('<del>Be concise</del><ins>Show every step</ins>. Solve it.');
  expect(wordDiff('a <b>', 'a <i>').value).toBe('a &lt;<del>b</del><ins>i</ins>&gt;');
  expect(wordDiff('x', '<script>').value).toBe('<del>x</del><ins>&lt;script&gt;</ins>');
  expect(html`<p title="${'"x"'}">${'<y>'}</p>`.value).toBe('<p title="&quot;x&quot;">&lt;y&gt;</p>');
  expect(esc(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
});

test('axis ticks cover the data', () => {
  for (const [lo, hi] of [
    [-0.5, 0.5],
    [0, 0.333],
    [-0.27, 0.5],
    [0, 3100],
    [2, 2],
  ]) {
    const t = niceTicks(lo, hi);
    expect(t[0]).toBeLessThanOrEqual(lo);
    expect(t[t.length - 1]).toBeGreaterThanOrEqual(hi);
    expect(t.length).toBeLessThan(12);
  }
});

test('a running run renders with what it has: no result, prompts so far, notes instead of charts', async () => {
  const record = await fixtureRecord();
  const running = { ...record, status: 'running' as const, result: undefined, heldOut: undefined, heldOutSpend: undefined, rounds: [], promptsFrom: 'latest-step' as const };
  running.units = record.units.map((u, i) => (i === record.units.length - 1 && u.kind === 'step' ? { ...u, status: 'running' as const, parents: undefined, totals: undefined } : u));
  const page = renderReport(running);
  expect(page).toContain('The run has not finished');
  expect(page).toContain('No held-out result');
  expect(page).toContain('No round has completed yet');
  expect(page).toContain('class="chart chart-reward"');
});
