/**
 * Every file in examples/ is loaded the way the CLI loads it, so an example the README points at can never drift
 * out of the schema: experiment grids through `loadExperiment` (every variant validated and built), configs through
 * `loadConfig` and the input builders. File datasets are resolved (every line parsed) only where the benchmark
 * files are present (MASPO_DATA_DIR, default ../shared/datasets); the schema check runs everywhere.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { buildEvaluateInput, loadConfig, readStructuredFile } from '../client/config';
import { loadExperiment } from '../client/experiment';
import { buildOptimizeInput } from '../client/optimize';

const EXAMPLES = path.join(__dirname, '..', 'examples');
const DATA_DIR = process.env.MASPO_DATA_DIR ?? path.join(__dirname, '..', '..', 'shared', 'datasets');
const files = readdirSync(EXAMPLES).filter((f) => /\.(ya?ml|json)$/i.test(f)).sort();

const previousDataDir = process.env.MASPO_DATA_DIR;
beforeAll(() => {
  if (existsSync(DATA_DIR)) process.env.MASPO_DATA_DIR = DATA_DIR;
});
afterAll(() => {
  if (previousDataDir === undefined) delete process.env.MASPO_DATA_DIR;
  else process.env.MASPO_DATA_DIR = previousDataDir;
});

test('examples/ holds configs and grids', () => {
  expect(files.length).toBeGreaterThanOrEqual(10);
});

test.each(files)('examples/%s loads', async (name) => {
  const file = path.join(EXAMPLES, name);
  const raw = (await readStructuredFile(file, 'config')) as Record<string, unknown>;
  if ('base' in raw) {
    const base = await loadConfig(path.resolve(path.dirname(file), String(raw.base)));
    if (base.config.dataset.kind !== 'sim' && !existsSync(DATA_DIR)) return; // base schema checked; no data files here
    const exp = await loadExperiment(file);
    expect(exp.runs.length).toBe(exp.grid.variants.length * (exp.grid.seeds?.length ?? 1));
    return;
  }
  const loaded = await loadConfig(file);
  const ds = loaded.config.dataset;
  if (ds.kind !== 'sim' && !existsSync(DATA_DIR)) return; // schema checked; the data files are not here
  const input = await buildEvaluateInput(loaded);
  expect(input.mas.agents.length).toBeGreaterThan(0);
  if (loaded.config.models.optimizer && loaded.config.models.judge) {
    const search = await buildOptimizeInput(loaded);
    expect(search.ctx.mas.agents.map((a) => a.id)).toEqual(input.mas.agents.map((a) => a.id));
  }
});
