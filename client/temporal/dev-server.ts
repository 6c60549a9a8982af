/**
 * The embedded Temporal server: `temporal server start-dev` with SQLite persistence in `<maspoHome>/temporal.db`,
 * bound to 127.0.0.1, every project search attribute registered at start. A started server is recorded in
 * `<maspoHome>/server.json` so later maspo processes reuse it (ensureDevServer) and `maspo server stop|status` find it.
 * Its output goes to `<maspoHome>/logs/temporal-server.log`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { TypedSearchAttributes, type SearchAttributeType } from '@temporalio/common';
import { encodeSearchAttributeIndexedValueType, type SearchAttributeKey } from '@temporalio/common/lib/search-attributes';
import { msToTs, optionalTsToMs } from '@temporalio/common/lib/time';
import { ALL_SEARCH_ATTRIBUTES } from '../../core/contracts/search-attributes';
import { findTemporalCli } from './binary';
import { spawnCodecDaemon } from './codec-endpoint';
import { pidAlive, processExited, tryKill, withFileLock } from '../../platform/processes';
import { homePaths, maspoHome, type HomePaths } from '../../platform/home';

export type Log = (line: string) => void;

export interface DevServerOptions {
  home?: string;
  /** Frontend gRPC port; default 7233. */
  port?: number;
  /** Web UI port; default 8233. */
  uiPort?: number;
  namespace?: string;
  /** True: the server outlives this process (ensureDevServer's default). False: it is killed when this process exits. */
  detached?: boolean;
  /** The CLI to run; default findTemporalCli(). */
  cliPath?: string;
  /** Raise the namespace retention to at least this many days (dev-server default: 1). Default 30. */
  retentionDays?: number;
  /** How long to wait for the frontend to answer; default 30 s. */
  startTimeoutMs?: number;
  extraArgs?: string[];
  /**
   * Detached servers only: serve the payload codec endpoint in a process of its own, so the UI shows claim-checked
   * and gzipped payloads decoded on every path (default true). A foreground `maspo server` serves it in-process.
   */
  codec?: boolean;
  /** Its port; default the UI port + 1 when free, else any free port. */
  codecPort?: number;
  log?: Log;
}

/** Contents of `<maspoHome>/server.json`. */
export interface DevServerState {
  pid: number;
  address: string;
  uiUrl: string;
  dbFile: string;
  startedAt: string;
  port: number;
  uiPort: number;
  namespace: string;
  logFile: string;
  cliPath: string;
  /**
   * The payload codec endpoint the UI decodes through, when it runs in its own process beside a detached server
   * (codec-endpoint.ts `spawnCodecDaemon`): it lives as long as the server and `stopDevServer` stops it too.
   */
  codec?: { pid: number; url: string; port: number };
}

export interface DevServerHandle {
  state: DevServerState;
  /** True when an already running server was reused. */
  reused: boolean;
  /** Spawn-to-ready time, for servers started by this call. */
  startupMs?: number;
  /** Resolves with the exit code or signal when a server spawned by this process exits. */
  exited?: Promise<number | string>;
}

/**
 * Dynamic config: what the SDK's test server also sets (updates on, no version check: works offline), and ONE
 * partition per task queue. With the default four, a task written to a partition that no poll is waiting on stays
 * there until a poll happens to land on it (a backlog older than `matching.backlogNegligibleAge` is no longer
 * forwarded to the root partition). A role with few slots — a local judge with 2, an optimizer with 1 — keeps one
 * long poll open at a time, so its tasks waited minutes: measured here, 5 judge calls sat Scheduled for 4 minutes
 * with both model servers idle. One partition is the right size for a single-host dev server.
 */
export const SINGLE_PARTITION_CONFIG = ['matching.numTaskqueueReadPartitions=1', 'matching.numTaskqueueWritePartitions=1'];

export const DEV_SERVER_DYNAMIC_CONFIG = [
  'frontend.enableUpdateWorkflowExecution=true',
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
  'frontend.enableServerVersionCheck=false',
  // LLM calls scheduled on the workflow's own queue come back with the workflow task's reply (core/contracts/llm.ts).
  'system.enableActivityEagerExecution=true',
  ...SINGLE_PARTITION_CONFIG,
];

