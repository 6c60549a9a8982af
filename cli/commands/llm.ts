/**
 * `maspo llm setup|serve|stop|status|slots`: the local model runtime (llama.cpp's `llama-server` and GGUF models from
 * the catalogue), managed like the Temporal dev server. A config with `provider: local` needs only `setup`: the
 * worker starts (or reuses) the server of each model itself.
 */
import { Command, InvalidArgumentError } from 'commander';
import { CATALOGUE, CATALOGUE_NAMES, SMALLEST_MODEL, resolveLocalModel, UnknownLocalModelError } from '../../activities/llm/providers/local/catalogue';
import { ensureLlamaServer, ensureModel } from '../../activities/llm/providers/local/install';
import { ensureServer, serverStatuses, sizeServer, stopServers } from '../../activities/llm/providers/local/server';
import { formatOccupancy, slotOccupancy } from '../../activities/llm/providers/local/occupancy';
import { maspoHome } from '../../platform/home';
import { localServerDemand } from '../../client/local-llm';
import { UsageError } from '../../client/errors';
import { isoTime, positiveInteger } from '../flags';

const print = (line: string) => process.stdout.write(`${line}\n`);
const info = (line: string) => process.stderr.write(`${line}\n`);

function modelName(v: string): string {
  try {
    resolveLocalModel(v);
  } catch (err) {
    if (err instanceof UnknownLocalModelError) throw new InvalidArgumentError(err.message);
    throw err;
  }
  return v;
}

export function registerLlm(program: Command): void {
  const llm = program.command('llm').description('the local model runtime: llama.cpp server and GGUF models (provider: local)');

  llm
    .command('setup')
    .description(`install llama-server and a model under the maspo home (idempotent); models: ${CATALOGUE_NAMES.join(', ')}`)
    .option('-m, --model <name>', 'catalogue model to install (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .action(async (opts: { model?: string[] }) => {
      const started = Date.now();
      const home = maspoHome();
      const names = opts.model ?? [SMALLEST_MODEL];
      for (const name of names) if (!CATALOGUE_NAMES.includes(name)) throw new UsageError(`--model ${name}: not in the catalogue (${CATALOGUE_NAMES.join(', ')})`);
      const server = await ensureLlamaServer({ home, log: info });
      print(`llama-server: ${server.path} (${server.source})`);
      for (const name of names) {
        const m = await ensureModel(name, { home, log: info });
        print(`${m.name}: ${m.path} (${(m.bytes / 1e6).toFixed(0)} MB${m.installed ? ', installed' : ''})`);
      }
      info(`setup done in ${Date.now() - started} ms`);
    });

  llm
    .command('serve')
    .description('start the server of a model in the background, or report the one already running')
    .option('-m, --model <name>', 'catalogue name or path to a .gguf file', modelName, SMALLEST_MODEL)
    .option('-c, --config <file>', "size it for this run config: slots = the roles' concurrency, context from maxTokens")
    .option('--slots <n>', 'parallel slots (-np); default 4, or from --config', positiveInteger('--slots'))
    .option('--max-tokens <n>', 'longest reply a slot must hold; default 1024, or from --config', positiveInteger('--max-tokens'))
    .action(async (opts: { model: string; config?: string; slots?: number; maxTokens?: number }) => {
      const { concurrency, maxTokens } = opts.config
        ? await localServerDemand(opts.config, opts.model, { slots: opts.slots, maxTokens: opts.maxTokens })
        : { concurrency: opts.slots ?? 4, maxTokens: opts.maxTokens ?? 1024 };
      const h = await ensureServer(opts.model, sizeServer({ concurrency, maxTokens }), { home: maspoHome(), log: info });
      const s = h.state;
      print(`${h.reused ? 'already running' : 'started'}: ${s.model} · ${s.baseURL} · ${s.sizing.slots} slots × ${s.sizing.contextPerSlot} tokens · pid ${s.pid} · log ${s.logFile}`);
    });

  llm
    .command('stop')
    .description('stop the server of a model, or all of them')
    .option('-m, --model <name>', 'catalogue name or .gguf path (default: every managed server)', modelName)
    .action(async (opts: { model?: string }) => {
      const stopped = await stopServers(maspoHome(), opts.model);
      print(stopped.length ? stopped.map((s) => `stopped ${s.model} (pid ${s.pid})`).join('\n') : 'no managed llama-server was running');
    });

  llm
    .command('status')
    .description('the managed servers and the installed models')
    .action(async () => {
      const home = maspoHome();
      const servers = await serverStatuses(home);
      if (servers.length === 0) print('no managed llama-server is recorded');
      for (const s of servers) {
        const health = s.healthy ? 'ready' : s.alive ? 'not answering /health' : 'not running';
        print(`${s.state.model}: ${health} · ${s.state.baseURL} · ${s.state.sizing.slots} slots · pid ${s.state.pid} · since ${s.state.startedAt}`);
      }
      for (const m of CATALOGUE) print(`catalogue: ${m.name} — ${m.upstream}`);
    });

  llm
    .command('slots')
    .description("how busy the managed servers' slots were in a time window (sampled once a second by the worker that calls them)")
    .requiredOption('--since <time>', 'window start: an ISO time, e.g. a run\'s start', isoTime('--since'))
    .option('--until <time>', 'window end (default: now)', isoTime('--until'))
    .option('--json', 'print the figures as JSON')
    .action(async (opts: { since: number; until?: number; json?: boolean }) => {
      const rows = await slotOccupancy(maspoHome(), opts.since, opts.until ?? Date.now());
      print(opts.json ? JSON.stringify(rows, null, 2) : formatOccupancy(rows));
    });
}
