/**
 * The bench runs the worker and the simulator server as child processes, so their CPU and memory are measured apart
 * from the harness. This is the small IPC protocol both sides speak: the child sends `ready` (with data), the parent
 * sends `stop`, the child answers `stopped` (with its own measurements) and exits. Every wait is bounded.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

type Message = { type: 'ready'; data: unknown } | { type: 'stopped'; data: unknown } | { type: 'error'; message: string };

export interface ChildHandle<Ready, Stopped> {
  pid: number;
  ready: Ready;
  /** Asks the child to stop and returns what it reported; kills it if it does not answer in time. */
  stop(timeoutMs?: number): Promise<Stopped>;
  kill(): void;
}

export async function forkChild<Ready, Stopped>(
  script: string,
  args: string[],
  opts: { logFile: string; readyTimeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<ChildHandle<Ready, Stopped>> {
  const log = fs.openSync(opts.logFile, 'a');
  const child: ChildProcess = fork(script, args, {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', log, log, 'ipc'],
    env: opts.env ?? process.env,
  });
  fs.closeSync(log);
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(`exit ${code ?? signal}`)));
  const next = (what: string, timeoutMs: number) =>
    new Promise<Message>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${script}: no '${what}' within ${timeoutMs} ms (log: ${opts.logFile})`)), timeoutMs);
      const onMessage = (m: Message) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(m);
      };
      child.on('message', onMessage);
      void exited.then((how) => {
        clearTimeout(timer);
        reject(new Error(`${script} ended (${how}) before '${what}'; log: ${opts.logFile}\n${tail(opts.logFile)}`));
      });
    });
  const expect = async <T>(what: 'ready' | 'stopped', timeoutMs: number): Promise<T> => {
    const m = await next(what, timeoutMs);
    if (m.type === 'error') throw new Error(`${script}: ${m.message}`);
    if (m.type !== what) throw new Error(`${script}: expected '${what}', got '${m.type}'`);
    return m.data as T;
  };
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  let ready: Ready;
  try {
    ready = await expect<Ready>('ready', opts.readyTimeoutMs);
  } catch (err) {
    kill();
    throw err;
  }
  return {
    pid: child.pid!,
    ready,
    kill,
    async stop(timeoutMs = 30_000) {
      const answer = expect<Stopped>('stopped', timeoutMs);
      child.send({ type: 'stop' });
      try {
        const data = await answer;
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
        return data;
      } finally {
        kill();
      }
    },
  };
}

/** Child side: reports `ready`, waits for `stop`, runs `onStop` and reports its result. */
export function serveParent<Stopped>(ready: unknown, onStop: () => Promise<Stopped>): void {
  if (!process.send) throw new Error('this entry point runs as a child of the bench harness (bench/engine/main.ts)');
  process.send({ type: 'ready', data: ready });
  process.on('message', (m: { type?: string }) => {
    if (m?.type !== 'stop') return;
    onStop().then(
      (data) => process.send!({ type: 'stopped', data }, () => process.exit(0)),
      (err: unknown) => process.send!({ type: 'error', message: err instanceof Error ? err.message : String(err) }, () => process.exit(1)),
    );
  });
  process.on('disconnect', () => process.exit(0)); // the harness died: do not linger
}

/** Child side: a failure before `ready` is reported to the parent as one line. */
export function failToParent(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`${err instanceof Error ? err.stack : message}\n`);
  if (process.send) process.send({ type: 'error', message }, () => process.exit(1));
  setTimeout(() => process.exit(1), 2_000).unref();
}

function tail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
