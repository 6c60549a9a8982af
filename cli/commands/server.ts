/**
 * `maspo server …`: the embedded Temporal dev server (SQLite + Web UI). In the foreground `maspo server` also
 * serves the payload codec endpoint and points the UI at it, so claim-checked payloads read in full there; a
 * detached server (`--detach`, or the one `optimize`/`evaluate` start by themselves) gets it as a `maspo server codec
 * --watch-pid` process of its own. `maspo server codec` alone serves it for another UI.
 */
import { Command } from 'commander';
import { serveCodec, uiOrigins } from '../../client/temporal/codec-endpoint';
import { ensureTemporalCli } from '../../client/temporal/setup';
import { devServerStatus, ensureDevServer, registerSearchAttributes, runServerForeground, stopDevServer } from '../../client/temporal/dev-server';
import { connectTemporal } from '../../client/temporal/connection';
import { portNumber, positiveInteger } from '../flags';
import { processExited } from '../../platform/processes';

const print = (line: string) => process.stdout.write(`${line}\n`);
const info = (line: string) => process.stderr.write(`${line}\n`);

export function registerServer(program: Command): void {
  const server = program
    .command('server')
    .description('the embedded Temporal dev server (SQLite persistence in .maspo/, Web UI); runs in the foreground until Ctrl-C')
    .option('-p, --port <n>', 'frontend gRPC port', portNumber('--port'), 7233)
    .option('--ui-port <n>', 'Web UI port', portNumber('--ui-port'), 8233)
    .option('-d, --detach', 'start in the background and return (stop it with `maspo server stop`)')
    .option('--codec-port <n>', 'port of the payload codec endpoint the UI decodes through (default: UI port + 1)', portNumber('--codec-port'))
    .option('--no-codec', 'do not serve the payload codec endpoint')
    // `server codec --codec-port N` is the subcommand's own option, not this command's (which would take it first).
    .enablePositionalOptions()
    .action(async (opts: { port: number; uiPort: number; detach?: boolean; codecPort?: number; codec: boolean }) => {
      await ensureTemporalCli({ log: info });
      if (opts.detach) {
        const h = await ensureDevServer({ port: opts.port, uiPort: opts.uiPort, codec: opts.codec, codecPort: opts.codecPort, log: info });
        const codec = h.state.codec ? ` · payload codec ${h.state.codec.url}` : '';
        print(`${h.reused ? 'already running' : 'started'}: ${h.state.address} · UI ${h.state.uiUrl}${codec} · data ${h.state.dbFile}`);
        return;
      }
      const codec = opts.codec ? await serveCodec(opts.codecPort ?? opts.uiPort + 1, uiOrigins(opts.uiPort), info) : undefined;
      try {
        if (codec) print(`payload codec endpoint: ${codec.url} (the UI decodes claim-checked payloads through it)`);
        const extraArgs = codec ? ['--ui-codec-endpoint', codec.url] : [];
        process.exitCode = await runServerForeground({ port: opts.port, uiPort: opts.uiPort, extraArgs, print });
      } finally {
        await codec?.close();
      }
    });

  server
    .command('codec')
    .description('serve the payload codec endpoint (POST /decode, /encode) for the Temporal UI or `temporal workflow show --codec-endpoint`, until Ctrl-C')
    .option('--codec-port <n>', 'port on 127.0.0.1', portNumber('--codec-port'), 8234)
    .option('--ui-origin <url>', 'browser origin allowed to call it (repeatable; default the embedded UI on port 8233)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--watch-pid <pid>', 'exit when this process (the dev server it serves) is gone', positiveInteger('--watch-pid'))
    .action(async (opts: { codecPort: number; uiOrigin?: string[]; watchPid?: number }) => {
      const origins = opts.uiOrigin ?? uiOrigins(8233);
      const codec = await serveCodec(opts.codecPort, origins, info);
      print(`payload codec endpoint ${codec.url} for ${origins.join(', ')}; Ctrl-C to stop`);
      print(`  UI: start the server with --ui-codec-endpoint ${codec.url}, or set it under the UI's codec server settings`);
      print(`  CLI: temporal workflow show --codec-endpoint ${codec.url} -w <workflow id>`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
        if (opts.watchPid !== undefined) {
          const watched = opts.watchPid;
          const timer = setInterval(() => {
            if (!processExited(watched)) return;
            clearInterval(timer);
            info(`the dev server (pid ${watched}) is gone; stopping the payload codec endpoint`);
            resolve();
          }, 2000);
        }
      });
      await codec.close();
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