export function devServerArgs(o: { dbFile: string; port: number; uiPort: number; namespace: string; extraArgs?: string[] }): string[] {
  return [
    'server', 'start-dev',
    '--db-filename', o.dbFile,
    '--port', String(o.port),
    '--ui-port', String(o.uiPort),
    '--namespace', o.namespace,
    '--ip', '127.0.0.1',
    '--log-level', 'warn',
    ...DEV_SERVER_DYNAMIC_CONFIG.flatMap((v) => ['--dynamic-config-value', v]),
    ...ALL_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=${TypedSearchAttributes.toMetadataType(k.type)}`]),
    ...(o.extraArgs ?? []),
  ];
}

/** Starts a new server for `home`; fails if one is already running there or a port is taken. */
export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServerHandle> {
  const paths = homePaths(opts.home ?? maspoHome());
  return withLock(paths, () => startUnlocked(opts, paths));
}

/** Reuses the running server of this home (state file + live pid + answering frontend), else starts one. */
export async function ensureDevServer(opts: DevServerOptions = {}): Promise<DevServerHandle> {
  const paths = homePaths(opts.home ?? maspoHome());
  const log = opts.log ?? (() => {});
  return withLock(paths, async () => {
    const state = readState(paths);
    if (state && isServerProcess(state)) {
      const connection = await waitUntilReady(state, () => !isServerProcess(state), opts.startTimeoutMs ?? 30_000);
      try {
        if (opts.namespace && opts.namespace !== state.namespace) {
          await ensureNamespace(connection, opts.namespace, opts.retentionDays ?? 30, log);
        }
      } finally {
        await connection.close();
      }
      if (opts.port && opts.port !== state.port) log(`reusing the dev server at ${state.address} (port ${opts.port} was asked for)`);
      if (state.codec && !pidAlive(state.codec.pid)) {
        // The UI was started pointing at this port: bring the endpoint back there.
        const daemon = await spawnCodecDaemon({ home: paths.home, port: state.codec.port, uiPort: state.uiPort, serverPid: state.pid, logFile: paths.serverLog });
        state.codec = { ...state.codec, pid: daemon.pid };
        writeState(paths, state);
        log(`restarted the payload codec endpoint at ${state.codec.url} (pid ${daemon.pid})`);
      }
      return { state, reused: true };
    }
    if (state) {
      log(`removing stale ${paths.serverState} (pid ${state.pid} is not running)`);
      fs.rmSync(paths.serverState, { force: true });
    }
    return startUnlocked({ ...opts, detached: opts.detached ?? true }, paths);
  });
}

async function startUnlocked(opts: DevServerOptions, paths: HomePaths): Promise<DevServerHandle> {
  const log = opts.log ?? (() => {});
  const port = opts.port ?? 7233;
  const uiPort = opts.uiPort ?? 8233;
  const namespace = opts.namespace ?? 'default';
  const existing = readState(paths);
  if (existing && isServerProcess(existing)) {
    throw new Error(`a maspo dev server is already running for ${paths.home} (pid ${existing.pid}, ${existing.address}); stop it first (maspo server stop)`);
  }
  await assertPortFree(port, 'gRPC', paths.home);
  await assertPortFree(uiPort, 'UI', paths.home);
  const cliPath = opts.cliPath ?? (await findTemporalCli({ home: paths.home }))?.path;
  if (!cliPath) {
    throw new Error(`no Temporal CLI found: run \`maspo setup\` (installs it into ${paths.toolsBinDir}) or set TEMPORAL_CLI_PATH`);
  }

  fs.mkdirSync(paths.logsDir, { recursive: true });
  // A detached server gets its codec endpoint in a process of its own; the UI learns its URL at start.
  const codecPort = opts.detached && opts.codec !== false ? (opts.codecPort ?? (await codecPortFor(uiPort))) : undefined;
  const codecArgs = codecPort !== undefined ? ['--ui-codec-endpoint', `http://127.0.0.1:${codecPort}`] : [];
  const args = devServerArgs({ dbFile: paths.dbFile, port, uiPort, namespace, extraArgs: [...codecArgs, ...(opts.extraArgs ?? [])] });
  const logFd = fs.openSync(paths.serverLog, 'a');
  const spawnedAt = Date.now();
  let child;
  try {
    fs.writeSync(logFd, `\n--- ${new Date(spawnedAt).toISOString()} maspo starts: ${cliPath} ${args.join(' ')}\n`);
    // Own process group, so a terminal's Ctrl-C reaches maspo, which then stops the server in order.
    child = spawn(cliPath, args, { cwd: paths.home, detached: true, stdio: ['ignore', logFd, logFd] });
  } finally {
    fs.closeSync(logFd);
  }
  let exitInfo: number | string | undefined;
  const exited = new Promise<number | string>((resolve) => {
    child.once('error', (err) => resolve((exitInfo = err.message)));
    child.once('exit', (code, signal) => resolve((exitInfo = code ?? signal ?? 'unknown')));
  });
  if (child.pid === undefined) throw new Error(`could not run ${cliPath}: ${await exited}`);

  const state: DevServerState = {
    pid: child.pid,
    address: `127.0.0.1:${port}`,
    uiUrl: `http://127.0.0.1:${uiPort}`,
    dbFile: paths.dbFile,
    startedAt: new Date(spawnedAt).toISOString(),
    port,
    uiPort,
    namespace,
    logFile: paths.serverLog,
    cliPath,
  };
  writeState(paths, state);
  try {
    const connection = await waitUntilReady(state, () => exitInfo !== undefined, opts.startTimeoutMs ?? 30_000);
    try {
      await raiseRetention(connection, namespace, opts.retentionDays ?? 30, log);
    } finally {
      await connection.close();
    }
    if (codecPort !== undefined) {
      const daemon = await spawnCodecDaemon({ home: paths.home, port: codecPort, uiPort, serverPid: state.pid, logFile: paths.serverLog });
      state.codec = { pid: daemon.pid, url: daemon.url, port: codecPort };
      writeState(paths, state);
    }
  } catch (err) {
    if (exitInfo === undefined) tryKill(child.pid, 'SIGKILL');
    fs.rmSync(paths.serverState, { force: true });
    throw err;
  }
  void exited.then(() => removeStateOf(paths, state.pid));
  if (opts.detached) {
    child.unref();
  } else {
    process.once('exit', () => exitInfo === undefined && tryKill(state.pid, 'SIGTERM'));
  }
  const startupMs = Date.now() - spawnedAt;
  log(`Temporal dev server ready at ${state.address} (UI ${state.uiUrl}, pid ${state.pid}, ${startupMs} ms)${state.codec ? `; payload codec endpoint ${state.codec.url}` : ''}`);
  return { state, reused: false, startupMs, exited };
}

