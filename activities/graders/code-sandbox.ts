/**
 * Runs untrusted Python (a model's program plus a dataset's tests) in a sandbox and reports pass/fail with a
 * reason. Guarantees, strongest available on the host (detected once, see `sandboxIsolation()`):
 *   - own process group, killed as a whole on wall-clock timeout and after every run; with a PID namespace
 *     (`unshare --pid`) every descendant dies with the run even if it left the group;
 *   - wall-clock timeout (Node timer) and CPU, address-space, process-count, file-size and open-file rlimits
 *     (set by the launcher before untrusted code runs);
 *   - EMPTY environment (`env: {}`): no inherited secrets; `python -I` also ignores PYTHON* settings;
 *   - a fresh private temporary working directory, removed afterwards;
 *   - no network when a network namespace can be created (`unshare --net`: only a downed loopback);
 *   - read-only file system except the work dir, and a fresh `/proc`, when a mount namespace is available;
 *   - no privileges: as root the run switches to a fresh unprivileged uid; in a user namespace it drops all
 *     capabilities; no_new_privs always.
 * Without `unshare` (macOS, containers that forbid namespaces, or MASPO_SANDBOX_NAMESPACES=0) it falls back to
 * process group + rlimits + unprivileged uid (when root) + empty environment + temp dir, and the notes say so.
 * Residual risk: code that deliberately walks the launcher's stack frames can read the run's nonce and forge a
 * pass; the nonce only defeats accidental/early exits. Grading is for evaluation, not a security boundary
 * against a model trained to attack it.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, readlinkSync } from 'node:fs';
import { chmod, chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LAUNCHER_SOURCE } from './sandbox-launcher';

export type SandboxReason = 'passed' | 'assertion' | 'timeout' | 'crash' | 'memory' | 'syntax';

export interface SandboxLimits {
  /** Wall-clock limit for the whole run (interpreter start included). */
  wallMs: number;
  cpuSeconds: number;
  /** Address-space limit (RLIMIT_AS). */
  memoryBytes: number;
  /** RLIMIT_NPROC: processes/threads of the sandbox user. */
  processes: number;
  /** Largest file the program may write. */
  fileBytes: number;
  openFiles: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  wallMs: 10_000,
  cpuSeconds: 10,
  memoryBytes: 512 * 1024 * 1024,
  processes: 64,
  fileBytes: 16 * 1024 * 1024,
  openFiles: 64,
};

/** The three parts run in order in one namespace: dataset imports/helpers, the candidate, the tests. */
export interface SandboxProgram {
  prelude: string;
  program: string;
  tests: string;
  /** Run only the program's definitions (imports, functions, classes, the globals they read): see the launcher. */
  sanitize?: boolean;
}

export interface SandboxResult {
  passed: boolean;
  reason: SandboxReason;
  /** One line: what failed and where (e.g. `tests: AssertionError (at tests line 2: assert f(1) == 2)`). */
  message: string;
  /** Excerpts (first bytes) of the program's own output. */
  stdout: string;
  stderr: string;
  durationMs: number;
  /** The run's working directory (already removed when this returns); for diagnostics and tests. */
  workDir: string;
  /** The unprivileged uid the run used, when the worker runs as root. */
  uid?: number;
  /** Top-level statements of the program dropped as demo code (`sanitize`). */
  dropped?: number;
}

export interface SandboxIsolation {
  python: string;
  pythonVersion: string;
  /** `unshare` command prefix, empty when namespaces are unavailable. */
  prefix: string[];
  network: boolean;
  pidNamespace: boolean;
  readOnlyFs: boolean;
  /** Untrusted code runs without root privileges / capabilities. */
  unprivileged: boolean;
  dropUid: boolean;
  /** Human-readable summary of what is and is not enforced here. */
  notes: string[];
}

export class SandboxUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxUnavailableError';
  }
}

