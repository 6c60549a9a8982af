/**
 * The run's credit (core/contracts/run-record-credit.ts) as a small plain-text table for the terminal: printed by
 * `maspo export` (to stderr, beside the JSON) and `maspo status` of a finished optimize run.
 */
import type { Rate } from '../../core/search/reward';
import type { RunRecord } from '../../core/contracts/run-record';
import { runCredit, type CreditTally, type RunCredit } from '../../core/contracts/run-record-credit';

const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(0)}%`);
const rate = (r: Rate) => (r.n ? `${pct(r.rate)} (${r.n})` : '—');

/** Rows of cells as aligned columns: the first column left-aligned, the others right-aligned. */
function columns(rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd());
}

function tallyCells(t: CreditTally): string[] {
  return [rate(t.rates.local), rate(t.rates.lookahead), rate(t.rates.global), rate(t.rates.terminal), String(t.misalignmentCases), String(t.accepted), `${t.rejected} (${t.unusable} unusable)`];
}

export function formatCreditTable(credit: RunCredit): string {
  const agentRows = credit.agents.flatMap((a) => [
    ...a.byRound.map((r) => [`${a.agentId} r${r.round}`, ...tallyCells(r)]),
    ...(a.byRound.length > 1 ? [[`${a.agentId} all`, ...tallyCells(a.total)]] : []),
  ]);
  const lines = ['credit per agent and round: candidates\' win rates (comparisons), ties count ½; misalignment cases mined; proposals accepted into the beam / rejected'];
  lines.push(...columns([['agent', 'local', 'lookahead', 'global', 'terminal', 'cases', 'accepted', 'rejected'], ...agentRows]).map((l) => `  ${l}`));
  lines.push('credit per edge u → v: u\'s local verdict vs the lookahead judged at v, same item and candidate; disagree = one win, one loss');
  if (credit.evaluations > 0 && credit.evaluationsWithVerdicts === 0) {
    lines.push('  no per-item verdicts in this record (recorded before they were kept)');
  } else {
    const edgeRows = credit.edges.map((e) => [`${e.from} → ${e.to}${e.direct ? '' : ' (downstream)'}`, String(e.compared), String(e.winThenLoss), String(e.lossThenWin), pct(e.rate)]);
    lines.push(...columns([['edge', 'items', 'u won, v lost', 'u lost, v won', 'disagree'], ...edgeRows]).map((l) => `  ${l}`));
  }
  return lines.join('\n');
}

/** The record's credit table (what `maspo export` prints to stderr). */
export function creditTable(record: RunRecord): string {
  return formatCreditTable(runCredit(record));
}
