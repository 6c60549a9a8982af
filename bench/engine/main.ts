/**
 * `npm run bench`: the engine benchmark (issues 7 and 14). Runs the paper configuration, the evaluation job alone,
 * the growth series and a reduced search on a real local model (plan.ts), each scenario on its own dev server,
 * simulator or model server and worker (run-scenario.ts), then writes bench/results/engine/<timestamp>.json,
 * latest.json and latest.md and prints the Markdown report with every target met or missed (targets.ts). A
 * benchmark, not a test: it fails only when a scenario cannot run.
 *
 *   npm run bench                          # full (about 25 min on 2 cores)
 *   npm run bench -- --quick               # every kind of run, small (minutes)
 *   npm run bench -- --only paper-fixed    # scenarios whose id contains one of the comma-separated strings
 *   npm run bench -- --no-real             # without the real-model scenario
 *   npm run bench -- --real-model qwen2.5-coder-0.5b-instruct
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { CATALOGUE_NAMES } from '../../activities/llm/providers/local/catalogue';
import { temporalCliVersion } from '../../client/temporal/binary';
import { ensureTemporalCli } from '../../client/temporal/setup';
import { buildWorkflowBundle } from './bundle';
import { localRuntimeInstalled } from './local-runtime';
import { benchPlan } from './plan';
import { DEFAULT_REAL_MODEL } from './real-model';
import { renderReport, summaryLine } from './report';
import { runScenario } from './run-scenario';
import { ROOT } from './scenario';
import { checkTargets, type BenchRun } from './targets';

interface Options {
  quick: boolean;
  only?: string[];
  keep: boolean;
  growthRounds: number;
  growthSteps: number;
  out: string;
  timeoutMin: number;
  render?: string;
  real: boolean;
  realModel: string;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

function catalogueModel(v: string): string {
  if (!CATALOGUE_NAMES.includes(v)) throw new InvalidArgumentError(`'${v}' is not a catalogue model (${CATALOGUE_NAMES.join(', ')})`);
  return v;
}

function positiveInt(flag: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} must be a positive integer, got '${v}'`);
    return n;
  };
}

async function main(): Promise<number> {
  const opts = new Command('bench')
    .description('engine benchmark: calls, critical path, wall-clock, overhead, histories, memory, growth, slot occupancy (issues 7 and 14)')
    .option('--quick', 'one-round, one-step searches and a 100-item evaluation: every kind of run in a few minutes', false)
    .option('--only <ids>', 'run only scenarios whose id contains one of these comma-separated strings', (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .option('--keep', 'keep each scenario directory (call log, server and worker logs)', false)
    .option('--growth-rounds <n>', 'rounds (D) of the growth runs', positiveInt('--growth-rounds'), 1)
    .option('--growth-steps <n>', 'steps per round (T) of the growth runs', positiveInt('--growth-steps'), 2)
    .option('--out <dir>', 'where results are written', path.join(ROOT, 'bench', 'results', 'engine'))
    .option('--timeout-min <n>', 'longest one search may take', positiveInt('--timeout-min'), 30)
    .option('--render <results.json>', 'run nothing: print the report of an earlier results file (targets re-checked)')
    .option('--no-real', 'skip the real-model scenario (managed llama.cpp server)')
    .option('--real-model <name>', `catalogue model of the real-model scenario (${CATALOGUE_NAMES.join(', ')})`, catalogueModel, DEFAULT_REAL_MODEL)
    .showHelpAfterError()
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
    .parse()
    .opts<Options>();

  if (opts.render) return renderFile(opts.render);
  // A quick bench includes the real-model run when it is cheap: nothing to download or build first (or asked for by --only).
  const realModel = opts.real && (!opts.quick || opts.only || localRuntimeInstalled(opts.realModel)) ? opts.realModel : undefined;
  if (opts.real && !realModel) log(`quick: skipping real-${opts.realModel}: the local runtime is not installed (\`npx maspo llm setup --model ${opts.realModel}\`, or --only real to let the bench install it)`);
  const all = benchPlan({ quick: opts.quick, growthRounds: opts.growthRounds, growthSteps: opts.growthSteps, realModel });
  const plan = opts.only ? all.filter((s) => opts.only!.some((o) => s.id.includes(o))) : all;
  if (plan.length === 0) throw new UsageError(`--only: no scenario id contains ${opts.only!.join(' or ')} (ids: ${all.map((s) => s.id).join(', ')})`);

  // Each embedded dev server registers an exit hook in this process (stopped anyway after its scenario); a signal
  // must end the process through exit() so that those hooks stop the server of the scenario in progress.
  process.setMaxListeners(plan.length + 10);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  const started = Date.now();
  const loadStart = os.loadavg();
  const cli = await ensureTemporalCli({ log });
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'maspo-bench-'));
  const runs: BenchRun[] = [];
  const failures: Array<{ id: string; error: string }> = [];
  try {
    log(`building the workflow bundle…`);
    const bundlePath = await buildWorkflowBundle(workDir);
    for (const [i, s] of plan.entries()) {
      log(`[${i + 1}/${plan.length}] ${s.id} …`);
      try {
        const result = await runScenario(s, { workDir, bundlePath, cliPath: cli.path, keep: opts.keep, timeoutMs: opts.timeoutMin * 60_000, log });
        runs.push({ planned: s, result });
        log(`  ${summaryLine(result)}${result.dir ? ` (kept: ${result.dir})` : ''}`);
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        failures.push({ id: s.id, error });
        log(`  FAILED: ${error}`);
      }
    }
  } finally {
    if (!opts.keep) fs.rmSync(workDir, { recursive: true, force: true });
  }

  const now = new Date();
  const mode = `${opts.quick ? 'quick' : 'full'}${opts.only ? `, only ${opts.only.join(',')}` : ''}`;
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const cpus = os.cpus();
  const machine = `${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, Temporal CLI ${await temporalCliVersion(cli.path)}; load average ${loadStart[0].toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end (shared machine)`;
  const totalSeconds = (Date.now() - started) / 1000;
  const targets = checkTargets(runs, opts.quick);
  const report = renderReport({ date: now.toISOString().slice(0, 16).replace('T', ' ') + ' UTC', mode, command, machine, totalSeconds }, runs, targets);
  const failed = failures.length ? `\n### Scenarios that failed\n\n${failures.map((f) => `- ${f.id}: ${f.error.split('\n')[0]}`).join('\n')}\n` : '';

  fs.mkdirSync(opts.out, { recursive: true });
  const stem = opts.only ? 'partial' : opts.quick ? 'quick' : '';
  const stamp = now.toISOString().slice(0, 16).replace(/:/g, '');
  const json = JSON.stringify({ date: now.toISOString(), mode, command, machine, loadAverage: { start: loadStart, end: os.loadavg() }, totalSeconds, runs, failures, targets }, null, 1);
  const name = (s: string) => path.join(opts.out, stem ? `${stem}-${s}` : s);
  fs.writeFileSync(name(`${stamp}.json`), json);
  fs.writeFileSync(name('latest.json'), json);
  fs.writeFileSync(name('latest.md'), `${report}${failed}`);
  process.stdout.write(`${report}${failed}\n`);
  log(`results: ${name(`${stamp}.json`)}, ${name('latest.md')}`);
  // The codec-less long-reply run may fail: that is what it shows. Any other failed search fails the bench.
  const unexpected = runs.filter((r) => r.result.failure && r.planned.paper !== 'history-without-codec');
  return failures.length || unexpected.length ? 1 : 0;
}

interface ResultsFile {
  date: string;
  mode: string;
  command: string;
  machine: string;
  totalSeconds: number;
  runs: BenchRun[];
}

function renderFile(file: string): number {
  let data: ResultsFile;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8')) as ResultsFile;
  } catch (e) {
    throw new UsageError(`--render: ${file}: ${(e as Error).message}`);
  }
  if (!Array.isArray(data.runs)) throw new UsageError(`--render: ${file}: no 'runs' array (not a bench results file)`);
  const quick = data.mode.startsWith('quick');
  const date = data.date.slice(0, 16).replace('T', ' ') + ' UTC';
  process.stdout.write(`${renderReport({ date, mode: data.mode, command: data.command, machine: data.machine, totalSeconds: data.totalSeconds }, data.runs, checkTargets(data.runs, quick))}\n`);
  return 0;
}

class UsageError extends Error {}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`bench: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
