/**
 * Chaos scenario 5 (issue 5): the bad-input corpus (fixtures/bad-input-corpus.ts) through the real `maspo` CLI
 * process. Every case must end with ONE line on stderr naming the field, file or line, nothing on stdout, exit
 * code 2, no stack trace, and nothing started: no embedded Temporal server in the case's MASPO_HOME, and for the
 * cases that need a server (unknown workflow ids) an empty workflow list on the dev server they talk to.
 *
 *   npx tsx bench/chaos/bad-input.ts          (prints the scenario's figures and failures as JSON)
 *
 * Cases run two at a time (each is a `node --import tsx cli/main.ts` process of about a second).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { findTemporalCliSync } from '../../client/temporal/binary';
import { startDevServer, stopDevServer } from '../../client/temporal/dev-server';
import { homePaths } from '../../platform/home';
import { BAD_INPUT_CASES, type BadInputCase, type CaseGroup } from '../../fixtures/bad-input-corpus';

/** The repository root: the nearest directory above this file with a package.json (works from dist/ too). */
function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6 && !existsSync(path.join(dir, 'package.json')); i++) dir = path.dirname(dir);
  return dir.endsWith(`${path.sep}dist`) ? path.dirname(dir) : dir;
}

const ROOT = repoRoot();
const CASE_TIMEOUT_MS = 30_000;

export interface CaseResult {
  name: string;
  group: CaseGroup;
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Everything wrong with the CLI's answer; empty = the case passed. */
  problems: string[];
}

export interface CorpusRun {
  results: CaseResult[];
  /** Workflows found on the dev server used by the `needsServer` cases after the whole run (must be 0). */
  workflowsOnServer: number;
  elapsedMs: number;
}

export interface CorpusOptions {
  cases?: readonly BadInputCase[];
  /** Cases run at once. Default 2 (the machines this runs on have 2 cores). */
  parallel?: number;
}

/** A child's environment: nothing inherited from Temporal or maspo settings of the caller. */
function caseEnv(home: string, cliPath: string | undefined, temporalAddress: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(TEMPORAL_|MASPO_)/.test(k)) env[k] = v;
  return {
    ...env,
    MASPO_HOME: home,
    TEMPORAL_ADDRESS: temporalAddress,
    // Never an install or a download: the CLI uses the binary that is already here.
    ...(cliPath ? { TEMPORAL_CLI_PATH: cliPath } : {}),
    NO_COLOR: '1',
  };
}

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'cli', 'main.ts'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, CASE_TIMEOUT_MS);
    child.on('error', (err) => (stderr += `\n(could not run the CLI: ${err.message})`));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/**
 * The note `maspo` prints before it talks to a cluster named in TEMPORAL_ADDRESS (which cluster and namespace it
 * asked). Allowed before the error line, and only in the cases that must reach a server to learn the id is unknown.
 */
const CONNECTION_NOTE = /^connecting to Temporal at \S+, namespace \S+$/;

/** What is wrong with the CLI's answer to a bad-input case. */
export function judgeAnswer(c: BadInputCase, r: { code: number | null; stdout: string; stderr: string; timedOut: boolean }): string[] {
  const problems: string[] = [];
  const lines = r.stderr.trim().split('\n');
  const error = lines[lines.length - 1];
  const extra = lines.slice(0, -1).filter((l) => !(c.needsServer && CONNECTION_NOTE.test(l)));
  if (r.timedOut) problems.push(`no answer within ${CASE_TIMEOUT_MS / 1000} s`);
  if (r.code !== 2) problems.push(`exit code ${r.code}, expected 2`);
  if (r.stdout.trim()) problems.push(`printed on stdout: ${JSON.stringify(r.stdout.trim().slice(0, 200))}`);
  if (extra.length) problems.push(`${lines.length} lines on stderr, expected 1: ${JSON.stringify(r.stderr.trim().slice(0, 300))}`);
  if (lines.some((l) => /^\s+at \S/.test(l) || /\.[jt]s:\d+:\d+\)?$/.test(l))) problems.push('stack trace on stderr');
  if (!/^maspo: /.test(error)) problems.push(`message does not start with 'maspo: ': ${JSON.stringify(error.slice(0, 200))}`);
  if (!c.expect.test(error)) problems.push(`message ${JSON.stringify(error.slice(0, 300))} does not match ${c.expect}`);
  return problems;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function countWorkflows(address: string): Promise<number> {
  const connection = await Connection.connect({ address });
  try {
    const { count } = await new Client({ connection }).workflow.count();
    return count;
  } finally {
    await connection.close();
  }
}

