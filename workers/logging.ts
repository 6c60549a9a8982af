/** The Temporal runtime logs at INFO by default; the CLI shows warnings and errors unless asked for more. */
import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';

let installed = false;

/** Expected by design: the per-role LLM workers serve activities only. */
const EXPECTED = /No workflows registered, not polling for workflow tasks/;

export function installWorkerLogging(level: LogLevel = (process.env.MASPO_LOG_LEVEL as LogLevel) || 'WARN'): void {
  if (installed) return;
  installed = true;
  const print = new DefaultLogger(level);
  const logger = new DefaultLogger(level, (entry: LogEntry) => {
    if (!EXPECTED.test(entry.message)) print.log(entry.level, entry.message, entry.meta);
  });
  try {
    Runtime.install({ logger });
  } catch {
    // a runtime was already installed (e.g. by an embedding application); keep it
  }
}
