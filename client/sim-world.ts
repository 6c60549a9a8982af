/** The simulated LLM world's settings as `maspo sim serve` takes them: a run config's `sim:` section and/or JSON. */
import { SimWorldSchema, type SimWorldConfig } from '../core/schema/sim-config';
import { formatConfigIssue } from '../core/schema/config';
import { ConfigError, loadConfig } from './config';

/** `world` (JSON text) wins over `configFile`'s `sim:` section; neither = the defaults. Bad input is a ConfigError. */
export async function resolveSimWorld(opts: { configFile?: string; world?: string } = {}): Promise<SimWorldConfig> {
  let raw: unknown = opts.configFile ? (await loadConfig(opts.configFile)).config.sim : {};
  if (opts.world) {
    try {
      raw = JSON.parse(opts.world);
    } catch (e) {
      throw new ConfigError(`--world: invalid JSON (${(e as Error).message})`);
    }
  }
  const parsed = SimWorldSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`--world: sim.${formatConfigIssue(parsed.error)}`);
  return parsed.data;
}
