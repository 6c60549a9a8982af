/**
 * What each MASPO mechanism buys in the simulated world, separated by paired statistics (issue 12): the ablations of
 * the paper's Table 2 on a 3-agent chain with the planted trap (examples/sim-chain3.yaml, where lookahead is judged on
 * its own), the same comparison in other worlds, and the Beam Refresh variants with the beam's top-1 overlap across
 * rounds. Every search runs in-process through the workflows' own units (workflows/optimize/units.ts
 * `searchInProcess`, fixtures/sim-search.ts); every prompt set is scored on the same held-out test tasks.
 *
 * Pairing: world seed = run seed, so for one seed every variant searches the same world and is scored on the same
 * held-out items. Each variant is compared with maspo item by item over all (seed, item) pairs: the difference with
 * a paired bootstrap CI over those pairs and an exact McNemar test, and — because a search's own randomness is what
 * varies most — a second CI from resampling whole seeds (the per-seed mean differences). Simulator numbers: they
 * describe this implementation in this world, not real LLMs.
 *
 *   node --import tsx bench/sim-ablations.ts                         # all three tables, 10 seeds, 300 held-out items
 *   … --config examples/sim-chain3-reachable.yaml --seeds 100          # the trap reachable instead of planted
 *   … --case-reaction reroll                                           # the simulator's default optimizer draws
 *   node --import tsx bench/sim-ablations.ts --table refresh --seeds 3
 *   … -o bench/results/sim/ablations                                  # also write <dir>/<table>.md and .json
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../client/config';
import { buildOptimizeInput } from '../client/optimize';
import { comparePaired } from '../core/common/paired-stats';
import { bootstrapMeanCI, mean } from '../core/common/stats';
import type { ModelSpec } from '../core/contracts/llm';
import type { SearchContext } from '../core/contracts/optimize';
import { optimizeSettings, type OptimizeInput } from '../core/schema/optimize';
import { SimWorldSchema, type SimWorldConfig, type SimWorldInput } from '../core/schema/sim-config';
import { readDirectives } from '../sim/lexicon';
import { generateTasks } from '../sim/tasks';
import { runChain } from '../fixtures/sim-chain';
import { searchOnSim } from '../fixtures/sim-search';

type Variants = Record<string, OptimizeInput>;

/** The paper's Table 2 rows (no-joint-eval mines nothing: its cases need the lookahead/global verdicts it turns off). */
const ABLATIONS: Variants = {
  maspo: {},
  none: { strategy: 'none' },
  'local-only': { strategy: 'local-only' },
  'no-joint-eval': { jointEvaluation: false, misalignment: 'off' },
  'misalignment off': { misalignment: 'off' },
  'misalignment random': { misalignment: 'random' },
  'misalignment success': { misalignment: 'success' },
  'no refresh': { beamRefresh: false },
};

const REFRESH: Variants = {
  maspo: {},
  'refresh on a fresh batch': { refreshBatch: 'fresh' },
  'refresh that keeps the best': { refreshMovesBest: false },
  'no refresh': { beamRefresh: false },
};

/** When a buffered misalignment case stops being shown (`optimize.caseExpiry`, opt-in). */
const EXPIRY: Variants = {
  maspo: {},
  'cases expire after 1 later step': { caseExpiry: { turns: 1 } },
  'cases expire when their prompt leaves the beam': { caseExpiry: { beamExit: true } },
  'both': { caseExpiry: { turns: 1, beamExit: true } },
};

/** Worlds of the robustness table: each changes one thing of the base world. */
const WORLDS: Record<string, SimWorldInput> = {
  'base world (as configured)': {},
  'harder tasks (5–9 steps)': { tasks: { minSteps: 5, maxSteps: 9 } },
  'judge position bias 0.3, noise 0.2': { judge: { positionBias: 0.3, noise: 0.2 } },
  'misalignment at half strength': { misalignment: { strength: 0.5 } },
  'misalignment at double pull (judge localBrevity 2)': { judge: { localBrevity: 2 } },
  "judge as error-prone as the agents (stepError 0.08)": { judge: { stepError: 0.08 } },
};
const ROBUSTNESS_VARIANTS: Variants = { maspo: {}, 'local-only': { strategy: 'local-only' }, 'misalignment off': { misalignment: 'off' } };

