/**
 * Per-run details of an experiment, for the results files: the paired held-out comparison (difference with its
 * bootstrap CI and the exact McNemar p), calls and tokens by role, wall-clock of the search and of the held-out
 * evaluation (from Temporal's visibility records, across continue-as-new), and — when roles ran on managed local
 * servers of this host — how busy the servers' slots were while the run searched.
 */
import type { Client } from '@temporalio/client';
import type { ExperimentRunResult } from '../core/contracts/experiment';
import { slotOccupancy, type ModelOccupancy } from '../activities/llm/providers/local/occupancy';
import { formatComparisons } from './format';

export interface RunWindow {
  /** First execution's start and last execution's close of the run's workflow (epoch ms). */
  startMs: number;
  closeMs: number;
  /** When the held-out evaluation started (the search ended), if it ran. */
  heldOutStartMs?: number;
}

export interface RunDetails {
  id: string;
  window?: RunWindow;
  /** Slot occupancy during the search (start → held-out start), per local model; empty without samples. */
  searchSlots: ModelOccupancy[];
  /** Slot occupancy during the held-out evaluation. */
  heldOutSlots: ModelOccupancy[];
}

/** Earliest start and latest close over every execution of a workflow id (a search continues as new per round). */
async function workflowWindow(client: Client, workflowId: string): Promise<{ start: number; close?: number } | undefined> {
  let start = Infinity;
  let close = -Infinity;
  let open = false;
  for await (const w of client.workflow.list({ query: `WorkflowId = '${workflowId.replace(/'/g, "\\'")}'` })) {
    start = Math.min(start, w.startTime.getTime());
    if (w.closeTime) close = Math.max(close, w.closeTime.getTime());
    else open = true;
  }
  if (!Number.isFinite(start)) return undefined;
  return { start, close: open || !Number.isFinite(close) ? undefined : close };
}

export async function runDetails(client: Client, runs: readonly ExperimentRunResult[], home: string): Promise<RunDetails[]> {
  const out: RunDetails[] = [];
  for (const r of runs) {
    const w = await workflowWindow(client, r.workflowId).catch(() => undefined);
    if (!w) {
      out.push({ id: r.id, searchSlots: [], heldOutSlots: [] });
      continue;
    }
    const closeMs = w.close ?? Date.now();
    const held = r.heldOut ? await workflowWindow(client, r.heldOut.workflows.seed).catch(() => undefined) : undefined;
    const heldOutStartMs = held?.start;
    const searchEnd = heldOutStartMs ?? closeMs;
    out.push({
      id: r.id,
      window: { startMs: w.start, closeMs, ...(heldOutStartMs !== undefined ? { heldOutStartMs } : {}) },
      searchSlots: await slotOccupancy(home, w.start, searchEnd),
      heldOutSlots: heldOutStartMs !== undefined ? await slotOccupancy(home, heldOutStartMs, closeMs) : [],
    });
  }
  return out;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const pp = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(1)}`;
const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;

function slotsCell(rows: readonly ModelOccupancy[]): string {
  if (rows.length === 0) return '—';
  return rows
    .map((o) => `${o.model.replace(/-instruct$/, '')}: ${pct(o.utilization)} of ${o.slots} slots, all busy ${pct(o.allBusyShareOfActive)} of active, wall ÷ floor ${o.wallOverServiceFloor === null ? '—' : o.wallOverServiceFloor.toFixed(2)}`)
    .join('; ');
}

/** A Markdown table: one row per run, everything the README's real-model table needs. */
export function runDetailsTable(runs: readonly ExperimentRunResult[], details: readonly RunDetails[]): string {
  const byId = new Map(details.map((d) => [d.id, d]));
  const lines = [
    '| run | seed prompts | optimized | difference [95% CI] | McNemar p (items gained / lost) | calls B · O · J (search) | comparisons judged (search) | tokens in / out (search) | wall-clock search · held-out | slots busy (search) | slots busy (held-out) |',
    '|---|---:|---:|---|---:|---|---|---|---|---|---|',
  ];
  for (const r of runs) {
    const d = byId.get(r.id);
    const h = r.heldOut;
    const acc = (s: { accuracy: number; ci: { low: number; high: number }; n: number } | undefined) => (s ? `${pct(s.accuracy)} [${pct(s.ci.low)}–${pct(s.ci.high)}] n=${s.n}` : '—');
    const p = h?.paired;
    const w = d?.window;
    const wall = w ? `${minutes((w.heldOutStartMs ?? w.closeMs) - w.startMs)} · ${w.heldOutStartMs !== undefined ? minutes(w.closeMs - w.heldOutStartMs) : '—'}` : '—';
    lines.push(
      `| ${r.id} | ${acc(h?.seed)} | ${acc(h?.optimized)} | ${p ? `${pp(p.difference)} pp [${pp(p.ci.low)}, ${pp(p.ci.high)}]` : '—'} | ${p ? `${p.mcnemar.pValue.toFixed(3)} (${p.mcnemar.bOnly}/${p.mcnemar.aOnly})` : '—'} | ${r.totals.calls.backbone} · ${r.totals.calls.optimizer} · ${r.totals.calls.judge} | ${r.totals.comparisons ? formatComparisons(r.totals.comparisons) : '—'} | ${r.totals.usage.inputTokens.toLocaleString('en-US')} / ${r.totals.usage.outputTokens.toLocaleString('en-US')} | ${wall} | ${slotsCell(d?.searchSlots ?? [])} | ${slotsCell(d?.heldOutSlots ?? [])} |`,
    );
  }
  return lines.join('\n');
}
