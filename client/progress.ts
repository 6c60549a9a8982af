/**
 * Terminal progress for long jobs: a live bar in a TTY, plain lines (at most one per 10% or per 15 s) when
 * piped, nothing with `--json`.
 */
import { MultiBar, SingleBar, Presets } from 'cli-progress';
import type { EvaluateProgress } from '../core/contracts/evaluate';
import { formatSearchProgress, formatSpend, type SearchProgressView } from './optimize';

/** Takes progress snapshots as they come; `stop` leaves the terminal clean. */
export interface Reporter<T> {
  update(p: T): void;
  stop(): void;
}

export type ProgressReporter = Reporter<EvaluateProgress>;
export type SearchProgressReporter = Reporter<SearchProgressView>;

const silent = { update: () => {}, stop: () => {} };

export function progressReporter(mode: 'tty' | 'lines' | 'off', stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  if (mode === 'off') return silent;
  if (mode === 'tty') {
    const bar = new SingleBar(
      { format: ' {bar} {value}/{total} items | correct {correct} | calls {calls} ({cached} cached) | errors {errors}', stream, hideCursor: true, clearOnComplete: false },
      Presets.shades_classic,
    );
    let started = false;
    return {
      update(p) {
        const payload = { correct: p.correct, calls: p.calls, cached: p.cachedCalls, errors: p.errors };
        if (!started && p.total > 0) {
          bar.start(p.total, p.done, payload);
          started = true;
        } else if (started) bar.update(p.done, payload);
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let lastDecile = -1;
  let lastAt = 0;
  return {
    update(p) {
      if (p.total === 0) return;
      const decile = Math.floor((10 * p.done) / p.total);
      const now = Date.now();
      if (decile > lastDecile || now - lastAt > 15_000) {
        lastDecile = decile;
        lastAt = now;
        stream.write(`progress: ${p.done}/${p.total} items, ${p.correct} correct, ${p.calls} calls (${p.cachedCalls} cached), ${p.errors} errors\n`);
      }
    },
    stop() {},
  };
}

/**
 * Progress of a search: in a TTY two live bars — the round (its refreshes and steps) and the running step's
 * candidate evaluations — with calls, spend and best J; piped, one line whenever the unit or phase changes (or
 * every 15 s).
 */
export function searchProgressReporter(mode: 'tty' | 'lines' | 'off', stream: NodeJS.WriteStream = process.stderr): SearchProgressReporter {
  if (mode === 'off') return silent;
  if (mode === 'lines') {
    let lastKey = '';
    let lastAt = 0;
    return {
      update(p) {
        const key = `${p.phase}|${p.control}|${p.round}|${p.agentId}|${p.unit}|${p.step}`;
        const now = Date.now();
        if (key === lastKey && now - lastAt < 15_000) return;
        lastKey = key;
        lastAt = now;
        stream.write(`progress: ${formatSearchProgress(p)}\n`);
      },
      stop() {},
    };
  }
  const multi = new MultiBar({ stream, hideCursor: true, clearOnComplete: false, format: ' {label} {bar} {value}/{total} {info}' }, Presets.shades_classic);
  let round: ReturnType<MultiBar['create']> | undefined;
  let step: ReturnType<MultiBar['create']> | undefined;
  return {
    update(p) {
      const best = Object.entries(p.bestJ).map(([a, j]) => `${a}=${j.toFixed(2)}`).join(' ');
      const where = p.phase === 'searching' ? `round ${p.round}/${p.rounds}`.padEnd(11) : p.phase.padEnd(11);
      const roundInfo = `${p.calls} calls (${p.cached} cached) · ${formatSpend(p.spendUsd, p.budget)} · best J ${best}${p.control !== 'running' ? ` [${p.control}]` : ''}${p.budgetExhausted ? ` · WAITING: ${p.budgetExhausted}` : ''}`;
      const total = Math.max(1, p.unitsInRound ?? 1);
      if (!round) round = multi.create(total, p.unitsDone ?? 0, { label: where, info: roundInfo });
      else round.start(total, p.unitsDone ?? 0, { label: where, info: roundInfo });
      const unit = p.agentId ? `${p.agentId} ${p.unit === 'refresh' ? 'refresh' : `step ${p.step}/${p.stepsPerRound}`}` : '';
      const cands = Math.max(1, p.candidatesPlanned ?? 0);
      if (!step) step = multi.create(cands, p.candidatesDone ?? 0, { label: 'candidates'.padEnd(11), info: unit });
      else step.start(cands, p.candidatesDone ?? 0, { label: 'candidates'.padEnd(11), info: unit });
    },
    stop() {
      multi.stop();
    },
  };
}