interface Run {
  variant: string;
  seed: number;
  /** Held-out outcome per item, in test-task order. */
  outcomes: boolean[];
  accuracy: number;
  casesMined: number;
  /** Refreshes that moved an agent's best to another beam node. */
  anchorShifts: number;
  /** The first agent's (the solver's) candidates, split by whether their step showed cases, and how many say "be concise". */
  reaction: { afterCase: { n: number; trap: number }; afterNone: { n: number; trap: number } };
  calls: number;
  /** Share of (agent, consecutive rounds) whose best node stayed the same; null with a single round. */
  top1Overlap: number | null;
}

function top1Overlap(roundBest: ReadonlyArray<Record<string, string>>): number | null {
  const same: boolean[] = [];
  for (let r = 1; r < roundBest.length; r++) for (const id of Object.keys(roundBest[r])) same.push(roundBest[r][id] === roundBest[r - 1][id]);
  return same.length ? same.filter(Boolean).length / same.length : null;
}

/**
 * Reaction to cases: of the first agent's candidate prompts, the share that carry the trap ("be concise"), after a
 * step whose proposals were shown cases against after one shown none.
 */
function reactionOf(steps: ReadonlyArray<{ agentId: string; cases: number; candidates: string[] }>, agentId: string): Run['reaction'] {
  const tally = { afterCase: { n: 0, trap: 0 }, afterNone: { n: 0, trap: 0 } };
  for (const step of steps.filter((x) => x.agentId === agentId)) {
    const bucket = step.cases > 0 ? tally.afterCase : tally.afterNone;
    for (const prompt of step.candidates) {
      bucket.n++;
      if (readDirectives(prompt).set.brevity) bucket.trap++;
    }
  }
  return tally;
}

async function runGrid(base: SearchContext, baseOptimize: OptimizeInput, baseWorld: SimWorldInput, variants: Variants, seeds: number[], heldOut: number, log: (s: string) => void): Promise<Run[]> {
  const runs: Run[] = [];
  for (const seed of seeds) {
    const world: SimWorldConfig = SimWorldSchema.parse({ ...baseWorld, seed });
    const settings0 = optimizeSettings(baseOptimize);
    const pool = generateTasks({ seed, split: 'train', size: settings0.poolSize, world }).map((t) => t.question);
    const test = generateTasks({ seed, split: 'test', size: heldOut, world });
    const inWorld = (m: ModelSpec): ModelSpec => ({ ...m, sim: world as unknown as Record<string, unknown> });
    const models = { backbone: inWorld(base.models.backbone), optimizer: inWorld(base.models.optimizer), judge: inWorld(base.models.judge) };
    const line: string[] = [];
    for (const [variant, over] of Object.entries(variants)) {
      const settings = optimizeSettings({ ...baseOptimize, ...over });
      const result = await searchOnSim({ ...base, settings, seed, models }, pool);
      const templates = base.mas.agents.map((a) => result.prompts[a.id]);
      const outcomes = test.map((t) => runChain(world, templates, t).correct);
      const accuracy = outcomes.filter(Boolean).length / outcomes.length;
      const calls = result.calls.backbone + result.calls.optimizer + result.calls.judge;
      runs.push({ variant, seed, outcomes, accuracy, casesMined: result.casesMined, anchorShifts: result.anchorShifts, reaction: reactionOf(result.steps, base.mas.agents[0].id), calls, top1Overlap: top1Overlap(result.roundBest) });
      line.push(`${variant} ${(accuracy * 100).toFixed(1)}%`);
    }
    log(`  seed ${seed}: ${line.join(' · ')}`);
  }
  return runs;
}

interface Row {
  variant: string;
  accuracy: number;
  /** vs maspo over (seed, item) pairs; absent for maspo itself. */
  paired?: { difference: number; ci: [number, number]; seedCi: [number, number]; p: number; gained: number; lost: number };
  casesMined: number;
  anchorShifts: number;
  /** Pooled over seeds: trap share of the first agent's candidates after cases / after none. */
  reaction: Run['reaction'];
  calls: number;
  top1Overlap: number | null;
}