/** Stops the server recorded for `home` (SIGTERM, SIGKILL after `timeoutMs`) and removes its state file. */
export async function stopDevServer(opts: { home?: string; timeoutMs?: number; log?: Log } = {}): Promise<{ stopped: boolean; pid?: number }> {
  const paths = homePaths(opts.home ?? maspoHome());
  const log = opts.log ?? (() => {});
  const state = readState(paths);
  if (!state) return { stopped: false };
  if (isServerProcess(state)) {
    tryKill(state.pid, 'SIGTERM');
    if (!(await waitForExit(state, opts.timeoutMs ?? 15_000))) {
      log(`dev server pid ${state.pid} ignored SIGTERM; killing it`);
      tryKill(state.pid, 'SIGKILL');
      await waitForExit(state, 5_000);
    }
    log(`stopped the Temporal dev server (pid ${state.pid})`);
    stopCodecOf(state, log);
    removeStateOf(paths, state.pid);
    return { stopped: true, pid: state.pid };
  }
  log(`removing stale ${paths.serverState} (pid ${state.pid} is not running)`);
  stopCodecOf(state, log);
  removeStateOf(paths, state.pid);
  return { stopped: false, pid: state.pid };
}

/** The codec daemon exits by itself within seconds of its server; stopping it here makes `server stop` immediate. */
function stopCodecOf(state: DevServerState, log: Log): void {
  if (!state.codec || !pidAlive(state.codec.pid)) return;
  tryKill(state.codec.pid, 'SIGTERM');
  log(`stopped the payload codec endpoint (pid ${state.codec.pid})`);
}

/** UI port + 1 when free (what `maspo server` in the foreground uses), else any free port. */
async function codecPortFor(uiPort: number): Promise<number> {
  const listen = (port: number) =>
    new Promise<number | undefined>((resolve, reject) => {
      const probe = net.createServer();
      probe.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(undefined) : reject(err)));
      probe.listen(port, '127.0.0.1', () => {
        const got = (probe.address() as net.AddressInfo).port;
        probe.close(() => resolve(got));
      });
    });
  return (uiPort < 65535 ? await listen(uiPort + 1) : undefined) ?? (await listen(0))!;
}

