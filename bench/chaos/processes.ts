/**
 * The real processes a chaos scenario drives: the Temporal dev server (the real `temporal` binary, SQLite file in a
 * scenario home), `maspo worker` processes and `maspo` CLI commands (run from the TypeScript sources through tsx).
 * Every process writes to a log file under the scenario directory, so the secrets scenario can scan all of them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { ensureTemporalCli } from '../../client/temporal/setup';
import { processExited } from '../../platform/processes';
import { startDevServer, stopDevServer, type DevServerHandle } from '../../client/temporal/dev-server';

export const ROOT = path.resolve(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'cli', 'main.ts');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** A fresh directory for one scenario (its maspo homes, configs and logs). */
export function scenarioDir(name: string): string {
  const base = process.env.MASPO_CHAOS_DIR ?? path.join(os.tmpdir(), 'maspo-chaos');
  fs.mkdirSync(base, { recursive: true });
  return fs.mkdtempSync(path.join(base, `${name}-`));
}

/** `<root>/<name>`, created. */
export function scenarioDirIn(root: string, name: string): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** A Temporal dev server on free loopback ports, its database in `home`; restartable on the same file. */
export class DevServer {
  handle!: DevServerHandle;
  private constructor(
    readonly home: string,
    readonly port: number,
    readonly uiPort: number,
    private readonly cliPath: string,
  ) {}

  static async start(home: string): Promise<DevServer> {
    // The project's CLI (`maspo setup`, idempotent: installs it into .maspo/tools on a fresh clone).
    const cli = await ensureTemporalCli({ home: path.join(ROOT, '.maspo'), log: (l) => void (/already available/.test(l) || process.stderr.write(`${l}\n`)) });
    const server = new DevServer(home, await freePort(), await freePort(), cli.path);
    await server.restart();
    return server;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.handle.state.pid;
  }

  get dbFile(): string {
    return this.handle.state.dbFile;
  }

  /** Starts the server again on the same SQLite file and ports. */
  async restart(): Promise<void> {
    this.handle = await startDevServer({ home: this.home, port: this.port, uiPort: this.uiPort, cliPath: this.cliPath, detached: true, startTimeoutMs: 60_000 });
  }

  /** SIGKILL, then wait until the process is gone (its ports and database released). */
  async kill(): Promise<void> {
    const pid = this.pid;
    process.kill(pid, 'SIGKILL');
    await waitUntil(`dev server pid ${pid} to exit`, () => processExited(pid), 15_000);
  }

  async stop(): Promise<void> {
    await stopDevServer({ home: this.home }).catch(() => undefined);
  }

  async client(): Promise<{ client: Client; close: () => Promise<void> }> {
    const connection = await Connection.connect({ address: this.address, connectTimeout: 5_000 });
    return { client: new Client({ connection }), close: () => connection.close() };
  }
}


export interface CliRun {
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Everything the process wrote so far (also appended to its log file). */
  output(): string;
}

/** Runs `maspo <args>` from the sources; stdout and stderr go to `logFile` (appended) and are kept in memory. */
export function spawnMaspo(args: string[], env: NodeJS.ProcessEnv, logFile: string): CliRun {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.appendFileSync(logFile, `\n--- ${new Date().toISOString()} maspo ${args.join(' ')}\n`);
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const onData = (d: Buffer) => {
    out += d.toString('utf8');
    fs.appendFileSync(logFile, d);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => out };
}

/** Runs a `maspo` command to its end (bounded). */
export async function runMaspo(args: string[], env: NodeJS.ProcessEnv, logFile: string, timeoutMs = 120_000): Promise<{ code: number | null; output: string }> {
  const run = spawnMaspo(args, env, logFile);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
  try {
    const code = await run.exited;
    return { code, output: run.output() };
  } finally {
    clearTimeout(timer);
  }
}

/** The environment of a maspo process talking to `address`, with its own home (LLM response cache, logs). */
export function maspoEnv(address: string, home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: 'default', MASPO_HOME: home, MASPO_LOG_LEVEL: 'WARN', ...extra };
}

/** A `maspo worker` process that can be SIGKILLed and restarted; every incarnation appends to one log file. */
export class WorkerProcess {
  private run?: CliRun;
  starts = 0;

  constructor(
    private readonly configFile: string,
    private readonly env: NodeJS.ProcessEnv,
    readonly logFile: string,
  ) {}

  /** Starts the worker and waits until it polls its queues (its startup line). */
  async start(): Promise<void> {
    const before = this.starts++;
    this.run = spawnMaspo(['worker', '--config', this.configFile], this.env, this.logFile);
    const run = this.run;
    let exitedEarly: number | null | undefined;
    void run.exited.then((c) => (exitedEarly = c));
    await waitUntil(
      `worker #${before + 1} to start (log ${this.logFile})`,
      () => {
        if (exitedEarly !== undefined) throw new Error(`worker exited with ${exitedEarly} during startup: ${run.output().trim().split('\n').slice(-3).join(' | ')}`);
        return /worker serving task queue/.test(run.output());
      },
      120_000,
      100,
    );
  }

  get pid(): number | undefined {
    return this.run?.child.pid;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.run || this.run.child.exitCode !== null || this.run.child.signalCode !== null) return;
    this.run.child.kill(signal);
    const timer = setTimeout(() => this.run?.child.kill('SIGKILL'), 20_000);
    await this.run.exited;
    clearTimeout(timer);
  }

  async stop(): Promise<void> {
    await this.kill('SIGTERM');
  }
}

/** Retries `fn` through server outages (connection refused while the dev server restarts). */
export async function throughOutages<T>(what: string, fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      await sleep(500);
    }
  }
}
