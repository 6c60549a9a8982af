/**
 * The targets of issue 7, checked against a bench run: each is met, missed (with the margin), not run (scenario
 * filtered out) or not applicable (quick mode is not the paper scale). Thresholds are the issue's, verbatim.
 */
import type { Profile } from '../../core/search/types';
import { PROFILES, seriesValue, type PlannedScenario, type Series } from './plan';
import type { ScenarioResult } from './run-scenario';

export const REFERENCE_CALLS = 5168;
export const TARGETS = {
  faithfulCalls: 0.75 * REFERENCE_CALLS,
  faithfulCriticalPath: 120,
  wallRatio: 1.15,
  overheadMsPerCall: 10,
  historyBytes: 4 * 1024 * 1024,
  historyEvents: 4096,
  workerRssMb: 600,
  /** "Independent of |B|": largest critical path at most this much above the smallest. */
  criticalPathSpread: 0.1,
  /** "Linear": interior points at most this far from the line through the ends. */
  linearity: 0.1,
} as const;

export type Status = 'met' | 'missed' | 'not run' | 'n/a';

export interface TargetCheck {
  target: string;
  scenario: string;
  measured: number | null;
  threshold: number;
  unit: string;
  status: Status;
  margin: string;
}

export interface BenchRun {
  planned: PlannedScenario;
  result: ScenarioResult;
}

export function wallRatio(r: ScenarioResult): number | null {
  const L = r.scenario.latencyMs;
  return L > 0 && r.calls.criticalPath > 0 ? r.wallMs / (r.calls.criticalPath * L) : null;
}

export function msPerCall(r: ScenarioResult): number {
  return r.wallMs / r.calls.calls;
}

export function checkTargets(runs: readonly BenchRun[], quick: boolean): TargetCheck[] {
  const paper = (profile: Profile, kind: PlannedScenario['paper']) => runs.find((r) => r.planned.profile === profile && r.planned.paper === kind);
  const out: TargetCheck[] = [];
  const atMost = (target: string, run: BenchRun | undefined, measure: (r: ScenarioResult) => number | null, threshold: number, unit: string, paperScale = false) => {
    const measured = run ? measure(run.result) : null;
    const failed = run?.result.failure !== undefined;
    out.push({
      target,
      scenario: run?.planned.id ?? '—',
      measured,
      threshold,
      unit,
      ...(failed ? { status: 'missed' as const, margin: 'the search failed' } : judge(measured, threshold, unit, !run ? 'not run' : paperScale && quick ? 'n/a' : undefined)),
    });
  };

  const faithful = paper('faithful', 'wall') ?? paper('faithful', 'overhead');
  atMost('faithful: total LLM calls ≤ 0.75 × 5,168', faithful, (r) => r.calls.calls, TARGETS.faithfulCalls, 'calls', true);
  atMost('faithful: critical path ≤ 120 call latencies', faithful, (r) => r.calls.criticalPath, TARGETS.faithfulCriticalPath, 'latencies', true);
  for (const p of PROFILES) atMost(`${p}: wall-clock ≤ 1.15 × critical path × L (L = 200 ms)`, paper(p, 'wall'), wallRatio, TARGETS.wallRatio, '×');
  for (const p of PROFILES) atMost(`${p}: orchestration overhead at L = 0 ≤ 10 ms per call`, paper(p, 'overhead'), msPerCall, TARGETS.overheadMsPerCall, 'ms/call');
  for (const p of PROFILES) {
    atMost(`${p}: largest workflow history ≤ 4 MiB (8K-token replies)`, paper(p, 'history'), (r) => r.histories.largestByBytes.bytes, TARGETS.historyBytes, 'bytes', true);
    atMost(`${p}: largest workflow history ≤ 4,096 events (8K-token replies)`, paper(p, 'history'), (r) => r.histories.largestByEvents.events, TARGETS.historyEvents, 'events', true);
  }
  // The codec-less run is a comparison, not a configuration anyone runs.
  const supported = runs.filter((r) => r.planned.paper !== 'history-without-codec');
  const heaviest = supported.length ? supported.reduce((a, b) => (b.result.worker.peakRssMb > a.result.worker.peakRssMb ? b : a)) : undefined;
  atMost('worker peak RSS ≤ 600 MB (largest over all runs)', heaviest, (r) => r.worker.peakRssMb, TARGETS.workerRssMb, 'MB');

  for (const p of PROFILES) {
    // Structure, not luck: every call weighs 1 here (with |B| = |D| every step draws the whole pool, so more
    // calls are response-cache hits and the path in latencies gets shorter).
    const batch = seriesOf(runs, p, 'batch');
    const cps = batch.map((b) => b.result.calls.criticalPathCalls);
    const spread = cps.length >= 2 ? (Math.max(...cps) - Math.min(...cps)) / Math.min(...cps) : null;
    out.push({
      target: `${p}: critical path (in calls) independent of |B| (|B| = ${batch.map((b) => b.planned.batchSize).join(', ') || '—'}: ${cps.join(', ') || '—'})`,
      scenario: batch.map((b) => b.planned.id).join(', ') || '—',
      measured: spread,
      threshold: TARGETS.criticalPathSpread,
      unit: 'relative',
      ...judge(spread, TARGETS.criticalPathSpread, 'relative', batch.length < 2 ? 'not run' : undefined),
    });
    for (const series of ['batch', 'candidates'] as const) {
      const pts = seriesOf(runs, p, series);
      const dev = linearityDeviation(pts.map((r) => [seriesValue(r.planned, series), r.result.calls.calls]));
      out.push({
        target: `${p}: calls linear in ${series === 'batch' ? '|B|' : 'candidates (Ksub)'} (${pts.map((r) => `${seriesValue(r.planned, series)}→${r.result.calls.calls}`).join(', ') || '—'})`,
        scenario: pts.map((r) => r.planned.id).join(', ') || '—',
        measured: dev,
        threshold: TARGETS.linearity,
        unit: 'relative',
        ...judge(dev, TARGETS.linearity, 'relative', pts.length < 3 ? (pts.length === 0 ? 'not run' : 'n/a') : undefined),
      });
    }
  }
  return out;
}