export interface DevServerStatus {
  running: boolean;
  /** The frontend answered (only checked when running). */
  reachable: boolean;
  /** A state file exists but its process is gone. */
  stale: boolean;
  state?: DevServerState;
}

export async function devServerStatus(opts: { home?: string } = {}): Promise<DevServerStatus> {
  const state = readState(homePaths(opts.home ?? maspoHome()));
  if (!state) return { running: false, reachable: false, stale: false };
  if (!isServerProcess(state)) return { running: false, reachable: false, stale: true, state };
  const connection = await Connection.connect({ address: state.address, connectTimeout: 2_000 }).catch(() => undefined);
  await connection?.close();
  return { running: true, reachable: connection !== undefined, stale: false, state };
}

/**
 * `maspo server` in the foreground: start a server tied to this process, print where it is, stop it on SIGINT or
 * SIGTERM. Resolves with the exit code for the CLI. If this home already has a running server it says so and returns.
 */
export async function runServerForeground(opts: DevServerOptions & { print?: Log } = {}): Promise<number> {
  const print = opts.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const home = opts.home ?? maspoHome();
  const status = await devServerStatus({ home });
  if (status.running && status.state) {
    print(`A maspo dev server is already running (pid ${status.state.pid}) at ${status.state.address}, UI ${status.state.uiUrl}.`);
    print('Stop it with `maspo server stop`.');
    return 0;
  }
  const handle = await startDevServer({ ...opts, home, detached: false });
  const { state } = handle;
  print(`Temporal dev server ready in ${handle.startupMs} ms (pid ${state.pid})`);
  print(`  address:   ${state.address}   namespace: ${state.namespace}`);
  print(`  UI:        ${state.uiUrl}`);
  print(`  data:      ${state.dbFile}`);
  print(`  log:       ${state.logFile}`);
  print('Press Ctrl-C to stop.');
  let stopping = false;
  let onSignal: (signal: NodeJS.Signals) => void = () => {};
  try {
    return await new Promise<number>((resolve) => {
      onSignal = (signal) => {
        if (stopping) return;
        stopping = true;
        print(`${signal}: stopping the dev server…`);
        stopDevServer({ home }).then(
          () => resolve(0),
          (err: Error) => (print(`could not stop the dev server: ${err.message}`), resolve(1)),
        );
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      void handle.exited?.then((how) => {
        if (stopping) return;
        print(`the dev server exited unexpectedly (${how}); last lines of ${state.logFile}:\n${logTail(state.logFile)}`);
        resolve(1);
      });
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * Registers the project's custom search attributes in `namespace` through the operator service (for real clusters;
 * the dev server gets them as start flags). Idempotent: existing attributes with the right type are skipped, one with
 * a different type is an error.
 */
export async function registerSearchAttributes(
  connection: Connection,
  namespace: string,
  keys: readonly SearchAttributeKey<SearchAttributeType>[] = ALL_SEARCH_ATTRIBUTES,
): Promise<{ added: string[]; existing: string[] }> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing: Record<string, number> = {};
  const existing: string[] = [];
  for (const key of keys) {
    const want = encodeSearchAttributeIndexedValueType(key.type) as number;
    const have = customAttributes?.[key.name];
    if (have === undefined || have === null) missing[key.name] = want;
    else if (Number(have) === want) existing.push(key.name);
    else throw new Error(`search attribute ${key.name} exists in namespace ${namespace} with another type (${have}); maspo needs ${TypedSearchAttributes.toMetadataType(key.type)}`);
  }
  const added = Object.keys(missing);
  if (added.length > 0) {
    try {
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
    } catch (err) {
      if ((err as { code?: number }).code !== 6 /* ALREADY_EXISTS: registered concurrently */) throw err;
    }
  }
  return { added, existing };
}

/** Creates `namespace` (with retention) if missing and registers the search attributes in it. */
export async function ensureNamespace(connection: Connection, namespace: string, retentionDays: number, log: Log = () => {}): Promise<void> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
  } catch (err) {
    if ((err as { code?: number }).code !== 5 /* NOT_FOUND */) throw err;
    log(`creating namespace ${namespace} (retention ${retentionDays} days)`);
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(`${retentionDays} days`) });
  }
  // A namespace just registered reaches the server's namespace cache only after its next refresh (seconds).
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await registerSearchAttributes(connection, namespace);
      return;
    } catch (err) {
      if ((err as { code?: number }).code !== 5 || Date.now() > deadline) throw err;
      await sleep(500);
    }
  }
}

