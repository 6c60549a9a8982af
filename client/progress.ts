/**
 * Terminal progress for long jobs: a live bar in a TTY, plain lines (at most one per 10% or per 15 s) when
 * piped, nothing with `--json`.
 */
import { SingleBar, Presets } from 'cli-progress';
import type { EvaluateProgress } from '../core/evaluation';

export interface ProgressReporter {
  update(p: EvaluateProgress): void;
  stop(): void;
}

export function progressReporter(mode: 'tty' | 'lines' | 'off', stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  if (mode === 'off') return { update: () => {}, stop: () => {} };
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
