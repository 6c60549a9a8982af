/** `maspo plan <config>`: forecast a search's LLM calls, tokens and dollars without calling any model (client/plan.ts). */
import { Command } from 'commander';
import { DEFAULT_TOKEN_ASSUMPTIONS } from '../../core/forecast/pricing';
import { ConfigError, loadConfig } from '../../client/config';
import { formatPlan, loadCalibrationRecord, planReport } from '../../client/plan';

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('forecast the LLM calls, tokens and dollars of `maspo optimize <config>` per role and round, without calling any model')
    .argument('<config>', 'run config with an `optimize:` section (YAML or JSON)')
    .option('--json', 'print the forecast as JSON on stdout')
    .option('--question-tokens <n>', `assumed tokens per question (default ${DEFAULT_TOKEN_ASSUMPTIONS.questionTokens})`)
    .option('--calibrate <run>', 'also print the expected calls, from how many of its forecast calls an earlier run of the same strategy and profile made: a run record (maspo export -o run.json) or an optimize workflow id')
    .action(async (file: string, opts: { json?: boolean; questionTokens?: string; calibrate?: string }) => {
      const loaded = await loadConfig(file);
      const q = opts.questionTokens === undefined ? undefined : Number(opts.questionTokens);
      if (q !== undefined && !(Number.isFinite(q) && q >= 0)) throw new ConfigError(`--question-tokens: expected a non-negative number, got '${opts.questionTokens}'`);
      const calibrate = opts.calibrate === undefined ? undefined : await loadCalibrationRecord(opts.calibrate);
      const report = await planReport(loaded, { tokens: q === undefined ? {} : { questionTokens: q }, calibrate });
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatPlan(report)}\n`);
    });
}
