/** Sizing a local model server (`provider: local`) for a run config, as `maspo llm serve --config` does. */
import { loadConfig } from './config';
import { UsageError } from './errors';

export interface LocalServerDemand {
  /** Parallel slots: the roles' concurrency summed, unless given. */
  concurrency: number;
  /** The longest reply a slot must hold: the roles' largest maxTokens, unless given. */
  maxTokens: number;
}

/** What the roles of `configFile` that use `provider: local` with `model` need from its server (explicit values win). */
export async function localServerDemand(configFile: string, model: string, explicit: { slots?: number; maxTokens?: number } = {}): Promise<LocalServerDemand> {
  const { config } = await loadConfig(configFile);
  const roles = Object.values(config.models).filter((m): m is NonNullable<typeof m> => !!m && m.provider === 'local' && m.model === model);
  if (roles.length === 0) throw new UsageError(`${configFile}: no model uses provider local with model ${model}`);
  return {
    concurrency: explicit.slots ?? roles.reduce((s, m) => s + m.concurrency, 0),
    maxTokens: explicit.maxTokens ?? Math.max(...roles.map((m) => m.maxTokens)),
  };
}