const OUTPUT_CAP = 64 * 1024;
const EXCERPT = 1500;
const PROBE_PROGRAM: SandboxProgram = {
  prelude: 'import math, heapq, re, collections, itertools, functools, json, typing, fractions, string, bisect, random, hashlib, datetime, decimal, statistics',
  program: 'def f(x):\n    return math.isqrt(x)',
  tests: 'assert f(16) == 4',
};

interface RunConfig {
  python: string;
  prefix: string[];
  dropUid: boolean;
  lockFs: boolean;
}

let detected: Promise<SandboxIsolation> | null = null;

/** Detects (once per process) the strongest sandbox configuration that works on this host. */
export function sandboxIsolation(): Promise<SandboxIsolation> {
  detected ??= detect().catch((e) => {
    detected = null;
    throw e;
  });
  return detected;
}

/** Runs a program and its tests in the sandbox. Never throws for anything the program does. */
export async function runInSandbox(program: SandboxProgram, limits: Partial<SandboxLimits> = {}): Promise<SandboxResult> {
  const iso = await sandboxIsolation();
  return runWith({ python: iso.python, prefix: iso.prefix, dropUid: iso.dropUid, lockFs: iso.readOnlyFs }, program, { ...DEFAULT_LIMITS, ...limits });
}

async function detect(): Promise<SandboxIsolation> {
  const isRoot = process.getuid?.() === 0;
  const pythons = await interpreters();
  if (!pythons.length) throw new SandboxUnavailableError('no python3 interpreter found on this worker (set MASPO_SANDBOX_PYTHON or install python3)');
  // MASPO_SANDBOX_NAMESPACES=0 skips namespaces (for hosts where unshare misbehaves); the notes then say so.
  const unshare = process.env.MASPO_SANDBOX_NAMESPACES === '0' ? undefined : ['/usr/bin/unshare', '/bin/unshare'].find((p) => existsSync(p));
  const userNs = isRoot ? [] : ['--user', '--map-root-user'];
  const prefixes: string[][] = unshare
    ? [
        [unshare, ...userNs, '--net', '--pid', '--fork', '--kill-child', '--mount-proc'],
        [unshare, ...userNs, '--net', '--mount'],
        [unshare, ...userNs, '--net'],
        [],
      ]
    : [[]];
  const tried: string[] = [];
  for (const prefix of prefixes) {
    for (const dropUid of isRoot ? [true, false] : [false]) {
      for (const py of pythons) {
        const lockFs = prefix.includes('--mount') || prefix.includes('--mount-proc');
        const cfg: RunConfig = { python: py.path, prefix, dropUid, lockFs };
        const r = await runWith(cfg, PROBE_PROGRAM, { ...DEFAULT_LIMITS, wallMs: 15_000 }, true);
        if (!r.result.passed) {
          tried.push(`${prefix.length ? prefix.slice(1).join(' ') : 'no namespaces'}${dropUid ? ' + uid drop' : ''} with ${py.path}: ${r.result.reason} ${r.result.message || r.result.stderr.slice(0, 200)}`.trim());
          continue;
        }
        return describeIsolation(cfg, py, r.applied, isRoot, pythons[0], tried);
      }
    }
  }
  throw new SandboxUnavailableError(`the code sandbox does not work on this worker: ${tried.join('; ')}`);
}

