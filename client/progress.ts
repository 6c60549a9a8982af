/**
 * Terminal progress for long jobs: a live bar in a TTY, plain lines when piped (a line only when it says something
 * new, at most one every few seconds), nothing with `--json`. Item counts come with an ETA once items complete.
 */
import { MultiBar, SingleBar, Presets } from 'cli-progress';
import type { EvaluateProgress } from '../core/contracts/evaluate';
import { formatSearchProgress, formatSpend, type SearchProgressView } from './optimize';
import { etaTracker, formatEta } from './eta';

/** Takes progress snapshots as they come; `stop` leaves the terminal clean. */
export interface Reporter<T> {
  update(p: T): void;
  stop(): void;
}

export type ProgressReporter = Reporter<EvaluateProgress>;
export type SearchProgressReporter = Reporter<SearchProgressView>;

const silent = { update: () => {}, stop: () => {} };

/** Prints a line when its text changed, at most one every `minMs`. */
function changedLines(stream: NodeJS.WritableStream, minMs: number): (line: string) => void {
  let last = '';
  let lastAt = 0;
  return (line) => {
    const now = Date.now();
    if (line === last || now - lastAt < minMs) return;
    last = line;
    lastAt = now;
    stream.write(`${line}\n`);
  };
}

export function progressReporter(mode: 'tty' | 'lines' | 'off', stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  if (mode === 'off') return silent;
  if (mode === 'tty') {
    const bar = new SingleBar(
      { format: ' {bar} {value}/{total} items | correct {correct} | calls {calls} ({cached} cached) | errors {errors}{eta}', stream, hideCursor: true, clearOnComplete: false },
      Presets.shades_classic,
    );
    let started = false;
    const eta = etaTracker();
    return {
      update(p) {
        const payload = { correct: p.correct, calls: p.calls, cached: p.cachedCalls, errors: p.errors, eta: formatEta(eta(p.done, p.total)).replace(' · ', ' | ') };
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
  const eta = etaTracker();
  const print = changedLines(stream, 5_000);
  return {
    update(p) {
      if (p.total === 0) return;
      print(`progress: ${p.done}/${p.total} items, ${p.correct} correct, ${p.calls} calls (${p.cachedCalls} cached), ${p.errors} errors${formatEta(eta(p.done, p.total))}`);
    },
    stop() {},
  };
}

/**
 * Progress of a search: in a TTY two live bars — the round (its refreshes and steps) and the running step's
 * candidate evaluations, or the held-out evaluation's items — with calls, spend and best J; piped, a line whenever it
 * says something new (at most one every 5 s).
 */
export function searchProgressReporter(mode: 'tty' | 'lines' | 'off', stream: NodeJS.WriteStream = process.stderr): SearchProgressReporter {
  if (mode === 'off') return silent;
  if (mode === 'lines') {
    const eta = etaTracker();
    const print = changedLines(stream, 5_000);
    return {
      update(p) {
        print(`progress: ${formatSearchProgress(p, p.heldOut ? eta(p.heldOut.done, p.heldOut.total) : undefined)}`);
      },
      stop() {},
    };
  }
  const eta = etaTracker();
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
      // The second bar: the running step's candidates, or the held-out evaluation's items.
      const h = p.heldOut;
      const [label, value, of, info] = h
        ? ['items', h.done, Math.max(1, h.total), `held-out · ${h.calls} calls (${h.cachedCalls} cached)${formatEta(eta(h.done, h.total))}`]
        : ['candidates', p.candidatesDone ?? 0, Math.max(1, p.candidatesPlanned ?? 0), unit];
      if (!step) step = multi.create(of, value, { label: label.padEnd(11), info });
      else step.start(of, value, { label: label.padEnd(11), info });
    },
    stop() {
      multi.stop();
    },
  };
}
