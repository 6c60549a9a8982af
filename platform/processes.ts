/**
 * Helpers for the servers maspo starts and finds again from a state file (the Temporal dev server, llama-server):
 * is a recorded pid still running, and a lock file that serialises starting one across maspo processes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The pid exists (EPERM: it exists but belongs to someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid is gone or a zombie (exited, not yet reaped by its parent). */
export function processExited(pid: number): boolean {
  if (!pidAlive(pid)) return true;
  try {
    // /proc/<pid>/stat: "pid (comm) S ..."; comm may hold spaces and parentheses, so read after the last ')'
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return process.platform === 'linux'; // vanished between the two checks
  }
}

/** Sends a signal, ignoring a process that is already gone. */
export function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Runs `fn` holding the lock file `lock` (it holds the owner's pid). A lock whose owner is gone is taken over at
 * once; one held longer than `stealAfterMs` is taken over too, so a process killed mid-start blocks nobody for long.
 */
export async function withFileLock<T>(lock: string, fn: () => Promise<T>, stealAfterMs = 120_000): Promise<T> {
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + stealAfterMs;
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holderGone: boolean;
      try {
        const holder = Number(fs.readFileSync(lock, 'utf8'));
        // An empty lock is one being written right now, unless it is old.
        holderGone = holder > 0 ? !pidAlive(holder) : Date.now() - fs.statSync(lock).mtimeMs > 5_000;
      } catch {
        continue; // released meanwhile
      }
      if (holderGone || Date.now() > deadline) fs.rmSync(lock, { force: true });
      else await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}