function describeIsolation(cfg: RunConfig, py: { path: string; version: string }, applied: string[], isRoot: boolean, preferred: { path: string }, tried: string[]): SandboxIsolation {
  const network = cfg.prefix.includes('--net');
  const pidNamespace = cfg.prefix.includes('--pid');
  const readOnlyFs = applied.some((a) => a.startsWith('ro-fs') && !a.startsWith('ro-fs-failed'));
  const unprivileged = applied.includes('uid') || applied.includes('caps') || (!isRoot && !cfg.prefix.includes('--user'));
  const notes = [
    `network: ${network ? 'isolated (own network namespace, no interfaces up)' : 'NOT isolated (network namespaces unavailable)'}`,
    `processes: own process group${pidNamespace ? ' and PID namespace (every descendant dies with the run)' : ' only (a child that calls setsid can outlive the run)'}`,
    `filesystem: ${readOnlyFs ? 'read-only except the work dir; fresh /proc' : 'writable wherever the sandbox user may write'}`,
    `privileges: ${applied.includes('uid') ? 'fresh unprivileged uid per run' : applied.includes('caps') ? 'all capabilities dropped in a user namespace' : isRoot ? 'RUNS AS ROOT (could not drop privileges)' : 'worker user'}${applied.includes('nnp') ? ', no_new_privs' : ''}`,
    'limits: wall clock, CPU, address space, processes, file size, open files; empty environment; temp work dir',
    `python: ${py.path} ${py.version}${py.path !== preferred.path ? ` (${preferred.path} was not usable inside the sandbox)` : ''}`,
  ];
  if (tried.length) notes.push(`fell back from: ${tried.join('; ')}`);
  return { python: cfg.python, pythonVersion: py.version, prefix: cfg.prefix, network, pidNamespace, readOnlyFs, unprivileged, dropUid: cfg.dropUid, notes };
}

/** Interpreters to try: $MASPO_SANDBOX_PYTHON or `python3` on PATH (resolved to the real binary), then system ones. */
async function interpreters(): Promise<{ path: string; version: string }[]> {
  const names = [process.env.MASPO_SANDBOX_PYTHON || 'python3', '/usr/bin/python3', '/usr/local/bin/python3'];
  const found: { path: string; version: string }[] = [];
  for (const name of names) {
    const info = await new Promise<string | null>((resolve) =>
      execFile(name, ['-c', 'import sys; print(sys.executable); print(sys.version.split()[0])'], { timeout: 10_000 }, (err, out) => resolve(err ? null : out)),
    );
    if (!info) continue;
    const [exe, version] = info.trim().split('\n');
    if (exe && !found.some((f) => f.path === exe)) found.push({ path: exe, version: version ?? '?' });
  }
  return found;
}

function parentMountNs(): string | null {
  try {
    return readlinkSync('/proc/self/ns/mnt');
  } catch {
    return null;
  }
}

async function runWith(cfg: RunConfig, prog: SandboxProgram, limits: SandboxLimits, probe: true): Promise<{ result: SandboxResult; applied: string[] }>;
async function runWith(cfg: RunConfig, prog: SandboxProgram, limits: SandboxLimits): Promise<SandboxResult>;
async function runWith(cfg: RunConfig, prog: SandboxProgram, limits: SandboxLimits, probe = false): Promise<SandboxResult | { result: SandboxResult; applied: string[] }> {
  const started = Date.now();
  const workDir = await mkdtemp(path.join(tmpdir(), 'maspo-sbx-'));
  const uid = cfg.dropUid ? randomInt(200_000, 1_200_000) : undefined;
  try {
    await chmod(workDir, 0o700);
    if (uid !== undefined) await chown(workDir, uid, uid);
    const nonce = randomBytes(16).toString('hex');
    const payload = JSON.stringify({ ...prog, nonce, limits, uid: uid ?? null, lockFs: cfg.lockFs, parentMountNs: parentMountNs() });
    const out = await execute([...cfg.prefix, cfg.python, '-I', '-B', '-X', 'utf8', '-c', LAUNCHER_SOURCE], workDir, payload, limits.wallMs);
    const { result, applied } = classify(out, nonce, limits, Date.now() - started, workDir, uid);
    return probe ? { result, applied } : result;
  } finally {
    await removeTree(workDir);
  }
}

interface Execution {
  stdout: string;
  stderr: string;
  records: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  spawnError?: string;
}