/** Runs of one growth series, by x. */
export function seriesOf(runs: readonly BenchRun[], profile: Profile, series: Series): BenchRun[] {
  return runs.filter((r) => r.planned.profile === profile && r.planned.series?.includes(series)).sort((a, b) => seriesValue(a.planned, series) - seriesValue(b.planned, series));
}

/** Largest relative distance of an interior point from the straight line through the first and last points. */
export function linearityDeviation(points: ReadonlyArray<readonly [number, number]>): number | null {
  if (points.length < 3) return null;
  const [x0, y0] = points[0];
  const [x1, y1] = points[points.length - 1];
  let worst = 0;
  for (const [x, y] of points.slice(1, -1)) {
    const line = y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
    worst = Math.max(worst, Math.abs(y - line) / line);
  }
  return worst;
}

function judge(measured: number | null, threshold: number, unit: string, forced?: Status): { status: Status; margin: string } {
  if (forced === 'not run') return { status: forced, margin: '' };
  if (measured === null) return { status: forced ?? 'not run', margin: '' };
  const diff = threshold - measured;
  const pct = threshold !== 0 ? ` (${((Math.abs(diff) / threshold) * 100).toFixed(0)}% of the limit)` : '';
  const margin = diff >= 0 ? `${fmt(diff, unit)} under${pct}` : `${fmt(-diff, unit)} over${pct}`;
  return { status: forced ?? (diff >= 0 ? 'met' : 'missed'), margin };
}

function fmt(v: number, unit: string): string {
  if (unit === 'bytes') return `${(v / (1024 * 1024)).toFixed(2)} MiB`;
  if (unit === 'relative') return `${(v * 100).toFixed(1)} pp`;
  if (unit === '×') return `${v.toFixed(2)}×`;
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${unit}`;
}
