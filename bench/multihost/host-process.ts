/**
 * A process on one host of the namespace network: `ip netns exec <ns> <program>` (ip execs the program, so the
 * child's pid is the program's), output appended to a log file and kept in memory. `maspo()` runs the CLI from the
 * TypeScript sources, as the chaos suite's processes do (bench/chaos/processes.ts), but on a host.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, waitUntil } from '../chaos/processes';
import type { HostNetwork } from './network';

const MAIN = path.join(ROOT, 'cli', 'main.ts');

export class HostProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | string>;
  private out = '';

  constructor(
    readonly host: string,
    argv: string[],
    env: NodeJS.ProcessEnv,
    readonly logFile: string,
    net: HostNetwork,
  ) {
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    fs.appendFileSync(logFile, `\n--- ${new Date().toISOString()} on ${host}: ${argv.join(' ')}\n`);
    const [file, ...args] = [...net.exec(host), ...argv];
    this.child = spawn(file, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (d: Buffer) => {
      this.out += d.toString('utf8');
      fs.appendFileSync(logFile, d);
    };
    this.child.stdout!.on('data', onData);
    this.child.stderr!.on('data', onData);
    this.exited = new Promise((resolve) => {
      this.child.once('error', (e) => resolve(e.message));
      this.child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    });
  }

  /** `maspo <args>` on `host`. */
  static maspo(net: HostNetwork, host: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): HostProcess {
    return new HostProcess(host, [process.execPath, '--import', 'tsx', MAIN, ...args], env, logFile, net);
  }

  output(): string {
    return this.out;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits until the output matches `ready`; fails early, with the last lines, if the process exits first. */
  async ready(what: string, ready: RegExp, timeoutMs = 120_000): Promise<void> {
    await waitUntil(
      `${what} on ${this.host} (log ${this.logFile})`,
      () => {
        if (!this.running) throw new Error(`${what} on ${this.host} exited during startup: ${this.lastLines()}`);
        return ready.test(this.out);
      },
      timeoutMs,
      100,
    );
  }

  /** Runs to its end (bounded); the exit code, or the signal that ended it. */
  async finish(timeoutMs: number): Promise<number | string> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }

  lastLines(n = 3): string {
    return this.out.trim().split('\n').slice(-n).join(' | ');
  }
}
