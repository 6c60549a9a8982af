/** Parsers and options for flag values that several commands share; each names the flag in its one-line error. */
import { InvalidArgumentError, Option } from 'commander';
import { WORKER_MODES } from '../client/workers';

/** A TCP port (1–65535; 0 = any free port when `allowZero`). */
export function portNumber(name: string, opts: { allowZero?: boolean } = {}) {
  return (v: string): number => {
    const n = Number(v);
    const min = opts.allowZero ? 0 : 1;
    if (!/^\d+$/.test(v.trim()) || n < min || n > 65535) throw new InvalidArgumentError(`${name} must be a port number from ${min} to 65535`);
    return n;
  };
}

/** A whole number of at least 1. */
export function positiveInteger(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || n < 1) throw new InvalidArgumentError(`${name} must be a positive whole number`);
    return n;
  };
}

/** A point in time in ISO 8601 (e.g. 2026-12-06T23:36:32Z), as epoch milliseconds. */
export function isoTime(name: string) {
  return (v: string): number => {
    const t = Date.parse(v);
    if (!Number.isFinite(t)) throw new InvalidArgumentError(`${name} ${v}: not a time (use ISO 8601, e.g. 2026-12-06T23:36:32Z)`);
    return t;
  };
}

/** The `--worker` option shared by every command that starts a job (client/workers.ts `withTemporal`). */
export function workerOption(): Option {
  return new Option('--worker <mode>', 'auto: run workers in this process on the embedded server, not on a remote cluster; inline: always; none: never')
    .choices([...WORKER_MODES])
    .default('auto');
}
