/**
 * Where misalignment mining matters in the simulated world (sim/README.md, "Where misalignment mining matters"):
 * the paper configuration on examples/sim-trap.yaml's chain, run in-process through the workflows' own units
 * (workflows/optimize/units.ts `searchInProcess` with the simulator as the LLM caller, fixtures/sim-search.ts; no
 * Temporal), with hard-negative cases, without them, with random cases and
 * local-only, each scored on 300 held-out test tasks. Simulator numbers: they describe this implementation in this
 * world, not real LLMs.
 *
 *   npx tsx bench/sim-misalignment.ts            # both rows of the README table (about a minute)
 */
import path from 'node:path';
import { loadConfig } from '../client/config';
import { buildOptimizeInput } from '../client/optimize';
import type { ModelSpec } from '../core/contracts/llm';
import { optimizeSettings } from '../core/schema/optimize';
import { SimWorldSchema, type SimWorldConfig } from '../core/schema/sim-config';
import { generateTasks } from '../sim/tasks';
import { searchOnSim } from '../fixtures/sim-search';
import { chainStats } from '../fixtures/sim-chain';

const VARIANTS: Record<string, Partial<Parameters<typeof optimizeSettings>[0]>> = {
  'MASPO (hard negatives)': {},
  'misalignment off': { misalignment: 'off' },
  'random cases': { misalignment: 'random' },
  'local-only': { strategy: 'local-only' },
};

interface Row {
  label: string;
  /** World seed per run seed (the same world for all, or one world per seed). */
  worldOf: (runSeed: number) => number;
  runSeeds: number[];
}

async function main(): Promise<void> {
  const loaded = await loadConfig(path.join(__dirname, '..', 'examples', 'sim-trap.yaml'));
  const ctx = (await buildOptimizeInput(loaded)).ctx;
  const agents = ctx.mas.agents;
  const templates = agents.map((a) => a.prompt);
  const paper = ctx.settings;
  const rows: Row[] = [
    { label: 'world 11, run seeds 11–16', worldOf: () => 11, runSeeds: [11, 12, 13, 14, 15, 16] },
    { label: 'world = run seed, 11–21', worldOf: (s) => s, runSeeds: [11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21] },
  ];
  console.log(`| seeds | seed prompts | ${Object.keys(VARIANTS).join(' | ')} |`);
  console.log(`|---|---|${Object.keys(VARIANTS).map(() => '---').join('|')}|`);
  for (const row of rows) {
    const acc: Record<string, number[]> = Object.fromEntries(Object.keys(VARIANTS).map((v) => [v, []]));
    const seedAcc: number[] = [];
    for (const runSeed of row.runSeeds) {
      const world: SimWorldConfig = SimWorldSchema.parse({ ...(loaded.config.sim as object), seed: row.worldOf(runSeed) });
      const pool = generateTasks({ seed: world.seed, split: 'train', size: paper.poolSize, world }).map((t) => t.question);
      const test = generateTasks({ seed: world.seed, split: 'test', size: 300, world });
      seedAcc.push(chainStats(world, templates, test).accuracy);
      const perSeed: string[] = [];
      for (const [name, over] of Object.entries(VARIANTS)) {
        const settings = optimizeSettings({ ...(loaded.config.optimize as object), ...over });
        const inWorld = (m: ModelSpec): ModelSpec => ({ ...m, sim: world as unknown as Record<string, unknown> });
        const models = { backbone: inWorld(ctx.models.backbone), optimizer: inWorld(ctx.models.optimizer), judge: inWorld(ctx.models.judge) };
        const result = await searchOnSim({ ...ctx, settings, seed: runSeed, models }, pool);
        const a = chainStats(world, agents.map((x) => result.prompts[x.id]), test).accuracy;
        acc[name].push(a);
        perSeed.push(`${name} ${a.toFixed(3)} (${result.casesMined} cases)`);
      }
      console.error(`world ${world.seed} run seed ${runSeed}: ${perSeed.join(' · ')}`);
    }
    const mean = (xs: number[]) => (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3);
    const range = `${Math.min(...seedAcc).toFixed(2)}–${Math.max(...seedAcc).toFixed(2)}`;
    console.log(`| ${row.label} | ${new Set(seedAcc).size === 1 ? seedAcc[0].toFixed(3) : range} | ${Object.keys(VARIANTS).map((v) => mean(acc[v])).join(' | ')} |`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