function summarize(runs: Run[], seeds: number[]): Row[] {
  const variants = [...new Set(runs.map((r) => r.variant))];
  const of = (v: string, s: number) => runs.find((r) => r.variant === v && r.seed === s)!;
  return variants.map((variant) => {
    const mine = seeds.map((s) => of(variant, s));
    const overlaps = mine.map((r) => r.top1Overlap).filter((x): x is number => x !== null);
    const row: Row = { variant, accuracy: mean(mine.map((r) => r.accuracy)), casesMined: mean(mine.map((r) => r.casesMined)), anchorShifts: mean(mine.map((r) => r.anchorShifts)), reaction: pooledReaction(mine), calls: mean(mine.map((r) => r.calls)), top1Overlap: overlaps.length ? mean(overlaps) : null };
    if (variant !== 'maspo') {
      const a = seeds.flatMap((s) => of('maspo', s).outcomes);
      const b = seeds.flatMap((s) => of(variant, s).outcomes);
      const c = comparePaired(a, b, 7);
      const seedCi = bootstrapMeanCI(seeds.map((s) => of(variant, s).accuracy - of('maspo', s).accuracy), 7);
      row.paired = { difference: c.difference, ci: [c.ci.low, c.ci.high], seedCi: [seedCi.low, seedCi.high], p: c.mcnemar.pValue, gained: c.mcnemar.bOnly, lost: c.mcnemar.aOnly };
    }
    return row;
  });
}

function pooledReaction(runs: readonly Run[]): Run['reaction'] {
  const sum = (k: 'afterCase' | 'afterNone') => ({ n: runs.reduce((a, r) => a + r.reaction[k].n, 0), trap: runs.reduce((a, r) => a + r.reaction[k].trap, 0) });
  return { afterCase: sum('afterCase'), afterNone: sum('afterNone') };
}

