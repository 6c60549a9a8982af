/** The Temporal runtime logs at INFO by default; the CLI shows warnings and errors unless asked for more. */
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

let installed = false;

export function installWorkerLogging(level: LogLevel = (process.env.MASPO_LOG_LEVEL as LogLevel) || 'WARN'): void {
  if (installed) return;
  installed = true;
  try {
    Runtime.install({ logger: new DefaultLogger(level) });
  } catch {
    // a runtime was already installed (e.g. by an embedding application); keep it
  }
}