function execute(argv: string[], cwd: string, payload: string, wallMs: number): Promise<Execution> {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd, env: {}, detached: true, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    const buffers = [new Capped(), new Capped(), new Capped()];
    let timedOut = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let settled = false;
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const finish = (spawnError?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(grace);
      killGroup();
      for (const s of [child.stdout, child.stderr, child.stdio[3]]) (s as NodeJS.ReadableStream & { destroy?: () => void })?.destroy?.();
      resolve({ stdout: buffers[0].text(), stderr: buffers[1].text(), records: buffers[2].text(), code: exit?.code ?? null, signal: exit?.signal ?? null, timedOut, spawnError });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, wallMs);
    let grace: NodeJS.Timeout | undefined;
    child.stdout!.on('data', (d: Buffer) => buffers[0].push(d));
    child.stderr!.on('data', (d: Buffer) => buffers[1].push(d));
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => buffers[2].push(d));
    child.stdin!.on('error', () => undefined);
    child.on('error', (e) => finish(e.message));
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // Stragglers (background children) may hold the pipes open: kill the group, give the pipes a moment.
      killGroup();
      grace = setTimeout(() => finish(), 2000);
    });
    child.on('close', () => finish());
    child.stdin!.end(payload);
  });
}

class Capped {
  private chunks: Buffer[] = [];
  private size = 0;
  push(d: Buffer): void {
    if (this.size >= OUTPUT_CAP) return;
    this.chunks.push(d.subarray(0, OUTPUT_CAP - this.size));
    this.size += d.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

function classify(out: Execution, nonce: string, limits: SandboxLimits, durationMs: number, workDir: string, uid?: number): { result: SandboxResult; applied: string[] } {
  const base = { stdout: out.stdout.slice(0, EXCERPT), stderr: out.stderr.slice(0, EXCERPT), durationMs, workDir, uid };
  const records = out.records
    .split('\n')
    .filter((l) => l.startsWith(`${nonce} `))
    .map((l) => {
      try {
        return JSON.parse(l.slice(nonce.length + 1)) as { reason: SandboxReason; message: string; applied: string[]; dropped?: number };
      } catch {
        return null;
      }
    })
    .filter((r): r is { reason: SandboxReason; message: string; applied: string[]; dropped?: number } => r !== null);
  if (out.spawnError) return { result: { ...base, passed: false, reason: 'crash', message: `could not start the sandbox: ${out.spawnError}` }, applied: [] };
  if (records.length) {
    // Forked children may report too: a pass needs every report to be a pass.
    const failing = records.find((r) => r.reason !== 'passed');
    const r = failing ?? records[0];
    return { result: { ...base, passed: !failing, reason: r.reason, message: r.message, ...(r.dropped ? { dropped: r.dropped } : {}) }, applied: records[0].applied ?? [] };
  }
  const signal = out.signal ?? (out.code !== null && out.code > 128 ? signalName(out.code - 128) : null);
  let reason: SandboxReason = 'crash';
  let message: string;
  if (out.timedOut) {
    reason = 'timeout';
    message = `wall-clock limit of ${limits.wallMs} ms exceeded`;
  } else if (signal === 'SIGXCPU') {
    reason = 'timeout';
    message = `CPU limit of ${limits.cpuSeconds} s exceeded`;
  } else if (/MemoryError|Cannot allocate memory|std::bad_alloc/.test(out.stderr)) {
    reason = 'memory';
    message = `memory limit of ${Math.round(limits.memoryBytes / 2 ** 20)} MiB exceeded`;
  } else {
    message = `the program ended before the tests finished (${signal ? `signal ${signal}` : `exit code ${out.code}`})`;
  }
  return { result: { ...base, passed: false, reason, message }, applied: [] };
}

function signalName(n: number): NodeJS.Signals | null {
  const names: Record<number, NodeJS.Signals> = { 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 15: 'SIGTERM', 24: 'SIGXCPU', 25: 'SIGXFSZ' };
  return names[n] ?? null;
}

/** Removes the work dir even if the program left unreadable/unwritable entries in it. */
async function removeTree(dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true });
    return;
  } catch {
    /* fix permissions below and retry */
  }
  const fix = async (p: string): Promise<void> => {
    await chmod(p, 0o700).catch(() => undefined);
    const entries = await readdir(p, { withFileTypes: true }).catch(() => []);
    for (const e of entries) if (e.isDirectory()) await fix(path.join(p, e.name));
  };
  await fix(dir);
  await rm(dir, { recursive: true, force: true }).catch(() => undefined);
}
