/** `maspo sim serve`: the simulated LLM world behind an OpenAI-compatible HTTP endpoint. */
import { Command } from 'commander';
import { startSimServer } from '../../sim/server';
import { resolveSimWorld } from '../../client/sim-world';
import { portNumber } from '../flags';

export function registerSim(program: Command): void {
  const sim = program.command('sim').description('the simulated LLM world (a deterministic simulator, not a model)');
  sim
    .command('serve')
    .description('serve the simulator as an OpenAI-compatible endpoint (POST /v1/chat/completions) until Ctrl-C')
    .option('-c, --config <file>', "take the world settings from this run config's `sim:` section")
    .option('--world <json>', 'world settings as JSON (overrides --config), e.g. \'{"seed":7}\'')
    .option('-p, --port <n>', 'port (0 = any free port)', portNumber('--port', { allowZero: true }), 8787)
    .option('--host <ip>', 'bind address', '127.0.0.1')
    .action(async (opts: { config?: string; world?: string; port: number; host: string }) => {
      const world = await resolveSimWorld({ configFile: opts.config, world: opts.world });
      const server = await startSimServer({ world, port: opts.port, host: opts.host });
      process.stderr.write(`simulated LLM world listening on ${server.url} (OpenAI-compatible: baseURL ${server.url}/v1); Ctrl-C to stop\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
    });
}
