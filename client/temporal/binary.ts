/**
 * Finding the `temporal` CLI (it contains the dev server). Lookup order, first hit wins:
 *   1. `$TEMPORAL_CLI_PATH` — must be an existing executable file, otherwise an error (a typo must not silently fall
 *      through to another binary);
 *   2. `temporal` on `$PATH`;
 *   3. the project-local install `<maspoHome>/tools/bin/temporal` that `maspo setup` (ensureTemporalCli) writes;
 *   4. the SDK's own download (`@temporalio/testing` `cached-download`, needs internet) in
 *      `<maspoHome>/tools/sdk-download/temporal` — used if present, fetched only with `allowDownload`.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { homePaths, maspoHome } from '../../platform/home';

export type TemporalCliSource = 'env' | 'path' | 'project' | 'download';

export interface TemporalCli {
  path: string;
  source: TemporalCliSource;
}

export interface FindTemporalCliOptions {
  env?: NodeJS.ProcessEnv;
  /** Defaults to `maspoHome(env)`. */
  home?: string;
  /** When nothing is installed, let the SDK download the CLI (needs internet and `@temporalio/testing`). */
  allowDownload?: boolean;
  log?: (line: string) => void;
}

export const TEMPORAL_CLI_PATH_ENV = 'TEMPORAL_CLI_PATH';
const EXE = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

/** Where `maspo setup` installs the CLI for a given home. */
export function projectCliPath(home: string): string {
  return path.join(homePaths(home).toolsBinDir, EXE);
}

/** Where {@link downloadTemporalCliWithSdk} leaves the SDK-downloaded CLI. */
export function sdkDownloadedCliPath(home: string): string {
  return path.join(homePaths(home).sdkDownloadDir, EXE);
}

function isExecutableFile(p: string): boolean {
  try {
    if (!fs.statSync(p).isFile()) return false;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Steps 1–4 without any download; throws only for a bad `$TEMPORAL_CLI_PATH`. */
export function findTemporalCliSync(opts: Pick<FindTemporalCliOptions, 'env' | 'home'> = {}): TemporalCli | undefined {
  const env = opts.env ?? process.env;
  const fromEnv = env[TEMPORAL_CLI_PATH_ENV]?.trim();
  if (fromEnv) {
    const p = path.resolve(fromEnv);
    if (!fs.existsSync(p)) {
      throw new Error(`${TEMPORAL_CLI_PATH_ENV}=${fromEnv} does not exist: point it at the temporal binary or unset it`);
    }
    if (!isExecutableFile(p)) {
      throw new Error(`${TEMPORAL_CLI_PATH_ENV}=${fromEnv} is not an executable file: chmod +x it or unset the variable`);
    }
    return { path: p, source: 'env' };
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.resolve(dir, EXE);
    if (isExecutableFile(p)) return { path: p, source: 'path' };
  }
  const home = opts.home ?? maspoHome(env);
  const project = projectCliPath(home);
  if (isExecutableFile(project)) return { path: project, source: 'project' };
  const downloaded = sdkDownloadedCliPath(home);
  if (isExecutableFile(downloaded)) return { path: downloaded, source: 'download' };
  return undefined;
}

/** {@link findTemporalCliSync}, then — only with `allowDownload` — the SDK download as the last resort. */
export async function findTemporalCli(opts: FindTemporalCliOptions = {}): Promise<TemporalCli | undefined> {
  const found = findTemporalCliSync(opts);
  if (found || !opts.allowDownload) return found;
  const home = opts.home ?? maspoHome(opts.env ?? process.env);
  return { path: await downloadTemporalCliWithSdk(home, opts.log), source: 'download' };
}

/**
 * Runs the SDK's `cached-download` mechanism once: `TestWorkflowEnvironment.createLocal` with
 * `executable: { type: 'cached-download', downloadDir }` fetches the CLI from Temporal's download service (by SDK name
 * and version), starts a throw-away in-memory server, and we tear it down again. The downloaded file is then renamed to
 * the stable `<home>/tools/sdk-download/temporal`. Needs internet and the `@temporalio/testing` package.
 */
export async function downloadTemporalCliWithSdk(home: string, log: (line: string) => void = () => {}): Promise<string> {
  let testing: typeof import('@temporalio/testing');
  try {
    testing = await import('@temporalio/testing');
  } catch {
    throw new Error('the SDK download of the Temporal CLI needs @temporalio/testing (a dev dependency): run npm install');
  }
  const dir = homePaths(home).sdkDownloadDir;
  fs.mkdirSync(dir, { recursive: true });
  log(`downloading the Temporal CLI with the SDK (cached-download, needs internet) into ${dir}`);
  let startError: unknown;
  try {
    const env = await testing.TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'cached-download', downloadDir: dir } },
    });
    await env.teardown();
  } catch (err) {
    startError = err; // the download may have succeeded even if the throw-away server did not start in 5 s
  }
  const downloaded = fs
    .readdirSync(dir)
    .filter((f) => f.startsWith('temporal-sdk-') && !f.endsWith('.downloading'))
    .map((f) => path.join(dir, f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
  if (!downloaded) {
    throw new Error(`the SDK download of the Temporal CLI failed: ${errorMessage(startError) ?? 'no file was written'}`);
  }
  const target = sdkDownloadedCliPath(home);
  fs.renameSync(downloaded, target);
  fs.chmodSync(target, 0o755);
  return target;
}

/** `temporal --version` → e.g. `1.9.1` (from "temporal version 1.9.1 (Server 1.32.0, UI 2.54.1)"). */
export async function temporalCliVersion(cliPath: string): Promise<string> {
  const out = await new Promise<string>((resolve, reject) => {
    execFile(cliPath, ['--version'], { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cliPath} --version failed: ${firstLine(stderr) || err.message}`));
      else resolve(stdout);
    });
  });
  const version = parseCliVersion(out);
  if (!version) throw new Error(`${cliPath} --version printed no Temporal CLI version: ${firstLine(out)}`);
  return version;
}

export function parseCliVersion(output: string): string | undefined {
  return /temporal version v?(\d+\.\d+\.\d+\S*)/.exec(output)?.[1];
}

/** Numeric comparison of dotted versions, ignoring pre-release suffixes: -1, 0 or 1. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).slice(0, 3).map((x) => parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).slice(0, 3).map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] < pb[i] ? -1 : 1;
  return 0;
}

/**
 * True for a `#!` script. `createLocal`'s teardown kills only its direct child, so a wrapper script must `exec` the
 * real binary or the server outlives the test run.
 */
export function isShebangScript(p: string): boolean {
  const fd = fs.openSync(p, 'r');
  try {
    const buf = Buffer.alloc(2);
    return fs.readSync(fd, buf, 0, 2, 0) === 2 && buf.toString('latin1') === '#!';
  } finally {
    fs.closeSync(fd);
  }
}

function firstLine(s: string): string {
  return s.trim().split('\n')[0] ?? '';
}

function errorMessage(err: unknown): string | undefined {
  return err === undefined ? undefined : err instanceof Error ? err.message : String(err);
}