async function raiseRetention(connection: Connection, namespace: string, days: number, log: Log): Promise<void> {
  const { config } = await connection.workflowService.describeNamespace({ namespace });
  if ((optionalTsToMs(config?.workflowExecutionRetentionTtl) ?? 0) >= days * 86_400_000) return;
  log(`raising the retention of namespace ${namespace} to ${days} days`);
  await connection.workflowService.updateNamespace({ namespace, config: { workflowExecutionRetentionTtl: msToTs(`${days} days`) } });
}

/** Connects as soon as the frontend answers getSystemInfo; fails early when `gone()` says the process died. */
async function waitUntilReady(state: DevServerState, gone: () => boolean, timeoutMs: number): Promise<Connection> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (gone()) throw withLogTail(`the Temporal dev server (pid ${state.pid}) exited during startup`, state.logFile);
    // A plain TCP probe first: gRPC's own retries would sit out a refused port for the whole connect timeout.
    if (await tcpAccepts(state.port)) {
      try {
        return await Connection.connect({ address: state.address, connectTimeout: 2_000 });
      } catch (err) {
        lastError = err;
      }
    }
    await sleep(100);
  }
  const why = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
  throw withLogTail(`the Temporal dev server did not answer at ${state.address} within ${timeoutMs / 1000} s${why}`, state.logFile);
}

/** First line stands alone (the CLI prints only that); the log tail follows for callers that show more. */
function withLogTail(message: string, logFile: string): Error {
  return new Error(`${message}; see ${logFile}\n--- last lines of the log:\n${logTail(logFile)}`);
}

export function logTail(logFile: string, lines = 20): string {
  try {
    const fd = fs.openSync(logFile, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const buf = Buffer.alloc(Math.min(size, 16_384));
      fs.readSync(fd, buf, 0, buf.length, size - buf.length);
      return buf.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '(no log)';
  }
}

function tcpAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.setTimeout(1_000);
    const done = (ok: boolean) => (socket.destroy(), resolve(ok));
    socket.once('connect', () => done(true)).once('error', () => done(false)).once('timeout', () => done(false));
  });
}

async function assertPortFree(port: number, what: string, home: string): Promise<void> {
  const inUse = await new Promise<boolean>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(true) : reject(err)));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
  if (inUse) {
    throw new Error(
      `port ${port} (${what}) on 127.0.0.1 is already in use by another process, not by the maspo dev server of ${home}: ` +
        `free it or choose another port; if it is a Temporal server you want to use, set TEMPORAL_ADDRESS=127.0.0.1:${port}`,
    );
  }
}

function readState(paths: HomePaths): DevServerState | undefined {
  try {
    const state = JSON.parse(fs.readFileSync(paths.serverState, 'utf8')) as DevServerState;
    return Number.isInteger(state.pid) && typeof state.address === 'string' ? state : undefined;
  } catch {
    return undefined;
  }
}

function writeState(paths: HomePaths, state: DevServerState): void {
  const tmp = `${paths.serverState}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  fs.renameSync(tmp, paths.serverState);
}

function removeStateOf(paths: HomePaths, pid: number): void {
  if (readState(paths)?.pid === pid) fs.rmSync(paths.serverState, { force: true });
}

/** The pid is alive and (where /proc exists) is a `start-dev` on this state's database, not a recycled pid. */
function isServerProcess(state: DevServerState): boolean {
  if (!pidAlive(state.pid)) return false;
  let cmdline: string;
  try {
    cmdline = fs.readFileSync(`/proc/${state.pid}/cmdline`, 'utf8');
  } catch {
    return process.platform !== 'linux';
  }
  return cmdline.includes('start-dev') && cmdline.includes(state.dbFile);
}

/**
 * Waits until the pid is gone or a zombie. Not `isServerProcess`: an exiting process drops its cmdline before it
 * stops, so the cmdline check turns false while the server may still hold its ports and database file.
 */
async function waitForExit(state: DevServerState, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!processExited(state.pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/** Serializes start/ensure across maspo processes sharing a home (`<home>/server.lock`, stolen after 2 min). */
function withLock<T>(paths: HomePaths, fn: () => Promise<T>): Promise<T> {
  return withFileLock(`${paths.serverState}.lock`, fn, 120_000);
}


