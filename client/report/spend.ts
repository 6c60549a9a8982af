/**
 * Spend of a run by role and round, from the run record's ledgers (read from the histories of every unit and of
 * the held-out evaluations, priced with the prices the run accounted with). Cache hits are counted apart and cost
 * nothing. When the run kept its own ledger (`totals.ledger`, recorded by the workflows), it is reported next to
 * this one as a cross-check. Pure.
 */
import { addLedgers, emptyLedger, spendOf, type Ledger } from '../../core/contracts/ledger';
import { MODEL_ROLES, type ModelRole } from '../../core/contracts/llm';
import { inheritedFrom, type RunRecord } from '../../core/contracts/run-record';

export interface SpendRow {
  label: string;
  round?: number;
  ledger: Ledger;
  /** A fork's round that ran in an ancestor run (paid there, left out of the total). */
  inheritedFrom?: string;
}

export interface SpendSummary {
  rounds: SpendRow[];
  heldOut?: SpendRow;
  /** Rounds + held-out. */
  total: SpendRow;
  /** Roles whose model has no price: their dollars are unknown (counted as 0 in sums, flagged). */
  unpriced: ModelRole[];
  /** The ledger the run kept itself for the search (absent for runs from before ledgers, or still running). */
  runLedger?: Ledger;
}

export function spendSummary(record: RunRecord): SpendSummary {
  const byRound = new Map<number, Ledger>();
  for (const u of record.units) byRound.set(u.round, addLedgers(byRound.get(u.round), u.ledger));
  const rounds: SpendRow[] = [...byRound.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([round, ledger]) => {
      const from = inheritedFrom(record, { round });
      return { label: from ? `round ${round} (ran in ${from})` : `round ${round}`, round, ledger, ...(from ? { inheritedFrom: from } : {}) };
    });
  const h = record.heldOutSpend;
  const heldOut = h && (h.seed || h.optimized) ? { label: 'held-out evaluation', ledger: addLedgers(h.seed?.ledger, h.optimized?.ledger) } : undefined;
  const own = [...rounds.filter((r) => !r.inheritedFrom), ...(heldOut ? [heldOut] : [])];
  const total = { label: record.forks?.length ? 'total of this fork' : 'total', ledger: own.reduce((l, r) => addLedgers(l, r.ledger), emptyLedger()) };
  return {
    rounds,
    heldOut,
    total,
    unpriced: MODEL_ROLES.filter((r) => record.prices[r] === null && (total.ledger[r].paidCalls > 0 || total.ledger[r].cachedCalls > 0)),
    runLedger: record.result?.totals.ledger,
  };
}

export const callsOf = (l: Ledger['backbone']) => l.paidCalls + l.cachedCalls;
export const totalCalls = (l: Ledger) => MODEL_ROLES.reduce((s, r) => s + callsOf(l[r]), 0);
export const totalUsd = (l: Ledger) => spendOf(l).usd;