const share = (x: { n: number; trap: number }) => (x.n ? `${((100 * x.trap) / x.n).toFixed(0)}% of ${x.n}` : '—');

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const pts = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}`;
const ci = ([lo, hi]: [number, number]) => `[${pts(lo)}, ${pts(hi)}]`;
const pval = (p: number) => (p < 0.001 ? '< 0.001' : p.toFixed(3));

function markdown(title: string, rows: Row[], seeds: number[], heldOut: number): string {
  const head = `### ${title}\n\n${seeds.length} run seeds (${seeds[0]}–${seeds[seeds.length - 1]}, world seed = run seed), ${heldOut} held-out items each; differences vs maspo over ${seeds.length * heldOut} (seed, item) pairs.\n\n`;
  const table = [
    '| variant | held-out acc. | − maspo, pts [95% CI, items × seeds] | [95% CI, by seed] | McNemar p (gained / lost) | cases mined / run | first agent’s candidates saying "be concise": after cases · after none | anchor shifts / run | top-1 overlap across rounds | calls / run |',
    '|---|---:|---|---|---|---:|---|---:|---:|---:|',
    ...rows.map((r) =>
      r.paired
        ? `| ${r.variant} | ${pct(r.accuracy)} | ${pts(r.paired.difference)} ${ci(r.paired.ci)} | ${ci(r.paired.seedCi)} | ${pval(r.paired.p)} (${r.paired.gained} / ${r.paired.lost}) | ${r.casesMined.toFixed(1)} | ${share(r.reaction.afterCase)} · ${share(r.reaction.afterNone)} | ${r.anchorShifts.toFixed(1)} | ${r.top1Overlap === null ? '—' : pct(r.top1Overlap)} | ${r.calls.toFixed(0)} |`
        : `| **${r.variant}** | **${pct(r.accuracy)}** | — | — | — | ${r.casesMined.toFixed(1)} | ${share(r.reaction.afterCase)} · ${share(r.reaction.afterNone)} | ${r.anchorShifts.toFixed(1)} | ${r.top1Overlap === null ? '—' : pct(r.top1Overlap)} | ${r.calls.toFixed(0)} |`,
    ),
  ].join('\n');
  return `${head}${table}\n`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string', default: '10' },
      'held-out': { type: 'string', default: '300' },
      table: { type: 'string', default: 'all' },
      config: { type: 'string', default: path.join('examples', 'sim-chain3.yaml') },
      'case-reaction': { type: 'string', default: 'local' },
      out: { type: 'string', short: 'o' },
    },
  });
  const seeds = Array.from({ length: Number(values.seeds) }, (_, i) => 11 + i);
  const heldOut = Number(values['held-out']);
  const tables = values.table === 'all' ? ['ablations', 'refresh', 'robustness'] : [values.table!];
  const loaded = await loadConfig(values.config!);
  const base = (await buildOptimizeInput(loaded)).ctx;
  const baseOptimize = loaded.config.optimize as OptimizeInput;
  // The simulated optimizer's reaction to cases (core/schema/sim-config.ts `caseReaction`): `local` by default here,
  // so a case changes a proposal only where its evidence tilts the edit, instead of re-rolling it entirely.
  const reaction = values['case-reaction'];
  if (reaction !== 'local' && reaction !== 'reroll') throw new Error(`--case-reaction: ${reaction} is not local or reroll`);
  const configured = loaded.config.sim as SimWorldInput;
  const baseWorld: SimWorldInput = { ...configured, optimizer: { ...(configured.optimizer ?? {}), caseReaction: reaction } };
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const started = Date.now();
  const out: Record<string, unknown> = { config: values.config, caseReaction: reaction, seeds, heldOut };
  const sections: string[] = [];
  for (const table of tables) {
    if (table === 'ablations' || table === 'refresh' || table === 'expiry') {
      log(`${table}:`);
      const variants = { ablations: ABLATIONS, refresh: REFRESH, expiry: EXPIRY }[table];
      const title = {
        ablations: 'Ablations (paper Table 2) on the 3-agent chain with the trap',
        refresh: 'Beam Refresh: shared batch, fresh batch, best kept, none',
        expiry: 'Misalignment case expiry',
      }[table];
      const rows = summarize(await runGrid(base, baseOptimize, baseWorld, variants, seeds, heldOut, log), seeds);
      out[table] = rows;
      sections.push(markdown(title, rows, seeds, heldOut));
    } else if (table === 'robustness') {
      const byWorld: Record<string, Row[]> = {};
      for (const [name, world] of Object.entries(WORLDS)) {
        log(`robustness, ${name}:`);
        const merged = { ...baseWorld, ...world, judge: { ...(baseWorld.judge ?? {}), ...(world.judge ?? {}) } } as SimWorldInput;
        byWorld[name] = summarize(await runGrid(base, baseOptimize, merged, ROBUSTNESS_VARIANTS, seeds, heldOut, log), seeds);
      }
      out.robustness = byWorld;
      const header = '| world | maspo | local-only | maspo − local-only, pts [CI items × seeds] [CI by seed] | misalignment off | maspo − misalignment off, pts [CI items × seeds] [CI by seed] |\n|---|---:|---:|---|---:|---|';
      const line = (name: string, rows: Row[]) => {
        const [m, l, o] = ['maspo', 'local-only', 'misalignment off'].map((v) => rows.find((r) => r.variant === v)!);
        // The rows hold variant − maspo; the table reads maspo − variant.
        const neg = (r: Row) => `${pts(-r.paired!.difference)} ${ci([-r.paired!.ci[1], -r.paired!.ci[0]])} ${ci([-r.paired!.seedCi[1], -r.paired!.seedCi[0]])}`;
        return `| ${name} | ${pct(m.accuracy)} | ${pct(l.accuracy)} | ${neg(l)} | ${pct(o.accuracy)} | ${neg(o)} |`;
      };
      sections.push(`### Robustness: the same comparison in other worlds\n\n${seeds.length} run seeds per world (world seed = run seed), ${heldOut} held-out items each.\n\n${header}\n${Object.entries(byWorld).map(([n, r]) => line(n, r)).join('\n')}\n`);
    } else throw new Error(`--table: ${table} is not one of ablations, refresh, expiry, robustness, all`);
  }
  out.wallClockMinutes = (Date.now() - started) / 60000;
  const md = `${sections.join('\n')}\nCommand: \`node --import tsx bench/sim-ablations.ts --seeds ${seeds.length} --held-out ${heldOut} --table ${values.table} --config ${values.config} --case-reaction ${reaction}\` (${(out.wallClockMinutes as number).toFixed(1)} min on this machine).\n`;
  process.stdout.write(md);
  if (values.out) {
    await mkdir(values.out, { recursive: true });
    await writeFile(path.join(values.out, `${values.table}.md`), md);
    await writeFile(path.join(values.out, `${values.table}.json`), `${JSON.stringify(out, null, 1)}\n`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
