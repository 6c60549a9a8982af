/**
 * The report's credit section: per agent and round, how its candidates fared at each judged level, the
 * misalignment cases mined against it and its proposals accepted / rejected; per edge u → v, how often v's
 * lookahead verdict contradicted u's local verdict. The numbers are core/contracts/run-record-credit.ts's.
 */
import type { Rate } from '../../core/search/reward';
import { JUDGED_LEVELS, type CreditTally, type EdgeCredit, type RunCredit } from '../../core/contracts/run-record-credit';
import { fmt, html, Safe } from './html';
import { REPORT_CSS } from './style';

/** A rate as a small bar (win share, ties ½) with its percentage and comparison count; '—' when never judged. */
function meter(r: Rate): Safe {
  if (r.rate === null) return html`<td class="na">—</td>`;
  const width = (100 * r.rate).toFixed(1);
  return html`<td title="${`${r.wins} won · ${r.ties} tied · ${r.losses} lost of ${r.n}`}"><span class="meter"><i class="${r.rate > 0.5 ? 'up' : r.rate < 0.5 ? 'down' : ''}" style="width:${width}%"></i></span>${fmt.pct(r.rate, 0)} <small>(${fmt.num(r.n)})</small></td>`;
}

function tallyCells(t: CreditTally): Safe {
  return html`${JUDGED_LEVELS.map((l) => meter(t.rates[l]))}<td>${fmt.num(t.misalignmentCases)}</td><td>${fmt.num(t.accepted)}</td><td>${fmt.num(t.rejected)}${t.unusable ? html` <small>(${fmt.num(t.unusable)} unusable)</small>` : ''}</td>`;
}

function agentRows(credit: RunCredit): Safe[] {
  return credit.agents.flatMap((a) => [
    ...a.byRound.map((r, i) => html`<tr>${i === 0 ? html`<td class="l" rowspan="${a.byRound.length + (a.byRound.length > 1 ? 1 : 0)}"><b>${a.agentId}</b></td>` : ''}<td class="l">round ${r.round}</td>${tallyCells(r)}</tr>`),
    ...(a.byRound.length > 1 ? [html`<tr class="total"><td class="l">all rounds</td>${tallyCells(a.total)}</tr>`] : []),
  ]);
}

/** Agreeing, u won / v lost, u lost / v won: one stacked bar per edge. */
function edgeBar(e: EdgeCredit): Safe {
  if (!e.compared) return html`<span class="muted">no lookahead judged</span>`;
  const w = (x: number) => (100 * x / e.compared).toFixed(1);
  return html`<span class="split"><i class="agree" style="width:${w(e.compared - e.disagreements)}%"></i><i class="hurt" style="width:${w(e.winThenLoss)}%"></i><i class="helped" style="width:${w(e.lossThenWin)}%"></i></span>`;
}

function edgeTable(credit: RunCredit): Safe {
  if (credit.evaluations > 0 && credit.evaluationsWithVerdicts === 0) return html`<p class="muted">This record holds no per-item verdicts (it was recorded before they were kept), so the edges cannot be credited.</p>`;
  const rows = credit.edges.map(
    (e) =>
      html`<tr><td class="l"><b>${e.from}</b> → <b>${e.to}</b>${e.direct ? '' : html` <small>(downstream)</small>`}</td><td>${fmt.num(e.compared)}</td><td>${fmt.num(e.decisive)}</td><td>${fmt.num(e.winThenLoss)}</td><td>${fmt.num(e.lossThenWin)}</td><td><b>${e.rate === null ? '—' : fmt.pct(e.rate, 0)}</b></td><td class="l">${edgeBar(e)}</td></tr>`,
  );
  const partial = credit.evaluationsWithVerdicts < credit.evaluations ? ` Per-item verdicts are recorded for ${credit.evaluationsWithVerdicts} of ${credit.evaluations} candidate evaluations; the counts cover those.` : '';
  return html`<table class="credit-edges"><thead><tr><th class="l">edge u → v</th><th>items</th><th>both decisive</th><th>u won, v lost</th><th>u lost, v won</th><th>disagree</th><th class="l"><span class="legend-inline"><span><i style="background:#ced4da"></i>agree or tie</span><span><i style="background:#d9480f"></i>u won, v lost</span><span><i style="background:#1c7ed6"></i>u lost, v won</span></span></th></tr></thead><tbody>${rows}</tbody></table><p class="muted" style="font-size:12.5px">${`For every item of every candidate evaluation of u: u's local verdict (u's new output vs its parent's) against the lookahead verdict judged at v (v's output downstream of each). They disagree when one is a win and the other a loss; a tie on either side is neither, but the item still counts in "items" (the rate's denominator). "u won, v lost" is the misalignment the search mines: a change that looked better locally and made v's work worse.${partial}`}</p>`;
}

export function creditSection(credit: RunCredit): Safe {
  const levels = JUDGED_LEVELS.map((l) => html`<th>${l}</th>`);
  const agents = credit.agents.some((a) => a.byRound.length)
    ? html`<table class="credit-agents"><thead><tr><th class="l" rowspan="2">agent</th><th class="l" rowspan="2">round</th><th colspan="4">candidates' win rate vs parent (comparisons)</th><th rowspan="2">misalignment<br>cases mined</th><th colspan="2">proposals</th></tr><tr>${levels}<th>accepted</th><th>rejected</th></tr></thead><tbody>${agentRows(credit)}</tbody></table><p class="muted" style="font-size:12.5px">Win rates pool every comparison of every evaluated candidate of the agent in that round (a tie counts ½; 50% = no better than the parent). Terminal is judged only for the terminal agent; local, lookahead and global only for the others. Accepted: the candidate entered the beam as a child (R &gt; 0). Rejected: evaluated but not accepted, plus unusable optimizer replies.</p>`
    : html`<p class="muted">No step has completed yet.</p>`;
  return html`<h2 id="credit">Credit per agent and edge</h2>${agents}<h3>Who was hurt: disagreement along the edges</h3>${edgeTable(credit)}`;
}

/** The section alone as a page styled like the report (for pictures: bench/report-credit-screenshot.ts). */
export function creditPage(credit: RunCredit): string {
  return `<!DOCTYPE html>\n${html`<html lang="en"><head><meta charset="utf-8"><style>${new Safe(REPORT_CSS)}</style></head><body><main>${creditSection(credit)}</main></body></html>`}\n`;
}