/** Runs the corpus through the CLI; the dev server for the `needsServer` cases lives only for the run. */
export async function runBadInputCorpus(opts: CorpusOptions = {}): Promise<CorpusRun> {
  const cases = opts.cases ?? BAD_INPUT_CASES;
  const parallel = Math.max(1, opts.parallel ?? 2);
  const started = Date.now();
  const work = mkdtempSync(path.join(os.tmpdir(), 'maspo-bad-input-'));
  const cli = findTemporalCliSync({ home: path.join(ROOT, '.maspo') });
  const serverHome = path.join(work, 'server-home');
  let address: string | undefined;
  try {
    if (cases.some((c) => c.needsServer)) {
      if (!cli) throw new Error('no Temporal CLI found for the cases that need a server: run `npm run setup` or set TEMPORAL_CLI_PATH');
      const handle = await startDevServer({ home: serverHome, port: await freePort(), uiPort: await freePort(), cliPath: cli.path });
      address = handle.state.address;
    }
    const results: CaseResult[] = new Array(cases.length);
    let next = 0;
    const runNext = async (): Promise<void> => {
      for (let i = next++; i < cases.length; i = next++) {
        const c = cases[i];
        const dir = path.join(work, `case-${i}`);
        mkdirSync(dir, { recursive: true });
        for (const [name, content] of Object.entries(c.files ?? {})) writeFileSync(path.join(dir, name), content);
        const home = path.join(dir, '.maspo-home');
        const t0 = Date.now();
        const answer = await runCli(c.args((name) => path.join(dir, name)), { ...caseEnv(home, cli?.path, c.needsServer ? address! : ''), ...c.env });
        const problems = judgeAnswer(c, answer);
        const paths = homePaths(home);
        if (existsSync(paths.serverState) || existsSync(paths.dbFile)) {
          problems.push('an embedded Temporal server was started');
          await stopDevServer({ home }).catch(() => undefined);
        }
        if (c.needsServer && address) {
          const n = await countWorkflows(address);
          if (n > 0) problems.push(`${n} workflow(s) on the server after this case`);
        }
        results[i] = { name: c.name, group: c.group, code: answer.code, stdout: answer.stdout, stderr: answer.stderr, ms: Date.now() - t0, problems };
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, cases.length) }, runNext));
    const workflowsOnServer = address ? await countWorkflows(address) : 0;
    return { results, workflowsOnServer, elapsedMs: Date.now() - started };
  } finally {
    if (address) await stopDevServer({ home: serverHome });
    rmSync(work, { recursive: true, force: true });
  }
}

/** The chaos runner's entry for scenario 5. */
export async function badInputScenario(): Promise<{ scenario: string; trials: number; passed: number; figures: string; failures: string[] }> {
  const run = await runBadInputCorpus();
  const { results } = run;
  const passed = results.filter((r) => r.problems.length === 0).length;
  const byGroup = (g: CaseGroup) => results.filter((r) => r.group === g).length;
  const count = (re: RegExp) => results.filter((r) => r.problems.some((p) => re.test(p))).length;
  const failures = results.filter((r) => r.problems.length).map((r) => `${r.name}: ${r.problems.join('; ')}`);
  if (run.workflowsOnServer > 0) failures.push(`${run.workflowsOnServer} workflow(s) were started on the dev server`);
  const meanMs = Math.round(results.reduce((s, r) => s + r.ms, 0) / Math.max(1, results.length));
  const figures = [
    `${results.length} cases (config ${byGroup('config')}, dataset ${byGroup('dataset')}, CLI ${byGroup('cli')})`,
    `one-line exit-2 refusals naming field/file/line: ${passed}`,
    `multi-line: ${count(/lines on stderr/)}`,
    `stack traces: ${count(/stack trace/)}`,
    `wrong exit code: ${count(/^exit code/)}`,
    `servers started: ${count(/server was started/)}`,
    `workflows started: ${run.workflowsOnServer}`,
    `${meanMs} ms per case, ${(run.elapsedMs / 1000).toFixed(1)} s in all`,
  ].join('; ');
  return { scenario: 'bad input corpus', trials: results.length, passed, figures, failures };
}

if (require.main === module) {
  badInputScenario().then(
    (r) => {
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      process.exitCode = r.failures.length ? 1 : 0;
    },
    (e: unknown) => {
      process.stderr.write(`bad-input scenario: ${(e as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
