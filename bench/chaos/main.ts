/**
 * `npm run chaos`: the reliability suite of issue 5 on real processes — the Temporal dev server, `maspo worker`
 * processes, the simulator's OpenAI-compatible server behind a fault-injecting proxy — printing one table
 * (scenario, trials, passed, figures) and writing it to bench/results/chaos/latest.md and latest.json (partial.* for
 * --quick / --only runs).
 *
 *   npm run chaos                 every scenario, full trial counts (about 15–25 minutes on 2 cores)
 *   npm run chaos -- --quick      fewer kills and trials, for iteration
 *   npm run chaos -- --only 1,3   some scenarios
 *   npm run chaos -- --seed 29    another base seed
 *   npm run chaos -- --keep       keep the scratch directory even when every scenario passed
 * Scenario 5 (bad input) comes from bench/chaos/bad-input.ts when that file is present. Exit code 1 when a scenario
 * failed. Scratch files (homes, logs, exported histories) go to $MASPO_CHAOS_DIR or <tmp>/maspo-chaos; they are
 * removed after a run where everything passed, kept for inspection otherwise.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createChaosContext, type ChaosContext } from './context';
import { llmFaultsScenario } from './llm-faults';
import { loadScenario } from './load';
import { misconfigScenario } from './misconfig';
import { errorRow, markdownTable, notRunRow, writeReport, type ScenarioRow } from './report';
import { secretsScenario } from './secrets';
import { serverCrashScenario } from './server-crash';
import { workerCrashScenario } from './worker-crash';

interface Options {
  quick: boolean;
  keep: boolean;
  only?: Set<number>;
  seed: number;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { quick: false, keep: false, seed: 23 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') opts.quick = true;
    else if (a === '--keep') opts.keep = true;
    else if (a === '--only') opts.only = new Set(String(argv[++i] ?? '').split(',').map(Number));
    else if (a === '--seed') opts.seed = Number(argv[++i]);
    else throw new Error(`unknown argument ${a} (expected --quick, --keep, --only 1,2,… or --seed n)`);
  }
  if (!Number.isInteger(opts.seed)) throw new Error('--seed must be an integer');
  if (opts.only && [...opts.only].some((n) => !Number.isInteger(n) || n < 1 || n > 7)) throw new Error('--only takes scenario numbers 1–7');
  return opts;
}

type BadInputRow = { scenario: string; trials: number; passed: number; figures: string; failures: string[] };

/** Scenario 5 lives in bench/chaos/bad-input.ts (another part of the suite); run it when it is there. */
async function badInputRow(): Promise<ScenarioRow> {
  const name = 'Bad input corpus (CLI)';
  const file = path.join(__dirname, 'bad-input');
  if (!fs.existsSync(`${file}.ts`) && !fs.existsSync(`${file}.js`)) return notRunRow(5, name, 'not run: bench/chaos/bad-input.ts is not present');
  const started = Date.now();
  const mod = (await import(file)) as { badInputScenario?: () => Promise<BadInputRow> };
  if (typeof mod.badInputScenario !== 'function') return notRunRow(5, name, 'not run: bench/chaos/bad-input.ts has no badInputScenario()');
  const r = await mod.badInputScenario();
  const ok = r.trials > 0 && r.passed === r.trials && r.failures.length === 0;
  return { id: 5, scenario: name, status: ok ? 'pass' : 'fail', trials: r.trials, passed: r.passed, figures: r.figures, failures: r.failures, ms: Date.now() - started };
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const opts = parseArgs(argv);
  const started = Date.now();
  const wanted = (n: number) => !opts.only || opts.only.has(n);
  const ctx: ChaosContext = await createChaosContext({ quick: opts.quick });
  process.stderr.write(`chaos suite${opts.quick ? ' (quick)' : ''}: seed ${opts.seed}, scratch ${ctx.dir}\n`);
  const scenarios: Array<[number, string, () => Promise<ScenarioRow>]> = [
    [1, 'Worker SIGKILLs during a search', () => workerCrashScenario(ctx, opts.seed)],
    [2, 'Temporal server SIGKILLs during a search', () => serverCrashScenario(ctx, opts.seed)],
    [3, 'LLM faults at the proxy, alone and mixed', () => llmFaultsScenario(ctx, opts.seed)],
    [4, 'Fatal misconfiguration vs unreachable endpoint', () => misconfigScenario(ctx, opts.seed)],
    [5, 'Bad input corpus (CLI)', badInputRow],
    [6, 'Secrets: marked keys vs histories and logs', () => secretsScenario(ctx, opts.seed)],
    [7, 'Load: concurrent searches on shared workers', () => loadScenario(ctx, opts.quick ? [opts.seed, opts.seed + 1] : [opts.seed, opts.seed + 1, opts.seed + 2, opts.seed + 3])],
  ];
  const rows: ScenarioRow[] = [];
  try {
    for (const [id, name, run] of scenarios) {
      if (!wanted(id)) continue;
      const t = Date.now();
      process.stderr.write(`[${id}] ${name}…\n`);
      const row = await run().catch((err: unknown) => errorRow(id, name, err, Date.now() - t));
      rows.push(row);
      process.stderr.write(`[${id}] ${row.status} ${row.passed}/${row.trials} in ${((Date.now() - t) / 1000).toFixed(0)} s: ${row.figures}\n`);
      for (const f of row.failures) process.stderr.write(`    ✗ ${f}\n`);
    }
  } finally {
    await ctx.close();
  }
  const command = `npm run chaos${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  const name = opts.quick || opts.only ? 'partial' : 'latest';
  writeReport(rows, { date: new Date().toISOString(), command, quick: opts.quick, elapsedMs: Date.now() - started, node: process.version }, name);
  const ok = rows.every((r) => r.status !== 'fail');
  if (ok && !opts.keep) fs.rmSync(ctx.dir, { recursive: true, force: true });
  process.stdout.write(`${markdownTable(rows)}\n\nwritten to bench/results/chaos/${name}.md and ${name}.json${ok && !opts.keep ? '' : `; scratch kept in ${ctx.dir}`}\n`);
  return ok ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`chaos: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    },
  );
}
